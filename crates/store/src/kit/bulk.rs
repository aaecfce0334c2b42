//! Multi-row writes for imports and generated data: rows go in statements of as many rows as
//! both backends' parameter limits allow, and ids are reserved up front so that child rows
//! (stage history, audit entries, duplicate candidates) can be written the same way.

use crate::kit::db::Backend;
use crate::kit::error::StoreError;
use crate::kit::filter::Bind;

/// Parameters per statement: SQLite allows 32,766, PostgreSQL 65,535.
const MAX_PARAMS: usize = 30_000;

/// `ids` as comma-separated lists of at most 5,000 literal numbers, each for one `IN (…)`.
/// Ids are numbers, so they can be written into the statement: thousands of bound `$n` make
/// SQLite's binding quadratic. Such a statement is used once: run it unprepared
/// (`.persistent(false)`).
pub(crate) fn id_lists(ids: &[i64]) -> impl Iterator<Item = String> + '_ {
    ids.chunks(5_000).map(|chunk| {
        chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// Inserts `rows` (each with one value per column) into `table`.
///
/// SQLite gets anonymous `?` placeholders: looking up a numbered `$n` parameter by name is a
/// linear scan in SQLite, which makes binding thousands of them quadratic.
pub(crate) async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Bind>>,
) -> Result<(), StoreError> {
    let per_row = columns.len();
    let chunk = (MAX_PARAMS / per_row).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<Vec<Bind>> = rows.by_ref().take(chunk).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        for r in 0..batch.len() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..per_row {
                if c > 0 {
                    sql.push_str(", ");
                }
                match backend {
                    Backend::Sqlite => sql.push('?'),
                    Backend::Postgres => sql.push_str(&format!("${}", r * per_row + c + 1)),
                }
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in batch {
            debug_assert_eq!(row.len(), per_row, "one value per column");
            for v in row {
                q = match v {
                    Bind::Int(i) => q.bind(i),
                    Bind::Text(t) => q.bind(t),
                    Bind::Bool(b) => q.bind(b),
                    Bind::OptInt(i) => q.bind(i),
                    Bind::OptBool(b) => q.bind(b),
                    Bind::OptText(t) => q.bind(t),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Reserves `n` ids of `table` (whose primary key is `id`) inside the caller's transaction.
///
/// PostgreSQL draws them from the identity sequence. SQLite has no sequence: the transaction
/// first takes the database's write lock (a write that changes nothing), after which no other
/// connection can insert until it commits, so the ids above the current maximum are free.
pub(crate) async fn reserve_ids(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
    n: usize,
) -> Result<Vec<i64>, StoreError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match backend {
        Backend::Postgres => {
            let mut ids: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) \
                 FROM generate_series(1, $1)"
            ))
            .bind(n as i64)
            .fetch_all(&mut *conn)
            .await?;
            ids.sort_unstable();
            Ok(ids)
        }
        Backend::Sqlite => {
            sqlx::query(&format!("UPDATE {table} SET id = id WHERE id < 0"))
                .execute(&mut *conn)
                .await?;
            let max: i64 = sqlx::query_scalar(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))
                .fetch_one(&mut *conn)
                .await?;
            Ok((1..=n as i64).map(|i| max + i).collect())
        }
    }
}
