//! Group robots' webhooks: the installation-wide one of `[channels.webhook]`, and the robots
//! each region's bureau connects (`robots.rs`). 企业微信 and 钉钉 group robots take the same
//! text message, `{"msgtype":"text","text":{"content":…}}`, and both answer HTTP 200 with a
//! non-zero `errcode` when they refuse it; a 钉钉 robot with 加签 wants `timestamp` and `sign`
//! on its URL; `json` posts the message's parts for a receiver of one's own.

use crate::kit::error::StoreError;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookKind {
    /// 企业微信（政务微信）群机器人.
    #[default]
    Wecom,
    /// 钉钉（浙政钉等）群机器人.
    Dingtalk,
    /// `{"addressee", "text", "link"}`, for a receiver of one's own.
    Json,
}

/// The kinds of robot a bureau may connect for its region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RobotKind {
    /// 企业微信（政务微信）
    Wecom,
    /// 钉钉（浙政钉）
    Dingtalk,
}

impl RobotKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wecom => "wecom",
            Self::Dingtalk => "dingtalk",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Wecom, Self::Dingtalk]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Wecom => "企业微信",
            Self::Dingtalk => "钉钉",
        }
    }
}

impl From<RobotKind> for WebhookKind {
    fn from(kind: RobotKind) -> Self {
        match kind {
            RobotKind::Wecom => Self::Wecom,
            RobotKind::Dingtalk => Self::Dingtalk,
        }
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// The robot's address; its key or access token is a secret.
    pub url: String,
    #[serde(default)]
    pub kind: WebhookKind,
    /// 钉钉 加签: the robot's `SEC…` secret; unset when the robot does not sign.
    #[serde(default)]
    pub secret: Option<String>,
}

impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("url", &mask_url(&self.url))
            .field("kind", &self.kind)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
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

    pub(super) fn robot(&self) -> Robot {
        Robot {
            url: self.url.clone(),
            kind: self.kind,
            secret: self.secret.clone(),
        }
    }
}

/// Where one post goes.
pub(super) struct Robot {
    pub url: String,
    pub kind: WebhookKind,
    pub secret: Option<String>,
}

/// The URL as it may be shown: the path, and each query value (the robot's key or access
/// token) as `***` followed by its last four characters, so that two robots can be told
/// apart without the key being readable.
pub fn mask_url(url: &str) -> String {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return "***".into();
    };
    let masked: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let tail: String = if v.chars().count() > 12 {
                let chars: Vec<char> = v.chars().collect();
                chars[chars.len() - 4..].iter().collect()
            } else {
                String::new()
            };
            (k.into_owned(), format!("***{tail}"))
        })
        .collect();
    let _ = parsed.set_password(None);
    let _ = parsed.set_username("");
    parsed.set_fragment(None);
    if masked.is_empty() {
        parsed.set_query(None);
        return parsed.to_string();
    }
    parsed.set_query(None);
    let query = masked
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!("{parsed}?{query}")
}

/// The host of a robot's URL, lower-cased, if it is an http(s) URL with one.
pub(super) fn host_of(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return None;
    }
    parsed.host_str().map(str::to_ascii_lowercase)
}

/// 钉钉's 加签: base64 of the HMAC-SHA256, keyed with the secret, of "timestamp\nsecret",
/// the timestamp in milliseconds (the robot refuses one more than an hour off).
pub(super) fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any size");
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Posts messages to robots.
pub(super) struct Poster {
    client: reqwest::Client,
}

impl Poster {
    pub(super) fn new() -> Result<Self, StoreError> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            // A robot answers where it is asked; a redirect would carry the post elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| StoreError::Config(format!("[channels] 无法创建 HTTP 客户端：{e}")))?;
        Ok(Self { client })
    }

    /// Posts `body`, addressed to `addressee`, naming the platform's address when known.
    pub(super) async fn send(
        &self,
        robot: &Robot,
        addressee: &str,
        body: &str,
        link: Option<&str>,
    ) -> Result<(), String> {
        let link = link.map(str::trim).filter(|l| !l.is_empty());
        let payload = match robot.kind {
            WebhookKind::Wecom | WebhookKind::Dingtalk => {
                let open = match link {
                    Some(l) => format!("\n请登录落地平台（{l}）查看。"),
                    None => String::new(),
                };
                json!({
                    "msgtype": "text",
                    "text": { "content": format!("【落地】{addressee}：{body}{open}") },
                })
            }
            WebhookKind::Json => json!({ "addressee": addressee, "text": body, "link": link }),
        };
        let mut url = reqwest::Url::parse(&robot.url).map_err(|_| "机器人地址无效".to_owned())?;
        if let (WebhookKind::Dingtalk, Some(secret)) = (robot.kind, robot.secret.as_deref()) {
            // 钉钉 checks the time against its own: the real time, not a test's clock.
            let timestamp =
                (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
            url.query_pairs_mut()
                .append_pair("timestamp", &timestamp.to_string())
                .append_pair("sign", &dingtalk_sign(secret, timestamp));
        }
        let response = self
            .client
            .post(url)
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
        if robot.kind != WebhookKind::Json {
            let answer_json = serde_json::from_str::<serde_json::Value>(&answer).ok();
            let errcode = answer_json
                .as_ref()
                .and_then(|v| v.get("errcode").and_then(serde_json::Value::as_i64));
            if let Some(code) = errcode.filter(|c| *c != 0) {
                let message = answer_json
                    .as_ref()
                    .and_then(|v| v.get("errmsg").and_then(serde_json::Value::as_str))
                    .unwrap_or_default();
                return Err(format!("机器人拒收（errcode {code}）：{}", clip(message)));
            }
        }
        Ok(())
    }
}

fn clip(text: &str) -> String {
    text.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked_but_tell_robots_apart() {
        assert_eq!(
            mask_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***5aaa"
        );
        assert_eq!(
            mask_url("https://oapi.dingtalk.com/robot/send?access_token=short"),
            "https://oapi.dingtalk.com/robot/send?access_token=***"
        );
        assert_eq!(mask_url("not a url"), "***");
        assert_eq!(
            mask_url("https://user:pw@hook.example.gov.cn/x"),
            "https://hook.example.gov.cn/x"
        );
    }

    #[test]
    fn the_signature_is_base64_of_a_sha256_mac() {
        let sign = dingtalk_sign("SEC0123", 1_700_000_000_000);
        let raw = base64::engine::general_purpose::STANDARD
            .decode(&sign)
            .unwrap();
        assert_eq!(raw.len(), 32);
        assert_ne!(sign, dingtalk_sign("SEC0123", 1_700_000_000_001));
    }

    #[test]
    fn hosts_come_from_http_urls_only() {
        assert_eq!(
            host_of("https://OAPI.dingtalk.com/robot/send?access_token=x").as_deref(),
            Some("oapi.dingtalk.com")
        );
        assert_eq!(host_of("file:///etc/passwd"), None);
        assert_eq!(host_of("ftp://oapi.dingtalk.com/"), None);
    }
}
