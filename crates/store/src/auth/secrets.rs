//! Two-factor secrets encrypted at rest (数据保密性, 8.1.4.8): a copy of the database alone
//! yields no authenticator codes.
//!
//! Each secret is sealed with XChaCha20-Poly1305 under a 256-bit key kept in a file outside the
//! database (`[auth] secret_key_file`), with a random 192-bit nonce and the account's id as
//! associated data, so a sealed secret copied onto another account's row does not open. A
//! stored value reads `v1:` followed by base64 of nonce and ciphertext; base32 secrets (from
//! before encryption) have no colon, are still accepted, and are sealed at start-up and when
//! next used.
//!
//! The database records an identifier of the key (`settings.secret_key_id`, a hash, not the
//! key), so that an instance started with another key file refuses to start instead of
//! failing every sign-in with a second factor.

use crate::kit::db::Db;
use crate::kit::error::StoreError;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use zeroize::Zeroizing;

const SEALED_PREFIX: &str = "v1:";
const NONCE_LEN: usize = 24;
const KEY_ID_SETTING: &str = "secret_key_id";

/// The key that seals two-factor secrets.
pub(crate) struct SecretKey {
    cipher: XChaCha20Poly1305,
    id: String,
}

/// A key for this process only, for stores opened without a key file (tests, the benchmark):
/// what it seals does not open after a restart.
impl Default for SecretKey {
    fn default() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(&mut bytes[..]);
        Self::from_bytes(&bytes)
    }
}

impl SecretKey {
    fn from_bytes(bytes: &[u8; 32]) -> Self {
        let mut id = Sha256::new();
        id.update(b"luodi secret key id\0");
        id.update(bytes);
        Self {
            cipher: XChaCha20Poly1305::new(bytes.into()),
            id: hex::encode(&id.finalize()[..8]),
        }
    }

    fn associated_data(user_id: i64) -> String {
        format!("luodi two_factor secret of user {user_id}")
    }

    /// The secret (base32) as stored for `user_id`.
    pub(crate) fn seal(&self, user_id: i64, secret: &str) -> Result<String, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = Self::associated_data(user_id);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Internal("sealing a two-factor secret".into()))?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok(format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
        ))
    }

    /// The base32 secret of a stored value: opened when sealed, as it is when from before
    /// encryption.
    pub(crate) fn open(&self, user_id: i64, stored: &str) -> Result<Zeroizing<String>, StoreError> {
        let Some(encoded) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(Zeroizing::new(stored.to_owned()));
        };
        let broken = || {
            StoreError::Internal(format!(
                "the two-factor secret of user {user_id} does not open with this key file"
            ))
        };
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(encoded)
            .map_err(|_| broken())?;
        if bytes.len() <= NONCE_LEN {
            return Err(broken());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let aad = Self::associated_data(user_id);
        let plain = Zeroizing::new(
            self.cipher
                .decrypt(
                    XNonce::from_slice(nonce),
                    Payload {
                        msg: sealed,
                        aad: aad.as_bytes(),
                    },
                )
                .map_err(|_| broken())?,
        );
        std::str::from_utf8(&plain)
            .map(|s| Zeroizing::new(s.to_owned()))
            .map_err(|_| broken())
    }
}

/// Whether a stored value is sealed (and not a base32 secret from before encryption).
pub(crate) fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED_PREFIX)
}

/// The store's key (see [`SecretKey`]).
pub(crate) fn key(db: &Db) -> Arc<SecretKey> {
    db.memo.get()
}

/// Where the key file named `file` lies for the database at `url`: a bare file name (the
/// default, `luodi-secret.key`) beside an SQLite database file, in its data directory; any
/// other path as given (relative to the working directory).
fn key_path(file: &Path, url: &str) -> std::path::PathBuf {
    let bare = file.parent().is_none_or(|p| p.as_os_str().is_empty());
    let database = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .filter(|path| !path.is_empty() && !path.contains(":memory:"));
    match (bare, database) {
        (true, Some(database)) => Path::new(database)
            .parent()
            .map_or_else(|| file.to_owned(), |dir| dir.join(file)),
        _ => file.to_owned(),
    }
}

/// Puts the key of `file` in place for this store, creating the file when absent; checks it
/// against the key the database's secrets were sealed with, and seals the secrets still in
/// clear. Without a file the store keeps a key for this process only.
pub(crate) async fn load(db: &Db, url: &str, file: Option<&Path>) -> Result<(), StoreError> {
    let Some(file) = file else { return Ok(()) };
    let file = &key_path(file, url);
    let bytes = read_or_create(file)?;
    let key = SecretKey::from_bytes(&bytes);
    let recorded: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(KEY_ID_SETTING)
        .fetch_optional(&db.pool)
        .await?;
    if recorded.as_deref().is_some_and(|id| id != key.id) {
        let sealed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM two_factor WHERE secret LIKE 'v1:%' OR pending_secret LIKE 'v1:%'",
        )
        .fetch_one(&db.pool)
        .await?;
        if sealed > 0 {
            return Err(StoreError::Config(format!(
                "密钥文件 {} 不是加密数据库中两步验证密钥所用的那一个：请放回原来的密钥文件\
                 （或在 [auth] secret_key_file 中指明其位置）",
                file.display()
            )));
        }
    }
    let mut tx = db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(KEY_ID_SETTING)
    .bind(&key.id)
    .execute(&mut *tx)
    .await?;
    let clear: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT user_id, secret, pending_secret FROM two_factor \
         WHERE secret NOT LIKE 'v1:%' OR pending_secret NOT LIKE 'v1:%'",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (user_id, secret, pending) in clear {
        let seal = |v: Option<String>| -> Result<Option<String>, StoreError> {
            v.map(|v| match is_sealed(&v) {
                true => Ok(v),
                false => key.seal(user_id, &v),
            })
            .transpose()
        };
        sqlx::query("UPDATE two_factor SET secret = $1, pending_secret = $2 WHERE user_id = $3")
            .bind(seal(secret)?)
            .bind(seal(pending)?)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    db.memo.set(key);
    Ok(())
}

/// The key in `file` (64 hex digits), or a new one written there readable by the owner only.
fn read_or_create(file: &Path) -> Result<Zeroizing<[u8; 32]>, StoreError> {
    let unreadable = |e: std::io::Error| {
        StoreError::Config(format!("无法读取或创建密钥文件 {}：{e}", file.display()))
    };
    let mut key = Zeroizing::new([0u8; 32]);
    match std::fs::read_to_string(file) {
        Ok(text) => {
            let text = Zeroizing::new(text);
            hex::decode_to_slice(text.trim(), &mut key[..]).map_err(|_| {
                StoreError::Config(format!(
                    "密钥文件 {} 的内容应为64位十六进制数字",
                    file.display()
                ))
            })?;
            warn_if_readable_by_others(file);
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            rand::rngs::OsRng.fill_bytes(&mut key[..]);
            let text = Zeroizing::new(format!("{}\n", hex::encode(&key[..])));
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(unreadable)?;
            }
            match write_new(file, text.as_bytes()) {
                Ok(()) => {
                    tracing::info!(file = %file.display(), "created the key file for two-factor secrets");
                    Ok(key)
                }
                // Another instance starting at the same moment wrote it first.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_or_create(file),
                Err(e) => Err(unreadable(e)),
            }
        }
        Err(e) => Err(unreadable(e)),
    }
}

/// Writes a file that must not exist yet, readable and writable by the owner only; it appears
/// under its name complete or not at all.
fn write_new(file: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let partial = file.with_extension(format!("partial-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&partial).and_then(|mut f| {
        f.write_all(contents)?;
        f.sync_all()
    });
    // A hard link fails when the name is taken, so a racing instance's key is never replaced.
    let placed = written.and_then(|()| std::fs::hard_link(&partial, file));
    let _ = std::fs::remove_file(&partial);
    placed
}

fn warn_if_readable_by_others(file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(file) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    file = %file.display(),
                    "the key file for two-factor secrets is readable by others: chmod 600 it"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_for_its_account() {
        let key = SecretKey::from_bytes(&[7u8; 32]);
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
        let sealed = key.seal(42, secret).unwrap();
        assert!(is_sealed(&sealed) && !sealed.contains(secret), "{sealed}");
        assert_ne!(
            sealed,
            key.seal(42, secret).unwrap(),
            "a fresh nonce each time"
        );
        assert_eq!(key.open(42, &sealed).unwrap().as_str(), secret);
        assert!(key.open(43, &sealed).is_err(), "moved to another account");
        let other = SecretKey::from_bytes(&[8u8; 32]);
        assert!(other.open(42, &sealed).is_err(), "another key");
        assert_ne!(key.id, other.id);
        // A secret from before encryption is read as it is.
        assert_eq!(key.open(42, secret).unwrap().as_str(), secret);
    }

    #[test]
    fn a_bare_key_file_name_lies_beside_the_sqlite_database() {
        let key = Path::new("luodi-secret.key");
        let at = |url| key_path(key, url);
        assert_eq!(
            at("sqlite:///srv/luodi/luodi.db"),
            Path::new("/srv/luodi/luodi-secret.key")
        );
        assert_eq!(
            at("sqlite://data/luodi.db?mode=rwc"),
            Path::new("data/luodi-secret.key")
        );
        assert_eq!(at("sqlite://luodi.db"), key);
        assert_eq!(at("postgres://db/luodi"), key);
        let given = Path::new("/etc/luodi/secret.key");
        assert_eq!(key_path(given, "sqlite:///srv/luodi.db"), given);
    }

    #[test]
    fn the_key_file_is_created_once_for_the_owner_only() {
        let dir = std::env::temp_dir().join(format!("luodi-key-{}", std::process::id()));
        let file = dir.join("luodi-secret.key");
        let _ = std::fs::remove_dir_all(&dir);
        let first = read_or_create(&file).unwrap();
        assert_eq!(*read_or_create(&file).unwrap(), *first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&file, "not hex").unwrap();
        assert!(read_or_create(&file).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
