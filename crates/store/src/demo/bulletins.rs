//! The county demo's month-end close and bulletin: 益阳市 has closed September 2026 and
//! published its third-quarter bulletin, so a new user finds 通报 with something in it and a
//! closed month on 三率统计. Made through the same store calls a bureau user's clicks make
//! (close, draft, number, publish), as yy_bureau, so the audit trail reads as theirs.

use crate::bulletins::close::CloseInput;
use crate::bulletins::{DraftInput, EditInput, PublishInput, RankBy};
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use crate::scoped::{Actor, Scoped};
use crate::AuthSettings;
use luodi_domain::bulletins::PeriodKind;
use luodi_domain::{RegionCode, Role, Scope};
use std::sync::Arc;

/// The city bureau that closes and publishes, the month and the quarter.
const AUTHOR: &str = "yy_bureau";
const MONTH: &str = "2026-09";
const DOC_NUMBER: &str = "益商通〔2026〕3号";

/// Closes September 2026 over 益阳市 and publishes its 2026 third-quarter bulletin, once: a
/// database where 益阳市 already closed that month is left as it is.
pub(super) async fn load(db: &Db, settings: &AuthSettings) -> Result<(), StoreError> {
    let account: Option<(i64, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, username, display_name, role, region_code FROM users WHERE username = $1",
    )
    .bind(AUTHOR)
    .fetch_optional(&db.pool)
    .await?;
    let Some((user_id, username, display_name, role, Some(region))) = account else {
        return Ok(());
    };
    let closed: Option<i64> =
        sqlx::query_scalar("SELECT id FROM month_closes WHERE region_code = $1 AND period = $2")
            .bind(&region)
            .bind(MONTH)
            .fetch_optional(&db.pool)
            .await?;
    if closed.is_some() {
        return Ok(());
    }
    let code = RegionCode::parse(&region).map_err(|e| StoreError::Internal(e.to_string()))?;
    let actor = Actor {
        user_id,
        username,
        display_name,
        role: Role::parse(&role).ok_or_else(|| StoreError::Internal(format!("role {role}")))?,
        region_code: Some(code.clone()),
        unit_id: None,
        scope: Scope::Region(code),
        request_id: None,
    };
    let scoped = Scoped::new(db.clone(), Arc::new(settings.clone()), actor);
    let bulletins = scoped.bulletins();
    bulletins
        .close_month(CloseInput {
            period: MONTH.to_owned(),
        })
        .await?;
    let draft = bulletins
        .draft(DraftInput {
            period_kind: PeriodKind::Quarter,
            year: 2026,
            period_index: 3,
            rank_by: RankBy::ArrivalRate,
        })
        .await?;
    let edited = bulletins
        .edit(
            draft.id,
            EditInput {
                title: draft.title.clone(),
                doc_number: Some(DOC_NUMBER.to_owned()),
                prose: draft.prose.clone(),
                version: draft.version,
            },
        )
        .await?;
    bulletins
        .publish(
            edited.id,
            PublishInput {
                version: edited.version,
            },
        )
        .await?;
    Ok(())
}
