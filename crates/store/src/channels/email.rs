//! E-mail over SMTP (`[channels.email]`): implicit TLS, STARTTLS, or plain SMTP for a relay
//! inside the government network.

use crate::kit::error::StoreError;
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain connection upgraded with STARTTLS (port 587 by default); refused without it.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465 by default).
    Tls,
    /// No encryption (port 25 by default): only for a relay on a trusted network.
    None,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    pub host: String,
    /// Unset: 587, 465 or 25 by `tls`.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// The sender, e.g. `落地平台 <luodi@example.gov.cn>`.
    pub from: String,
    #[serde(default)]
    pub tls: TlsMode,
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("tls", &self.tls)
            .finish()
    }
}

impl EmailSettings {
    pub(super) fn check(&self) -> Result<(), StoreError> {
        if self.host.trim().is_empty() {
            return Err(StoreError::Config("[channels.email] host 不能为空".into()));
        }
        self.from.parse::<Mailbox>().map_err(|e| {
            StoreError::Config(format!(
                "[channels.email] from = \"{}\" 不是有效的发件地址：{e}",
                self.from
            ))
        })?;
        Ok(())
    }

    fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
            TlsMode::None => 25,
        })
    }
}

pub(super) struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub(super) fn new(settings: &EmailSettings) -> Result<Self, StoreError> {
        let config = |e: lettre::transport::smtp::Error| {
            StoreError::Config(format!("[channels.email] 无法连接设置：{e}"))
        };
        let mut builder = match settings.tls {
            TlsMode::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                    .map_err(config)?
            }
            TlsMode::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host).map_err(config)?
            }
            TlsMode::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
        }
        .port(settings.port())
        .timeout(Some(std::time::Duration::from_secs(15)));
        if let Some(username) = &settings.username {
            builder = builder.credentials(Credentials::new(
                username.clone(),
                settings.password.clone().unwrap_or_default(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
            from: settings
                .from
                .parse()
                .map_err(|e| StoreError::Config(format!("[channels.email] from 无效：{e}")))?,
        })
    }

    pub(super) async fn send(
        &self,
        to: &str,
        name: &str,
        body: &str,
        link: Option<&str>,
    ) -> Result<(), String> {
        let open = match link.map(str::trim).filter(|l| !l.is_empty()) {
            Some(l) => format!("请登录落地平台（{l}）查看“我的待办”和消息。"),
            None => "请登录落地平台查看“我的待办”和消息。".to_owned(),
        };
        let address = to.parse().map_err(|e| format!("收件地址 {to} 无效：{e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(Some(name.to_owned()), address))
            .subject(super::subject(body))
            .header(ContentType::TEXT_PLAIN)
            .body(format!(
                "{name}：\n\n{body}\n\n{open}\n\
                 ——落地 · 招商引资项目履约落地平台（系统自动发送，请勿回复）\n"
            ))
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
