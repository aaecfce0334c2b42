use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn every_write_is_audited_and_the_trail_is_filterable() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let (status, _) = admin
        .post(
            "/api/units",
            json!({ "name": "长沙县招商合作局", "category": "landing", "region_code": "430121" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Administrators do not read the trail (三权分立): the auditor does.
    let (status, _) = admin.get("/api/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let auditor = app.login("hn_auditor").await;
    let entries = auditor.items("/api/audit?entity=unit").await;
    let entry = &entries[0];
    assert_eq!(entry["action"], "create");
    assert_eq!(entry["action_label"], "新增");
    assert_eq!(entry["entity_label_zh"], "单位");
    assert_eq!(entry["actor_name"], "admin");
    assert_eq!(entry["region_code"], "430121");
    assert_eq!(entry["after"]["name"], "长沙县招商合作局");
    assert!(entry["before"].is_null());
    assert!(entry["request_id"].as_str().is_some_and(|s| !s.is_empty()));

    let logins = auditor.items("/api/audit?action=login&actor=admin").await;
    assert!(!logins.is_empty());
    let today = &entry["at"].as_str().unwrap()[..10];
    assert!(!auditor
        .items(&format!("/api/audit?from={today}&to={today}"))
        .await
        .is_empty());
    assert!(auditor.items("/api/audit?to=2000-01-01").await.is_empty());
    let (status, body) = auditor.get("/api/audit?from=2026-13-45").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["from"].is_array());
}

#[tokio::test]
async fn the_trail_cannot_be_changed_through_the_api_or_the_database() {
    let app = spawn_app().await;
    let auditor = app.login("hn_auditor").await;
    let id = auditor.items("/api/audit").await[0]["id"].clone();
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let res = auditor
            .client
            .request(method.clone(), auditor.url(&format!("/api/audit/{id}")))
            .json(&json!({ "summary": "篡改" }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{method}");
    }
    let res = auditor
        .client
        .delete(auditor.url("/api/audit"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());

    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    let update = sqlx::query("UPDATE audit_log SET summary = 'tampered'")
        .execute(&mut conn)
        .await;
    assert!(
        update.is_err(),
        "the database refuses to edit the audit trail"
    );
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(&mut conn)
        .await;
    assert!(
        delete.is_err(),
        "the database refuses to delete the audit trail"
    );
}

/// The test's own handle on the app's database, below the API.
async fn store_of(app: &TestApp) -> luodi_store::Store {
    luodi_store::Store::open(&app.database_url, luodi_store::AuthSettings::default())
        .await
        .unwrap()
}

async fn raw(app: &TestApp) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap()
}

fn is_postgres(app: &TestApp) -> bool {
    app.database_url.starts_with("postgres")
}

/// Runs `statements` the way someone with the database's owner rights would: with the
/// append-only triggers out of the way, and back afterwards.
async fn behind_the_applications_back(app: &TestApp, statements: &[String]) {
    let mut conn = raw(app).await;
    let triggers: Vec<(String, String)> = if is_postgres(app) {
        sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
            .execute(&mut conn)
            .await
            .unwrap();
        Vec::new()
    } else {
        let triggers = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for (name, _) in &triggers {
            sqlx::query(&format!("DROP TRIGGER {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
        }
        triggers
    };
    for statement in statements {
        sqlx::query(statement).execute(&mut conn).await.unwrap();
    }
    if is_postgres(app) {
        sqlx::query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    for (_, sql) in triggers {
        sqlx::query(&sql).execute(&mut conn).await.unwrap();
    }
}

async fn audit_ids(app: &TestApp) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM audit_log ORDER BY id")
        .fetch_all(&mut raw(app).await)
        .await
        .unwrap()
}

/// A second server on the same database, as a second instance behind a load balancer.
async fn second_instance(app: &TestApp) -> TestApp {
    let store = store_of(app).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = luodi_server::AppState {
        store,
        settings: std::sync::Arc::new(luodi_server::ServerSettings::default()),
        files: std::sync::Arc::new(luodi_store::LocalDisk::new(
            std::env::temp_dir().join(format!("luodi-second-{}", uuid::Uuid::new_v4().simple())),
        )),
    };
    tokio::spawn(luodi_server::serve(listener, state));
    TestApp {
        base: format!("http://{addr}"),
        database_url: app.database_url.clone(),
    }
}

#[tokio::test]
async fn audit_chain_holds_under_concurrent_writers_on_two_instances() {
    let app = spawn_app().await;
    let other = second_instance(&app).await;
    let (a, b) = (app.login("admin").await, other.login("admin").await);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..24 {
        let (client, url) = if i % 2 == 0 {
            (a.client.clone(), app.url("/api/units"))
        } else {
            (b.client.clone(), other.url("/api/units"))
        };
        tasks.spawn(async move {
            let body = json!({
                "name": format!("并发写入测试单位{i}"), "category": "landing", "region_code": "430121"
            });
            client.post(url).json(&body).send().await.unwrap().status()
        });
    }
    // Failed sign-ins of unknown names are audited outside any transaction of the caller's.
    for i in 0..6 {
        let url = if i % 2 == 0 {
            app.url("/api/auth/login")
        } else {
            other.url("/api/auth/login")
        };
        tasks.spawn(async move {
            let body = json!({ "username": format!("nobody{i}"), "password": "wrong-password" });
            client()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    while let Some(status) = tasks.join_next().await {
        let status = status.unwrap();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::UNAUTHORIZED,
            "{status}"
        );
    }

    let v = store_of(&app).await.verify_audit_chain().await.unwrap();
    assert_eq!(v.broken, None);
    let ids = audit_ids(&app).await;
    assert_eq!(v.checked, ids.len() as u64);
    assert_eq!(v.head_id, *ids.last().unwrap());
    let forks: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT prev_hash FROM audit_log GROUP BY prev_hash \
         HAVING COUNT(*) > 1) t",
    )
    .fetch_one(&mut raw(&app).await)
    .await
    .unwrap();
    assert_eq!(forks, 0, "no two entries share a predecessor");
}

#[tokio::test]
async fn audit_verify_names_the_first_edited_or_deleted_entry() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    for i in 0..5 {
        let (status, _) = admin
            .post(
                "/api/units",
                json!({ "name": format!("链条测试单位{i}"), "category": "landing", "region_code": "430121" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let store = store_of(&app).await;
    let intact = store.verify_audit_chain().await.unwrap();
    assert_eq!(intact.broken, None);
    let ids = audit_ids(&app).await;
    assert_eq!(intact.checked, ids.len() as u64);
    let n = ids.len();

    // A row deleted: the entry after it no longer follows its predecessor.
    let deleted = ids[n - 3];
    behind_the_applications_back(
        &app,
        &[format!("DELETE FROM audit_log WHERE id = {deleted}")],
    )
    .await;
    let v = store.verify_audit_chain().await.unwrap();
    let broken = v.broken.expect("the deletion is found");
    assert_eq!(broken.id, ids[n - 2], "{broken:?}");
    assert!(broken.reason.contains("删除"), "{broken:?}");
    assert!(broken.at.is_some());

    // An earlier row edited: that one is now the first broken entry, with its time.
    let edited = ids[n - 5];
    behind_the_applications_back(
        &app,
        &[format!(
            "UPDATE audit_log SET summary = '篡改后的摘要' WHERE id = {edited}"
        )],
    )
    .await;
    let v = store.verify_audit_chain().await.unwrap();
    let broken = v.broken.expect("the edit is found");
    assert_eq!(broken.id, edited);
    assert!(broken.reason.contains("改动"), "{broken:?}");
    let at: String = sqlx::query_scalar(&format!("SELECT at FROM audit_log WHERE id = {edited}"))
        .fetch_one(&mut raw(&app).await)
        .await
        .unwrap();
    assert_eq!(broken.at.as_deref(), Some(at.as_str()));
    assert_eq!(
        v.checked,
        (n - 5) as u64,
        "every entry before it checks out"
    );

    // Entries cut off the end: the head still names the last one written.
    let app = spawn_app().await;
    app.login("admin").await;
    let ids = audit_ids(&app).await;
    let last = *ids.last().unwrap();
    behind_the_applications_back(&app, &[format!("DELETE FROM audit_log WHERE id = {last}")]).await;
    let broken = store_of(&app)
        .await
        .verify_audit_chain()
        .await
        .unwrap()
        .broken
        .expect("the cut is found");
    assert_eq!(broken.id, last);
}

#[tokio::test]
async fn audit_retention_removes_only_old_entries_and_keeps_the_chain_whole() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let store = store_of(&app).await;
    assert!(
        store.housekeeping().purge_audit(90).await.is_err(),
        "never below 180 days"
    );
    assert_eq!(store.housekeeping().purge_audit(180).await.unwrap(), 0);

    // The demo data's entries, as if written a year ago.
    let ids = audit_ids(&app).await;
    let old = ids[ids.len() / 2];
    behind_the_applications_back(
        &app,
        &[format!(
            "UPDATE audit_log SET at = '2025-01-01T00:00:00.000Z' WHERE id <= {old}"
        )],
    )
    .await;
    let (status, _) = admin
        .post(
            "/api/units",
            json!({ "name": "保留期后写入的单位", "category": "landing", "region_code": "430121" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(store.housekeeping().purge_audit(180).await.unwrap(), {
        ids.iter().filter(|&&id| id <= old).count() as u64
    });
    let v = store.verify_audit_chain().await.unwrap();
    assert_eq!(v.broken, None, "the remaining chain starts at the anchor");
    assert_eq!(v.anchor_id, old);
    // Recorded as an entry of the installation (no region: read below the API).
    let purges: Vec<(String, String)> =
        sqlx::query_as("SELECT actor_name, summary FROM audit_log WHERE action = 'purge'")
            .fetch_all(&mut raw(&app).await)
            .await
            .unwrap();
    assert_eq!(purges.len(), 1);
    assert!(purges[0].1.contains("180 天"), "{purges:?}");
    let kept = app
        .login("hn_auditor")
        .await
        .items("/api/audit?entity=unit")
        .await;
    assert_eq!(kept.len(), 1, "the younger entry stays");

    // Younger entries still cannot be deleted.
    let delete = sqlx::query(&format!("DELETE FROM audit_log WHERE id = {}", old + 1))
        .execute(&mut raw(&app).await)
        .await;
    assert!(delete.is_err());
}

#[tokio::test]
async fn audit_records_exports_with_their_filter_and_row_count() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (_, list) = nx.get("/api/projects?stage=signed&page_size=1").await;
    let total = list["total"].as_u64().unwrap();
    let res = nx.get_raw("/api/projects/export?stage=signed").await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = nx.get_raw("/api/units/export").await;
    assert_eq!(res.status(), StatusCode::OK);
    // A template without rows is not an export.
    let res = nx.get_raw("/api/units/import/template").await;
    assert_eq!(res.status(), StatusCode::OK);

    let auditor = app.login("hn_auditor").await;
    let exports = auditor.items("/api/audit?entity=export").await;
    assert_eq!(exports.len(), 2, "{exports:?}");
    let ledger = exports
        .iter()
        .find(|e| e["after"]["path"] == "/api/projects/export")
        .expect("the ledger export");
    assert_eq!(ledger["actor_name"], "nx_bureau");
    assert_eq!(ledger["action"], "export");
    assert_eq!(ledger["action_label"], "导出");
    assert_eq!(ledger["region_code"], "430921");
    assert_eq!(ledger["after"]["filter"]["stage"], "signed");
    assert_eq!(ledger["after"]["rows"].as_u64(), Some(total));
    assert!(
        ledger["summary"].as_str().unwrap().contains("stage=signed"),
        "{ledger}"
    );
    assert_eq!(ledger["client_addr"], "127.0.0.1");
}

#[tokio::test]
async fn audit_records_permission_denials_of_signed_in_users() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, _) = nx.get("/api/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Not signed in: nobody to record, and 401 rather than a denial.
    let (status, _) = json_of(client().get(app.url("/api/audit")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let auditor = app.login("hn_auditor").await;
    let denials = auditor.items("/api/audit?action=denied").await;
    assert_eq!(denials.len(), 1, "{denials:?}");
    let d = &denials[0];
    assert_eq!(d["actor_name"], "nx_bureau");
    assert_eq!(d["entity"], "request");
    assert_eq!(d["action_label"], "拒绝访问");
    assert_eq!(d["region_code"], "430921");
    assert_eq!(d["after"]["path"], "/api/audit");
    assert!(
        d["summary"]
            .as_str()
            .unwrap()
            .starts_with("GET /api/audit 被拒绝："),
        "{d}"
    );
    assert_eq!(d["client_addr"], "127.0.0.1");
}

#[tokio::test]
async fn audit_records_the_client_address_trusting_only_the_configured_header() {
    // Direct: the socket's peer, whatever a header claims.
    let app = spawn_app().await;
    let res = client()
        .post(app.url("/api/auth/login"))
        .header("X-Forwarded-For", "198.51.100.23")
        .json(&json!({ "username": "admin", "password": "wrong-password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    app.login("admin").await;
    let auditor = app.login("hn_auditor").await;
    let entries = auditor.items("/api/audit?actor=admin").await;
    assert!(entries.len() >= 2);
    assert!(
        entries.iter().all(|e| e["client_addr"] == "127.0.0.1"),
        "{entries:?}"
    );

    // Behind a proxy that names the client in X-Forwarded-For: its last entry.
    let settings = luodi_server::ServerSettings {
        trusted_proxy_header: Some("X-Forwarded-For".into()),
        ..Default::default()
    };
    let app = spawn_app_configured(luodi_store::AuthSettings::default(), settings).await;
    let proxied = client();
    let res = proxied
        .post(app.url("/api/auth/login"))
        .header("X-Forwarded-For", "10.9.8.7, 203.0.113.5")
        .json(&json!({ "username": "admin", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = proxied
        .post(app.url("/api/units"))
        .header("X-Forwarded-For", "203.0.113.5")
        .json(&json!({ "name": "代理后的单位", "category": "landing", "region_code": "430121" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    // Without the header, the socket's peer.
    app.login("admin").await;
    let auditor = app.login("hn_auditor").await;
    let entries = auditor.items("/api/audit?actor=admin").await;
    let logins: Vec<&Value> = entries.iter().filter(|e| e["action"] == "login").collect();
    assert_eq!(logins.len(), 2);
    assert_eq!(logins[0]["client_addr"], "127.0.0.1", "newest first");
    assert_eq!(logins[1]["client_addr"], "203.0.113.5");
    let unit = entries.iter().find(|e| e["entity"] == "unit").unwrap();
    assert_eq!(unit["client_addr"], "203.0.113.5");
}

#[tokio::test]
async fn expired_sessions_are_purged_and_live_ones_kept() {
    let app = spawn_app().await;
    let live = app.login("admin").await;
    app.login("nx_bureau").await;
    app.login("yy_bureau").await;
    let mut conn = raw(&app).await;
    // One past its lifetime, one idle beyond the timeout.
    sqlx::query(
        "UPDATE sessions SET expires_at = '2020-01-01T00:00:00.000Z' WHERE user_id = \
         (SELECT id FROM users WHERE username = 'nx_bureau')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE sessions SET last_seen_at = '2020-01-01T00:00:00.000Z' WHERE user_id = \
         (SELECT id FROM users WHERE username = 'yy_bureau')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let purged = store_of(&app)
        .await
        .housekeeping()
        .purge_sessions()
        .await
        .unwrap();
    assert_eq!(purged, 2);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 1);
    let (status, _) = live.get("/api/auth/me").await;
    assert_eq!(status, StatusCode::OK);
}
