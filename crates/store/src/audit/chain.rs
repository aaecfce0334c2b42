//! The audit trail's hash chain: each entry stores the SHA-256 of the entry before it and of
//! itself over both, so an entry edited or removed behind the application's back breaks the
//! chain at that place (`luodi audit verify`).
//!
//! One chain per installation, whose head is the single row of `audit_chain`. An append first
//! writes that row without changing it, which takes its row lock on PostgreSQL (and SQLite's
//! write lock) until the change's transaction ends; then it inserts the entries and moves the
//! head. Appends are therefore serialised across transactions, connections and server
//! instances, entry ids are drawn in chain order, and no two entries share a predecessor.

use crate::kit::db::{Backend, Db};
use crate::kit::error::StoreError;
use crate::kit::filter::Bind;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection};

/// The predecessor of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry as it is hashed and stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Entry {
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub region_code: Option<String>,
    pub entity: String,
    pub entity_id: Option<String>,
    pub action: String,
    pub summary: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

const ENTRY_COLUMNS: [&str; 12] = [
    "at",
    "actor_id",
    "actor_name",
    "region_code",
    "entity",
    "entity_id",
    "action",
    "summary",
    "before_json",
    "after_json",
    "request_id",
    "client_addr",
];

impl Entry {
    /// SHA-256 (lowercase hex) over a version tag, the predecessor's hash and every field,
    /// each field length-prefixed and NULL told apart from empty, so that no two different
    /// entries encode alike.
    pub(crate) fn hash(&self, prev: &str) -> String {
        let mut h = Sha256::new();
        h.update(b"luodi-audit-v1\0");
        h.update(prev.as_bytes());
        let actor_id = self.actor_id.map(|id| id.to_string());
        let fields = [
            Some(self.at.as_str()),
            actor_id.as_deref(),
            Some(self.actor_name.as_str()),
            self.region_code.as_deref(),
            Some(self.entity.as_str()),
            self.entity_id.as_deref(),
            Some(self.action.as_str()),
            Some(self.summary.as_str()),
            self.before_json.as_deref(),
            self.after_json.as_deref(),
            self.request_id.as_deref(),
            self.client_addr.as_deref(),
        ];
        for field in fields {
            match field {
                None => h.update([0u8]),
                Some(s) => {
                    h.update([1u8]);
                    h.update((s.len() as u64).to_be_bytes());
                    h.update(s.as_bytes());
                }
            }
        }
        hex::encode(h.finalize())
    }

    fn binds(self, prev_hash: String, hash: String) -> Vec<Bind> {
        vec![
            Bind::Text(self.at),
            Bind::OptInt(self.actor_id),
            Bind::Text(self.actor_name),
            Bind::OptText(self.region_code),
            Bind::Text(self.entity),
            Bind::OptText(self.entity_id),
            Bind::Text(self.action),
            Bind::Text(self.summary),
            Bind::OptText(self.before_json),
            Bind::OptText(self.after_json),
            Bind::OptText(self.request_id),
            Bind::OptText(self.client_addr),
            Bind::Text(prev_hash),
            Bind::Text(hash),
        ]
    }
}

pub(crate) fn backend_of(conn: &AnyConnection) -> Backend {
    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

/// Appends `entries` to the chain on `conn`: inside the caller's transaction when there is
/// one (the change's own), which then holds the chain until it ends; in a transaction of its
/// own otherwise.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    backend: Backend,
    entries: Vec<Entry>,
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    if conn.is_in_transaction() {
        return append_locked(conn, backend, entries).await;
    }
    let mut tx = conn.begin().await?;
    append_locked(&mut tx, backend, entries).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes the head's lock (a write that changes nothing) and returns the head's id and hash.
async fn lock_head(conn: &mut AnyConnection) -> Result<(i64, String), StoreError> {
    Ok(sqlx::query_as(
        "UPDATE audit_chain SET head_id = head_id WHERE id = 1 RETURNING head_id, head_hash",
    )
    .fetch_one(&mut *conn)
    .await?)
}

async fn set_head(conn: &mut AnyConnection, id: i64, hash: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE audit_chain SET head_id = $1, head_hash = $2 WHERE id = 1")
        .bind(id)
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn append_locked(
    conn: &mut AnyConnection,
    backend: Backend,
    entries: Vec<Entry>,
) -> Result<(), StoreError> {
    let (head_id, mut prev) = lock_head(conn).await?;
    // PostgreSQL's identity never hands out an id twice; SQLite takes the highest id plus one,
    // which after entries were removed from the end would give an id below the head's, so
    // there the ids are chosen here, above both.
    let mut next_id: Option<i64> = match backend {
        Backend::Postgres => None,
        Backend::Sqlite => Some(
            sqlx::query_scalar("SELECT MAX(COALESCE((SELECT MAX(id) FROM audit_log), 0), $1) + 1")
                .bind(head_id)
                .fetch_one(&mut *conn)
                .await?,
        ),
    };
    let mut rows = Vec::with_capacity(entries.len());
    for entry in entries {
        let hash = entry.hash(&prev);
        let mut row = entry.binds(std::mem::replace(&mut prev, hash.clone()), hash);
        if let Some(id) = next_id.as_mut() {
            row.push(Bind::Int(*id));
            *id += 1;
        }
        rows.push(row);
    }
    let mut columns = ENTRY_COLUMNS.to_vec();
    columns.extend(["prev_hash", "hash"]);
    if backend == Backend::Sqlite {
        columns.push("id");
    }
    let last_id: i64 = if rows.len() == 1 {
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO audit_log ({}) VALUES ({}) RETURNING id",
            columns.join(", "),
            placeholders.join(", ")
        );
        let mut q = sqlx::query_scalar(&sql);
        for v in rows.pop().unwrap_or_default() {
            q = match v {
                Bind::Int(i) => q.bind(i),
                Bind::Text(t) => q.bind(t),
                Bind::Bool(b) => q.bind(b),
                Bind::OptInt(i) => q.bind(i),
                Bind::OptBool(b) => q.bind(b),
                Bind::OptText(t) => q.bind(t),
            };
        }
        q.fetch_one(&mut *conn).await?
    } else {
        crate::kit::bulk::insert_rows(conn, backend, "audit_log", &columns, rows).await?;
        // The head's lock is held, so the highest id is the last row just written.
        sqlx::query_scalar("SELECT MAX(id) FROM audit_log")
            .fetch_one(&mut *conn)
            .await?
    };
    set_head(conn, last_id, &prev).await
}

#[derive(sqlx::FromRow)]
struct StoredEntry {
    id: i64,
    #[sqlx(flatten)]
    entry: Entry,
    prev_hash: Option<String>,
    hash: Option<String>,
}

const STORED_COLUMNS: &str = "id, at, actor_id, actor_name, region_code, entity, entity_id, \
    action, summary, before_json, after_json, request_id, client_addr, prev_hash, hash";

#[derive(sqlx::FromRow)]
struct Head {
    head_id: i64,
    head_hash: String,
    anchor_id: i64,
    anchor_hash: String,
    legacy_through: i64,
}

async fn head(conn: &mut AnyConnection) -> Result<Head, StoreError> {
    Ok(sqlx::query_as(
        "SELECT head_id, head_hash, anchor_id, anchor_hash, legacy_through FROM audit_chain \
         WHERE id = 1",
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// Entries read per query while walking the chain.
const BATCH: i64 = 5_000;

/// Chains the entries written before migration 0015 (ids up to `legacy_through` without a
/// hash), in id order from the genesis, once; run at every start and a no-op after the first.
pub(crate) async fn seal_legacy(db: &Db) -> Result<u64, StoreError> {
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE hash IS NULL \
         AND id <= (SELECT legacy_through FROM audit_chain WHERE id = 1)",
    )
    .fetch_one(&db.pool)
    .await?;
    if pending == 0 {
        return Ok(0);
    }
    let mut tx = db.pool.begin().await?;
    lock_head(&mut tx).await?;
    let h = head(&mut tx).await?;
    if h.head_id != 0 {
        // Entries were appended to the chain first (an older instance kept writing during
        // the upgrade): the old ones cannot go before them now; verification names them.
        tracing::warn!(
            pending,
            "audit entries from before the hash chain were not chained: newer entries came first"
        );
        return Ok(0);
    }
    let mut prev = h.head_hash;
    let mut last_id = 0;
    let mut sealed = 0;
    loop {
        let batch: Vec<StoredEntry> = sqlx::query_as(&format!(
            "SELECT {STORED_COLUMNS} FROM audit_log WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3"
        ))
        .bind(last_id)
        .bind(h.legacy_through)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = batch.last() else { break };
        last_id = last.id;
        for row in batch {
            let hash = row.entry.hash(&prev);
            sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE id = $3")
                .bind(&prev)
                .bind(&hash)
                .bind(row.id)
                .execute(&mut *tx)
                .await?;
            prev = hash;
            sealed += 1;
        }
    }
    set_head(&mut tx, last_id, &prev).await?;
    tx.commit().await?;
    tracing::info!(
        entries = sealed,
        "audit entries from before the hash chain chained"
    );
    Ok(sealed)
}

/// Where the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The first entry that does not check out (for entries missing at the end, the head's).
    pub id: i64,
    /// Its time, when the entry is there to say.
    pub at: Option<String>,
    pub reason: String,
}

/// The result of walking the whole chain.
#[derive(Debug, Clone)]
pub struct Verification {
    /// Entries checked (up to the break, when there is one).
    pub checked: u64,
    pub head_id: i64,
    pub head_hash: String,
    /// Entries removed after their retention, up to this id.
    pub anchor_id: i64,
    pub broken: Option<Break>,
}

/// Walks the chain from the anchor to the head on one snapshot of the database, and names the
/// first entry that does not check out.
pub async fn verify(db: &Db) -> Result<Verification, StoreError> {
    let mut tx = db.pool.begin().await?;
    if db.backend() == Backend::Postgres {
        // One snapshot for the head and every batch, so that appends and purges running
        // meanwhile are not mistaken for gaps.
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *tx)
            .await?;
    }
    let h = head(&mut tx).await?;
    let mut result = Verification {
        checked: 0,
        head_id: h.head_id,
        head_hash: h.head_hash.clone(),
        anchor_id: h.anchor_id,
        broken: None,
    };
    let mut expected = h.anchor_hash.clone();
    let mut prev_id: Option<i64> = None;
    let mut last_id = h.anchor_id;
    'walk: loop {
        let batch: Vec<StoredEntry> = sqlx::query_as(&format!(
            "SELECT {STORED_COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(last_id)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = batch.last() else { break };
        last_id = last.id;
        for row in batch {
            let fault = match (&row.prev_hash, &row.hash) {
                (_, None) | (None, _) => {
                    Some("该记录没有哈希，不在哈希链中（未经应用写入）".to_owned())
                }
                (Some(p), Some(_)) if *p != expected => Some(match prev_id {
                    Some(prev) => format!(
                        "与前一条记录（编号 {prev}）接不上：其间有记录被删除，\
                         或编号 {prev} 被改动后重算了哈希"
                    ),
                    None if h.anchor_id > 0 => format!(
                        "与保留期起点（编号 {} 之后）接不上：其前的记录已被删除",
                        h.anchor_id
                    ),
                    None => "链首之前的记录已被删除".to_owned(),
                }),
                (Some(p), Some(stored)) if row.entry.hash(p) != *stored => {
                    Some("记录内容已被改动（哈希不符）".to_owned())
                }
                _ => None,
            };
            if let Some(reason) = fault {
                result.broken = Some(Break {
                    id: row.id,
                    at: Some(row.entry.at),
                    reason,
                });
                break 'walk;
            }
            expected = row.hash.unwrap_or_default();
            prev_id = Some(row.id);
            result.checked += 1;
        }
    }
    if result.broken.is_none() && expected != h.head_hash {
        result.broken = Some(Break {
            id: h.head_id,
            at: None,
            reason: match prev_id {
                Some(last) => format!(
                    "最后一条记录是编号 {last}，链头却是编号 {}：其后的记录已被删除或改动",
                    h.head_id
                ),
                None => format!("没有任何记录，链头却是编号 {}：记录已被删除", h.head_id),
            },
        });
    }
    tx.rollback().await?;
    Ok(result)
}

/// Removes the entries written before `cutoff` (RFC 3339), anchoring the chain at the last
/// one removed, and records the removal as an entry of its own, in one transaction. Returns
/// how many entries were removed.
pub(crate) async fn purge_before(db: &Db, cutoff: &str, record: Entry) -> Result<u64, StoreError> {
    let mut tx = db.pool.begin().await?;
    lock_head(&mut tx).await?;
    let last: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT id, hash FROM audit_log WHERE id = \
         (SELECT MAX(id) FROM audit_log WHERE at < $1)",
    )
    .bind(cutoff)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((anchor_id, Some(anchor_hash))) = last else {
        return Ok(0);
    };
    sqlx::query("UPDATE audit_chain SET anchor_id = $1, anchor_hash = $2 WHERE id = 1")
        .bind(anchor_id)
        .bind(&anchor_hash)
        .execute(&mut *tx)
        .await?;
    let removed = sqlx::query("DELETE FROM audit_log WHERE id <= $1")
        .bind(anchor_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let mut record = record;
    record.summary = format!(
        "{}：删除 {removed} 条（编号 {anchor_id} 及以前）",
        record.summary
    );
    append_locked(&mut tx, db.backend(), vec![record]).await?;
    tx.commit().await?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            at: "2026-11-23T15:04:05.123Z".into(),
            actor_id: Some(1),
            actor_name: "admin".into(),
            region_code: None,
            entity: "user".into(),
            entity_id: Some("7".into()),
            action: "create".into(),
            summary: "新增用户".into(),
            before_json: None,
            after_json: Some("{}".into()),
            request_id: None,
            client_addr: Some("127.0.0.1".into()),
        }
    }

    #[test]
    fn the_hash_covers_every_field_and_the_predecessor() {
        let base = entry().hash(GENESIS);
        assert_eq!(base.len(), 64);
        assert_eq!(base, entry().hash(GENESIS), "deterministic");
        assert_ne!(base, entry().hash(&"1".repeat(64)));
        let mut e = entry();
        e.client_addr = None;
        assert_ne!(base, e.hash(GENESIS));
        // NULL and empty differ, and a value cannot slide into its neighbour.
        let mut e = entry();
        e.region_code = Some(String::new());
        assert_ne!(base, e.hash(GENESIS));
        let (mut a, mut b) = (entry(), entry());
        a.entity = "us".into();
        a.entity_id = Some("er7".into());
        b.entity = "user".into();
        b.entity_id = Some("7".into());
        assert_ne!(a.hash(GENESIS), b.hash(GENESIS));
    }
}
