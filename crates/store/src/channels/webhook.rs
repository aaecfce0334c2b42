//! A group robot's webhook (`[channels.webhook]`): 企业微信 and 钉钉 group robots take the
//! same text message, `{"msgtype":"text","text":{"content":…}}`, and both answer HTTP 200
//! with a non-zero `errcode` when they refuse it; `json` posts the message's parts for a
//! receiver of one's own.

use crate::kit::error::StoreError;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookKind {
    /// 企业微信（政务微信）群机器人.
    #[default]
    Wecom,
    /// 钉钉（浙政钉等）群机器人.
    Dingtalk,
    /// `{"addressee", "text"}`, for a receiver of one's own.
    Json,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// The robot's address; its key or access token is a secret.
    pub url: String,
    #[serde(default)]
    pub kind: WebhookKind,
}

impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = match self.url.split_once('?') {
            Some((path, _)) => format!("{path}?***"),
            None => self.url.clone(),
        };
        f.debug_struct("WebhookSettings")
            .field("url", &shown)
            .field("kind", &self.kind)
            .finish()
    }
}

impl WebhookSettings {
    pub(super) fn check(&self) -> Result<(), StoreError> {
        if !(self.url.starts_with("https://") || self.url.starts_with("http://")) {
            return Err(StoreError::Config(
                "[channels.webhook] url 应以 https:// 或 http:// 开头".into(),
            ));
        }
        Ok(())
    }
}

pub(super) struct Robot {
    client: reqwest::Client,
    url: String,
    kind: WebhookKind,
}

impl Robot {
    pub(super) fn new(settings: &WebhookSettings) -> Result<Self, StoreError> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(|e| StoreError::Config(format!("[channels.webhook] {e}")))?;
        Ok(Self {
            client,
            url: settings.url.clone(),
            kind: settings.kind,
        })
    }

    pub(super) async fn send(&self, addressee: &str, body: &str) -> Result<(), String> {
        let payload = match self.kind {
            WebhookKind::Wecom | WebhookKind::Dingtalk => json!({
                "msgtype": "text",
                "text": { "content": format!("【落地】{addressee}：{body}") },
            }),
            WebhookKind::Json => json!({ "addressee": addressee, "text": body }),
        };
        let response = self
            .client
            .post(&self.url)
            .json(&payload)
            .send()
            .await
            // Without the URL: it carries the robot's key.
            .map_err(|e| e.without_url().to_string())?;
        let status = response.status();
        let answer = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!("HTTP {status}: {}", clip(&answer)));
        }
        if self.kind != WebhookKind::Json {
            let errcode = serde_json::from_str::<serde_json::Value>(&answer)
                .ok()
                .and_then(|v| v.get("errcode").and_then(serde_json::Value::as_i64));
            if errcode.is_some_and(|c| c != 0) {
                return Err(format!("机器人拒收：{}", clip(&answer)));
            }
        }
        Ok(())
    }
}

fn clip(text: &str) -> String {
    text.chars().take(200).collect()
}
