//! Month-end close (月结): a bureau freezes its region's figures for a finished month — per
//! signed project, the contract and confirmed arrival per currency, the stage and whether it
//! had started, as they stood at the month's end. The 三率 inputs and the classification of a
//! closed month are then read from these rows (`rates.rs`), so a fund record confirmed or
//! withdrawn later for that month changes the next open month's figures
//! (`domain::bulletins::landing_period`) and never the closed one's.

use super::Bulletins;
use crate::audit::{self, Author, Change};
use crate::kit::clock;
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use crate::kit::filter::{Bind, Filter};
use crate::rates::covering;
use luodi_domain::bulletins::auto_close_due;
use luodi_domain::funds::Period;
use luodi_domain::Permission;
use luodi_domain::RegionCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseInput {
    /// The finished month to close, YYYY-MM.
    pub period: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct MonthClose {
    pub id: i64,
    pub region_code: String,
    pub region_name: String,
    /// YYYY-MM
    pub period: String,
    pub closed_by_name: String,
    pub closed_at: String,
    /// Signed projects whose figures were kept.
    pub projects: i64,
}

const CLOSE_SELECT: &str = "SELECT c.id, c.region_code, rg.name AS region_name, c.period, \
     u.display_name AS closed_by_name, c.closed_at, c.projects FROM month_closes c \
     JOIN regions rg ON rg.code = c.region_code JOIN users u ON u.id = c.closed_by";

impl Bulletins<'_> {
    /// The closes over the actor's region, those above it and those below it, latest first.
    pub async fn closes(&self) -> Result<Vec<MonthClose>, StoreError> {
        let mut f = Filter::new(&format!("{CLOSE_SELECT} WHERE 1 = 1"));
        if let luodi_domain::Scope::Regions(roots) = &self.actor.scope {
            let clause = f.subtree_or_ancestors("c.region_code", roots);
            f.and(&clause);
        }
        if let Some(root) = self.actor.scope.root() {
            let mut above = Vec::new();
            let mut r = root.implied_parent();
            while let Some(p) = r {
                above.push(f.bind(Bind::Text(p.as_str().to_owned())));
                r = p.implied_parent();
            }
            let (lo, hi) = root.subtree_range();
            let (lo, hi) = (f.bind(Bind::Text(lo)), f.bind(Bind::Text(hi)));
            let mut clause = format!("(c.region_code >= {lo} AND c.region_code < {hi}");
            if !above.is_empty() {
                clause.push_str(&format!(" OR c.region_code IN ({})", above.join(", ")));
            }
            clause.push(')');
            f.and(&clause);
        }
        let sql = format!("{} ORDER BY c.period DESC, c.region_code LIMIT 200", f.sql);
        Ok(f.query_as(&sql).fetch_all(&self.db.pool).await?)
    }

    /// Closes a finished month over the actor's region: every project signed by the month's
    /// end (one terminated later counts as the signed project it then was) is kept with its
    /// confirmed arrival for months up to it, its stage and start as of that day.
    pub async fn close_month(&self, input: CloseInput) -> Result<MonthClose, StoreError> {
        self.actor.require(Permission::ManageDispatch)?;
        let Some(root) = self.actor.scope.root().cloned() else {
            return Err(StoreError::forbidden(
                "月结由地区商务主管部门办理，请以地区账号操作",
            ));
        };
        if self.actor.reads_unit_projects() {
            return Err(StoreError::forbidden("责任单位账号不能月结"));
        }
        let period =
            Period::parse(&input.period).map_err(|e| StoreError::field("period", e.to_string()))?;
        let this_month = Period::of_date(clock::today());
        if period >= this_month {
            return Err(StoreError::field(
                "period",
                format!("只能月结已经结束的月份（本月为{this_month}）"),
            ));
        }
        if let Some(existing) = covering(&self.db, Some(&root), period).await? {
            let by: String = sqlx::query_scalar(
                "SELECT rg.name FROM month_closes c JOIN regions rg ON rg.code = c.region_code \
                 WHERE c.id = $1",
            )
            .bind(existing)
            .fetch_one(&self.db.pool)
            .await?;
            return Err(StoreError::Conflict {
                field: "period".into(),
                message: format!("{period}已由{by}月结，月结后的数字不再改变"),
            });
        }
        let id = freeze(
            &self.db,
            (&self.actor).into(),
            self.actor.user_id,
            &root,
            period,
            None,
        )
        .await?;
        let mut f = Filter::new(&format!("{CLOSE_SELECT} WHERE c.id = $1"));
        f.bind(Bind::Int(id));
        let sql = f.sql.clone();
        Ok(f.query_as(&sql).fetch_one(&self.db.pool).await?)
    }
}

/// Keeps every project signed by the month's end in `root`'s subtree with its figures as they
/// stood then, in one transaction, and audits it (by the user, or as the automatic close
/// `days_after` the round's deadline); returns the close's id.
async fn freeze(
    db: &Db,
    author: Author<'_>,
    closed_by: i64,
    root: &RegionCode,
    period: Period,
    days_after: Option<u32>,
) -> Result<i64, StoreError> {
    let end = format!("{period}-31");
    let (lo, hi) = root.subtree_range();
    let signed = crate::ledger::signed_stages_sql();
    let now = clock::now();
    let t = crate::rules::thresholds_in_force(db).await?;
    let mut tx = db.pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO month_closes (region_code, period, closed_by, closed_at, projects) \
             VALUES ($1, $2, $3, $4, 0) RETURNING id",
    )
    .bind(root.as_str())
    .bind(period.to_string())
    .bind(closed_by)
    .bind(&now)
    .fetch_one(&mut *tx)
    .await?;
    let stage_then = "(SELECT s.stage FROM project_stages s WHERE s.project_id = p.id \
             AND s.changed_on <= $3 ORDER BY s.changed_on DESC, s.id DESC LIMIT 1)";
    let kept = sqlx::query(&format!(
            "INSERT INTO month_close_projects (close_id, project_id, region_code, stage, \
             contract_fen, contract_cents, arrived_fen, arrived_cents, started) \
             SELECT $1, p.id, p.region_code, COALESCE({stage_then}, p.stage), p.contract_fen, \
             p.contract_cents, COALESCE(fa.fen, 0), COALESCE(fa.cents, 0), \
             CASE WHEN p.started_on IS NOT NULL AND p.started_on <= $3 THEN 1 ELSE 0 END \
             FROM projects p LEFT JOIN (SELECT project_id, \
             SUM(CASE WHEN currency = 'CNY' THEN amount ELSE 0 END) AS fen, \
             SUM(CASE WHEN currency = 'USD' THEN amount ELSE 0 END) AS cents \
             FROM fund_arrivals WHERE status = 'confirmed' AND period <= $2 \
             AND region_code >= $4 AND region_code < $5 \
             GROUP BY region_code, project_id) fa ON fa.project_id = p.id \
             WHERE p.region_code >= $4 AND p.region_code < $5 AND p.signed_on <= $3 \
             AND p.duplicate_of IS NULL \
             AND (p.stage IN ({signed}) OR (p.stage = 'terminated' AND {stage_then} IN ({signed})))"
        ))
    .bind(id)
    .bind(period.to_string())
    .bind(&end)
    .bind(&lo)
    .bind(&hi)
    .execute(&mut *tx)
    .await?
    .rows_affected() as i64;
    // and per county, for the closed month's rates by region (rates::sums::close_sums)
    sqlx::query(&crate::rates::close_sums_statement(&t))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE month_closes SET projects = $1 WHERE id = $2")
        .bind(kept)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit::record(
            &mut tx,
            author,
            Change {
                entity: "month_close",
                entity_id: Some(id.to_string()),
                action: "close",
                summary: match days_after {
                    None => format!("{period}月结：冻结{kept}个签约项目的合同、到位资金与开工情况"),
                    Some(n) => format!(
                        "{period}自动月结（调度截止后第{n}天）：冻结{kept}个签约项目的合同、到位资金与开工情况"
                    ),
                },
                region: Some(root),
                before: None,
                after: Some(serde_json::json!({ "period": period.to_string(), "projects": kept, "automatic": days_after.is_some() })),
            },
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The automatic close (自动月结), run by the server's hourly worker: every month a dispatch
/// round asked about is closed over the round organiser's region once `days_after` days have
/// passed since the round's deadline (`domain::bulletins::auto_close_due`, on the store's
/// clock, Beijing time), unless that region or one above it has closed it already. Recorded as
/// closed by the round's organiser, audited as automatic. Several instances may run it at once:
/// the unique (region, month) key lets one close and the others find it closed. Returns the
/// closes made.
pub(crate) async fn auto_close(
    db: &Db,
    days_after: u32,
) -> Result<Vec<(String, String)>, StoreError> {
    let today = crate::auth::two_factor::clock(db)
        .now()
        .to_offset(time::macros::offset!(+8))
        .date();
    let rounds: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT r.region_code, r.period, r.due_on, r.created_by FROM dispatch_rounds r \
         WHERE NOT EXISTS (SELECT 1 FROM month_closes c WHERE c.region_code = r.region_code \
         AND c.period = r.period) ORDER BY r.period, r.region_code",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut closed = Vec::new();
    for (region, period, due_on, organiser) in rounds {
        let (Ok(month), Ok(root)) = (Period::parse(&period), RegionCode::parse(&region)) else {
            continue;
        };
        let Ok(due) = time::Date::parse(
            &due_on,
            time::macros::format_description!("[year]-[month]-[day]"),
        ) else {
            continue;
        };
        if !auto_close_due(month, due, days_after, today)
            || covering(db, Some(&root), month).await?.is_some()
        {
            continue;
        }
        let author = Author {
            id: None,
            name: "系统（自动月结）",
            request_id: None,
        };
        match freeze(db, author, organiser, &root, month, Some(days_after)).await {
            Ok(_) => closed.push((region, period)),
            // another instance closed it in the meantime
            Err(_) if covering(db, Some(&root), month).await?.is_some() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(closed)
}
