use crate::kit::cache::Memo;
use crate::kit::error::StoreError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// A connection pool plus the backend it talks to, and what this instance keeps in memory for
/// the areas (see `cache.rs`).
#[derive(Clone)]
pub struct Db {
    pub(crate) pool: AnyPool,
    backend: Backend,
    pub(crate) memo: Arc<Memo>,
}

impl Db {
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            (Backend::Sqlite, sqlite_url(url))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            (Backend::Postgres, url.to_owned())
        } else {
            return Err(StoreError::Config(format!(
                "不支持的数据库地址：{}（应以 sqlite:// 或 postgres:// 开头）",
                redact(url)
            )));
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Config(format!("数据库地址无效：{e}")))?
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_millis(500));
        let pool = match backend {
            Backend::Sqlite => {
                // WAL lets readers proceed during a write; the per-connection pragmas are not
                // persistent, so they are set on every new connection. A page cache of up to
                // 64 MiB per connection (SQLite's default is 2 MiB) keeps a large import from
                // spilling dirty index pages to the WAL again and again, and memory-mapped
                // reads spare a copy per page on province-wide aggregates.
                // A local file cannot drop a connection the way a network can, so the pool
                // hands out connections without a round trip to the worker thread first.
                AnyPoolOptions::new()
                    .max_connections(8)
                    .test_before_acquire(false)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                                 PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; \
                                 PRAGMA mmap_size = 1073741824; PRAGMA temp_store = MEMORY;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .connect_with(options)
                    .await?
            }
        };
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        Ok(Self {
            pool,
            backend,
            memo: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            // PostgreSQL's autovacuum keeps the planner's statistics itself.
            POSTGRES_MIGRATIONS.run(&self.pool).await?;
            return Ok(());
        }
        // Some migrations rebuild a table that others refer to, which SQLite allows only with
        // foreign keys off (a pragma that cannot change inside the migrations' own
        // transactions); the references are checked once they have all run.
        let mut conn = self.pool.acquire().await?;
        conn.execute("PRAGMA foreign_keys = OFF").await?;
        let ran = SQLITE_MIGRATIONS.run(&mut *conn).await;
        let broken: Result<Vec<(String,)>, _> =
            sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(&mut *conn)
                .await;
        conn.execute("PRAGMA foreign_keys = ON").await?;
        ran?;
        if let Some((table,)) = broken?.first() {
            return Err(StoreError::Config(format!(
                "数据库迁移后表 {table} 有无效的外键引用"
            )));
        }
        // SQLite keeps no statistics unless asked; without them its planner may scan the
        // ledger through the wrong index. `optimize` analyses only tables that need it, so it
        // is cheap on every start.
        sqlx::query("PRAGMA optimize = 0x10002")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// A connection for one large write (a sheet of thousands of rows). On SQLite its commit
    /// does not checkpoint the WAL, which for a 100,000-row sheet would copy some hundred
    /// megabytes into the database file inside the request; call [`Db::end_bulk_write`]
    /// afterwards, whatever the outcome, to hand that to a background task.
    pub(crate) async fn begin_bulk_write(
        &self,
    ) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_autocheckpoint = 0")
                .execute(&mut *conn)
                .await?;
        }
        Ok(conn)
    }

    /// Restores the connection's checkpoints (SQLite's default of 1,000 pages) and
    /// checkpoints the WAL on another pooled connection, after the caller has answered.
    pub(crate) async fn end_bulk_write(&self, mut conn: sqlx::pool::PoolConnection<sqlx::Any>) {
        if self.backend != Backend::Sqlite {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_autocheckpoint = 1000")
            .execute(&mut *conn)
            .await
        {
            // A connection that cannot be reset is not given back to the pool.
            tracing::warn!(error = %e, "closing a connection left without WAL checkpoints");
            conn.detach();
            return;
        }
        drop(conn);
        let pool = self.pool.clone();
        tokio::spawn(async move {
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %e, "WAL checkpoint after a bulk write failed");
            }
        });
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// SQLite URLs without a mode open read-write but do not create the file; a fresh install
/// should just work, so `mode=rwc` is added unless the caller chose a mode.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// A database URL with its password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("postgres://luodi:s3cret@db:5432/luodi"),
            "postgres://luodi:***@db:5432/luodi"
        );
        assert_eq!(redact("sqlite://luodi.db"), "sqlite://luodi.db");
    }

    /// A bulk write's connection goes back to the pool checkpointing as before, and the WAL
    /// it left is checkpointed in the background.
    #[tokio::test]
    async fn bulk_writes_leave_no_connection_without_checkpoints() {
        let dir = std::env::temp_dir().join(format!("luodi-bulk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bulk.db");
        let db = Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let mut conn = db.begin_bulk_write().await.unwrap();
        let during: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(during, 0);
        sqlx::query("CREATE TABLE t (x TEXT)")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
             INSERT INTO t SELECT hex(randomblob(100)) FROM n",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        db.end_bulk_write(conn).await;
        // Every idle connection (the bulk one among them) checkpoints again.
        let idle = db.pool.num_idle();
        assert!(idle >= 1);
        let mut held = Vec::new();
        for _ in 0..idle {
            let mut c = db.pool.acquire().await.unwrap();
            let pages: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
                .fetch_one(&mut *c)
                .await
                .unwrap();
            assert_eq!(pages, 1000);
            held.push(c);
        }
        drop(held);
        // Nothing else commits here: only the background checkpoint moves the 20,000 rows
        // (~4 MB) from the WAL into the database file.
        let mut size = 0;
        for _ in 0..200 {
            size = std::fs::metadata(&path).unwrap().len();
            if size > 2_000_000 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(size > 2_000_000, "database file is {size} bytes");
        db.pool.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sqlite_files_are_created() {
        assert_eq!(sqlite_url("sqlite://a.db"), "sqlite://a.db?mode=rwc");
        assert_eq!(sqlite_url("sqlite://a.db?mode=ro"), "sqlite://a.db?mode=ro");
    }
}

/// A boolean column as both backends return it through the `Any` driver: PostgreSQL sends a
/// real boolean, SQLite an integer 0/1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flag(pub bool);

impl sqlx::Type<sqlx::Any> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <bool as sqlx::Type<sqlx::Any>>::type_info()
    }

    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <bool as sqlx::Type<sqlx::Any>>::compatible(ty)
            || <i64 as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        match <bool as sqlx::Decode<sqlx::Any>>::decode(value.clone()) {
            Ok(b) => Ok(Flag(b)),
            Err(_) => Ok(Flag(<i64 as sqlx::Decode<sqlx::Any>>::decode(value)? != 0)),
        }
    }
}

impl serde::Serialize for Flag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(self.0)
    }
}
