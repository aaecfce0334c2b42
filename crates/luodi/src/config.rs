//! Layered configuration: built-in defaults, then an optional TOML file, then `LUODI_*`
//! environment variables (`__` separates nested keys), then command-line flags.

use anyhow::Context;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use luodi_server::ServerSettings;
use luodi_store::AuthSettings;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    /// tracing filter, e.g. "info" or "luodi=debug,sqlx=warn".
    pub log: String,
    /// Days audit entries are kept before the hourly housekeeping removes them; at least 180.
    /// Unset: kept for good (a project's history is read from them).
    #[serde(default)]
    pub audit_retention_days: Option<u32>,
    #[serde(default)]
    auth: AuthConfig,
    #[serde(default)]
    server: ServerConfig,
}

// Wrappers so that the store and server settings keep their own defaults while the figment
// layers are merged as plain data.
#[derive(Debug, Default, Serialize, Deserialize)]
struct AuthConfig(#[serde(default)] serde_json::Map<String, serde_json::Value>);
#[derive(Debug, Default, Serialize, Deserialize)]
struct ServerConfig(#[serde(default)] serde_json::Map<String, serde_json::Value>);

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://luodi.db".into(),
            bind: "127.0.0.1:8080".into(),
            log: "info,sqlx=error".into(),
            audit_retention_days: None,
            auth: AuthConfig::default(),
            server: ServerConfig::default(),
        }
    }
}

/// Merges the layers; `file` is `--config`, `database_url` is `--database-url`.
pub fn load(
    file: Option<&str>,
    database_url: Option<&str>,
) -> anyhow::Result<(Config, AuthSettings, ServerSettings)> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    match file {
        Some(path) => figment = figment.merge(Toml::file_exact(path)),
        None => figment = figment.merge(Toml::file("luodi.toml")),
    }
    figment = figment.merge(Env::prefixed("LUODI_").split("__"));
    let mut config: Config = figment.extract().context("reading configuration")?;
    if let Some(url) = database_url {
        config.database_url = url.to_owned();
    }
    if let Some(days) = config.audit_retention_days {
        luodi_store::housekeeping::check_audit_retention(days)?;
    }
    let auth: AuthSettings =
        serde_json::from_value(serde_json::Value::Object(config.auth.0.clone()))
            .context("reading [auth] settings")?;
    let server: ServerSettings =
        serde_json::from_value(serde_json::Value::Object(config.server.0.clone()))
            .context("reading [server] settings")?;
    Ok((config, auth, server))
}

#[cfg(test)]
// figment's Jail fixes the closure's error type; its size is not ours to choose.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn defaults_then_file_then_environment_then_flags() {
        figment::Jail::expect_with(|jail| {
            let (config, auth, server) = load(None, None).unwrap();
            assert_eq!(config.database_url, "sqlite://luodi.db");
            assert_eq!(config.bind, "127.0.0.1:8080");
            assert_eq!(auth.max_failed_attempts, 5);
            assert!(!server.cookie_secure);

            jail.create_file(
                "luodi.toml",
                r#"
                bind = "0.0.0.0:9000"
                database_url = "postgres://luodi:secret@db/luodi"
                [auth]
                lockout_minutes = 60
                [auth.password]
                min_length = 12
                [server]
                cookie_secure = true
                "#,
            )?;
            let (config, auth, server) = load(None, None).unwrap();
            assert_eq!(config.bind, "0.0.0.0:9000");
            assert_eq!(auth.lockout_minutes, 60);
            assert_eq!(auth.password.min_length, 12);
            assert_eq!(
                auth.password.min_classes, 3,
                "unset keys keep their defaults"
            );
            assert!(server.cookie_secure);

            jail.set_env("LUODI_AUTH__LOCKOUT_MINUTES", "5");
            jail.set_env("LUODI_DATABASE_URL", "sqlite://env.db");
            let (config, auth, _) = load(None, None).unwrap();
            assert_eq!(auth.lockout_minutes, 5);
            assert_eq!(config.database_url, "sqlite://env.db");

            let (config, _, _) = load(None, Some("sqlite://flag.db")).unwrap();
            assert_eq!(config.database_url, "sqlite://flag.db");
            Ok(())
        });
    }

    #[test]
    fn audit_retention_is_never_below_180_days() {
        figment::Jail::expect_with(|jail| {
            assert_eq!(load(None, None).unwrap().0.audit_retention_days, None);
            jail.set_env("LUODI_AUDIT_RETENTION_DAYS", "365");
            assert_eq!(load(None, None).unwrap().0.audit_retention_days, Some(365));
            jail.set_env("LUODI_AUDIT_RETENTION_DAYS", "90");
            let refused = load(None, None).unwrap_err().to_string();
            assert!(refused.contains("至少保留 180 天"), "{refused}");
            Ok(())
        });
    }

    #[test]
    fn a_missing_explicit_file_is_an_error() {
        figment::Jail::expect_with(|_| {
            assert!(load(Some("nope.toml"), None).is_err());
            Ok(())
        });
    }
}
