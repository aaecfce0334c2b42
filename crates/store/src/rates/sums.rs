//! Figures kept per county so that a province's dashboard sums a few thousand kept rows instead
//! of reading every record after each change:
//!
//! - `arrival_sums` (migration 0044): confirmed arrival per (region, month, currency, origin),
//!   for the month-by-month series and 同比;
//! - `project_rate_sums` (migration 0047): the 三率 and classification figures of today's signed
//!   projects per (region, GB/T 4754 section, origin), for the 三率 report by region, industry
//!   and origin, and the targets list.
//!
//! Triggers mark a region stale whenever a row it is computed from changes (for a fund record,
//! only its region's month: `arrival_sums_stale_months`, migration 0049) — whatever path the
//! write takes. Before reading a table, [`refresh`] recomputes its stale regions from the
//! records, so what is read is always what the records say; only the regions changed since the
//! last read cost anything.

use crate::kit::db::{Backend, Db};
use crate::kit::error::StoreError;
use luodi_domain::Thresholds;

/// Regions recomputed per transaction: a province's first read after an upgrade recomputes
/// every county, in steps that keep each write short.
const STEP: usize = 200;

/// A kept table: its stale marks, the advisory lock its recomputes take on PostgreSQL, and
/// the statements that recompute the regions of a placeholder list (`$1, $2, …`), each bound
/// to the same region codes.
pub(crate) struct Kept {
    stale: &'static str,
    /// Any number distinct from the installation's other advisory locks: two instances of a
    /// PostgreSQL cluster recompute one after the other instead of locking rows in turn.
    pg_lock: i64,
    recompute: Recompute,
}

/// The statements recomputing the regions of a placeholder list.
type Recompute = Box<dyn Fn(&str) -> Vec<String> + Send + Sync>;

/// Confirmed arrival per (region, month, currency, origin).
pub(crate) fn arrival() -> Kept {
    Kept {
        stale: "arrival_sums_stale",
        pg_lock: 0x4c75_6f64_6953_756d,
        recompute: Box::new(|list| {
            vec![
                format!("DELETE FROM arrival_sums WHERE region_code IN ({list})"),
                format!(
                    "INSERT INTO arrival_sums (region_code, period, currency, origin, amount) \
                     SELECT fa.region_code, fa.period, fa.currency, p.origin, \
                     CAST(SUM(fa.amount) AS BIGINT) \
                     FROM fund_arrivals fa JOIN projects p ON p.id = fa.project_id \
                     WHERE fa.status = 'confirmed' AND p.duplicate_of IS NULL \
                     AND fa.region_code IN ({list}) \
                     GROUP BY fa.region_code, fa.period, fa.currency, p.origin"
                ),
            ]
        }),
    }
}

/// The thresholds a kept row was classified with, as stored beside it.
fn thresholds_key(t: &Thresholds) -> String {
    let (en, ed) = t.excellent_above.parts();
    let (gn, gd) = t.good_from.parts();
    format!("{en}/{ed}/{gn}/{gd}")
}

/// Today's 三率 figures of signed projects per (region, section, origin), classified by `t`.
pub(crate) fn project_rates(t: &Thresholds) -> Kept {
    let key = thresholds_key(t);
    let (en, ed) = t.excellent_above.parts();
    let (gn, gd) = t.good_from.parts();
    // integers from parsed thresholds: safe to write into the statement
    let columns = super::figure_columns(
        "p",
        "p.arrived_fen",
        "p.arrived_cents",
        "p.started_on IS NOT NULL",
        [en, ed, gn, gd].map(|n| n.to_string()),
    );
    let signed = crate::ledger::signed_stages_sql();
    Kept {
        stale: "project_rate_sums_stale",
        pg_lock: 0x4c75_6f64_6952_6174,
        recompute: Box::new(move |list| {
            vec![
                format!("DELETE FROM project_rate_sums WHERE region_code IN ({list})"),
                format!(
                    "INSERT INTO project_rate_sums (region_code, section, origin, thresholds, \
                     projects, contract_fen, arrived_fen, contract_cents, arrived_cents, \
                     fulfilling, started, excellent, good, fair, not_fulfilled, \
                     missing_contract) \
                     SELECT p.region_code, COALESCE(i.parent_code, i.code, ''), p.origin, \
                     '{key}', {columns} \
                     FROM projects p LEFT JOIN industries i ON i.code = p.industry_code \
                     WHERE p.stage IN ({signed}) AND p.duplicate_of IS NULL \
                     AND p.region_code IN ({list}) \
                     GROUP BY p.region_code, COALESCE(i.parent_code, i.code, ''), p.origin"
                ),
            ]
        }),
    }
}

/// Marks stale every region whose kept rows were classified with other thresholds than `t`
/// (the 分类标准 changed since): the next [`refresh`] recomputes them. One look at the kept
/// rows when nothing changed.
pub(crate) async fn reclassify(db: &Db, t: &Thresholds) -> Result<(), StoreError> {
    let key = thresholds_key(t);
    let other: Option<String> = sqlx::query_scalar(
        "SELECT region_code FROM project_rate_sums WHERE thresholds <> $1 LIMIT 1",
    )
    .bind(&key)
    .fetch_optional(&db.pool)
    .await?;
    if other.is_some() {
        sqlx::query(
            "INSERT INTO project_rate_sums_stale (region_code, seq) \
             SELECT DISTINCT region_code, 1 FROM project_rate_sums WHERE thresholds <> $1 \
             ON CONFLICT (region_code) DO UPDATE SET seq = project_rate_sums_stale.seq + 1",
        )
        .bind(&key)
        .execute(&db.pool)
        .await?;
    }
    Ok(())
}

fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Recomputes every stale region of `kept`. A change committed while this runs either is read
/// by it (it committed before the region's mark was taken) or marks the region stale again
/// (its trigger waits for the mark's row), so no change is lost between two reads.
pub(crate) async fn refresh(db: &Db, kept: &Kept) -> Result<(), StoreError> {
    let stale: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT region_code FROM {} ORDER BY region_code",
        kept.stale
    ))
    .fetch_all(&db.pool)
    .await?;
    for step in stale.chunks(STEP) {
        let mut tx = db.pool.begin().await?;
        if db.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(kept.pg_lock)
                .execute(&mut *tx)
                .await?;
        }
        // The first statement writes: on SQLite it takes the write lock before anything is
        // read; on PostgreSQL it locks the rows that changes' triggers update.
        let sql = format!(
            "UPDATE {} SET seq = seq WHERE region_code IN ({}) RETURNING region_code",
            kept.stale,
            placeholders(step.len())
        );
        let mut take = sqlx::query_scalar::<_, String>(&sql);
        for code in step {
            take = take.bind(code);
        }
        let taken = take.fetch_all(&mut *tx).await?;
        if taken.is_empty() {
            tx.commit().await?;
            continue;
        }
        let list = placeholders(taken.len());
        let mut statements = (kept.recompute)(&list);
        statements.push(format!(
            "DELETE FROM {} WHERE region_code IN ({list})",
            kept.stale
        ));
        for sql in &statements {
            let mut q = sqlx::query(sql);
            for code in &taken {
                q = q.bind(code);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Any number distinct from the installation's other advisory locks (see [`Kept::pg_lock`]).
const PG_LOCK_MONTHS: i64 = 0x4c75_6f64_694d_6f6e;

/// Recomputes the kept monthly sums of every (region, month) a changed fund record marked
/// stale (migration 0049): a confirmed record costs its month's few records, not its county's
/// years of them. As [`refresh`], a change racing the recompute leaves its month stale.
pub(crate) async fn refresh_months(db: &Db) -> Result<(), StoreError> {
    let stale: Vec<(String, String)> = sqlx::query_as(
        "SELECT region_code, period FROM arrival_sums_stale_months ORDER BY region_code, period",
    )
    .fetch_all(&db.pool)
    .await?;
    for step in stale.chunks(STEP) {
        let mut tx = db.pool.begin().await?;
        if db.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(PG_LOCK_MONTHS)
                .execute(&mut *tx)
                .await?;
        }
        let pairs = |column: &str, period: &str, n: usize| {
            (0..n)
                .map(|i| format!("({column} = ${} AND {period} = ${})", 2 * i + 1, 2 * i + 2))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        let sql = format!(
            "UPDATE arrival_sums_stale_months SET seq = seq WHERE {} \
             RETURNING region_code, period",
            pairs("region_code", "period", step.len())
        );
        let mut take = sqlx::query_as::<_, (String, String)>(&sql);
        for (code, period) in step {
            take = take.bind(code).bind(period);
        }
        let taken = take.fetch_all(&mut *tx).await?;
        if taken.is_empty() {
            tx.commit().await?;
            continue;
        }
        let statements = [
            format!(
                "DELETE FROM arrival_sums WHERE {}",
                pairs("region_code", "period", taken.len())
            ),
            format!(
                "INSERT INTO arrival_sums (region_code, period, currency, origin, amount) \
                 SELECT fa.region_code, fa.period, fa.currency, p.origin, \
                 CAST(SUM(fa.amount) AS BIGINT) \
                 FROM fund_arrivals fa JOIN projects p ON p.id = fa.project_id \
                 WHERE fa.status = 'confirmed' AND p.duplicate_of IS NULL AND ({}) \
                 GROUP BY fa.region_code, fa.period, fa.currency, p.origin",
                pairs("fa.region_code", "fa.period", taken.len())
            ),
            format!(
                "DELETE FROM arrival_sums_stale_months WHERE {}",
                pairs("region_code", "period", taken.len())
            ),
        ];
        for sql in &statements {
            let mut q = sqlx::query(sql);
            for (code, period) in &taken {
                q = q.bind(code).bind(period);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
