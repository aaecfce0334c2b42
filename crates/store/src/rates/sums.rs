//! Confirmed arrival kept per (region, month, currency, origin) in `arrival_sums`, for the
//! figures that sum two years of fund records: the dashboard's month-by-month series and 同比.
//!
//! Triggers on `fund_arrivals` and `projects` (migration 0044) mark a region stale whenever a
//! confirmed record, or the project above it, changes — whatever path the write takes. Before
//! reading the sums, [`refresh`] recomputes the stale regions from the records, so what is read
//! is always what the records say; only the regions changed since the last read cost anything.

use crate::kit::db::{Backend, Db};
use crate::kit::error::StoreError;

/// Regions recomputed per transaction: a province's first read after an upgrade recomputes
/// every county, in steps that keep each write short.
const STEP: usize = 200;

/// Any number distinct from the installation's other advisory locks: two instances of a
/// PostgreSQL cluster recompute one after the other instead of locking rows in turn.
const PG_LOCK: i64 = 0x4c75_6f64_6953_756d;

fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Recomputes the sums of every stale region. A change committed while this runs either is
/// read by it (it committed before the region's row was taken) or marks the region stale
/// again (its trigger waits for the row), so no change is lost between two reads.
pub(crate) async fn refresh(db: &Db) -> Result<(), StoreError> {
    let stale: Vec<String> =
        sqlx::query_scalar("SELECT region_code FROM arrival_sums_stale ORDER BY region_code")
            .fetch_all(&db.pool)
            .await?;
    for step in stale.chunks(STEP) {
        let mut tx = db.pool.begin().await?;
        if db.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(PG_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        // The first statement writes: on SQLite it takes the write lock before anything is
        // read; on PostgreSQL it locks the rows that changes' triggers update.
        let sql = format!(
            "UPDATE arrival_sums_stale SET seq = seq WHERE region_code IN ({}) \
             RETURNING region_code",
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
        let statements = [
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
            format!("DELETE FROM arrival_sums_stale WHERE region_code IN ({list})"),
        ];
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
