//! Deliveries that were given up (失败的消息): administrators read those about regions in
//! their scope, and send one again (重新发送), which gives it a fresh set of attempts.

use super::Channels;
use crate::audit::{self, Change};
use crate::kit::clock;
use crate::kit::error::StoreError;
use crate::kit::filter::{Bind, Filter};
use crate::kit::page::{Page, PageRequest};
use luodi_domain::{Permission, RegionCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct FailuresQuery {
    /// Only this region's subtree (within the user's scope).
    #[param(pattern = r"^((0[1-9]|[1-9][0-9])[0-9]{4})?$")]
    pub region: Option<String>,
    /// `email` or `webhook`.
    #[param(pattern = r"^(|email|webhook)$")]
    pub channel: Option<String>,
}

/// A message given up after its last attempt.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct FailedDelivery {
    pub id: i64,
    /// `email` or `webhook`.
    pub channel: String,
    /// 邮件 / 群机器人
    pub channel_label: String,
    /// The e-mail address, the region's robot by name, or the platform's robot.
    pub recipient: String,
    /// Whom the message addresses: the account's name, or the region (and unit).
    pub addressee: String,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub body: String,
    /// The last attempt's error.
    pub error: Option<String>,
    pub attempts: i64,
    pub created_at: String,
    /// When it was given up.
    pub failed_at: String,
}

const PLATFORM_ROBOT: &str = "平台群机器人";

impl Channels<'_> {
    /// The given-up messages about regions in scope, latest first.
    pub async fn failures(
        &self,
        query: &FailuresQuery,
        page: PageRequest,
    ) -> Result<Page<FailedDelivery>, StoreError> {
        self.actor.require(Permission::ManageUsers)?;
        let region = query
            .region
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(RegionCode::parse)
            .transpose()
            .map_err(|e| StoreError::field("region", e.to_string()))?;
        let mut f = Filter::new(&format!(
            "SELECT o.id, o.channel, \
             CASE WHEN o.channel = 'email' THEN '邮件' ELSE '群机器人' END AS channel_label, \
             CASE WHEN o.channel = 'email' THEN COALESCE(o.recipient, '') \
                  WHEN r.name IS NOT NULL THEN r.name ELSE '{PLATFORM_ROBOT}' END AS recipient, \
             o.addressee, o.region_code, g.name AS region_name, o.body, \
             o.last_error AS error, o.attempts, o.created_at, o.due_at AS failed_at \
             FROM outbox o LEFT JOIN channel_robots r ON r.id = o.robot_id \
             LEFT JOIN regions g ON g.code = o.region_code WHERE o.status = 'failed'"
        ));
        f.scope_within("o.region_code", &self.actor.scope, region.as_ref());
        if let Some(channel) = query.channel.as_deref().filter(|c| !c.is_empty()) {
            if !matches!(channel, "email" | "webhook") {
                return Err(StoreError::field(
                    "channel",
                    "渠道应为 email（邮件）或 webhook（群机器人）",
                ));
            }
            let c = f.bind(Bind::Text(channel.to_owned()));
            f.and(&format!("o.channel = {c}"));
        }
        Ok(
            f.fetch_page(&self.db.pool, "o.due_at DESC, o.id DESC", page)
                .await?,
        )
    }

    /// Sends a given-up message again: back in the queue, due now, with its attempts reset.
    pub async fn resend(&self, id: i64) -> Result<(), StoreError> {
        self.actor.require(Permission::ManageUsers)?;
        let mut f = Filter::new(
            "SELECT o.channel, o.recipient, o.region_code, o.attempts, o.last_error, r.name \
             FROM outbox o LEFT JOIN channel_robots r ON r.id = o.robot_id \
             WHERE o.status = 'failed'",
        );
        let i = f.bind(Bind::Int(id));
        f.and(&format!("o.id = {i}"));
        f.scope("o.region_code", &self.actor.scope);
        type Row = (
            String,
            Option<String>,
            Option<String>,
            i64,
            Option<String>,
            Option<String>,
        );
        let (channel, recipient, region, attempts, error, robot): Row = f
            .query_as(&f.sql)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or(StoreError::NotFound("该发送失败的消息"))?;
        let region = region
            .as_deref()
            .map(crate::regions::stored_code)
            .transpose()?;
        let shown = match (channel.as_str(), recipient, robot) {
            ("email", Some(address), _) => format!("邮件 {address}"),
            (_, _, Some(name)) => format!("群机器人“{name}”"),
            _ => PLATFORM_ROBOT.to_owned(),
        };
        let mut tx = self.db.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = 0, due_at = $1, claim = NULL \
             WHERE id = $2 AND status = 'failed'",
        )
        .bind(clock::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("该发送失败的消息"));
        }
        audit::record(
            &mut tx,
            (&self.actor).into(),
            Change {
                entity: "outbox",
                entity_id: Some(id.to_string()),
                action: "resend",
                summary: format!("重新发送失败的消息（{shown}）"),
                region: region.as_ref(),
                before: Some(json!({ "status": "failed", "attempts": attempts, "error": error })),
                after: Some(json!({ "status": "pending", "attempts": 0 })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
