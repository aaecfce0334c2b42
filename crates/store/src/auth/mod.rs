//! Sign-in, sessions, lockout and password changes.
//!
//! Sessions live in the database (only a SHA-256 of the token is stored), so any number of
//! stateless server instances can share one PostgreSQL.

use crate::audit::{self, Author, Change};
use crate::kit::cache::FreshCache;
use crate::kit::clock;
use crate::kit::db::{Db, Flag};
use crate::kit::error::StoreError;
use crate::scoped::Actor;
pub use crate::settings::AuthSettings;
pub(crate) mod secrets;
pub mod two_factor;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::Argon2;
use luodi_domain::{RegionCode, Role, Scope};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use zeroize::{Zeroize, Zeroizing};

/// Account and session rules; every default is configurable (`[auth]` in luodi.toml).
/// This instance's short-lived copies of session rows (see `kit/cache.rs`), cleared by every
/// change to an account or a session.
pub(crate) fn sessions(db: &Db) -> std::sync::Arc<FreshCache<SessionRow>> {
    db.memo.get()
}

fn row_region(row: &AccountRow) -> Option<RegionCode> {
    row.region_code
        .as_deref()
        .and_then(|c| RegionCode::parse(c).ok())
}

/// The user behind a valid session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub actor: Actor,
    /// Until the password is changed, only the password page may be used.
    pub must_change_password: bool,
    /// Why, when it is because the password is older than `password_max_age_days`.
    pub password_expired: bool,
}

pub enum LoginOutcome {
    Success {
        token: String,
        user: SessionUser,
    },
    /// The password was right; the sign-in is finished by a second step.
    SecondFactor(Challenge),
    InvalidCredentials,
    Locked {
        until: String,
    },
    /// Too many failed sign-ins from this client address: try again after `until`.
    Throttled {
        until: String,
    },
}

/// A sign-in waiting for its second step, for a few minutes (`CHALLENGE_MINUTES`).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Challenge {
    /// Sent back with the second step.
    pub challenge: String,
    pub step: SecondStep,
    pub expires_at: String,
}

/// The second step a sign-in owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecondStep {
    /// A code from the authenticator app, or a recovery code.
    Verify,
    /// The role must sign in with a second factor and the account has none: enrol now.
    Enrol,
}

impl SecondStep {
    fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Enrol => "enrol",
        }
    }
}

/// How a second step ended.
pub enum SecondStepOutcome {
    /// Signed in; an enrolment also answers its recovery codes, shown once.
    Success {
        token: String,
        user: SessionUser,
        recovery_codes: Option<Vec<String>>,
    },
    InvalidCode,
    /// The pending sign-in is unknown or has expired: sign in with the password again.
    Expired,
    Locked {
        until: String,
    },
}

/// What went wrong in a step of a known account's sign-in.
#[derive(Clone, Copy)]
enum Failure {
    Password,
    Inactive,
    Code { reused: bool },
}

impl Failure {
    fn action(self) -> &'static str {
        match self {
            Self::Password | Self::Inactive => "login_failed",
            Self::Code { .. } => "two_factor_failed",
        }
    }

    fn summary(self, username: &str, attempts: i64) -> String {
        match self {
            Self::Inactive => format!("已停用账号 {username} 尝试登录"),
            Self::Password => format!("{username} 密码错误（连续第{attempts}次）"),
            Self::Code { reused: true } => {
                format!("{username} 两步验证码已使用过（连续第{attempts}次失败）")
            }
            Self::Code { reused: false } => {
                format!("{username} 两步验证码错误（连续第{attempts}次失败）")
            }
        }
    }
}

/// How long a password-checked sign-in waits for its second step.
const CHALLENGE_MINUTES: i64 = 5;

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes), in this thread's
/// kept memory (see `BLOCKS`).
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    let failed = |e: &dyn std::fmt::Display| StoreError::Internal(format!("hashing password: {e}"));
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf).map_err(|e| failed(&e))?;
    let params = argon2::Params::default();
    let algorithm = argon2::Algorithm::Argon2id;
    let version = argon2::Version::V0x13;
    let argon = Argon2::new(algorithm, version, params.clone());
    let output =
        argon2::password_hash::Output::init_with(argon2::Params::DEFAULT_OUTPUT_LEN, |out| {
            in_kept_memory(&argon, params.block_count(), password, salt_bytes, out)
                .map_err(|_| argon2::password_hash::Error::Crypto)
        })
        .map_err(|e| failed(&e))?;
    Ok(PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: argon2::password_hash::ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string())
}

thread_local! {
    /// A hashing thread's Argon2 memory, kept from one sign-in to the next. Allocated afresh
    /// for each hash, glibc's adaptive thresholds keep every freed 19 MiB block in the heap,
    /// and a few dozen sign-ins left the server hundreds of megabytes larger for good.
    static BLOCKS: std::cell::RefCell<Vec<argon2::Block>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs Argon2 in this thread's kept memory and clears that memory afterwards (剩余信息保护):
/// it holds values derived from the password until overwritten.
fn in_kept_memory(
    argon: &Argon2<'_>,
    blocks: usize,
    password: &str,
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    BLOCKS.with(|memory| {
        let mut memory = memory.borrow_mut();
        if memory.len() < blocks {
            memory.resize(blocks, argon2::Block::default());
        }
        let result = argon.hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            out,
            &mut memory[..blocks],
        );
        memory[..blocks].iter_mut().for_each(Zeroize::zeroize);
        result
    })
}

/// Checks `password` against a PHC-format Argon2 hash, computing it in this thread's kept
/// memory; the comparison is constant-time (`password_hash::Output`).
fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        argon2::Params::try_from(&parsed),
        argon2::Algorithm::try_from(parsed.algorithm),
    ) else {
        return false;
    };
    let version = match parsed.version.map(argon2::Version::try_from) {
        None => argon2::Version::V0x13,
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    in_kept_memory(&argon, blocks, password, salt, &mut out).is_ok()
        && argon2::password_hash::Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
/// Bounds the Argon2 work of one instance: each hash holds about 19 MiB for its duration, so
/// a burst of sign-ins (real or invented usernames alike) would otherwise take memory without
/// limit. Hashes run on a few threads of their own, one per core, so that the memory a
/// finished hash leaves in its thread's allocator is reused by the next one instead of
/// piling up in many threads; a bounded number of callers wait their turn, and beyond that a
/// caller is turned away at once (`StoreError::Busy`, answered 503 with a retry time).
pub(crate) struct HashLimiter {
    running: tokio::sync::Semaphore,
    waiting: std::sync::atomic::AtomicUsize,
    max_waiting: usize,
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
}

type Job = Box<dyn FnOnce() + Send>;

impl Default for HashLimiter {
    fn default() -> Self {
        Self::new(AuthSettings::default().max_waiting_hashes)
    }
}

impl HashLimiter {
    pub(crate) fn new(max_waiting: usize) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for i in 0..cores {
            let queue = queue.clone();
            // A worker ends when the limiter (the only sender) is dropped.
            let _ = std::thread::Builder::new()
                .name(format!("luodi-hash-{i}"))
                .spawn(move || loop {
                    let job = match queue.lock() {
                        Ok(q) => q.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
        }
        Self {
            running: tokio::sync::Semaphore::new(cores),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            max_waiting,
            jobs: std::sync::Mutex::new(jobs),
        }
    }

    /// Runs `work` on a hashing thread once a slot is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        use std::sync::atomic::Ordering;
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(StoreError::Busy);
        }
        let permit = self.running.acquire().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let _permit = permit.map_err(|e| StoreError::Internal(e.to_string()))?;
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        self.jobs
            .lock()
            .map_err(|_| StoreError::Internal("hashing threads gone".into()))?
            .send(job)
            .map_err(|_| StoreError::Internal("hashing threads gone".into()))?;
        result
            .await
            .map_err(|_| StoreError::Internal("hashing thread failed".into()))
    }
}

/// Hashes a password on a hashing thread; the password's copies are cleared once done.
pub(crate) async fn hash_blocking(
    db: &Db,
    password: impl Into<Zeroizing<String>>,
) -> Result<String, StoreError> {
    let password = password.into();
    db.memo
        .get::<HashLimiter>()
        .run(move || hash_password(&password))
        .await?
}

/// Checks a password on a hashing thread; the copy it takes there is cleared once done.
pub(crate) async fn verify_blocking(
    db: &Db,
    password: &str,
    hash: String,
) -> Result<bool, StoreError> {
    let password = Zeroizing::new(password.to_owned());
    db.memo
        .get::<HashLimiter>()
        .run(move || verify_password(&password, &hash))
        .await
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A hash of a random password, verified against when the username is unknown so that the
/// answer takes as long as for a real account.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

#[derive(Clone, sqlx::FromRow)]
struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    password_hash: String,
    role: String,
    region_code: Option<String>,
    unit_id: Option<i64>,
    active: Flag,
    must_change_password: Flag,
    seeded_password: Flag,
    failed_attempts: i64,
    locked_until: Option<String>,
    password_changed_at: String,
    demo_data: Option<String>,
}

const ACCOUNT_COLUMNS: &str = "u.id, u.username, u.display_name, u.password_hash, u.role, \
    u.region_code, u.unit_id, u.active, u.must_change_password, u.seeded_password, \
    u.failed_attempts, u.locked_until, u.password_changed_at, \
    (SELECT value FROM settings WHERE key = 'demo_data') AS demo_data";

impl AccountRow {
    fn into_session_user(
        self,
        settings: &AuthSettings,
        request_id: Option<String>,
    ) -> Result<SessionUser, StoreError> {
        let role = Role::parse(&self.role)
            .ok_or_else(|| StoreError::Internal(format!("unknown role {}", self.role)))?;
        let region_code = self
            .region_code
            .as_deref()
            .map(crate::regions::stored_code)
            .transpose()?;
        let demo_mode = settings
            .demo_mode
            .unwrap_or(self.demo_data.as_deref() == Some("loaded"));
        let scope = match &region_code {
            Some(code) => Scope::Region(code.clone()),
            None => Scope::Nationwide,
        };
        // 口令定期更换: a password set longer ago than the limit is changed before anything else.
        let password_expired = settings.password_max_age_days > 0
            && self.password_changed_at
                < clock::now_plus(-time::Duration::days(settings.password_max_age_days));
        Ok(SessionUser {
            password_expired,
            must_change_password: self.must_change_password.0
                || (self.seeded_password.0 && !demo_mode)
                || password_expired,
            actor: Actor {
                user_id: self.id,
                username: self.username,
                display_name: self.display_name,
                role,
                region_code,
                unit_id: self.unit_id,
                scope,
                request_id,
            },
        })
    }
}

/// A valid session with its account, as read for a request.
#[derive(Clone, sqlx::FromRow)]
pub(crate) struct SessionRow {
    #[sqlx(flatten)]
    account: AccountRow,
    last_seen_at: String,
}

pub struct Auth<'a> {
    db: &'a Db,
    settings: &'a AuthSettings,
}

impl<'a> Auth<'a> {
    pub(crate) fn new(db: &'a Db, settings: &'a AuthSettings) -> Self {
        Self { db, settings }
    }

    pub async fn login(
        &self,
        username: &str,
        password: &str,
        request_id: Option<&str>,
    ) -> Result<LoginOutcome, StoreError> {
        let username = username.trim();
        let address = audit::context::client_addr().map(|a| format!("addr:{a}"));
        if self.settings.max_failed_per_address > 0 {
            if let Some(until) = match &address {
                Some(key) => self.throttle_lock(key).await?,
                None => None,
            } {
                return Ok(LoginOutcome::Throttled { until });
            }
        }
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM users u WHERE u.username = $1");
        let row: Option<AccountRow> = sqlx::query_as(&sql)
            .bind(username)
            .fetch_optional(&self.db.pool)
            .await?;
        let Some(row) = row else {
            // An unknown username is counted and locked exactly like an account, so that
            // neither the answer nor its timing tells a real account from an invented one.
            let tried: String = username
                .chars()
                .filter(|c| !c.is_control())
                .take(64)
                .collect();
            let key = format!("user:{}", tried.to_lowercase());
            if let Some(until) = self.throttle_lock(&key).await? {
                return Ok(LoginOutcome::Locked { until });
            }
            let dummy = DUMMY_HASH
                .get_or_init(|| hash_password("not-a-real-password").unwrap_or_default())
                .clone();
            verify_blocking(self.db, password, dummy).await?;
            let mut tx = self.db.pool.begin().await?;
            let (attempts, locked_until) = self.count_failure(&mut tx, &key, None).await?;
            self.count_address_failure(&mut tx, address.as_deref())
                .await?;
            // Audited like a real account's failure, so that guessing at usernames shows in
            // the log; the name is kept short and printable.
            audit::record(
                &mut tx,
                Author {
                    id: None,
                    name: &tried,
                    request_id,
                },
                Change {
                    entity: "session",
                    entity_id: None,
                    action: if locked_until.is_some() {
                        "locked"
                    } else {
                        "login_failed"
                    },
                    summary: format!("不存在的账号 {tried} 尝试登录（连续第{attempts}次）"),
                    region: None,
                    before: None,
                    after: locked_until
                        .as_ref()
                        .map(|until| serde_json::json!({ "locked_until": until })),
                },
            )
            .await?;
            tx.commit().await?;
            return Ok(match locked_until {
                Some(until) => LoginOutcome::Locked { until },
                None => LoginOutcome::InvalidCredentials,
            });
        };
        let now = clock::now();
        if let Some(until) = row.locked_until.as_deref().filter(|u| *u > now.as_str()) {
            return Ok(LoginOutcome::Locked {
                until: until.to_owned(),
            });
        }
        let ok = verify_blocking(self.db, password, row.password_hash.clone()).await?;
        let step = match ok && row.active.0 {
            true => self.second_step_owed(&row).await?,
            false => None,
        };
        let mut tx = self.db.pool.begin().await?;
        if !ok || !row.active.0 {
            let failure = match row.active.0 {
                true => Failure::Password,
                false => Failure::Inactive,
            };
            return Ok(
                match self.account_failed(tx, &row, request_id, failure).await? {
                    Some(until) => LoginOutcome::Locked { until },
                    None => LoginOutcome::InvalidCredentials,
                },
            );
        }
        if let Some(step) = step {
            // The failure count is left as it is until the second step passes, so that
            // guessing codes after the right password still ends in a lock.
            let challenge = self.open_challenge(&mut tx, row.id, step).await?;
            audit::record(
                &mut tx,
                Author {
                    id: Some(row.id),
                    name: &row.username,
                    request_id,
                },
                Change {
                    entity: "session",
                    entity_id: Some(row.id.to_string()),
                    action: "password_ok",
                    summary: match step {
                        SecondStep::Verify => {
                            format!("{} 密码正确，待输入两步验证码", row.username)
                        }
                        SecondStep::Enrol => {
                            format!("{} 密码正确，其角色须两步验证，待绑定", row.username)
                        }
                    },
                    region: row_region(&row).as_ref(),
                    before: None,
                    after: None,
                },
            )
            .await?;
            tx.commit().await?;
            return Ok(LoginOutcome::SecondFactor(challenge));
        }
        let token = self
            .open_session(&mut tx, &row, request_id, format!("{} 登录", row.username))
            .await?;
        tx.commit().await?;
        let user = row.into_session_user(self.settings, request_id.map(str::to_owned))?;
        Ok(LoginOutcome::Success { token, user })
    }

    /// The second step a sign-in with the right password owes, if any.
    async fn second_step_owed(&self, row: &AccountRow) -> Result<Option<SecondStep>, StoreError> {
        let role = Role::parse(&row.role)
            .ok_or_else(|| StoreError::Internal(format!("unknown role {}", row.role)))?;
        let mut conn = self.db.pool.acquire().await?;
        Ok(if two_factor::enabled(&mut conn, row.id).await? {
            Some(SecondStep::Verify)
        } else if two_factor::required_roles(&mut conn).await?.contains(&role) {
            Some(SecondStep::Enrol)
        } else {
            None
        })
    }

    /// The time a throttle key (an unknown username, a client address) is locked until, if
    /// it is locked now.
    async fn throttle_lock(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT locked_until FROM sign_in_throttle WHERE key = $1 AND locked_until > $2",
        )
        .bind(key)
        .bind(clock::now())
        .fetch_optional(&self.db.pool)
        .await?
        .flatten())
    }

    /// Counts a failure against a throttle key: the failures so far, and the lock time when
    /// this one reaches the limit. Without a window failures count until a lock, as on an
    /// account; with one, only those within it.
    async fn count_failure(
        &self,
        tx: &mut AnyConnection,
        key: &str,
        window: Option<(i64, i64)>,
    ) -> Result<(i64, Option<String>), StoreError> {
        let now = clock::now();
        let (max, lock_minutes) = window.unwrap_or((
            self.settings.max_failed_attempts,
            self.settings.lockout_minutes,
        ));
        // Failures since this moment count; without a window, all of them.
        let since = window
            .map(|(_, minutes)| clock::now_plus(-time::Duration::minutes(minutes)))
            .unwrap_or_default();
        // One statement that writes first: on SQLite a transaction that reads before writing
        // fails instead of waiting when another writer got in between.
        let failures: i64 = sqlx::query_scalar(
            "INSERT INTO sign_in_throttle (key, failures, first_at) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN sign_in_throttle.first_at > $3 \
                 THEN sign_in_throttle.failures + 1 ELSE 1 END, \
             first_at = CASE WHEN sign_in_throttle.first_at > $3 \
                 THEN sign_in_throttle.first_at ELSE excluded.first_at END \
             RETURNING failures",
        )
        .bind(key)
        .bind(&now)
        .bind(&since)
        .fetch_one(&mut *tx)
        .await?;
        if failures < max {
            return Ok((failures, None));
        }
        let until = clock::now_plus(time::Duration::minutes(lock_minutes));
        sqlx::query(
            "UPDATE sign_in_throttle SET failures = 0, first_at = $1, locked_until = $2 \
             WHERE key = $3",
        )
        .bind(&now)
        .bind(&until)
        .bind(key)
        .execute(&mut *tx)
        .await?;
        Ok((failures, Some(until)))
    }

    /// Counts a failed sign-in (a wrong password or code, an unknown username) against the
    /// client's address; enough of them within the window turn the address away (429).
    async fn count_address_failure(
        &self,
        tx: &mut AnyConnection,
        address: Option<&str>,
    ) -> Result<(), StoreError> {
        let (Some(key), max @ 1..) = (address, self.settings.max_failed_per_address) else {
            return Ok(());
        };
        let window = self.settings.address_window_minutes;
        if let (failures, Some(until)) = self.count_failure(tx, key, Some((max, window))).await? {
            audit::record(
                tx,
                Author {
                    id: None,
                    name: "system",
                    request_id: None,
                },
                Change {
                    entity: "session",
                    entity_id: None,
                    action: "throttled",
                    summary: format!(
                        "来自 {} 的登录连续失败{}次，暂停该地址登录至 {}",
                        key.trim_start_matches("addr:"),
                        failures,
                        until
                    ),
                    region: None,
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// Opens a session for an account whose sign-in has passed, clears its failure count and
    /// audits the sign-in; answers the session token.
    async fn open_session(
        &self,
        tx: &mut AnyConnection,
        row: &AccountRow,
        request_id: Option<&str>,
        summary: String,
    ) -> Result<String, StoreError> {
        let now = clock::now();
        let token = new_token();
        let expires = clock::now_plus(time::Duration::hours(self.settings.session_max_hours));
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(row.id)
        .bind(&now)
        .bind(expires)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2",
        )
        .bind(&now)
        .bind(row.id)
        .execute(&mut *tx)
        .await?;
        audit::record(
            tx,
            Author {
                id: Some(row.id),
                name: &row.username,
                request_id,
            },
            Change {
                entity: "session",
                entity_id: Some(row.id.to_string()),
                action: "login",
                summary,
                region: row_region(row).as_ref(),
                before: None,
                after: None,
            },
        )
        .await?;
        Ok(token)
    }

    /// Records a pending sign-in for `user_id`; an earlier one of the account is dropped.
    async fn open_challenge(
        &self,
        tx: &mut AnyConnection,
        user_id: i64,
        step: SecondStep,
    ) -> Result<Challenge, StoreError> {
        let clock = two_factor::clock(self.db);
        let token = new_token();
        let expires_at = clock::format(clock.now() + time::Duration::minutes(CHALLENGE_MINUTES));
        sqlx::query("DELETE FROM sign_in_challenges WHERE user_id = $1 OR expires_at <= $2")
            .bind(user_id)
            .bind(clock.stamp())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sign_in_challenges (token_hash, user_id, purpose, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(step.as_str())
        .bind(&expires_at)
        .execute(&mut *tx)
        .await?;
        Ok(Challenge {
            challenge: token,
            step,
            expires_at,
        })
    }

    /// The account of a pending sign-in that is still open, with its owed step.
    async fn challenge_account(
        &self,
        challenge: &str,
        step: SecondStep,
    ) -> Result<Option<AccountRow>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM sign_in_challenges c JOIN users u ON u.id = c.user_id \
             WHERE c.token_hash = $1 AND c.purpose = $2 AND c.expires_at > $3 AND u.active = $4"
        );
        Ok(sqlx::query_as(&sql)
            .bind(token_hash(challenge))
            .bind(step.as_str())
            .bind(two_factor::clock(self.db).stamp())
            .bind(true)
            .fetch_optional(&self.db.pool)
            .await?)
    }

    /// Counts a failed step of a known account's sign-in — a wrong password, a disabled
    /// account, a wrong code — against the account and the client's address, and audits it,
    /// committing `tx`. Enough failures in a row lock the account (and drop its pending
    /// sign-ins), whichever step they came from; answers the lock time then.
    async fn account_failed(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Any>,
        row: &AccountRow,
        request_id: Option<&str>,
        failure: Failure,
    ) -> Result<Option<String>, StoreError> {
        let attempts = row.failed_attempts + 1;
        let lock = attempts >= self.settings.max_failed_attempts;
        let locked_until =
            lock.then(|| clock::now_plus(time::Duration::minutes(self.settings.lockout_minutes)));
        sqlx::query("UPDATE users SET failed_attempts = $1, locked_until = $2 WHERE id = $3")
            .bind(if lock { 0 } else { attempts })
            .bind(locked_until.clone())
            .bind(row.id)
            .execute(&mut *tx)
            .await?;
        let address = audit::context::client_addr().map(|a| format!("addr:{a}"));
        self.count_address_failure(&mut tx, address.as_deref())
            .await?;
        if lock {
            sqlx::query("DELETE FROM sign_in_challenges WHERE user_id = $1")
                .bind(row.id)
                .execute(&mut *tx)
                .await?;
        }
        audit::record(
            &mut tx,
            Author {
                id: Some(row.id),
                name: &row.username,
                request_id,
            },
            Change {
                entity: "session",
                entity_id: Some(row.id.to_string()),
                action: if lock { "locked" } else { failure.action() },
                summary: failure.summary(&row.username, attempts),
                region: row_region(row).as_ref(),
                before: None,
                after: lock.then(|| serde_json::json!({ "locked_until": locked_until })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(locked_until)
    }

    /// A wrong code in a second step: counted like a wrong password.
    async fn code_failed(
        &self,
        tx: sqlx::Transaction<'_, sqlx::Any>,
        row: &AccountRow,
        request_id: Option<&str>,
        reused: bool,
    ) -> Result<SecondStepOutcome, StoreError> {
        let failure = Failure::Code { reused };
        Ok(
            match self.account_failed(tx, row, request_id, failure).await? {
                Some(until) => SecondStepOutcome::Locked { until },
                None => SecondStepOutcome::InvalidCode,
            },
        )
    }

    /// Whether the account is locked now; its lock time if so.
    fn locked(row: &AccountRow) -> Option<String> {
        let now = clock::now();
        row.locked_until
            .as_deref()
            .filter(|u| *u > now.as_str())
            .map(str::to_owned)
    }

    /// Finishes a sign-in with a code from the authenticator app or a recovery code.
    pub async fn verify_code(
        &self,
        challenge: &str,
        code: &str,
        request_id: Option<&str>,
    ) -> Result<SecondStepOutcome, StoreError> {
        let Some(row) = self
            .challenge_account(challenge, SecondStep::Verify)
            .await?
        else {
            return Ok(SecondStepOutcome::Expired);
        };
        if let Some(until) = Self::locked(&row) {
            return Ok(SecondStepOutcome::Locked { until });
        }
        let mut tx = self.db.pool.begin().await?;
        let summary = match two_factor::check_code(
            &mut tx,
            &two_factor::clock(self.db),
            &secrets::key(self.db),
            row.id,
            code,
        )
        .await?
        {
            two_factor::CodeCheck::Wrong { reused } => {
                return self.code_failed(tx, &row, request_id, reused).await
            }
            two_factor::CodeCheck::Totp => format!("{} 登录（两步验证）", row.username),
            two_factor::CodeCheck::Recovery { left } => {
                format!("{} 用恢复码登录（剩余{}个）", row.username, left)
            }
        };
        // Used once: a second request with the same challenge finds nothing.
        let taken = sqlx::query("DELETE FROM sign_in_challenges WHERE token_hash = $1")
            .bind(token_hash(challenge))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if taken != 1 {
            return Ok(SecondStepOutcome::Expired);
        }
        let token = self
            .open_session(&mut tx, &row, request_id, summary)
            .await?;
        tx.commit().await?;
        let user = row.into_session_user(self.settings, request_id.map(str::to_owned))?;
        Ok(SecondStepOutcome::Success {
            token,
            user,
            recovery_codes: None,
        })
    }

    /// The secret for an account that must enrol before its sign-in finishes; `None` when the
    /// pending sign-in is unknown or has expired.
    pub async fn enrol_start(
        &self,
        challenge: &str,
        request_id: Option<&str>,
    ) -> Result<Option<two_factor::Enrolment>, StoreError> {
        let Some(row) = self.challenge_account(challenge, SecondStep::Enrol).await? else {
            return Ok(None);
        };
        let mut tx = self.db.pool.begin().await?;
        let enrolment = two_factor::start_enrolment(
            &mut tx,
            &two_factor::clock(self.db),
            &secrets::key(self.db),
            row.id,
            &row.username,
        )
        .await?;
        audit::record(
            &mut tx,
            Author {
                id: Some(row.id),
                name: &row.username,
                request_id,
            },
            Change {
                entity: "user",
                entity_id: Some(row.id.to_string()),
                action: "two_factor_start",
                summary: format!("{} 登录时开始绑定两步验证", row.username),
                region: row_region(&row).as_ref(),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(enrolment))
    }

    /// Finishes an enrolling sign-in with a current code from the new secret: the second
    /// factor is active, the session open, and the recovery codes are answered once.
    pub async fn enrol_confirm(
        &self,
        challenge: &str,
        code: &str,
        request_id: Option<&str>,
    ) -> Result<SecondStepOutcome, StoreError> {
        let Some(row) = self.challenge_account(challenge, SecondStep::Enrol).await? else {
            return Ok(SecondStepOutcome::Expired);
        };
        if let Some(until) = Self::locked(&row) {
            return Ok(SecondStepOutcome::Locked { until });
        }
        let mut tx = self.db.pool.begin().await?;
        let codes = two_factor::confirm_enrolment(
            &mut tx,
            &two_factor::clock(self.db),
            &secrets::key(self.db),
            row.id,
            code,
        )
        .await?;
        let Some(codes) = codes else {
            return self.code_failed(tx, &row, request_id, false).await;
        };
        let taken = sqlx::query("DELETE FROM sign_in_challenges WHERE token_hash = $1")
            .bind(token_hash(challenge))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if taken != 1 {
            return Ok(SecondStepOutcome::Expired);
        }
        audit::record(
            &mut tx,
            Author {
                id: Some(row.id),
                name: &row.username,
                request_id,
            },
            Change {
                entity: "user",
                entity_id: Some(row.id.to_string()),
                action: "two_factor_enabled",
                summary: format!("{} 启用两步验证", row.username),
                region: row_region(&row).as_ref(),
                before: None,
                after: None,
            },
        )
        .await?;
        let token = self
            .open_session(
                &mut tx,
                &row,
                request_id,
                format!("{} 登录（两步验证）", row.username),
            )
            .await?;
        tx.commit().await?;
        let user = row.into_session_user(self.settings, request_id.map(str::to_owned))?;
        Ok(SecondStepOutcome::Success {
            token,
            user,
            recovery_codes: Some(codes),
        })
    }

    /// The user behind a session token, if the session is still open.
    pub async fn session(
        &self,
        token: &str,
        request_id: Option<String>,
    ) -> Result<Option<SessionUser>, StoreError> {
        let hash = token_hash(token);
        let now = clock::now();
        let idle_cutoff =
            clock::now_plus(-time::Duration::minutes(self.settings.session_idle_minutes));
        // This instance's copy of the session when it is fresh (`cache.rs`): every request
        // carries the session, and a copy spares a query per request.
        let miss = match sessions(self.db).get(&hash) {
            Ok(row) => {
                let user = row.account.into_session_user(self.settings, request_id)?;
                return self.with_group_reach(user).await.map(Some);
            }
            Err(miss) => miss,
        };
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.active = $4"
        );
        let row: Option<SessionRow> = sqlx::query_as(&sql)
            .bind(&hash)
            .bind(&now)
            .bind(&idle_cutoff)
            .bind(true)
            .fetch_optional(&self.db.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        // Touch the session at most once a minute: enough for the idle timeout, and it keeps
        // reads from turning into writes on every request.
        let touch_before = clock::now_plus(-time::Duration::minutes(1));
        if row.last_seen_at < touch_before {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(&now)
                .bind(&hash)
                .execute(&self.db.pool)
                .await?;
        }
        sessions(self.db).put(miss, &hash, row.clone());
        let user = row.account.into_session_user(self.settings, request_id)?;
        self.with_group_reach(user).await.map(Some)
    }

    /// A supervision group member's scope is the union of its groups' regions (分片负责), read
    /// at every request so that a change of the groups holds at once; an inspector in no group
    /// reads nothing.
    async fn with_group_reach(&self, mut user: SessionUser) -> Result<SessionUser, StoreError> {
        if user.actor.role != Role::Inspector {
            return Ok(user);
        }
        let codes: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT r.region_code FROM supervision_group_members m \
             JOIN supervision_group_regions r ON r.group_id = m.group_id WHERE m.user_id = $1",
        )
        .bind(user.actor.user_id)
        .fetch_all(&self.db.pool)
        .await?;
        let regions = codes
            .iter()
            .map(|c| crate::regions::stored_code(c))
            .collect::<Result<Vec<_>, _>>()?;
        user.actor.scope = Scope::Regions(luodi_domain::supervision::reach(regions));
        Ok(user)
    }

    pub async fn logout(&self, token: &str, actor: &Actor) -> Result<(), StoreError> {
        let mut tx = self.db.pool.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor.into(),
            Change {
                entity: "session",
                entity_id: Some(actor.user_id.to_string()),
                action: "logout",
                summary: format!("{} 退出登录", actor.username),
                region: actor.region_code.as_ref(),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        sessions(self.db).clear();
        Ok(())
    }

    /// Changes the signed-in user's own password; other sessions of the user are closed.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current_token: &str,
        old_password: &str,
        new_password: &str,
    ) -> Result<(), StoreError> {
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(actor.user_id)
            .fetch_one(&self.db.pool)
            .await?;
        if !verify_blocking(self.db, old_password, hash).await? {
            return Err(StoreError::field("old_password", "原密码不正确"));
        }
        if old_password == new_password {
            return Err(StoreError::field("new_password", "新密码不能与原密码相同"));
        }
        self.settings
            .password
            .check(new_password, &actor.username)
            .map_err(|m| StoreError::field("new_password", m))?;
        let new_hash = hash_blocking(self.db, new_password.to_owned()).await?;
        let mut tx = self.db.pool.begin().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, seeded_password = $2, \
             updated_at = $3, password_changed_at = $3, version = version + 1 WHERE id = $4",
        )
        .bind(new_hash)
        .bind(false)
        .bind(clock::now())
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(actor.user_id)
            .bind(token_hash(current_token))
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            actor.into(),
            Change {
                entity: "user",
                entity_id: Some(actor.user_id.to_string()),
                action: "password_change",
                summary: format!("{} 修改了自己的密码", actor.username),
                region: actor.region_code.as_ref(),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        sessions(self.db).clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_leaves_no_password_derived_memory_behind() {
        let hash = hash_password("Luodi@2026").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let blocks_are_clear = || {
            BLOCKS.with(|m| {
                let m = m.borrow();
                !m.is_empty() && m.iter().all(|b| b.as_ref().iter().all(|word| *word == 0))
            })
        };
        assert!(blocks_are_clear());
        assert!(verify_password("Luodi@2026", &hash));
        assert!(!verify_password("Luodi@2027", &hash));
        assert!(blocks_are_clear());
    }
}
