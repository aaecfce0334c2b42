//! The `[auth]` settings of luodi.toml, held by the store and every scoped handle.

use luodi_domain::PasswordPolicy;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AuthSettings {
    pub password: PasswordPolicy,
    /// Failed sign-ins in a row before the account is locked.
    pub max_failed_attempts: i64,
    pub lockout_minutes: i64,
    /// A session unused this long is closed.
    pub session_idle_minutes: i64,
    /// A session is closed this long after sign-in, used or not.
    pub session_max_hours: i64,
    /// Whether accounts with a seeded password (demo data, first-start admin) may keep it.
    /// Unset: demo mode exactly when `luodi demo` has loaded this database.
    pub demo_mode: Option<bool>,
    /// Sign-ins and password changes that may wait for a password hash while others run (one
    /// hash per core at a time, ~19 MiB each); more are answered 503 with a retry time.
    pub max_waiting_hashes: usize,
    /// Failed sign-ins from one client address within `address_window_minutes` before the
    /// address is answered 429 for that long (0: no limit). Offices behind one NAT share an
    /// address, so this is well above `max_failed_attempts`.
    pub max_failed_per_address: i64,
    pub address_window_minutes: i64,
    /// Who sees a look-alike pair whose earlier project lies in another county: by default
    /// the entering county learns that such a project exists (not its name or figures, and
    /// each such signal is audited); `superior` shows the pair only to readers who see both
    /// projects (their common superior).
    pub cross_scope_duplicates: CrossScopeDuplicates,
    /// A ledger sheet of more rows than this commits its projects and has them matched for
    /// look-alikes right after, in the background (`duplicates::queue`), instead of within
    /// the import: a province's ledger moved in from another system returns in the time its
    /// rows take to write. Smaller sheets are matched within their transaction.
    pub look_alike_background_rows: usize,
    /// Days a password may be used before it must be changed (口令定期更换); 0: never.
    pub password_max_age_days: i64,
    /// The file holding the key that encrypts two-factor secrets in the database; created
    /// (32 random bytes as hex, mode 0600) on first start when absent. Read from luodi.toml it
    /// defaults to `luodi-secret.key`; a bare file name lies beside the SQLite database file
    /// (in the working directory for PostgreSQL, where every instance must name the same
    /// key). Keep it out of the database's backups. Unset in code (tests, the benchmark): a
    /// key for this process only.
    #[serde(default = "default_secret_key_file")]
    pub secret_key_file: Option<std::path::PathBuf>,
}

fn default_secret_key_file() -> Option<std::path::PathBuf> {
    Some("luodi-secret.key".into())
}

/// See [`AuthSettings::cross_scope_duplicates`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrossScopeDuplicates {
    /// 录入方可知存在疑似重复（不显示对方项目），每次提示均记入审计
    #[default]
    Signal,
    /// 仅共同上级可见
    Superior,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            password: PasswordPolicy::default(),
            max_failed_attempts: 5,
            lockout_minutes: 15,
            session_idle_minutes: 30,
            session_max_hours: 12,
            demo_mode: None,
            max_waiting_hashes: 32,
            max_failed_per_address: 30,
            address_window_minutes: 15,
            cross_scope_duplicates: CrossScopeDuplicates::Signal,
            look_alike_background_rows: 2_000,
            password_max_age_days: 90,
            secret_key_file: None,
        }
    }
}
