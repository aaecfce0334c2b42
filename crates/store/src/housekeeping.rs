//! The clean-up the server runs every hour: sessions past their lifetime or idle timeout are
//! deleted, audit entries older than the configured retention are removed from the start
//! of the chain (never younger than [`MIN_AUDIT_RETENTION_DAYS`]), and the notification
//! outbox drops messages delivered or given up long enough ago.

use crate::audit::chain;
use crate::channels::OutboxRetention;
use crate::kit::clock::{self, Clock};
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use crate::settings::AuthSettings;

/// The shortest audit retention an installation may choose: 等保2.0 三级 and 网络安全法
/// 第二十一条 keep network logs at least six months.
pub const MIN_AUDIT_RETENTION_DAYS: u32 = 180;

/// Refuses a retention shorter than the minimum, with a message for the operator.
pub fn check_audit_retention(days: u32) -> Result<(), StoreError> {
    if days < MIN_AUDIT_RETENTION_DAYS {
        return Err(StoreError::Config(format!(
            "audit_retention_days = {days} 过短：审计日志至少保留 {MIN_AUDIT_RETENTION_DAYS} 天\
             （等保2.0 三级、网络安全法第二十一条）；不设置则永久保留"
        )));
    }
    Ok(())
}

pub struct Housekeeping<'a> {
    db: &'a Db,
    settings: &'a AuthSettings,
}

impl<'a> Housekeeping<'a> {
    pub(crate) fn new(db: &'a Db, settings: &'a AuthSettings) -> Self {
        Self { db, settings }
    }

    /// Deletes the sessions that can no longer be used: past their absolute lifetime or idle
    /// for longer than the idle timeout (the same conditions under which sign-in refuses
    /// them). Returns how many.
    pub async fn purge_sessions(&self) -> Result<u64, StoreError> {
        let idle_cutoff =
            clock::now_plus(-time::Duration::minutes(self.settings.session_idle_minutes));
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(clock::now())
            .bind(idle_cutoff)
            .execute(&self.db.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Removes the audit entries written more than `days` days ago, anchoring the chain at
    /// the last one removed, and records the removal in the trail. Returns how many.
    pub async fn purge_audit(&self, days: u32) -> Result<u64, StoreError> {
        check_audit_retention(days)?;
        let cutoff = clock::now_plus(-time::Duration::days(i64::from(days)));
        let record = chain::Entry {
            at: clock::now(),
            actor_id: None,
            actor_name: "system".into(),
            region_code: None,
            entity: "system".into(),
            entity_id: None,
            action: "purge".into(),
            summary: format!("审计日志超过保留期（{days} 天，{cutoff} 以前）"),
            before_json: None,
            after_json: Some(
                serde_json::json!({ "retention_days": days, "before": cutoff }).to_string(),
            ),
            request_id: None,
            client_addr: None,
        };
        chain::purge_before(self.db, &cutoff, record).await
    }

    /// Removes outbox rows delivered more than `sent_days` ago and rows given up more than
    /// `failed_days` ago (timed by the store's clock). Returns how many.
    pub async fn purge_outbox(&self, retention: OutboxRetention) -> Result<u64, StoreError> {
        let now = self.db.memo.get::<Clock>().now();
        let cutoff = |days: u32| clock::format(now - time::Duration::days(i64::from(days.max(1))));
        let done = sqlx::query(
            "DELETE FROM outbox WHERE (status = 'sent' AND sent_at < $1) \
             OR (status = 'failed' AND due_at < $2)",
        )
        .bind(cutoff(retention.sent_days))
        .bind(cutoff(retention.failed_days))
        .execute(&self.db.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
