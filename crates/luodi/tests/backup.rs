//! `luodi backup` while a server writes, and `luodi restore` into an empty directory: every
//! fund record confirmed before the backup started comes back confirmed, with its evidence
//! files byte for byte; the restored audit chain verifies; restore never overwrites data.

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Luodi@2026";
const WAN: i64 = 10_000 * 100;

fn luodi(database_url: &str, files_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_luodi"));
    cmd.env_remove("LUODI_DATABASE_URL")
        .env("LUODI_LOG", "warn")
        .env("LUODI_SERVER__FILES_DIR", files_dir)
        .args(["--database-url", database_url]);
    cmd
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A server on `database_url`, and its base URL.
fn serve(database_url: &str, files_dir: &Path) -> (Child, String) {
    let mut child = luodi(database_url, files_dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("server exited early").unwrap();
        if let Some(i) = line.find("http://") {
            break line[i..].trim().trim_end_matches('/').to_owned();
        }
    };
    // Keep reading what it prints, so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, url)
}

async fn login(base: &str, username: &str) -> Client {
    let client = Client::builder().cookie_store(true).build().unwrap();
    let res = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "login as {username}");
    client
}

async fn post(client: &Client, url: String, body: Value) -> (StatusCode, Value) {
    let res = client.post(url).json(&body).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// One fund record as the writers confirmed it.
struct Confirmed {
    project: i64,
    record: i64,
    evidence: Vec<u8>,
    at: Instant,
}

/// Enters a fund record with an evidence file in a county and has the city confirm it, until
/// told to stop.
async fn writer(
    base: String,
    projects: Vec<i64>,
    n: usize,
    stop: Arc<AtomicBool>,
    done: Arc<Mutex<Vec<Confirmed>>>,
) {
    let county = login(&base, "nx_bureau").await;
    let city = login(&base, "yy_bureau").await;
    let mut i = 0usize;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let project = projects[i % projects.len()];
        let period = format!("2026-{:02}", 2 + i % 9);
        let (status, record) = post(
            &county,
            format!("{base}/api/projects/{project}/funds"),
            json!({ "period": period, "amount": WAN, "currency": "CNY", "kind": "fixed_asset" }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{record}");
        let id = record["id"].as_i64().unwrap();
        let mut evidence = format!("%PDF-1.4\n% 回单 writer {n} record {id}\n").into_bytes();
        evidence.extend((0..16_384u32).map(|b| (b.wrapping_mul(31) ^ id as u32) as u8));
        evidence.extend_from_slice(b"\n%%EOF\n");
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(evidence.clone()).file_name(format!("回单{id}.pdf")),
        );
        let res = county
            .post(format!("{base}/api/funds/{id}/evidence"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        let (status, confirmed) = post(
            &city,
            format!("{base}/api/funds/{id}/review"),
            json!({ "decision": "confirm", "version": record["version"] }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{confirmed}");
        done.lock().unwrap().push(Confirmed {
            project,
            record: id,
            evidence,
            at: Instant::now(),
        });
    }
}

/// A fresh, empty database named `name` for this run: an SQLite file under `root` by default,
/// a new PostgreSQL database when `LUODI_TEST_DATABASE_URL` names a server (as for the HTTP
/// tests), so that `pg_dump`/`pg_restore` are exercised too.
async fn fresh_database(root: &Path, name: &str) -> String {
    match std::env::var("LUODI_TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let db = format!(
                "luodi_backup_{}_{name}",
                root.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .replace('-', "_")
            );
            let mut conn = sqlx::AnyConnection::connect(&admin_url)
                .await
                .expect("connect to LUODI_TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {db}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let (base, _) = admin_url.rsplit_once('/').expect("a database name");
            format!("{base}/{db}")
        }
        _ => format!("sqlite://{}", root.join(name).join("luodi.db").display()),
    }
}

/// Whether the database holds nothing: no SQLite file, or no table in PostgreSQL.
async fn is_untouched(url: &str) -> bool {
    match url.strip_prefix("sqlite://") {
        Some(path) => !Path::new(path).exists(),
        None => {
            use sqlx::Connection;
            let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
            let tables: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema()",
            )
            .fetch_one(&mut conn)
            .await
            .unwrap();
            tables == 0
        }
    }
}

fn temp_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("luodi-backup-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_writes_restores_every_confirmed_record_and_evidence_file() {
    let root = temp_dir();
    let live_db = fresh_database(&root, "live").await;
    if let Some(path) = live_db.strip_prefix("sqlite://") {
        std::fs::create_dir_all(Path::new(path).parent().unwrap()).unwrap();
    }
    let live_files = root.join("live-files");
    let (ok, out) =
        run(luodi(&live_db, &live_files).args(["demo", "--scale", "base", "--password", PASSWORD]));
    assert!(ok, "{out}");
    let (mut server, base) = serve(&live_db, &live_files);

    let county = login(&base, "nx_bureau").await;
    let mut projects = Vec::new();
    // Three unrelated projects (different names and investors): none waits in the duplicate
    // pool, so their money can be confirmed.
    for (name, investor) in [
        ("南县稻虾米精深加工项目", "浙江某粮油实业有限公司"),
        ("南县羽绒服装智能工厂", "江苏某服饰集团有限公司"),
        ("南县生物有机肥生产线", "湖北某农业科技有限公司"),
    ] {
        let (status, detail) = post(
            &county,
            format!("{base}/api/projects"),
            json!({
                "name": name, "investor_name": investor, "origin": "out_of_province",
                "contract_fen": 100_000 * WAN, "signed_on": "2026-01-10", "region_code": "430921",
                "stage": "signed",
                "credit_code_missing_reason": "投资主体尚未完成工商注册，注册后补填代码"
            }),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{detail}");
        projects.push(detail["project"]["id"].as_i64().unwrap());
    }

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..3)
        .map(|n| {
            tokio::spawn(writer(
                base.clone(),
                projects.clone(),
                n,
                stop.clone(),
                done.clone(),
            ))
        })
        .collect();
    // Some records confirmed before the backup starts (PostgreSQL on a busy machine is slower
    // to get there than SQLite).
    let waiting = Instant::now();
    while done.lock().unwrap().len() < 8 && waiting.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let backup_dir = root.join("backup");
    let started = Instant::now();
    let (ok, out) = {
        let mut cmd = luodi(&live_db, &live_files);
        cmd.arg("backup").arg(&backup_dir);
        tokio::task::spawn_blocking(move || run(&mut cmd))
            .await
            .unwrap()
    };
    assert!(ok, "{out}");
    let backup_took = started.elapsed();
    // Writers go on for a while after the backup too.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let done = std::mem::take(&mut *done.lock().unwrap());
    let before: Vec<&Confirmed> = done.iter().filter(|c| c.at < started).collect();
    let during = done.len() - before.len();
    assert!(
        before.len() >= 5,
        "only {} records before the backup",
        before.len()
    );
    assert!(during > 0, "no writes while backing up");
    eprintln!(
        "{} records confirmed before the backup, {during} during and after it; backup took {:?}",
        before.len(),
        backup_took
    );

    // Into an empty directory.
    let restored_db = fresh_database(&root, "restored").await;
    let restored_files = root.join("restored/files");
    let (ok, out) = run(luodi(&restored_db, &restored_files)
        .arg("restore")
        .arg(&backup_dir));
    assert!(ok, "{out}");
    // Never over existing data.
    let (ok, out) = run(luodi(&restored_db, &root.join("other-files"))
        .arg("restore")
        .arg(&backup_dir));
    assert!(!ok && out.contains("非空"), "{out}");
    let (ok, out) = run(luodi(&live_db, &root.join("other-files2"))
        .arg("restore")
        .arg(&backup_dir));
    assert!(!ok && out.contains("非空"), "{out}");

    let (ok, out) = run(luodi(&restored_db, &restored_files).args(["audit", "verify"]));
    assert!(ok && out.contains("完整"), "{out}");

    let (mut server, base) = serve(&restored_db, &restored_files);
    let city = login(&base, "yy_bureau").await;
    for c in &before {
        let funds: Value = city
            .get(format!("{base}/api/projects/{}/funds", c.project))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let record = funds
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"].as_i64() == Some(c.record))
            .unwrap_or_else(|| panic!("record {} is missing after restore", c.record));
        assert_eq!(record["status"], "confirmed", "{record}");
        let files: Value = city
            .get(format!("{base}/api/funds/{}/evidence", c.record))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let files = files.as_array().unwrap();
        assert_eq!(files.len(), 1, "{files:?}");
        let bytes = city
            .get(format!("{base}/api/attachments/{}", files[0]["id"]))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(
            bytes.as_ref() == c.evidence.as_slice(),
            "evidence of {}",
            c.record
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();

    // A backup whose files were changed is refused before anything is written.
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(backup_dir.join("manifest.json")).unwrap())
            .unwrap();
    assert!(
        manifest["counts"]["fund_arrivals.confirmed"]
            .as_i64()
            .unwrap()
            >= before.len() as i64
    );
    let first = manifest["files"][0]["path"].as_str().unwrap();
    std::fs::write(backup_dir.join("files").join(first), b"tampered").unwrap();
    let fresh_db = fresh_database(&root, "fresh").await;
    let (ok, out) = run(luodi(&fresh_db, &root.join("fresh/files"))
        .arg("restore")
        .arg(&backup_dir));
    assert!(!ok && out.contains("校验值不符"), "{out}");
    assert!(is_untouched(&fresh_db).await, "{fresh_db}");

    let _ = std::fs::remove_dir_all(&root);
}
