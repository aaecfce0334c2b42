//! Figures kept per county so that a province's dashboard sums a few thousand kept rows instead
//! of reading every record after each change:
//!
//! - `arrival_sums` (migration 0044): confirmed arrival per (region, month, currency, origin),
//!   for the month-by-month series and 同比;
//! - `project_rate_sums` (migration 0047): the 三率 and classification figures of today's signed
//!   projects per (region, GB/T 4754 section, origin), for the 三率 report by region, industry
//!   and origin, and the targets list;
//! - `month_close_sums` (migration 0051): the same figures of a month-end close per county, for
//!   a closed month's report by region. A close never changes, so these are never stale.
//!
//! Triggers mark a region stale whenever a row it is computed from changes (for a fund record,
//! only its region's month: `arrival_sums_stale_months`, migration 0049) — whatever path the
//! write takes. Before reading a table, [`refresh`] recomputes its stale regions from the
//! records, so what is read is always what the records say; only the regions changed since the
//! last read cost anything.

use crate::kit::db::{Backend, Db};
use crate::kit::error::StoreError;
use luodi_domain::Thresholds;

/// Keys recomputed per transaction: a province's first read after an upgrade recomputes
/// every county, in steps that keep each write short.
const STEP: usize = 200;

/// A kept table: its stale marks and their key (a region, or a region's month), the advisory
/// lock its recomputes take on PostgreSQL, and the statements that recompute the marked keys.
pub(crate) struct Kept {
    stale: &'static str,
    key: &'static [&'static str],
    /// Any number distinct from the installation's other advisory locks: two instances of a
    /// PostgreSQL cluster recompute one after the other instead of locking rows in turn.
    pg_lock: i64,
    recompute: Recompute,
}

/// The statements recomputing the keys that [`Keys::on`] selects.
type Recompute = Box<dyn Fn(&Keys) -> Vec<String> + Send + Sync>;

/// `n` stale keys as statement placeholders (`$1, $2, …`), bound row by row.
pub(crate) struct Keys {
    columns: &'static [&'static str],
    n: usize,
}

impl Keys {
    /// The condition selecting the keys, on the key columns of table alias `alias` ("" or
    /// "fa."): an `IN` list for a region, one term per key for a region's month.
    fn on(&self, alias: &str) -> String {
        match self.columns {
            [column] => format!("{alias}{column} IN ({})", placeholders(1, self.n)),
            columns => {
                let width = columns.len();
                let terms: Vec<String> = (0..self.n)
                    .map(|row| {
                        let parts: Vec<String> = columns
                            .iter()
                            .enumerate()
                            .map(|(i, c)| format!("{alias}{c} = ${}", row * width + i + 1))
                            .collect();
                        format!("({})", parts.join(" AND "))
                    })
                    .collect();
                format!("({})", terms.join(" OR "))
            }
        }
    }
}

/// Confirmed arrival per (region, month, currency, origin) of the marked keys' records.
fn arrival_statements(keys: &Keys) -> Vec<String> {
    vec![
        format!("DELETE FROM arrival_sums WHERE {}", keys.on("")),
        format!(
            "INSERT INTO arrival_sums (region_code, period, currency, origin, amount) \
             SELECT fa.region_code, fa.period, fa.currency, p.origin, \
             CAST(SUM(fa.amount) AS BIGINT) \
             FROM fund_arrivals fa JOIN projects p ON p.id = fa.project_id \
             WHERE fa.status = 'confirmed' AND p.duplicate_of IS NULL AND {} \
             GROUP BY fa.region_code, fa.period, fa.currency, p.origin",
            keys.on("fa.")
        ),
    ]
}

/// Confirmed arrival of the regions a project's own change marked (migration 0044).
pub(crate) fn arrival() -> Kept {
    Kept {
        stale: "arrival_sums_stale",
        key: &["region_code"],
        pg_lock: 0x4c75_6f64_6953_756d,
        recompute: Box::new(arrival_statements),
    }
}

/// Confirmed arrival of the region's months a changed fund record marked (migration 0049): a
/// confirmed record costs its month's few records, not its county's years of them.
pub(crate) fn arrival_months() -> Kept {
    Kept {
        stale: "arrival_sums_stale_months",
        key: &["region_code", "period"],
        pg_lock: 0x4c75_6f64_694d_6f6e,
        recompute: Box::new(arrival_statements),
    }
}

/// The thresholds as (excellent numerator, denominator, good numerator, denominator).
fn threshold_parts(t: &Thresholds) -> [String; 4] {
    let (en, ed) = t.excellent_above.parts();
    let (gn, gd) = t.good_from.parts();
    // integers from parsed thresholds: safe to write into a statement
    [en, ed, gn, gd].map(|n| n.to_string())
}

/// The thresholds a kept row was classified with, as stored beside it.
fn thresholds_key(t: &Thresholds) -> String {
    threshold_parts(t).join("/")
}

/// Today's 三率 figures of signed projects per (region, section, origin), classified by `t`.
pub(crate) fn project_rates(t: &Thresholds) -> Kept {
    let key = thresholds_key(t);
    let columns = super::figure_columns(
        "p",
        "p.arrived_fen",
        "p.arrived_cents",
        "p.started_on IS NOT NULL",
        threshold_parts(t),
    );
    let signed = crate::ledger::signed_stages_sql();
    Kept {
        stale: "project_rate_sums_stale",
        pg_lock: 0x4c75_6f64_6952_6174,
        key: &["region_code"],
        recompute: Box::new(move |keys| {
            vec![
                format!("DELETE FROM project_rate_sums WHERE {}", keys.on("")),
                format!(
                    "INSERT INTO project_rate_sums (region_code, section, origin, thresholds, \
                     projects, contract_fen, arrived_fen, contract_cents, arrived_cents, \
                     fulfilling, started, excellent, good, fair, not_fulfilled, \
                     missing_contract) \
                     SELECT p.region_code, COALESCE(i.parent_code, i.code, ''), p.origin, \
                     '{key}', {columns} \
                     FROM projects p LEFT JOIN industries i ON i.code = p.industry_code \
                     WHERE p.stage IN ({signed}) AND p.duplicate_of IS NULL AND {} \
                     GROUP BY p.region_code, COALESCE(i.parent_code, i.code, ''), p.origin",
                    keys.on("p.")
                ),
            ]
        }),
    }
}

/// The statement keeping a close's figures per county, classified by `t` (`$1` the close):
/// one row per county of its kept projects (migration 0051). A second run for the same close
/// and thresholds — another instance's, at the same moment — keeps nothing twice.
pub(crate) fn close_sums_statement(t: &Thresholds) -> String {
    let key = thresholds_key(t);
    let columns = super::figure_columns(
        "c",
        "c.arrived_fen",
        "c.arrived_cents",
        "c.started = 1",
        threshold_parts(t),
    );
    format!(
        "INSERT INTO month_close_sums (close_id, thresholds, region_code, projects, \
         contract_fen, arrived_fen, contract_cents, arrived_cents, fulfilling, started, \
         excellent, good, fair, not_fulfilled, missing_contract) \
         SELECT c.close_id, '{key}', c.region_code, {columns} \
         FROM month_close_projects c WHERE c.close_id = $1 \
         GROUP BY c.close_id, c.region_code \
         ON CONFLICT (close_id, thresholds, region_code) DO NOTHING"
    )
}

/// Makes sure close `close_id`'s figures per county are kept for thresholds `t`: they are
/// made at the close, so this writes only for a close made before migration 0051 or when the
/// 分类标准 have changed since; returns the thresholds' key the rows carry.
pub(crate) async fn close_sums(
    db: &Db,
    close_id: i64,
    t: &Thresholds,
) -> Result<String, StoreError> {
    let key = thresholds_key(t);
    let kept: Option<i64> = sqlx::query_scalar(
        "SELECT close_id FROM month_close_sums WHERE close_id = $1 AND thresholds = $2 LIMIT 1",
    )
    .bind(close_id)
    .bind(&key)
    .fetch_optional(&db.pool)
    .await?;
    if kept.is_none() {
        sqlx::query(&close_sums_statement(t))
            .bind(close_id)
            .execute(&db.pool)
            .await?;
    }
    Ok(key)
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

/// `$from, …` for `n` parameters.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Recomputes every stale key of `kept`. A change committed while this runs either is read by
/// it (it committed before the key's mark was taken) or marks the key stale again (its
/// trigger waits for the mark's row), so no change is lost between two reads.
pub(crate) async fn refresh(db: &Db, kept: &Kept) -> Result<(), StoreError> {
    use sqlx::Row;
    let columns = kept.key.join(", ");
    let read = |rows: Vec<sqlx::any::AnyRow>| -> Result<Vec<Vec<String>>, sqlx::Error> {
        rows.iter()
            .map(|r| (0..kept.key.len()).map(|i| r.try_get(i)).collect())
            .collect()
    };
    let stale = read(
        sqlx::query(&format!(
            "SELECT {columns} FROM {} ORDER BY {columns}",
            kept.stale
        ))
        .fetch_all(&db.pool)
        .await?,
    )?;
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
        let keys = Keys {
            columns: kept.key,
            n: step.len(),
        };
        let sql = format!(
            "UPDATE {} SET seq = seq WHERE {} RETURNING {columns}",
            kept.stale,
            keys.on("")
        );
        let mut take = sqlx::query(&sql);
        for value in step.iter().flatten() {
            take = take.bind(value);
        }
        let taken = read(take.fetch_all(&mut *tx).await?)?;
        if taken.is_empty() {
            tx.commit().await?;
            continue;
        }
        let keys = Keys {
            columns: kept.key,
            n: taken.len(),
        };
        let mut statements = (kept.recompute)(&keys);
        statements.push(format!("DELETE FROM {} WHERE {}", kept.stale, keys.on("")));
        for sql in &statements {
            let mut q = sqlx::query(sql);
            for value in taken.iter().flatten() {
                q = q.bind(value);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}
