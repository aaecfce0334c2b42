//! `luodi backup` and `luodi restore`: the database as one consistent snapshot taken while
//! the server keeps writing, the evidence files that snapshot refers to, and a manifest of
//! row counts and SHA-256 checksums that restore checks before it writes anything.
//!
//! A backup directory holds `manifest.json` (written last: a directory without it is not a
//! backup), `database.sqlite` (SQLite's `VACUUM INTO`) or `database.pgdump` (`pg_dump
//! --format=custom`, taken on a snapshot exported by the transaction that also reads the
//! counts and the file list), and `files/<storage key>`. Evidence files are written to the
//! object store before the row that names them commits, so every file the snapshot names is
//! on disk when it is copied.

use crate::kit::db::{redact, Backend};
use crate::kit::error::StoreError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Connection};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "database.sqlite";
const PG_FILE: &str = "database.pgdump";
const FILES: &str = "files";

/// A file of the backup: its path inside the backup directory, size and SHA-256 (hex).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileSum {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// What a backup holds, written as `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Layout version of the backup directory.
    pub format: u32,
    pub luodi_version: String,
    pub created_at: String,
    /// `sqlite` or `postgres`: a backup restores into the same kind of database.
    pub backend: String,
    pub database: FileSum,
    /// Rows per table in the snapshot, plus `fund_arrivals.confirmed`.
    pub counts: BTreeMap<String, i64>,
    /// The audit chain's head in the snapshot: `luodi audit verify` on the restored database
    /// ends there.
    pub audit_head_id: i64,
    pub audit_head_hash: String,
    /// Evidence files, by storage key under `files/`.
    pub files: Vec<FileSum>,
    /// Storage keys the snapshot names whose files a withdrawal removed before they were
    /// copied (no attachment of the live database names them any more): the restored
    /// database names them without their contents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn_files: Vec<String>,
}

impl Manifest {
    pub fn evidence_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

fn io(what: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> StoreError {
    move |e| StoreError::Config(format!("{what}：{e}"))
}

fn backend_of(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::Config(format!(
            "不支持的数据库地址：{}",
            redact(url)
        )))
    }
}

/// The file of a `sqlite://FILE?…` URL.
fn sqlite_path(url: &str) -> Result<PathBuf, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return Err(StoreError::Config(format!(
            "{url} 不是数据库文件，无法备份或恢复"
        )));
    }
    Ok(PathBuf::from(path))
}

/// A PostgreSQL URL without its password, and the password (given to `pg_dump` and
/// `pg_restore` through `PGPASSWORD`, so that it does not show in the process list).
fn split_password(url: &str) -> (String, Option<String>) {
    let (Some(scheme_end), Some(at)) = (url.find("://"), url.rfind('@')) else {
        return (url.to_owned(), None);
    };
    if at < scheme_end {
        return (url.to_owned(), None);
    }
    let userinfo = &url[scheme_end + 3..at];
    match userinfo.split_once(':') {
        Some((user, password)) => (
            format!("{}{user}{}", &url[..scheme_end + 3], &url[at..]),
            Some(percent_decode(password)),
        ),
        None => (url.to_owned(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The SHA-256 and size of a file, read in blocks.
async fn checksum(path: &Path) -> Result<(u64, String), StoreError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut file = std::fs::File::open(&path).map_err(io(path.display()))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buf).map_err(io(path.display()))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buf[..n]);
        }
        Ok((size, hex::encode(hasher.finalize())))
    })
    .await
    .map_err(|e| StoreError::Internal(e.to_string()))?
}

/// Whether `dir` is missing or an empty directory.
fn is_empty_dir(dir: &Path) -> Result<bool, StoreError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(io(dir.display())(e)),
    }
}

/// Storage keys are the store's own (`sha256/ab/abcd…`); one read from a manifest must not
/// climb out of the directory it is restored into.
fn safe_key(key: &str) -> Result<&str, StoreError> {
    let ok = !key.is_empty()
        && key.split('/').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
                && part != "."
                && part != ".."
        });
    if ok {
        Ok(key)
    } else {
        Err(StoreError::Config(format!("备份清单中的文件名无效：{key}")))
    }
}

async fn snapshot_facts(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<
    (
        BTreeMap<String, i64>,
        (i64, String),
        Vec<(String, String, i64)>,
    ),
    StoreError,
> {
    let tables: Vec<String> = match backend {
        Backend::Sqlite => {
            sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
            )
            .fetch_all(&mut *conn)
            .await?
        }
        Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name <> '_sqlx_migrations' ORDER BY table_name",
            )
            .fetch_all(&mut *conn)
            .await?
        }
    };
    let mut counts = BTreeMap::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(&mut *conn)
            .await?;
        counts.insert(table, n);
    }
    let confirmed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM fund_arrivals WHERE status = 'confirmed'")
            .fetch_one(&mut *conn)
            .await?;
    counts.insert("fund_arrivals.confirmed".into(), confirmed);
    let head: (i64, String) =
        sqlx::query_as("SELECT head_id, head_hash FROM audit_chain WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    let files: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT storage_key, MIN(sha256), MIN(size) FROM attachments \
         GROUP BY storage_key ORDER BY storage_key",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok((counts, head, files))
}

/// Whether an attachment of the live database still names `key` (a file missing from the
/// object store that no attachment names was removed by a withdrawal after the snapshot).
async fn still_named(database_url: &str, backend: Backend, key: &str) -> Result<bool, StoreError> {
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}", sqlite_path(database_url)?.display()),
        Backend::Postgres => database_url.to_owned(),
    };
    let mut conn = AnyConnection::connect(&url).await?;
    let named: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE storage_key = $1")
        .bind(key)
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(named > 0)
}

fn run(command: &mut std::process::Command, what: &str) -> Result<(), StoreError> {
    let out = command.output().map_err(|e| {
        StoreError::Config(format!(
            "无法运行 {what}（PostgreSQL 客户端工具须已安装）：{e}"
        ))
    })?;
    if !out.status.success() {
        return Err(StoreError::Config(format!(
            "{what} 失败：{}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

fn pg_tool(tool: &str, url: &str) -> std::process::Command {
    let (url, password) = split_password(url);
    let mut command = std::process::Command::new(tool);
    command.arg(format!("--dbname={url}"));
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    command
}

/// Backs up the database at `database_url` and the evidence files under `files_dir` into
/// `out`, which must be missing or empty. Safe while servers write.
pub async fn create(
    database_url: &str,
    files_dir: &Path,
    out: &Path,
) -> Result<Manifest, StoreError> {
    let backend = backend_of(database_url)?;
    if !is_empty_dir(out)? {
        return Err(StoreError::Config(format!(
            "备份目录 {} 已存在且非空，请指定新的目录",
            out.display()
        )));
    }
    std::fs::create_dir_all(out).map_err(io(out.display()))?;
    sqlx::any::install_default_drivers();
    let (db_file, facts) = match backend {
        Backend::Sqlite => {
            let source = sqlite_path(database_url)?;
            if !source.is_file() {
                return Err(StoreError::Config(format!(
                    "数据库文件 {} 不存在",
                    source.display()
                )));
            }
            let target = out.join(SQLITE_FILE);
            let mut conn =
                AnyConnection::connect(&format!("sqlite://{}", source.display())).await?;
            // One read transaction: a consistent copy however many servers write meanwhile
            // (they wait at most for the copy's own pages; WAL readers never block writers).
            sqlx::query("PRAGMA busy_timeout = 10000")
                .execute(&mut conn)
                .await?;
            sqlx::query("VACUUM INTO $1")
                .bind(target.to_string_lossy().into_owned())
                .execute(&mut conn)
                .await?;
            conn.close().await?;
            let mut copy =
                AnyConnection::connect(&format!("sqlite://{}", target.display())).await?;
            let facts = snapshot_facts(&mut copy, backend).await?;
            copy.close().await?;
            (target, facts)
        }
        Backend::Postgres => {
            let target = out.join(PG_FILE);
            let mut conn = AnyConnection::connect(database_url).await?;
            let mut tx = conn.begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
            let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
                .fetch_one(&mut *tx)
                .await?;
            let facts = snapshot_facts(&mut tx, backend).await?;
            let mut dump = pg_tool("pg_dump", database_url);
            dump.arg("--format=custom")
                .arg(format!("--snapshot={snapshot}"))
                .arg(format!("--file={}", target.display()));
            // The exporting transaction stays open until the dump has read its snapshot.
            tokio::task::spawn_blocking(move || run(&mut dump, "pg_dump"))
                .await
                .map_err(|e| StoreError::Internal(e.to_string()))??;
            tx.rollback().await?;
            conn.close().await?;
            (target, facts)
        }
    };
    let (counts, (audit_head_id, audit_head_hash), attachments) = facts;
    let mut files = Vec::with_capacity(attachments.len());
    let mut withdrawn_files = Vec::new();
    for (key, sha256, _) in attachments {
        let key = safe_key(&key)?.to_owned();
        let bytes = match tokio::fs::read(files_dir.join(&key)).await {
            Ok(bytes) => bytes,
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    && !still_named(database_url, backend, &key).await? =>
            {
                withdrawn_files.push(key);
                continue;
            }
            Err(e) => return Err(io(format!("读取佐证材料 {key}"))(e)),
        };
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != sha256 {
            return Err(StoreError::Config(format!(
                "佐证材料 {key} 与数据库记录的校验值不符（文件已损坏或被改动）"
            )));
        }
        let target = out.join(FILES).join(&key);
        if let Some(dir) = target.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(io(dir.display()))?;
        }
        tokio::fs::write(&target, &bytes)
            .await
            .map_err(io(target.display()))?;
        files.push(FileSum {
            path: key,
            size: bytes.len() as u64,
            sha256,
        });
    }
    let (size, sha256) = checksum(&db_file).await?;
    let manifest = Manifest {
        format: 1,
        luodi_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: crate::kit::clock::now(),
        backend: backend.as_str().to_owned(),
        database: FileSum {
            path: db_file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            size,
            sha256,
        },
        counts,
        audit_head_id,
        audit_head_hash,
        files,
        withdrawn_files,
    };
    let text =
        serde_json::to_string_pretty(&manifest).map_err(|e| StoreError::Internal(e.to_string()))?;
    let part = out.join("manifest.json.part");
    tokio::fs::write(&part, text)
        .await
        .map_err(io(part.display()))?;
    tokio::fs::rename(&part, out.join(MANIFEST))
        .await
        .map_err(io(out.display()))?;
    Ok(manifest)
}

/// Reads a backup's manifest and checks every file it lists against its checksum.
pub async fn check(dir: &Path) -> Result<Manifest, StoreError> {
    let text = tokio::fs::read_to_string(dir.join(MANIFEST))
        .await
        .map_err(io(format!(
            "{} 不是完整的备份（缺少 {MANIFEST}）",
            dir.display()
        )))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| StoreError::Config(format!("{MANIFEST} 无法读取：{e}")))?;
    if manifest.format != 1 {
        return Err(StoreError::Config(format!(
            "不认识的备份格式 {}",
            manifest.format
        )));
    }
    let db_path = dir.join(safe_key(&manifest.database.path)?);
    let expected = [(db_path, &manifest.database)].into_iter().chain(
        manifest
            .files
            .iter()
            .map(|f| (dir.join(FILES).join(&f.path), f)),
    );
    for (path, sum) in expected {
        safe_key(&sum.path)?;
        let (size, sha256) = checksum(&path).await?;
        if size != sum.size || sha256 != sum.sha256 {
            return Err(StoreError::Config(format!(
                "备份文件 {} 与清单的校验值不符（已损坏或被改动）",
                path.display()
            )));
        }
    }
    Ok(manifest)
}

/// Restores the backup in `dir` into the database at `database_url` and the evidence
/// directory `files_dir`, both of which must be empty: restore never overwrites data.
pub async fn restore(
    dir: &Path,
    database_url: &str,
    files_dir: &Path,
) -> Result<Manifest, StoreError> {
    let backend = backend_of(database_url)?;
    let manifest = check(dir).await?;
    if manifest.backend != backend.as_str() {
        return Err(StoreError::Config(format!(
            "这是 {} 数据库的备份，不能恢复到 {} 数据库",
            manifest.backend,
            backend.as_str()
        )));
    }
    if !is_empty_dir(files_dir)? {
        return Err(StoreError::Config(format!(
            "佐证材料目录 {} 已存在且非空：恢复只写入空目录，不覆盖已有文件",
            files_dir.display()
        )));
    }
    sqlx::any::install_default_drivers();
    let source = dir.join(&manifest.database.path);
    match backend {
        Backend::Sqlite => {
            let target = sqlite_path(database_url)?;
            let taken = |p: &Path| std::fs::metadata(p).map(|m| m.len() > 0).unwrap_or(false);
            let wal = PathBuf::from(format!("{}-wal", target.display()));
            if taken(&target) || taken(&wal) {
                return Err(StoreError::Config(format!(
                    "数据库文件 {} 已存在且非空：恢复只写入空的数据目录，不覆盖已有数据",
                    target.display()
                )));
            }
            if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(io(parent.display()))?;
            }
            let part = PathBuf::from(format!("{}.restoring", target.display()));
            tokio::fs::copy(&source, &part)
                .await
                .map_err(io(part.display()))?;
            tokio::fs::rename(&part, &target)
                .await
                .map_err(io(target.display()))?;
        }
        Backend::Postgres => {
            let mut conn = AnyConnection::connect(database_url).await?;
            let tables: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema()",
            )
            .fetch_one(&mut conn)
            .await?;
            conn.close().await?;
            if tables > 0 {
                return Err(StoreError::Config(format!(
                    "数据库 {} 非空（已有 {tables} 张表）：恢复只写入空数据库，不覆盖已有数据",
                    redact(database_url)
                )));
            }
            let mut load = pg_tool("pg_restore", database_url);
            load.args(["--no-owner", "--no-privileges", "--exit-on-error"])
                .arg(&source);
            tokio::task::spawn_blocking(move || run(&mut load, "pg_restore"))
                .await
                .map_err(|e| StoreError::Internal(e.to_string()))??;
        }
    }
    for f in &manifest.files {
        let target = files_dir.join(safe_key(&f.path)?);
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(io(parent.display()))?;
        }
        tokio::fs::copy(dir.join(FILES).join(&f.path), &target)
            .await
            .map_err(io(target.display()))?;
    }
    // What came back is what went in.
    let url = match backend {
        Backend::Sqlite => format!("sqlite://{}", sqlite_path(database_url)?.display()),
        Backend::Postgres => database_url.to_owned(),
    };
    let mut conn = AnyConnection::connect(&url).await?;
    let (counts, (head_id, head_hash), _) = snapshot_facts(&mut conn, backend).await?;
    conn.close().await?;
    if counts != manifest.counts
        || head_id != manifest.audit_head_id
        || head_hash != manifest.audit_head_hash
    {
        return Err(StoreError::Config(
            "恢复后的数据库与备份清单的行数不一致".into(),
        ));
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url_for_the_environment() {
        assert_eq!(
            split_password("postgres://luodi:s%40cret@db:5432/luodi"),
            (
                "postgres://luodi@db:5432/luodi".to_owned(),
                Some("s@cret".to_owned())
            )
        );
        assert_eq!(
            split_password("postgres://db/luodi"),
            ("postgres://db/luodi".to_owned(), None)
        );
    }

    #[test]
    fn keys_from_a_manifest_stay_inside_the_directory() {
        assert!(safe_key("sha256/ab/abcdef").is_ok());
        for bad in ["../etc/passwd", "/etc/passwd", "sha256//x", "a/../../b", ""] {
            assert!(safe_key(bad).is_err(), "{bad}");
        }
    }
}
