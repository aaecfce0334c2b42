//! Layered configuration: built-in defaults, then an optional TOML file, then `LUODI_*`
//! environment variables (`__` separates nested keys), then command-line flags.

use anyhow::Context;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use luodi_server::ServerSettings;
use luodi_store::channels::ChannelSettings;
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
    /// The automatic close (自动月结) is set on the rules page (台账规则); this value (0 to
    /// 31 days after a dispatch round's deadline) is adopted into the rules at start-up only
    /// while they never chose one, for installations that configured it here before.
    #[serde(default)]
    pub auto_close_days: Option<u32>,
    #[serde(default)]
    auth: AuthConfig,
    #[serde(default)]
    server: ServerConfig,
    /// `[channels.email]`, `[channels.webhook]`: notices beyond the bell. Unset: in-app only.
    #[serde(default)]
    channels: ChannelsConfig,
}

// Wrappers so that the store and server settings keep their own defaults while the figment
// layers are merged as plain data.
#[derive(Debug, Default, Serialize, Deserialize)]
struct AuthConfig(#[serde(default)] serde_json::Map<String, serde_json::Value>);
#[derive(Debug, Default, Serialize, Deserialize)]
struct ServerConfig(#[serde(default)] serde_json::Map<String, serde_json::Value>);
#[derive(Debug, Default, Serialize, Deserialize)]
struct ChannelsConfig(#[serde(default)] serde_json::Map<String, serde_json::Value>);

/// Everything `load` reads, by the part of the program it is for.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub auth: AuthSettings,
    pub server: ServerSettings,
    pub channels: ChannelSettings,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://luodi.db".into(),
            bind: "127.0.0.1:8080".into(),
            log: "info,sqlx=error".into(),
            audit_retention_days: None,
            auto_close_days: None,
            auth: AuthConfig::default(),
            server: ServerConfig::default(),
            channels: ChannelsConfig::default(),
        }
    }
}

/// Merges the layers; `file` is `--config`, `database_url` is `--database-url`.
pub fn load(file: Option<&str>, database_url: Option<&str>) -> anyhow::Result<Loaded> {
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
    if config
        .auto_close_days
        .is_some_and(|d| d > luodi_domain::bulletins::MAX_AUTO_CLOSE_DAYS)
    {
        anyhow::bail!("auto_close_days（自动月结：调度截止后的天数）须在 0 到 31 之间");
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
    let channels: ChannelSettings =
        serde_json::from_value(serde_json::Value::Object(config.channels.0.clone()))
            .context("reading [channels] settings")?;
    channels.check()?;
    Ok(Loaded {
        config,
        auth,
        server,
        channels,
    })
}

#[cfg(test)]
// figment's Jail fixes the closure's error type; its size is not ours to choose.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn defaults_then_file_then_environment_then_flags() {
        figment::Jail::expect_with(|jail| {
            let Loaded {
                config,
                auth,
                server,
                channels,
            } = load(None, None).unwrap();
            assert_eq!(config.database_url, "sqlite://luodi.db");
            assert_eq!(config.bind, "127.0.0.1:8080");
            assert_eq!(auth.max_failed_attempts, 5);
            assert!(!server.cookie_secure);
            assert!(channels.email.is_none() && channels.webhook.is_none());

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
            let Loaded {
                config,
                auth,
                server,
                ..
            } = load(None, None).unwrap();
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
            let Loaded { config, auth, .. } = load(None, None).unwrap();
            assert_eq!(auth.lockout_minutes, 5);
            assert_eq!(config.database_url, "sqlite://env.db");

            let config = load(None, Some("sqlite://flag.db")).unwrap().config;
            assert_eq!(config.database_url, "sqlite://flag.db");
            Ok(())
        });
    }

    #[test]
    fn the_automatic_close_is_off_unless_set_and_within_a_month() {
        figment::Jail::expect_with(|jail| {
            assert_eq!(load(None, None).unwrap().config.auto_close_days, None);
            jail.set_env("LUODI_AUTO_CLOSE_DAYS", "5");
            assert_eq!(load(None, None).unwrap().config.auto_close_days, Some(5));
            jail.set_env("LUODI_AUTO_CLOSE_DAYS", "40");
            let refused = load(None, None).unwrap_err().to_string();
            assert!(refused.contains("auto_close_days"), "{refused}");
            Ok(())
        });
    }

    #[test]
    fn audit_retention_is_never_below_180_days() {
        figment::Jail::expect_with(|jail| {
            assert_eq!(load(None, None).unwrap().config.audit_retention_days, None);
            jail.set_env("LUODI_AUDIT_RETENTION_DAYS", "365");
            assert_eq!(
                load(None, None).unwrap().config.audit_retention_days,
                Some(365)
            );
            jail.set_env("LUODI_AUDIT_RETENTION_DAYS", "90");
            let refused = load(None, None).unwrap_err().to_string();
            assert!(refused.contains("至少保留 180 天"), "{refused}");
            Ok(())
        });
    }

    #[test]
    fn channels_are_read_checked_and_their_secrets_hidden() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "luodi.toml",
                r#"
                [channels.email]
                host = "smtp.yiyang.gov.cn"
                username = "luodi"
                password = "s3cret"
                from = "落地平台 <luodi@yiyang.gov.cn>"
                [channels.webhook]
                url = "https://oapi.dingtalk.com/robot/send?access_token=t0ken"
                kind = "dingtalk"
                secret = "SECsign1ng"
                "#,
            )?;
            let channels = load(None, None).unwrap().channels;
            assert_eq!(
                channels.robot_hosts,
                luodi_store::channels::DEFAULT_ROBOT_HOSTS
            );
            assert_eq!(
                (channels.keep_sent_days, channels.keep_failed_days),
                (30, 180)
            );
            let email = channels.email.as_ref().unwrap();
            assert_eq!(email.tls, luodi_store::channels::TlsMode::Starttls);
            assert_eq!(email.port, None, "587 for STARTTLS, chosen when connecting");
            assert_eq!(
                channels.webhook.as_ref().unwrap().kind,
                luodi_store::channels::WebhookKind::Dingtalk
            );
            let shown = format!("{channels:?}");
            assert!(
                !shown.contains("s3cret") && !shown.contains("t0ken") && !shown.contains("sign1ng"),
                "{shown}"
            );
            jail.set_env("LUODI_CHANNELS__KEEP_SENT_DAYS", "7");
            jail.set_env("LUODI_CHANNELS__ROBOT_HOSTS", "[zwwx.yiyang.gov.cn]");
            let channels = load(None, None).unwrap().channels;
            assert_eq!(channels.retention().sent_days, 7);
            assert_eq!(channels.robot_hosts, ["zwwx.yiyang.gov.cn"]);
            jail.set_env("LUODI_CHANNELS__KEEP_FAILED_DAYS", "0");
            assert!(load(None, None).is_err(), "at least a day");
            jail.set_env("LUODI_CHANNELS__KEEP_FAILED_DAYS", "180");

            jail.set_env("LUODI_CHANNELS__EMAIL__TLS", "none");
            jail.set_env("LUODI_CHANNELS__EMAIL__PORT", "2525");
            let email = load(None, None).unwrap().channels.email.unwrap();
            assert_eq!(email.tls, luodi_store::channels::TlsMode::None);
            assert_eq!(email.port, Some(2525));

            jail.set_env("LUODI_CHANNELS__EMAIL__FROM", "no address");
            let refused = load(None, None).unwrap_err().to_string();
            assert!(refused.contains("发件地址"), "{refused}");
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
