//! The SQLite and PostgreSQL migration sets are written by hand, side by side; this test builds
//! a database with each (through `Store::open`, the path a real start-up takes) and compares
//! what they end with: tables, columns (type class, nullability, primary key), and indexes
//! (column lists in order, uniqueness, partial or not). Any drift that is not listed in
//! `KNOWN_DIFFERENCES` fails with the items only on SQLite, only on PostgreSQL, and different.
//!
//! It needs both backends, so it runs in the PostgreSQL run of the suite
//! (LUODI_TEST_DATABASE_URL set) and is skipped in the SQLite-only run.

use luodi_store::{AuthSettings, Store};
use sqlx::{Connection, PgConnection, Row, SqliteConnection};
use std::collections::BTreeMap;
use std::fmt;

/// Differences that are there on purpose: (item, as on SQLite, as on PostgreSQL, reason).
/// The two middle fields are the rendered facts the test prints (`None` = absent), so the
/// entry covers exactly that difference; if the item changes again, or stops differing, the
/// test fails until this list is brought up to date.
const KNOWN_DIFFERENCES: &[(&str, Option<&str>, Option<&str>, &str)] = &[(
    "settings.key",
    Some("text, null, primary key"),
    Some("text, not null, primary key"),
    "0001 on SQLite left out NOT NULL, and SQLite (unlike PostgreSQL) lets a TEXT PRIMARY KEY \
     hold NULL; applied migrations cannot be edited, and the store always writes a key",
)];

#[tokio::test]
async fn sqlite_and_postgres_migrations_end_with_the_same_schema() {
    let admin_url = match std::env::var("LUODI_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            eprintln!(
                "schema: skipped, LUODI_TEST_DATABASE_URL is not set; the comparison of the \
                 SQLite and PostgreSQL migrations runs in the PostgreSQL run of the suite"
            );
            return;
        }
    };

    let sqlite_url = format!(
        "sqlite://{}",
        std::env::temp_dir()
            .join(format!("{}.db", unique_name()))
            .display()
    );
    let postgres_url = fresh_postgres_database(&admin_url).await;
    for url in [&sqlite_url, &postgres_url] {
        // The application's own migration path, SQLite's foreign-keys dance included.
        Store::open(url, AuthSettings::default())
            .await
            .unwrap_or_else(|e| panic!("open and migrate {url}: {e}"));
    }

    let sqlite = sqlite_schema(&sqlite_url).await;
    let postgres = postgres_schema(&postgres_url).await;
    // Guards against a query that silently finds nothing and so "matches" an empty schema.
    assert!(
        sqlite.contains_key("projects") && postgres.contains_key("projects"),
        "schema queries found no tables"
    );

    let report = drift(&sqlite, &postgres);
    assert!(report.is_empty(), "{report}");
}

fn unique_name() -> String {
    format!("luodi_test_{}", uuid::Uuid::new_v4().simple())
}

/// A new database next to the admin URL's, named so the CI clean-up drops it.
async fn fresh_postgres_database(admin_url: &str) -> String {
    let name = unique_name();
    let mut conn = PgConnection::connect(admin_url)
        .await
        .expect("connect to LUODI_TEST_DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .expect("postgres URL with a database name");
    format!("{base}/{name}")
}

/// Types are compared by class, not by spelling: `INTEGER` and `BIGINT` store the same values
/// for this application, and timestamps are text on both backends.
#[derive(Clone, PartialEq, Debug)]
enum Class {
    Integer,
    Text,
    Boolean,
    Real,
    Numeric,
    Blob,
    Timestamp,
    Other(String),
}

impl Class {
    /// Follows SQLite's own affinity rules (datatype3.html §3.1), after picking out the
    /// declared types that name a boolean or a time, which SQLite would file as numeric.
    fn of_sqlite(declared: &str) -> Self {
        let t = declared.to_ascii_uppercase();
        if t.contains("BOOL") {
            Class::Boolean
        } else if t.contains("DATE") || t.contains("TIME") {
            Class::Timestamp
        } else if t.contains("INT") {
            Class::Integer
        } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
            Class::Text
        } else if t.is_empty() || t.contains("BLOB") {
            Class::Blob
        } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
            Class::Real
        } else if t.contains("NUMERIC") || t.contains("DECIMAL") {
            Class::Numeric
        } else {
            Class::Other(declared.to_owned())
        }
    }

    /// From `format_type`, e.g. `bigint`, `character varying(20)`, `timestamp with time zone`.
    fn of_postgres(formatted: &str) -> Self {
        let base = formatted.split('(').next().unwrap_or(formatted).trim();
        match base {
            "bigint" | "integer" | "smallint" => Class::Integer,
            "text" | "character varying" | "character" => Class::Text,
            "boolean" => Class::Boolean,
            "real" | "double precision" => Class::Real,
            "numeric" => Class::Numeric,
            "bytea" => Class::Blob,
            t if t.starts_with("timestamp") || t.starts_with("time") || t == "date" => {
                Class::Timestamp
            }
            _ => Class::Other(formatted.to_owned()),
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Class::Integer => f.write_str("integer"),
            Class::Text => f.write_str("text"),
            Class::Boolean => f.write_str("boolean"),
            Class::Real => f.write_str("real"),
            Class::Numeric => f.write_str("numeric"),
            Class::Blob => f.write_str("blob"),
            Class::Timestamp => f.write_str("timestamp"),
            Class::Other(t) => write!(f, "other ({t})"),
        }
    }
}

/// One thing a schema holds, keyed in `Schema` by a name that reads well in the report.
#[derive(Clone, PartialEq, Debug)]
enum Fact {
    Table,
    Column {
        class: Class,
        nullable: bool,
        primary_key: bool,
    },
    /// An index created by name (`CREATE [UNIQUE] INDEX`); expression columns show as
    /// `<expression>`, so two expression indexes compare by shape, not by expression.
    Index {
        columns: Vec<String>,
        unique: bool,
        partial: bool,
    },
    /// The index behind a UNIQUE table constraint. SQLite names it `sqlite_autoindex_<t>_<n>`
    /// whatever the constraint is called, so these are keyed by their columns instead.
    UniqueConstraint,
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fact::Table => f.write_str("table"),
            Fact::Column {
                class,
                nullable,
                primary_key,
            } => {
                write!(
                    f,
                    "{class}, {}",
                    if *nullable { "null" } else { "not null" }
                )?;
                if *primary_key {
                    f.write_str(", primary key")?;
                }
                Ok(())
            }
            Fact::Index {
                columns,
                unique,
                partial,
            } => {
                if *unique {
                    f.write_str("unique ")?;
                }
                if *partial {
                    f.write_str("partial ")?;
                }
                write!(f, "index ({})", columns.join(", "))
            }
            Fact::UniqueConstraint => f.write_str("unique constraint"),
        }
    }
}

type Schema = BTreeMap<String, Fact>;

/// Whether an item is the same on both sides. Flags are the one type rule that is not
/// equality: they are BOOLEAN on PostgreSQL and INTEGER 0/1 on SQLite, because sqlx's Any
/// driver cannot decode SQLite's BOOLEAN (docs/architecture.md, `luodi_store::Flag`). So a
/// PostgreSQL boolean must be an integer on SQLite, and a SQLite BOOLEAN never matches.
fn same(sqlite: &Fact, postgres: &Fact) -> bool {
    match (sqlite, postgres) {
        (
            Fact::Column {
                class: sc,
                nullable: sn,
                primary_key: sp,
            },
            Fact::Column {
                class: pc,
                nullable: pn,
                primary_key: pp,
            },
        ) => {
            let classes_match = match (sc, pc) {
                (Class::Integer, Class::Boolean) => true,
                (Class::Boolean, _) => false,
                _ => sc == pc,
            };
            classes_match && sn == pn && sp == pp
        }
        _ => sqlite == postgres,
    }
}

async fn sqlite_schema(url: &str) -> Schema {
    let mut conn = SqliteConnection::connect(url)
        .await
        .expect("connect sqlite");
    let mut schema = Schema::new();
    // sqlite_% are SQLite's own (sqlite_stat1 appears after `PRAGMA optimize` in Db::migrate).
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for table in tables {
        schema.insert(table.clone(), Fact::Table);

        let columns = sqlx::query(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid",
        )
        .bind(&table)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let pk_columns = columns.iter().filter(|c| c.get::<i64, _>("pk") > 0).count();
        for c in &columns {
            let name: String = c.get("name");
            let declared: String = c.get("type");
            let primary_key = c.get::<i64, _>("pk") > 0;
            // A lone `INTEGER PRIMARY KEY` is the rowid, which can never be NULL even though
            // it is not declared NOT NULL; any other primary key column can (SQLite quirk).
            let rowid = primary_key && pk_columns == 1 && declared.eq_ignore_ascii_case("INTEGER");
            let nullable = c.get::<i64, _>("notnull") == 0 && !rowid;
            schema.insert(
                format!("{table}.{name}"),
                Fact::Column {
                    class: Class::of_sqlite(&declared),
                    nullable,
                    primary_key,
                },
            );
        }

        let indexes =
            sqlx::query("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)")
                .bind(&table)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        for i in &indexes {
            let name: String = i.get("name");
            let origin: String = i.get("origin");
            let columns: Vec<Option<String>> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind(&name)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            let columns: Vec<String> = columns
                .into_iter()
                .map(|c| c.unwrap_or_else(|| "<expression>".to_owned()))
                .collect();
            match origin.as_str() {
                // Primary keys are compared per column; an INTEGER PRIMARY KEY has no index
                // here at all, while PostgreSQL always builds <table>_pkey.
                "pk" => {}
                "u" => {
                    schema.insert(
                        format!("{table} unique ({})", columns.join(", ")),
                        Fact::UniqueConstraint,
                    );
                }
                _ => {
                    schema.insert(
                        format!("{table} index {name}"),
                        Fact::Index {
                            columns,
                            unique: i.get::<i64, _>("unique") != 0,
                            partial: i.get::<i64, _>("partial") != 0,
                        },
                    );
                }
            }
        }
    }
    conn.close().await.ok();
    schema
}

async fn postgres_schema(url: &str) -> Schema {
    let mut conn = PgConnection::connect(url).await.expect("connect postgres");
    let mut schema = Schema::new();
    // The catalogs rather than information_schema, because only they tell a UNIQUE
    // constraint's index from a CREATE UNIQUE INDEX, and give partial and expression indexes.
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') \
         AND c.relname <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for table in &tables {
        schema.insert(table.clone(), Fact::Table);
    }

    let columns = sqlx::query(
        "SELECT c.relname::text AS tbl, a.attname::text AS name, \
                format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable, \
                EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = c.oid AND x.indisprimary \
                        AND a.attnum = ANY (x.indkey)) AS pk \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') \
         AND c.relname <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for c in &columns {
        let table: String = c.get("tbl");
        let name: String = c.get("name");
        let formatted: String = c.get("type");
        schema.insert(
            format!("{table}.{name}"),
            Fact::Column {
                class: Class::of_postgres(&formatted),
                nullable: c.get("nullable"),
                primary_key: c.get("pk"),
            },
        );
    }

    // indkey lists key and INCLUDE columns alike, so a PostgreSQL-only INCLUDE shows as a
    // difference; attnum 0 is an expression.
    let indexes = sqlx::query(
        "SELECT t.relname::text AS tbl, i.relname::text AS name, x.indisunique AS is_unique, \
                x.indisprimary AS is_primary, x.indpred IS NOT NULL AS partial, \
                EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid \
                        AND k.conrelid = x.indrelid AND k.contype = 'u') AS is_constraint, \
                ARRAY (SELECT COALESCE(a.attname::text, '<expression>') \
                       FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k (attnum, ord) \
                       LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum \
                       ORDER BY k.ord) AS columns \
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = current_schema() AND t.relname <> '_sqlx_migrations'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    for i in &indexes {
        let table: String = i.get("tbl");
        let name: String = i.get("name");
        let columns: Vec<String> = i.get("columns");
        if i.get("is_primary") {
            continue;
        }
        if i.get("is_constraint") {
            schema.insert(
                format!("{table} unique ({})", columns.join(", ")),
                Fact::UniqueConstraint,
            );
        } else {
            schema.insert(
                format!("{table} index {name}"),
                Fact::Index {
                    columns,
                    unique: i.get("is_unique"),
                    partial: i.get("partial"),
                },
            );
        }
    }
    conn.close().await.ok();
    schema
}

/// The readable report of every unlisted difference, empty when the schemas agree.
fn drift(sqlite: &Schema, postgres: &Schema) -> String {
    let render = |fact: Option<&Fact>| fact.map(|f| f.to_string());
    let shown = |fact: Option<&str>| fact.unwrap_or("absent").to_owned();
    let mut only_sqlite = Vec::new();
    let mut only_postgres = Vec::new();
    let mut different = Vec::new();
    let mut stale = Vec::new();

    let mut items: Vec<&String> = sqlite.keys().chain(postgres.keys()).collect();
    items.sort();
    items.dedup();
    for item in items {
        let (s, p) = (sqlite.get(item), postgres.get(item));
        let agree = matches!((s, p), (Some(s), Some(p)) if same(s, p));
        let known = KNOWN_DIFFERENCES.iter().find(|k| k.0 == item.as_str());
        if let Some((_, ks, kp, _)) = known {
            // A listed difference must still be exactly as listed.
            if agree || render(s).as_deref() != *ks || render(p).as_deref() != *kp {
                stale.push(format!(
                    "{item}: listed as SQLite {} | PostgreSQL {}, now SQLite {} | PostgreSQL {}",
                    shown(*ks),
                    shown(*kp),
                    shown(render(s).as_deref()),
                    shown(render(p).as_deref()),
                ));
            }
            continue;
        }
        match (s, p) {
            _ if agree => {}
            (Some(s), None) => only_sqlite.push(format!("{item}: {s}")),
            (None, Some(p)) => only_postgres.push(format!("{item}: {p}")),
            (Some(s), Some(p)) => {
                let hint = match s {
                    Fact::Column {
                        class: Class::Boolean,
                        ..
                    } => " (flags are INTEGER 0/1 on SQLite)",
                    _ => "",
                };
                different.push(format!("{item}: SQLite {s} | PostgreSQL {p}{hint}"))
            }
            (None, None) => unreachable!(),
        }
    }
    for (item, ..) in KNOWN_DIFFERENCES {
        if !sqlite.contains_key(*item) && !postgres.contains_key(*item) {
            stale.push(format!("{item}: listed, but on neither backend"));
        }
    }

    let mut report = String::new();
    for (title, lines) in [
        ("only on SQLite", &only_sqlite),
        ("only on PostgreSQL", &only_postgres),
        ("different", &different),
        ("KNOWN_DIFFERENCES entries that no longer match", &stale),
    ] {
        if !lines.is_empty() {
            report.push_str(&format!("\n{title}:\n"));
            for line in lines {
                report.push_str(&format!("    {line}\n"));
            }
        }
    }
    if report.is_empty() {
        return report;
    }
    format!(
        "the SQLite and PostgreSQL migrations end with different schemas:\n{report}\n\
         Write the change in both crates/store/migrations/sqlite and \
         crates/store/migrations/postgres (as a new migration: applied ones are checksummed), \
         or, if the difference is deliberate, add it to KNOWN_DIFFERENCES in \
         crates/server/tests/api/schema.rs with its reason."
    )
}
