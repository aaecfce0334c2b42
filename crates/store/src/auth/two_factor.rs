//! Two-factor sign-in (等保三级: two kinds of authentication): TOTP codes (RFC 6238, the
//! authenticator apps' 6 digits every 30 seconds) and ten one-time recovery codes, enrolled by
//! the account holder, required per role by a setting, reset by an administrator.
//!
//! Codes are checked against the store's [`Clock`] (tests set it), one step either side of
//! the current one, and a code is never accepted twice: the last accepted step is kept per
//! account and only a later one passes. Recovery codes are stored as SHA-256 hashes — they
//! are random, so a fast hash is enough — and each works once.

use super::secrets::{is_sealed, SecretKey};
use crate::audit::{self, Change};
use crate::kit::clock::Clock;
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use crate::scoped::area_handle;
use luodi_domain::{Permission, RegionLevel, Role, Scope};
use rand::Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use std::sync::Arc;
use totp_rs::{Algorithm, Secret, TOTP};
use utoipa::ToSchema;

/// Seconds per TOTP step, as every authenticator app counts them.
const STEP_SECONDS: u64 = 30;
const DIGITS: usize = 6;
/// Steps accepted on either side of the current one (a phone's clock a little off).
const SKEW_STEPS: u64 = 1;
const RECOVERY_CODE_COUNT: usize = 10;
/// Letters and digits that cannot be mistaken for one another when copied from paper.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// The name an authenticator app shows above the code.
const ISSUER: &str = "落地";
/// The setting naming the roles that must sign in with a second factor.
const ROLES_KEY: &str = "two_factor_roles";

area_handle!(
    /// The signed-in user's own two-factor sign-in, an administrator's reset, and the
    /// per-role requirement.
    TwoFactor,
    two_factor
);

/// The store's clock (see [`Clock`]).
pub(crate) fn clock(db: &Db) -> Arc<Clock> {
    db.memo.get()
}

/// A secret handed out for enrolment: typed into an authenticator app, or read from the QR
/// code of `otpauth_url`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolment {
    /// The secret in base32, for typing in by hand.
    pub secret: String,
    /// `otpauth://totp/…` — the content of the QR code.
    pub otpauth_url: String,
}

/// Recovery codes, shown once: each signs in once in place of a code from the app.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// The signed-in user's two-factor sign-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    pub enabled_at: Option<String>,
    /// Recovery codes not yet used.
    pub recovery_codes_left: i64,
    /// Whether the user's role must sign in with a second factor.
    pub required: bool,
}

/// Which roles must sign in with a second factor.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct TwoFactorPolicy {
    pub roles: Vec<Role>,
}

/// What a submitted code turned out to be.
pub(crate) enum CodeCheck {
    /// A current code from the app.
    Totp,
    /// An unused recovery code; so many remain.
    Recovery { left: i64 },
    /// Neither, or a code already used.
    Wrong { reused: bool },
}

fn totp(secret_base32: &str) -> Result<TOTP, StoreError> {
    let bytes = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .map_err(|e| StoreError::Internal(format!("stored TOTP secret: {e}")))?;
    // Skew 0: the steps either side are tried one by one, to learn which one matched.
    Ok(TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECONDS,
        bytes,
        Some(ISSUER.to_owned()),
        String::new(),
    ))
}

/// A fresh 160-bit secret (RFC 4226's recommended length), in base32.
fn new_secret() -> String {
    let mut bytes = vec![0u8; 20];
    rand::rngs::OsRng.fill(&mut bytes[..]);
    Secret::Raw(bytes).to_encoded().to_string()
}

fn otpauth_url(secret_base32: &str, username: &str) -> Result<String, StoreError> {
    let mut totp = totp(secret_base32)?;
    // The label's separator is ':'; usernames do not contain one, but never let one through.
    totp.account_name = username.replace(':', "_");
    Ok(totp.get_url())
}

/// The step of the code `code` among the current one and its neighbours, if it is one.
fn matching_step(secret_base32: &str, code: &str, now: u64) -> Result<Option<i64>, StoreError> {
    let totp = totp(secret_base32)?;
    let current = now / STEP_SECONDS;
    Ok((current.saturating_sub(SKEW_STEPS)..=current + SKEW_STEPS)
        .find(|step| totp.check(code, step * STEP_SECONDS))
        .and_then(|step| i64::try_from(step).ok()))
}

/// A code as typed: spaces and dashes dropped, letters lowercased.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_totp_code(code: &str) -> bool {
    code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())
}

fn recovery_hash(user_id: i64, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{user_id}:{code}").as_bytes()))
}

fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODE_COUNT)
        .map(|_| {
            let chars: String = (0..10)
                .map(|_| RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// The roles that must sign in with a second factor: the setting, or administrators and
/// auditors when it was never set (a database loaded with the demo data has it set to none).
pub(crate) async fn required_roles(conn: &mut AnyConnection) -> Result<Vec<Role>, StoreError> {
    let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(ROLES_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(match value {
        None => vec![Role::Admin, Role::Auditor],
        Some(v) => v.split(',').filter_map(|r| Role::parse(r.trim())).collect(),
    })
}

/// Whether the account has a confirmed second factor.
pub(crate) async fn enabled(conn: &mut AnyConnection, user_id: i64) -> Result<bool, StoreError> {
    let secret: Option<Option<String>> =
        sqlx::query_scalar("SELECT secret FROM two_factor WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(secret.flatten().is_some())
}

/// Hands out a new secret to confirm; an earlier unconfirmed one is replaced.
pub(crate) async fn start_enrolment(
    conn: &mut AnyConnection,
    clock: &Clock,
    key: &SecretKey,
    user_id: i64,
    username: &str,
) -> Result<Enrolment, StoreError> {
    let secret = new_secret();
    sqlx::query(
        "INSERT INTO two_factor (user_id, pending_secret, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET pending_secret = excluded.pending_secret, \
         updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(key.seal(user_id, &secret)?)
    .bind(clock.stamp())
    .execute(&mut *conn)
    .await?;
    Ok(Enrolment {
        otpauth_url: otpauth_url(&secret, username)?,
        secret,
    })
}

/// Activates the pending secret if `code` is one of its current codes, with ten new recovery
/// codes (the old ones are dropped); `None` when the code does not match.
pub(crate) async fn confirm_enrolment(
    conn: &mut AnyConnection,
    clock: &Clock,
    key: &SecretKey,
    user_id: i64,
    code: &str,
) -> Result<Option<Vec<String>>, StoreError> {
    let pending: Option<Option<String>> =
        sqlx::query_scalar("SELECT pending_secret FROM two_factor WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(pending) = pending.flatten() else {
        return Err(StoreError::field("code", "请先获取新的绑定密钥"));
    };
    let pending = key.open(user_id, &pending)?;
    let code = normalise(code);
    let step = match is_totp_code(&code) {
        true => matching_step(&pending, &code, clock.unix())?,
        false => None,
    };
    let Some(step) = step else { return Ok(None) };
    let now = clock.stamp();
    sqlx::query(
        "UPDATE two_factor SET secret = pending_secret, pending_secret = NULL, enabled_at = $1, \
         last_step = $2, updated_at = $1 WHERE user_id = $3",
    )
    .bind(&now)
    .bind(step)
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let codes = new_recovery_codes();
    for code in &codes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(recovery_hash(user_id, &normalise(code)))
            .execute(&mut *conn)
            .await?;
    }
    Ok(Some(codes))
}

/// Checks a code from the app or a recovery code against the account's active second
/// factor, using it up when it passes.
pub(crate) async fn check_code(
    conn: &mut AnyConnection,
    clock: &Clock,
    key: &SecretKey,
    user_id: i64,
    code: &str,
) -> Result<CodeCheck, StoreError> {
    let code = normalise(code);
    if is_totp_code(&code) {
        let secret: Option<Option<String>> =
            sqlx::query_scalar("SELECT secret FROM two_factor WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(&mut *conn)
                .await?;
        let Some(Some(stored)) = secret else {
            return Ok(CodeCheck::Wrong { reused: false });
        };
        let secret = key.open(user_id, &stored)?;
        if !is_sealed(&stored) {
            // Enrolled before secrets were encrypted: sealed now that it is read.
            sqlx::query("UPDATE two_factor SET secret = $1 WHERE user_id = $2 AND secret = $3")
                .bind(key.seal(user_id, &secret)?)
                .bind(user_id)
                .bind(&stored)
                .execute(&mut *conn)
                .await?;
        }
        let Some(step) = matching_step(&secret, &code, clock.unix())? else {
            return Ok(CodeCheck::Wrong { reused: false });
        };
        // The condition makes the use atomic: two instances given the same code at once
        // cannot both accept it.
        let used = sqlx::query(
            "UPDATE two_factor SET last_step = $1 WHERE user_id = $2 AND last_step < $1",
        )
        .bind(step)
        .bind(user_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        return Ok(match used {
            1 => CodeCheck::Totp,
            _ => CodeCheck::Wrong { reused: true },
        });
    }
    if code.is_empty() || code.len() > 32 || !enabled(conn, user_id).await? {
        return Ok(CodeCheck::Wrong { reused: false });
    }
    let used = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 \
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(clock.stamp())
    .bind(user_id)
    .bind(recovery_hash(user_id, &code))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if used != 1 {
        return Ok(CodeCheck::Wrong { reused: false });
    }
    Ok(CodeCheck::Recovery {
        left: recovery_codes_left(conn, user_id).await?,
    })
}

async fn recovery_codes_left(conn: &mut AnyConnection, user_id: i64) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// Removes the account's second factor, its recovery codes and its pending sign-ins.
async fn remove(conn: &mut AnyConnection, user_id: i64) -> Result<(), StoreError> {
    for sql in [
        "DELETE FROM two_factor WHERE user_id = $1",
        "DELETE FROM recovery_codes WHERE user_id = $1",
        "DELETE FROM sign_in_challenges WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user_id).execute(&mut *conn).await?;
    }
    Ok(())
}

impl TwoFactor<'_> {
    pub async fn status(&self) -> Result<TwoFactorStatus, StoreError> {
        let mut conn = self.db.pool.acquire().await?;
        let enabled_at: Option<Option<String>> = sqlx::query_scalar(
            "SELECT enabled_at FROM two_factor WHERE user_id = $1 AND secret IS NOT NULL",
        )
        .bind(self.actor.user_id)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(TwoFactorStatus {
            enabled: enabled_at.is_some(),
            enabled_at: enabled_at.flatten(),
            recovery_codes_left: recovery_codes_left(&mut conn, self.actor.user_id).await?,
            required: required_roles(&mut conn).await?.contains(&self.actor.role),
        })
    }

    /// Starts enrolment: a new secret, active once a code from it is confirmed. An account
    /// that already has a second factor turns it off first (with its password and a code).
    pub async fn start(&self) -> Result<Enrolment, StoreError> {
        let mut tx = self.db.pool.begin().await?;
        if enabled(&mut tx, self.actor.user_id).await? {
            return Err(StoreError::Conflict {
                field: "code".into(),
                message: "已启用两步验证；如需更换手机，请先关闭再重新绑定".into(),
            });
        }
        let enrolment = start_enrolment(
            &mut tx,
            &clock(&self.db),
            &super::secrets::key(&self.db),
            self.actor.user_id,
            &self.actor.username,
        )
        .await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            self.change("two_factor_start", "开始绑定两步验证"),
        )
        .await?;
        tx.commit().await?;
        Ok(enrolment)
    }

    /// Confirms enrolment with a current code; answers the recovery codes, shown this once.
    pub async fn confirm(&self, code: &str) -> Result<RecoveryCodes, StoreError> {
        let mut tx = self.db.pool.begin().await?;
        if enabled(&mut tx, self.actor.user_id).await? {
            return Err(StoreError::Conflict {
                field: "code".into(),
                message: "已启用两步验证".into(),
            });
        }
        let codes = confirm_enrolment(
            &mut tx,
            &clock(&self.db),
            &super::secrets::key(&self.db),
            self.actor.user_id,
            code,
        )
        .await?;
        let Some(codes) = codes else {
            audit::record(
                &mut tx,
                (&self.actor).into(),
                self.change("two_factor_failed", "绑定两步验证时验证码错误"),
            )
            .await?;
            tx.commit().await?;
            return Err(StoreError::field(
                "code",
                "验证码不正确，请输入验证器应用中当前显示的6位数字",
            ));
        };
        audit::record(
            &mut tx,
            (&self.actor).into(),
            self.change("two_factor_enabled", "启用两步验证"),
        )
        .await?;
        tx.commit().await?;
        Ok(RecoveryCodes {
            recovery_codes: codes,
        })
    }

    /// Turns the user's own second factor off: takes the password and a current code (or a
    /// recovery code). Refused while the role requires two-factor sign-in.
    pub async fn disable(&self, password: &str, code: &str) -> Result<(), StoreError> {
        let user_id = self.actor.user_id;
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&self.db.pool)
            .await?;
        let password_ok = super::verify_blocking(&self.db, password, hash).await?;
        let mut tx = self.db.pool.begin().await?;
        if !enabled(&mut tx, user_id).await? {
            return Err(StoreError::Conflict {
                field: "code".into(),
                message: "尚未启用两步验证".into(),
            });
        }
        if required_roles(&mut tx).await?.contains(&self.actor.role) {
            return Err(StoreError::forbidden(format!(
                "{}须使用两步验证登录，不能关闭；更换手机请联系管理员重置",
                self.actor.role.label()
            )));
        }
        let code_ok = password_ok
            && !matches!(
                check_code(
                    &mut tx,
                    &clock(&self.db),
                    &super::secrets::key(&self.db),
                    user_id,
                    code
                )
                .await?,
                CodeCheck::Wrong { .. }
            );
        if !code_ok {
            audit::record(
                &mut tx,
                (&self.actor).into(),
                self.change("two_factor_failed", "关闭两步验证时密码或验证码错误"),
            )
            .await?;
            tx.commit().await?;
            let mut errors = crate::FieldErrors::new();
            if !password_ok {
                errors.insert("password".into(), vec!["密码不正确".into()]);
            } else {
                errors.insert("code".into(), vec!["验证码不正确".into()]);
            }
            return Err(StoreError::Validation(errors));
        }
        remove(&mut tx, user_id).await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            self.change("two_factor_disabled", "关闭两步验证"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An administrator removes another account's second factor (a lost phone); the account
    /// enrols again at its next sign-in if its role requires it.
    pub async fn reset(&self, user_id: i64) -> Result<(), StoreError> {
        self.actor.require(Permission::ManageUsers)?;
        if user_id == self.actor.user_id {
            return Err(StoreError::forbidden(
                "自己的两步验证请在“账号安全”页面用密码和验证码关闭",
            ));
        }
        let user = self.users().get(user_id).await?;
        let region = user
            .region_code
            .as_deref()
            .and_then(|c| luodi_domain::RegionCode::parse(c).ok());
        let mut tx = self.db.pool.begin().await?;
        if !enabled(&mut tx, user_id).await? {
            return Err(StoreError::Conflict {
                field: "two_factor".into(),
                message: format!("{} 尚未启用两步验证", user.username),
            });
        }
        remove(&mut tx, user_id).await?;
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "user",
                entity_id: Some(user_id.to_string()),
                action: "two_factor_reset",
                summary: format!("重置了 {} 的两步验证", user.username),
                region: region.as_ref(),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Which roles must sign in with a second factor.
    pub async fn policy(&self) -> Result<TwoFactorPolicy, StoreError> {
        self.actor.require(Permission::ManageUsers)?;
        let mut conn = self.db.pool.acquire().await?;
        Ok(TwoFactorPolicy {
            roles: required_roles(&mut conn).await?,
        })
    }

    /// Sets the roles that must sign in with a second factor. The setting holds for the whole
    /// installation, so it takes a national or provincial administrator.
    pub async fn set_policy(&self, policy: TwoFactorPolicy) -> Result<TwoFactorPolicy, StoreError> {
        self.actor.require(Permission::ManageUsers)?;
        match &self.actor.scope {
            Scope::Nationwide => {}
            Scope::Region(root) if root.level() == RegionLevel::Province => {}
            Scope::Region(_) | Scope::Regions(_) => {
                return Err(StoreError::forbidden(
                    "两步验证要求适用于全部账号，只有省级及以上的系统管理员可以修改",
                ))
            }
        }
        let roles: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| policy.roles.contains(r))
            .collect();
        let mut tx = self.db.pool.begin().await?;
        // A write that changes nothing, first: it takes SQLite's write lock (and the row's on
        // PostgreSQL) before the read, so a write by another connection in between cannot make
        // this transaction fail with "database is locked" when it upgrades to write.
        sqlx::query("UPDATE settings SET value = value WHERE key = $1")
            .bind(ROLES_KEY)
            .execute(&mut *tx)
            .await?;
        let before = required_roles(&mut tx).await?;
        let value = roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(ROLES_KEY)
        .bind(&value)
        .execute(&mut *tx)
        .await?;
        let labels = |roles: &[Role]| {
            let names: Vec<&str> = roles.iter().map(|r| r.label()).collect();
            if names.is_empty() {
                "无".to_owned()
            } else {
                names.join("、")
            }
        };
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "settings",
                entity_id: Some(ROLES_KEY.into()),
                action: "update",
                summary: format!("须两步验证登录的角色：{}", labels(&roles)),
                // Filed where the administrator who made the change reads the trail.
                region: self.actor.region_code.as_ref(),
                before: Some(serde_json::json!({ "roles": before })),
                after: Some(serde_json::json!({ "roles": roles })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(TwoFactorPolicy { roles })
    }

    fn change(&self, action: &'static str, summary: &str) -> Change<'_> {
        Change {
            entity: "user",
            entity_id: Some(self.actor.user_id.to_string()),
            action,
            summary: format!("{} {}", self.actor.username, summary),
            region: self.actor.region_code.as_ref(),
            before: None,
            after: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_the_neighbouring_steps_match_and_others_do_not() {
        let secret = new_secret();
        let t = totp(&secret).unwrap();
        let now = 1_800_000_000;
        let step = (now / STEP_SECONDS) as i64;
        assert_eq!(
            matching_step(&secret, &t.generate(now), now).unwrap(),
            Some(step)
        );
        assert_eq!(
            matching_step(&secret, &t.generate(now - 30), now).unwrap(),
            Some(step - 1)
        );
        assert_eq!(
            matching_step(&secret, &t.generate(now + 30), now).unwrap(),
            Some(step + 1)
        );
        assert_eq!(
            matching_step(&secret, &t.generate(now - 60), now).unwrap(),
            None
        );
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_typed_loosely() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes
            .iter()
            .all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
        let typed = format!(" {} ", codes[0].to_uppercase().replace('-', " "));
        assert_eq!(normalise(&typed), codes[0].replace('-', ""));
    }

    #[test]
    fn the_otpauth_url_names_the_issuer_and_the_account() {
        let url = otpauth_url("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "nx_admin").unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains("nx_admin"), "{url}");
        assert!(
            url.contains("secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
            "{url}"
        );
    }
}
