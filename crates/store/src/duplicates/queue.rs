//! Look-alike matching after a large sheet's import (issue 19). A sheet of more rows than
//! `[auth] look_alike_background_rows` (a ledger moved in from another system) commits its
//! projects with one row each in `look_alike_queue`; the matcher then indexes them and
//! compares them — with the stored projects and with each other, in order, exactly as the
//! import would have — and writes their pairs and signals, seconds later.
//!
//! - **Durable:** the queue is a table. Whatever stops the matcher (a crash, a restart), the
//!   projects stay queued; every instance looks at the queue on start-up and every minute.
//! - **One matcher across a cluster:** an instance holds `look_alike_matcher` for
//!   [`HOLD_SECONDS`], renewing the hold as it writes; a crashed instance's hold runs out.
//! - **Short write locks:** the matching reads on a connection of its own and writes its
//!   results [`WRITE_ROWS`] projects per transaction, so that other writers wait for one such
//!   transaction at most, not for the whole sheet.
//! - **Meanwhile:** a project entered or edited from the form is compared with the queued
//!   projects of its county and name key (`matching::queued_near`); an edit that matches a
//!   queued project takes it out of the queue; a pair found from both sides is written once;
//!   a queued project's fund records cannot be confirmed (`funds`).

use super::matching::{entries_by_id, gram_rows, place_book, write_grams, write_pairs, Index};
use super::{match_in_order, signal_entries, Pair};
use crate::audit;
use crate::kit::bulk::id_lists;
use crate::kit::clock;
use crate::kit::db::Db;
use crate::kit::error::StoreError;
use crate::scoped::{Account, Actor};
use crate::settings::AuthSettings;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// Queued projects matched in one pass, the oldest first, as one sheet.
const PASS_ROWS: usize = 200_000;
/// Projects whose grams and pairs one transaction writes.
const WRITE_ROWS: usize = 20_000;
/// How long a matcher's hold lasts unless renewed (it is renewed at every write).
const HOLD_SECONDS: i64 = 120;

/// Whether a sheet of `rows` rows is matched in the background.
pub(crate) fn in_background(settings: &AuthSettings, rows: usize) -> bool {
    rows > settings.look_alike_background_rows
}

/// Queues the projects just written in the caller's transaction (ids `ids`, rising) by
/// `actor_id` at `now`: one statement over their id range, which on PostgreSQL may also hold
/// ids of others' projects, hence the author and time.
pub(crate) async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    ids: &[i64],
    actor_id: i64,
    now: &str,
) -> Result<(), StoreError> {
    let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
        return Ok(());
    };
    let queued = sqlx::query(
        "INSERT INTO look_alike_queue (project_id, actor_id, queued_at) \
         SELECT id, created_by, created_at FROM projects \
         WHERE id BETWEEN $1 AND $2 AND created_by = $3 AND created_at = $4",
    )
    .bind(first)
    .bind(last)
    .bind(actor_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if queued.rows_affected() != ids.len() as u64 {
        return Err(StoreError::Internal(format!(
            "queued {} of {} projects for look-alike matching",
            queued.rows_affected(),
            ids.len()
        )));
    }
    Ok(())
}

/// Whether any project waits in the queue (one indexed read).
async fn any_waiting<'c, E>(conn: E) -> Result<bool, StoreError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let any: Option<i64> = sqlx::query_scalar("SELECT project_id FROM look_alike_queue LIMIT 1")
        .fetch_optional(conn)
        .await?;
    Ok(any.is_some())
}

/// While projects wait in the queue, a form entry or an edit that may meet them first takes
/// the matcher's row, as each of the matcher's write transactions does: it then runs wholly
/// before or wholly after each of them (on PostgreSQL too), so neither raises a pair the other
/// has just written, nor writes grams of a project the other is writing. With the queue empty
/// (nearly always) this is one indexed read. Returns whether projects wait (to be compared
/// with, `Index::around`).
pub(crate) async fn take_turn(conn: &mut sqlx::AnyConnection) -> Result<bool, StoreError> {
    let waiting = any_waiting(&mut *conn).await?;
    if waiting {
        sqlx::query("UPDATE look_alike_matcher SET id = id WHERE id = 1")
            .execute(&mut *conn)
            .await?;
    }
    Ok(waiting)
}

/// Takes a project out of the queue (an edit has matched it).
pub(crate) async fn dequeue(
    conn: &mut sqlx::AnyConnection,
    project_id: i64,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM look_alike_queue WHERE project_id = $1")
        .bind(project_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether the project waits for its look-alike matching.
pub(crate) async fn is_waiting(pool: &sqlx::AnyPool, project_id: i64) -> Result<bool, StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT project_id FROM look_alike_queue WHERE project_id = $1")
            .bind(project_id)
            .fetch_optional(pool)
            .await?;
    Ok(found.is_some())
}

/// How many projects wait for their matching.
pub(crate) async fn waiting(db: &Db) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM look_alike_queue")
        .fetch_one(&db.pool)
        .await?)
}

/// This instance's matcher: one run at a time, under a name of its own.
struct Matcher {
    one: tokio::sync::Mutex<()>,
    instance: String,
}

impl Default for Matcher {
    fn default() -> Self {
        Self {
            one: tokio::sync::Mutex::new(()),
            instance: format!(
                "{}-{}-{:016x}",
                hostname(),
                std::process::id(),
                rand::random::<u64>()
            ),
        }
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "luodi".to_owned())
}

/// Starts matching the queue in the background (after a large sheet's import commits).
pub(crate) fn start(db: &Db, settings: Arc<AuthSettings>) {
    let db = db.clone();
    tokio::spawn(async move {
        if let Err(e) = drain(&db, &settings).await {
            tracing::warn!(error = %e, "look-alike matching of queued projects failed; it is retried within a minute");
        }
    });
}

/// Matches queued projects until the queue is empty or another instance holds the matcher.
/// Returns how many projects this call matched.
pub(crate) async fn drain(db: &Db, settings: &AuthSettings) -> Result<usize, StoreError> {
    let matcher = db.memo.get::<Matcher>();
    let _one = matcher.one.lock().await;
    let me = matcher.instance.as_str();
    let mut done = 0;
    loop {
        if !any_waiting(&db.pool).await? || !hold(&db.pool, me).await? {
            return Ok(done);
        }
        let passed = pass(db, settings, me).await;
        let released = sqlx::query(
            "UPDATE look_alike_matcher SET held_by = NULL, held_until = NULL \
             WHERE id = 1 AND held_by = $1",
        )
        .bind(me)
        .execute(&db.pool)
        .await;
        let n = passed?;
        released?;
        if n == 0 {
            return Ok(done);
        }
        done += n;
    }
}

/// Takes or renews the matcher's hold for `me`: whether it is held by `me` now.
async fn hold<'c, E>(conn: E, me: &str) -> Result<bool, StoreError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let taken = sqlx::query(
        "UPDATE look_alike_matcher SET held_by = $1, held_until = $2 \
         WHERE id = 1 AND (held_by IS NULL OR held_by = $1 OR held_until < $3)",
    )
    .bind(me)
    .bind(clock::now_plus(time::Duration::seconds(HOLD_SECONDS)))
    .bind(clock::now())
    .execute(conn)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// One pass: the oldest queued projects matched as one sheet, then written in transactions of
/// [`WRITE_ROWS`] projects. Returns how many projects were queued.
async fn pass(db: &Db, settings: &AuthSettings, me: &str) -> Result<usize, StoreError> {
    let t0 = std::time::Instant::now();
    let backend = db.backend();
    // The hold is renewed while the pass reads and matches (minutes for a very large queue on
    // a slow machine), not only at its writes.
    let _beat = {
        let (pool, me) = (db.pool.clone(), me.to_owned());
        super::AbortOnDrop(tokio::spawn(async move {
            let mut every =
                tokio::time::interval(std::time::Duration::from_secs(HOLD_SECONDS as u64 / 4));
            loop {
                every.tick().await;
                if let Err(e) = hold(&pool, &me).await {
                    tracing::warn!(error = %e, "renewing the look-alike matcher's hold failed");
                }
            }
        }))
    };
    let book = place_book(db).await?;
    let mut reader = db.pool.acquire().await?;
    let mut queued: Vec<(i64, i64)> =
        sqlx::query_as("SELECT project_id, actor_id FROM look_alike_queue ORDER BY project_id")
            .fetch_all(&mut *reader)
            .await?;
    if queued.is_empty() {
        return Ok(0);
    }
    // Every queued project is left out of the stored ones, not only this pass's: those of a
    // later pass (a sheet of more than PASS_ROWS rows, another sheet) meet these when they are
    // matched themselves, the later entry as the new one.
    let apart: HashSet<i64> = queued.iter().map(|(id, _)| *id).collect();
    queued.truncate(PASS_ROWS);
    let ids: Vec<i64> = queued.iter().map(|(id, _)| *id).collect();
    let entries = entries_by_id(&mut reader, &ids).await?;
    if entries.len() < ids.len() {
        // Projects are never deleted; should a queued one be missing all the same (a database
        // edited by hand), its row is dropped rather than read again at every pass.
        let found: HashSet<i64> = entries.iter().map(|e| e.id).collect();
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !found.contains(id))
            .collect();
        tracing::warn!(
            ?missing,
            "queued projects not found; taken out of the look-alike queue"
        );
        let mut tx = db.pool.begin().await?;
        claim(&mut tx, missing.into_iter()).await?;
        tx.commit().await?;
    }
    let index = Index::for_batch(&mut reader, backend, book.clone(), &entries, &apart).await?;
    drop(reader);
    let pairs = match_in_order(index, entries.clone()).await?;
    let t_matched = t0.elapsed();
    let mut actors: HashMap<i64, Option<Actor>> = HashMap::new();
    for &(_, actor_id) in &queued {
        if let std::collections::hash_map::Entry::Vacant(slot) = actors.entry(actor_id) {
            // An account that cannot be read back (its stored role or region changed to
            // something invalid) loses its signals, not everyone's matching.
            let actor = Actor::read(db, Account::Id(actor_id))
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(actor_id, error = %e, "the entering account of queued projects cannot be read; their signals are not recorded");
                    None
                });
            slot.insert(actor);
        }
    }
    let entered_by: HashMap<i64, i64> = queued.into_iter().collect();
    let mut pairs_of: HashMap<i64, Vec<Pair>> = HashMap::new();
    for p in pairs {
        pairs_of.entry(p.project_id).or_default().push(p);
    }
    let (mut written, mut raised) = (0, 0);
    for chunk in entries.chunks(WRITE_ROWS) {
        let mut conn = db.begin_bulk_write().await?;
        let done = async {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            // The hold is renewed in the transaction: a matcher that lost it (stopped for longer
            // than the hold) writes nothing more.
            if !hold(&mut *tx, me).await? {
                return Err(StoreError::Internal(
                    "another instance took over the look-alike matching".into(),
                ));
            }
            let still = claim(&mut tx, chunk.iter().map(|e| e.id)).await?;
            let chunk: Vec<_> = chunk
                .iter()
                .filter(|e| still.contains(&e.id))
                .cloned()
                .collect();
            let grams = {
                let book = book.clone();
                let chunk = chunk.clone();
                tokio::task::spawn_blocking(move || gram_rows(&book, &chunk))
            };
            let known = known_pairs(&mut tx, &still).await?;
            let mut by_actor: BTreeMap<i64, Vec<Pair>> = BTreeMap::new();
            for e in &chunk {
                let fresh = pairs_of
                    .remove(&e.id)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| {
                        let key = (
                            p.project_id.min(p.other_project_id),
                            p.project_id.max(p.other_project_id),
                        );
                        !known.contains(&key)
                    });
                by_actor.entry(entered_by[&e.id]).or_default().extend(fresh);
            }
            let grams = grams
                .await
                .map_err(|e| StoreError::Internal(e.to_string()))?;
            write_grams(&mut tx, backend, grams).await?;
            let now = clock::now();
            let mut count = 0;
            for (actor_id, pairs) in by_actor {
                write_pairs(&mut tx, backend, &pairs, &now).await?;
                count += pairs.len();
                if let Some(actor) = &actors[&actor_id] {
                    let signals = signal_entries(&mut tx, actor, settings, &pairs).await?;
                    audit::record_many(&mut tx, backend, actor.into(), signals).await?;
                }
            }
            tx.commit().await?;
            Ok::<_, StoreError>((chunk.len(), count))
        }
        .await;
        db.end_bulk_write(conn).await;
        let (n, count) = done?;
        written += n;
        raised += count;
    }
    tracing::info!(
        queued = entries.len(),
        written,
        pairs = raised,
        match_ms = t_matched.as_millis() as u64,
        write_ms = (t0.elapsed() - t_matched).as_millis() as u64,
        "queued projects matched"
    );
    Ok(entries.len())
}

/// Takes the projects of `ids` out of the queue: those still in it (an edit may have matched
/// some meanwhile).
async fn claim(
    conn: &mut sqlx::AnyConnection,
    ids: impl Iterator<Item = i64>,
) -> Result<HashSet<i64>, StoreError> {
    let ids: Vec<i64> = ids.collect();
    let mut still = HashSet::with_capacity(ids.len());
    for list in id_lists(&ids) {
        let taken: Vec<i64> = sqlx::query_scalar(&format!(
            "DELETE FROM look_alike_queue WHERE project_id IN ({list}) RETURNING project_id"
        ))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
        still.extend(taken);
    }
    Ok(still)
}

/// The pairs already in the pool holding one of `ids` (raised from the form while they
/// waited), each as (lower id, higher id).
async fn known_pairs(
    conn: &mut sqlx::AnyConnection,
    ids: &HashSet<i64>,
) -> Result<HashSet<(i64, i64)>, StoreError> {
    let mut ids: Vec<i64> = ids.iter().copied().collect();
    ids.sort_unstable();
    let mut known = HashSet::new();
    for list in id_lists(&ids) {
        let found: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "SELECT project_id, other_project_id FROM duplicate_candidates \
             WHERE project_id IN ({list}) OR other_project_id IN ({list})"
        ))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
        known.extend(found.into_iter().map(|(a, b)| (a.min(b), a.max(b))));
    }
    Ok(known)
}
