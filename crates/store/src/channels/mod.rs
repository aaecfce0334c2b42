//! Notification channels beyond the bell: e-mail to each account that has an address, and one
//! post per event to group robots (企业微信 / 钉钉): the installation-wide one configured
//! under `[channels]` in luodi.toml, and those each region's bureau connects for itself
//! (`robots.rs`). The in-app message is written as before; the same transaction adds one
//! outbox row per e-mail recipient and one per robot ([`enqueue`]). A delivery worker
//! ([`Delivery`]) sends them afterwards, so a mail server that is slow or down never holds up
//! a request: each row is claimed by one worker (an `UPDATE … WHERE status` that only one can
//! win, however many instances run), sent, and on failure tried again after 1, 5, 30 and 120
//! minutes before it is given up as failed; a robot removed or switched off fails at once.
//! Administrators read what was given up and send it again (`failures.rs`); housekeeping
//! removes old rows.

mod email;
mod failures;
mod robots;
mod webhook;

use crate::kit::clock;
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

pub use email::{EmailSettings, TlsMode};
pub use failures::{FailedDelivery, FailuresQuery};
pub use robots::{RobotInput, RobotTestResult, RobotView, RobotsQuery};
pub use webhook::{mask_url, RobotKind, WebhookKind, WebhookSettings};

crate::scoped::area_handle!(
    /// The region's group robots and the deliveries that failed, within the actor's scope.
    Channels, channels
);

/// `[channels]` of luodi.toml. Nothing set: in-app messages only, and the robots regions
/// connect themselves.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChannelSettings {
    pub email: Option<EmailSettings>,
    pub webhook: Option<WebhookSettings>,
    /// The hosts a region's robot may post to. A bureau types the URL, and the server posts to
    /// it: the list keeps it from reaching addresses inside the network. Default: 企业微信's
    /// and 钉钉's public robot hosts; a 政务微信 or 浙政钉 deployment adds its own.
    pub robot_hosts: Vec<String>,
    /// Days delivered messages are kept in the outbox before housekeeping removes them.
    pub keep_sent_days: u32,
    /// Days given-up messages are kept (shown on the failed-delivery page until then).
    pub keep_failed_days: u32,
    /// The address users open the platform at (`[server] public_url`), put into mails and
    /// robot posts; not read from `[channels]`.
    #[serde(skip)]
    pub link: Option<String>,
}

impl Default for ChannelSettings {
    fn default() -> Self {
        Self {
            email: None,
            webhook: None,
            robot_hosts: DEFAULT_ROBOT_HOSTS
                .iter()
                .map(|h| (*h).to_owned())
                .collect(),
            keep_sent_days: 30,
            keep_failed_days: 180,
            link: None,
        }
    }
}

/// 企业微信's and 钉钉's public robot hosts.
pub const DEFAULT_ROBOT_HOSTS: [&str; 2] = ["qyapi.weixin.qq.com", "oapi.dingtalk.com"];

impl ChannelSettings {
    /// Refuses settings that could never send, with a message for the operator.
    pub fn check(&self) -> Result<(), StoreError> {
        if let Some(e) = &self.email {
            e.check()?;
        }
        if let Some(w) = &self.webhook {
            w.check()?;
        }
        if self.keep_sent_days == 0 || self.keep_failed_days == 0 {
            return Err(StoreError::Config(
                "[channels] keep_sent_days 与 keep_failed_days 至少为 1 天".into(),
            ));
        }
        Ok(())
    }

    /// How long the outbox keeps delivered and given-up messages.
    pub fn retention(&self) -> OutboxRetention {
        OutboxRetention {
            sent_days: self.keep_sent_days,
            failed_days: self.keep_failed_days,
        }
    }

    fn names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.email.is_some() {
            names.push(EMAIL);
        }
        if self.webhook.is_some() {
            names.push(WEBHOOK);
        }
        names
    }
}

/// How long housekeeping keeps outbox rows (`[channels] keep_sent_days`, `keep_failed_days`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxRetention {
    pub sent_days: u32,
    pub failed_days: u32,
}

impl Default for OutboxRetention {
    fn default() -> Self {
        ChannelSettings::default().retention()
    }
}

const EMAIL: &str = "email";
const WEBHOOK: &str = "webhook";

/// The `settings` row naming the configured channels. Writers of in-app messages hold only a
/// connection, so the channels are recorded with the data rather than threaded through every
/// area; every instance of a cluster reads one luodi.toml and records the same.
const SETTING: &str = "notification_channels";

/// The `settings` row with what the robots pages need of luodi.toml: the allowed robot hosts
/// and the platform's address (a JSON [`RobotRules`]). Absent: the defaults.
const ROBOT_SETTING: &str = "notification_robots";

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RobotRules {
    hosts: Vec<String>,
    link: Option<String>,
}

impl RobotRules {
    fn of(settings: &ChannelSettings) -> Self {
        Self {
            hosts: settings
                .robot_hosts
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect(),
            link: settings.link.clone(),
        }
    }

    async fn read(db: &Db) -> Result<Self, StoreError> {
        let stored: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(ROBOT_SETTING)
                .fetch_optional(&db.pool)
                .await?;
        Ok(stored
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_else(|| Self::of(&ChannelSettings::default())))
    }

    fn allows(&self, url: &str) -> bool {
        webhook::host_of(url).is_some_and(|h| self.hosts.contains(&h))
    }
}

/// Attempts before a message is given up; the waits between them.
pub const MAX_ATTEMPTS: i64 = 5;
const BACKOFF_MINUTES: [i64; 4] = [1, 5, 30, 120];

/// How long a claim holds: a worker that died mid-send leaves the row to another after this.
const LEASE: Duration = Duration::minutes(10);

/// Rows one pass takes at most.
const BATCH: i64 = 100;

/// Adds the outbox rows for one in-app message sent to `users` about a reporter (a region's
/// bureau, or a unit): an e-mail to each of them that has an address, one post to the
/// installation-wide robot, and one to each enabled robot of the region.
pub(crate) async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    users: &[i64],
    region_code: &str,
    unit_id: Option<i64>,
    body: &str,
    now: &str,
) -> Result<(), StoreError> {
    if users.is_empty() {
        return Ok(());
    }
    let configured: Option<String> =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(SETTING)
            .fetch_optional(&mut *conn)
            .await?;
    let configured = configured.unwrap_or_default();
    let configured: Vec<&str> = configured.split(',').collect();
    if configured.contains(&EMAIL) {
        for user in users {
            sqlx::query(
                "INSERT INTO outbox (channel, recipient, addressee, region_code, body, status, \
                 attempts, due_at, created_at) \
                 SELECT 'email', email, display_name, $1, $2, 'pending', 0, $3, $3 \
                 FROM users WHERE id = $4 AND email IS NOT NULL AND email <> ''",
            )
            .bind(region_code)
            .bind(body)
            .bind(now)
            .bind(user)
            .execute(&mut *conn)
            .await?;
        }
    }
    let robots: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM channel_robots WHERE region_code = $1 AND enabled = $2 ORDER BY id",
    )
    .bind(region_code)
    .bind(true)
    .fetch_all(&mut *conn)
    .await?;
    let mut targets: Vec<Option<i64>> = robots.into_iter().map(Some).collect();
    if configured.contains(&WEBHOOK) {
        targets.insert(0, None);
    }
    if targets.is_empty() {
        return Ok(());
    }
    let region: Option<String> = sqlx::query_scalar("SELECT name FROM regions WHERE code = $1")
        .bind(region_code)
        .fetch_optional(&mut *conn)
        .await?;
    let unit: Option<String> = match unit_id {
        Some(id) => {
            sqlx::query_scalar("SELECT name FROM units WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    let addressee = [region, unit].into_iter().flatten().collect::<Vec<_>>();
    for robot in targets {
        sqlx::query(
            "INSERT INTO outbox (channel, recipient, addressee, region_code, body, status, \
             attempts, due_at, created_at, robot_id) \
             VALUES ('webhook', NULL, $1, $2, $3, 'pending', 0, $4, $4, $5)",
        )
        .bind(addressee.join(" "))
        .bind(region_code)
        .bind(body)
        .bind(now)
        .bind(robot)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// One outbox row, as a worker sends it.
#[derive(Debug, sqlx::FromRow)]
struct Message {
    id: i64,
    channel: String,
    recipient: Option<String>,
    addressee: String,
    body: String,
    attempts: i64,
    robot_id: Option<i64>,
}

/// Why a send did not go through, and whether trying again could change that.
struct Failure {
    error: String,
    /// A robot deleted, switched off or no longer allowed: given up at once.
    final_: bool,
}

impl From<String> for Failure {
    fn from(error: String) -> Self {
        Self {
            error,
            final_: false,
        }
    }
}

/// What one pass of the worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    /// Failed this time, to be tried again later.
    pub retrying: usize,
    /// Failed for the last time.
    pub failed: usize,
}

/// The delivery worker of one instance.
pub struct Delivery {
    db: Db,
    settings: Arc<ChannelSettings>,
    rules: RobotRules,
    mailer: Option<email::Mailer>,
    poster: webhook::Poster,
}

impl Delivery {
    /// Records the configured channels (so that writers add their outbox rows, or stop
    /// adding them when none is left) and prepares their clients.
    pub(crate) async fn start(db: &Db, settings: ChannelSettings) -> Result<Self, StoreError> {
        settings.check()?;
        let names = settings.names();
        let rules = RobotRules::of(&settings);
        let mut tx = db.pool.begin().await?;
        sqlx::query("DELETE FROM settings WHERE key IN ($1, $2)")
            .bind(SETTING)
            .bind(ROBOT_SETTING)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
            .bind(ROBOT_SETTING)
            .bind(serde_json::to_string(&rules).map_err(|e| StoreError::Internal(e.to_string()))?)
            .execute(&mut *tx)
            .await?;
        if !names.is_empty() {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
                .bind(SETTING)
                .bind(names.join(","))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Self {
            db: db.clone(),
            mailer: settings
                .email
                .as_ref()
                .map(email::Mailer::new)
                .transpose()?,
            poster: webhook::Poster::new()?,
            rules,
            settings: Arc::new(settings),
        })
    }

    /// Sends every message due at `at` that no other worker holds. A failure is logged and the
    /// message tried again later; only a database error stops the pass.
    pub async fn deliver_due(&self, at: OffsetDateTime) -> Result<Delivered, StoreError> {
        let mut done = Delivered::default();
        let stamp = clock::format(at);
        let candidates: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND due_at <= $1 \
             ORDER BY due_at, id LIMIT $2",
        )
        .bind(&stamp)
        .bind(BATCH)
        .fetch_all(&self.db.pool)
        .await?;
        let started = std::time::Instant::now();
        for id in candidates {
            // A pass may take a while when a server is slow: each claim and outcome is timed
            // from its own moment, so that a lease is never already over when it is taken.
            let now = at + started.elapsed();
            let Some((message, claim)) = self.claim(id, now).await? else {
                continue;
            };
            let outcome = self.send(&message).await;
            let now = at + started.elapsed();
            match self.finish(&message, &claim, now, outcome).await? {
                Outcome::Sent => done.sent += 1,
                Outcome::Retrying => done.retrying += 1,
                Outcome::Failed => done.failed += 1,
            }
        }
        Ok(done)
    }

    /// Takes the row for this worker: one of any number of racing workers wins it.
    async fn claim(
        &self,
        id: i64,
        at: OffsetDateTime,
    ) -> Result<Option<(Message, String)>, StoreError> {
        let claim = hex::encode(rand::rngs::OsRng.gen::<[u8; 16]>());
        let taken = sqlx::query(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, due_at = $1, \
             claim = $2 WHERE id = $3 AND status IN ('pending', 'sending') AND due_at <= $4",
        )
        .bind(clock::format(at + LEASE))
        .bind(&claim)
        .bind(id)
        .bind(clock::format(at))
        .execute(&self.db.pool)
        .await?;
        if taken.rows_affected() == 0 {
            return Ok(None);
        }
        let message: Message = sqlx::query_as(
            "SELECT id, channel, recipient, addressee, body, attempts, robot_id FROM outbox \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.db.pool)
        .await?;
        Ok(Some((message, claim)))
    }

    async fn send(&self, message: &Message) -> Result<(), Failure> {
        let link = self.settings.link.as_deref();
        let robot = match (message.channel.as_str(), message.robot_id) {
            (EMAIL, _) => {
                let Some(mailer) = &self.mailer else {
                    return Err("邮件渠道未配置".to_owned().into());
                };
                let to = message.recipient.as_deref().unwrap_or_default();
                return Ok(mailer
                    .send(to, &message.addressee, &message.body, link)
                    .await?);
            }
            (WEBHOOK, None) => match &self.settings.webhook {
                Some(w) => w.robot(),
                None => return Err("群机器人渠道未配置".to_owned().into()),
            },
            (WEBHOOK, Some(id)) => self.region_robot(id).await?,
            _ => return Err("未知的渠道".to_owned().into()),
        };
        Ok(self
            .poster
            .send(&robot, &message.addressee, &message.body, link)
            .await?)
    }

    /// A region's robot as it is now (a changed key or secret applies to messages still
    /// waiting); one removed, switched off or outside the allowed hosts fails for good.
    async fn region_robot(&self, id: i64) -> Result<webhook::Robot, Failure> {
        let row: Option<(String, String, Option<String>, crate::kit::db::Flag)> =
            sqlx::query_as("SELECT kind, url, secret, enabled FROM channel_robots WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.db.pool)
                .await
                .map_err(|e| Failure::from(e.to_string()))?;
        let final_ = |error: &str| Failure {
            error: error.to_owned(),
            final_: true,
        };
        let Some((kind, url, secret, enabled)) = row else {
            return Err(final_("群机器人已删除"));
        };
        if !enabled.0 {
            return Err(final_("群机器人已停用"));
        }
        if !self.rules.allows(&url) {
            return Err(final_(
                "机器人地址不在允许的地址内（[channels] robot_hosts）",
            ));
        }
        Ok(webhook::Robot {
            url,
            kind: RobotKind::parse(&kind).map_or(WebhookKind::Wecom, Into::into),
            secret,
        })
    }

    /// Records the outcome, if the claim is still this worker's.
    async fn finish(
        &self,
        message: &Message,
        claim: &str,
        at: OffsetDateTime,
        outcome: Result<(), Failure>,
    ) -> Result<Outcome, StoreError> {
        let (status, due, error, result) = match outcome {
            Ok(()) => ("sent", at, None, Outcome::Sent),
            Err(Failure { error, final_ }) => {
                let last = final_ || message.attempts >= MAX_ATTEMPTS;
                if last {
                    tracing::error!(outbox = message.id, channel = %message.channel,
                        attempts = message.attempts, %error, "notification given up");
                } else {
                    tracing::warn!(outbox = message.id, channel = %message.channel,
                        attempts = message.attempts, %error, "notification failed, will retry");
                }
                let wait = BACKOFF_MINUTES
                    .get(usize::try_from(message.attempts - 1).unwrap_or(0))
                    .copied()
                    .unwrap_or(0);
                if last {
                    ("failed", at, Some(error), Outcome::Failed)
                } else {
                    (
                        "pending",
                        at + Duration::minutes(wait),
                        Some(error),
                        Outcome::Retrying,
                    )
                }
            }
        };
        sqlx::query(
            "UPDATE outbox SET status = $1, due_at = $2, last_error = $3, sent_at = $4, \
             claim = NULL WHERE id = $5 AND claim = $6",
        )
        .bind(status)
        .bind(clock::format(due))
        .bind(error)
        .bind((status == "sent").then(|| clock::format(at)))
        .bind(message.id)
        .bind(claim)
        .execute(&self.db.pool)
        .await?;
        Ok(result)
    }

    /// Runs the worker every 30 seconds, in the background, for as long as the process runs.
    /// It runs with no channel in luodi.toml too: regions connect their own robots.
    pub fn spawn(self) {
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                match self.deliver_due(OffsetDateTime::now_utc()).await {
                    Ok(d) if d == Delivered::default() => {}
                    Ok(d) => tracing::info!(
                        sent = d.sent,
                        retrying = d.retrying,
                        failed = d.failed,
                        "notifications delivered"
                    ),
                    Err(e) => tracing::warn!(error = %e, "delivering notifications failed"),
                }
            }
        });
    }
}

enum Outcome {
    Sent,
    Retrying,
    Failed,
}

/// A subject line from a message: its first 30 characters, marked as the platform's.
fn subject(body: &str) -> String {
    let mut s: String = body.chars().take(30).collect();
    if body.chars().count() > 30 {
        s.push('…');
    }
    format!("【落地】{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_short_and_marked() {
        assert_eq!(subject("催报：请报送"), "【落地】催报：请报送");
        let long = "一".repeat(40);
        assert_eq!(subject(&long), format!("【落地】{}…", "一".repeat(30)));
    }

    #[test]
    fn the_waits_grow_and_end() {
        assert_eq!(BACKOFF_MINUTES.len() as i64, MAX_ATTEMPTS - 1);
        assert!(BACKOFF_MINUTES.windows(2).all(|w| w[0] < w[1]));
    }
}
