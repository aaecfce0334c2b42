//! Notification channels beyond the bell: e-mail to each account that has an address, and one
//! post per event to a group robot's webhook (企业微信 / 钉钉), both configured under
//! `[channels]` in luodi.toml. The in-app message is written as before; when channels are
//! configured, the same transaction adds one outbox row per e-mail recipient and one for the
//! webhook ([`enqueue`]). A delivery worker ([`Delivery`]) sends them afterwards, so a mail
//! server that is slow or down never holds up a request: each row is claimed by one worker
//! (an `UPDATE … WHERE status` that only one can win, however many instances run), sent, and
//! on failure tried again after 1, 5, 30 and 120 minutes before it is given up as failed.

mod email;
mod webhook;

use crate::kit::clock;
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use rand::Rng;
use serde::Deserialize;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

pub use email::{EmailSettings, TlsMode};
pub use webhook::{WebhookKind, WebhookSettings};

/// `[channels]` of luodi.toml. Nothing set: in-app messages only.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChannelSettings {
    pub email: Option<EmailSettings>,
    pub webhook: Option<WebhookSettings>,
    /// The address users open the platform at (`[server] public_url`), put into mails; not
    /// read from `[channels]`.
    #[serde(skip)]
    pub link: Option<String>,
}

impl ChannelSettings {
    /// Refuses settings that could never send, with a message for the operator.
    pub fn check(&self) -> Result<(), StoreError> {
        if let Some(e) = &self.email {
            e.check()?;
        }
        if let Some(w) = &self.webhook {
            w.check()?;
        }
        Ok(())
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

const EMAIL: &str = "email";
const WEBHOOK: &str = "webhook";

/// The `settings` row naming the configured channels. Writers of in-app messages hold only a
/// connection, so the channels are recorded with the data rather than threaded through every
/// area; every instance of a cluster reads one luodi.toml and records the same.
const SETTING: &str = "notification_channels";

/// Attempts before a message is given up; the waits between them.
pub const MAX_ATTEMPTS: i64 = 5;
const BACKOFF_MINUTES: [i64; 4] = [1, 5, 30, 120];

/// How long a claim holds: a worker that died mid-send leaves the row to another after this.
const LEASE: Duration = Duration::minutes(10);

/// Rows one pass takes at most.
const BATCH: i64 = 100;

/// Adds the outbox rows for one in-app message sent to `users` about a reporter (a region's
/// bureau, or a unit): an e-mail to each of them that has an address, and one webhook post.
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
    let Some(configured) = configured else {
        return Ok(());
    };
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
    if configured.contains(&WEBHOOK) {
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
        sqlx::query(
            "INSERT INTO outbox (channel, recipient, addressee, region_code, body, status, \
             attempts, due_at, created_at) VALUES ('webhook', NULL, $1, $2, $3, 'pending', 0, $4, $4)",
        )
        .bind(addressee.join(" "))
        .bind(region_code)
        .bind(body)
        .bind(now)
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
    mailer: Option<email::Mailer>,
    robot: Option<webhook::Robot>,
}

impl Delivery {
    /// Records the configured channels (so that writers add their outbox rows, or stop
    /// adding them when none is left) and prepares their clients.
    pub(crate) async fn start(db: &Db, settings: ChannelSettings) -> Result<Self, StoreError> {
        settings.check()?;
        let names = settings.names();
        let mut tx = db.pool.begin().await?;
        sqlx::query("DELETE FROM settings WHERE key = $1")
            .bind(SETTING)
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
            robot: settings
                .webhook
                .as_ref()
                .map(webhook::Robot::new)
                .transpose()?,
            settings: Arc::new(settings),
        })
    }

    /// Whether any channel is configured.
    pub fn is_active(&self) -> bool {
        !self.settings.names().is_empty()
    }

    /// Sends every message due at `at` that no other worker holds. A failure is logged and the
    /// message tried again later; only a database error stops the pass.
    pub async fn deliver_due(&self, at: OffsetDateTime) -> Result<Delivered, StoreError> {
        let mut done = Delivered::default();
        let names = self.settings.names();
        if names.is_empty() {
            return Ok(done);
        }
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
            "SELECT id, channel, recipient, addressee, body, attempts FROM outbox WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.db.pool)
        .await?;
        Ok(Some((message, claim)))
    }

    async fn send(&self, message: &Message) -> Result<(), String> {
        match (message.channel.as_str(), &self.mailer, &self.robot) {
            (EMAIL, Some(mailer), _) => {
                let to = message.recipient.as_deref().unwrap_or_default();
                let link = self.settings.link.as_deref();
                mailer
                    .send(to, &message.addressee, &message.body, link)
                    .await
            }
            (WEBHOOK, _, Some(robot)) => robot.send(&message.addressee, &message.body).await,
            _ => Err("该渠道未配置".into()),
        }
    }

    /// Records the outcome, if the claim is still this worker's.
    async fn finish(
        &self,
        message: &Message,
        claim: &str,
        at: OffsetDateTime,
        outcome: Result<(), String>,
    ) -> Result<Outcome, StoreError> {
        let (status, due, error, result) = match outcome {
            Ok(()) => ("sent", at, None, Outcome::Sent),
            Err(error) => {
                let last = message.attempts >= MAX_ATTEMPTS;
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
    pub fn spawn(self) {
        if !self.is_active() {
            return;
        }
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
