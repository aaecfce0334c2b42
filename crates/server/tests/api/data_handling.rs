//! Data handling (issue 13): no API answer is kept in a cache, withdrawn evidence leaves the
//! disk, phone numbers are shown in full only to those who maintain them, and the inputs the
//! API fuzzer found to break the server are answered in the error shape.

use crate::helpers::*;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const WAN: i64 = 10_000 * 100;

fn cache_control(res: &reqwest::Response) -> String {
    res.headers()
        .get(header::CACHE_CONTROL)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// A project signed in 南县 by the county bureau.
async fn signed_project(nx: &User, name: &str) -> i64 {
    let (status, detail) = nx
        .post(
            "/api/projects",
            json!({
                "name": name, "investor_name": "浙江某实业有限公司",
                "origin": "out_of_province", "contract_fen": 20_000 * WAN,
                "signed_on": "2026-01-10", "region_code": "430921", "stage": "signed", "investor_credit_code": credit_code()
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    detail["project"]["id"].as_i64().unwrap()
}

async fn enter(nx: &User, project: i64, period: &str) -> Value {
    let (status, record) = nx
        .post(
            &format!("/api/projects/{project}/funds"),
            json!({ "period": period, "amount": 100 * WAN, "currency": "CNY", "kind": "fixed_asset" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{record}");
    record
}

async fn attach(nx: &User, record: &Value, bytes: &[u8], name: &str) -> Value {
    let (status, attachment) = nx
        .upload_file(
            &format!("/api/funds/{}/evidence", record["id"]),
            bytes.to_vec(),
            name,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attachment}");
    attachment
}

/// Where the object store keeps a file of this SHA-256.
fn stored(files: &Path, sha256: &str) -> PathBuf {
    files.join("sha256").join(&sha256[..2]).join(sha256)
}

#[tokio::test]
async fn api_answers_and_downloads_are_not_stored_but_hashed_assets_keep_their_caching() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let project = signed_project(&nx, "南县缓存测试项目").await;
    let record = enter(&nx, project, "2026-02").await;
    let attachment = attach(&nx, &record, b"%PDF-1.4 cache receipt", "回单.pdf").await;
    for path in [
        "/api/auth/me".to_owned(),
        "/api/units?page_size=5".to_owned(),
        format!("/api/projects/{project}/funds"),
        format!("/api/attachments/{}", attachment["id"]),
        "/api/units/export".to_owned(),
        "/api/units/999999".to_owned(),
        "/api/nothing-here".to_owned(),
    ] {
        let res = nx.get_raw(&path).await;
        assert!(res.status() != StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert_eq!(cache_control(&res), "no-store", "{path}");
    }
    for path in ["/api/health", "/api/openapi.json"] {
        let res = client().get(app.url(path)).send().await.unwrap();
        assert_eq!(cache_control(&res), "no-store", "{path}");
    }
    // Signed out too: the 401 is not kept either.
    let res = client().get(app.url("/api/auth/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(cache_control(&res), "no-store");

    // The front end keeps its own caching: the page is revalidated, hashed files kept a year.
    let res = client().get(app.url("/")).send().await.unwrap();
    assert_ne!(cache_control(&res), "no-store");
    let index = res.text().await.unwrap();
    if let Some(script) = index
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .filter(|s| s.starts_with("/assets/"))
    {
        let res = client().get(app.url(script)).send().await.unwrap();
        assert_eq!(
            cache_control(&res),
            "public, max-age=31536000, immutable",
            "{script}"
        );
    }
}

#[tokio::test]
async fn a_withdrawn_records_evidence_leaves_the_disk_unless_another_record_names_it() {
    let files = std::env::temp_dir().join(format!("luodi-erase-{}", uuid::Uuid::new_v4().simple()));
    let (app, _store) = spawn_app_storing_in(
        luodi_store::AuthSettings::default(),
        luodi_server::ServerSettings::default(),
        files.clone(),
    )
    .await;
    let nx = app.login("nx_bureau").await;
    let project = signed_project(&nx, "南县佐证清理测试项目").await;

    // A pending record with a receipt of its own, withdrawn: the file goes with it.
    let own = b"%PDF-1.4 receipt only the withdrawn record names".to_vec();
    let pending = enter(&nx, project, "2026-02").await;
    let a = attach(&nx, &pending, &own, "回单甲.pdf").await;
    let sha_own = a["sha256"].as_str().unwrap().to_owned();
    assert!(stored(&files, &sha_own).is_file(), "stored on upload");

    // A confirmed record and a pending one name the same scan (content-addressed, one file).
    let shared = b"%PDF-1.4 receipt a confirmed record names".to_vec();
    let confirmed = enter(&nx, project, "2026-03").await;
    let kept = attach(&nx, &confirmed, &shared, "回单乙.pdf").await;
    let yy = app.login("yy_bureau").await;
    let (status, body) = yy
        .post(
            &format!("/api/funds/{}/review", confirmed["id"]),
            json!({ "decision": "confirm", "version": confirmed["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let again = enter(&nx, project, "2026-04").await;
    attach(&nx, &again, &shared, "回单乙（重复上传）.pdf").await;
    let sha_shared = kept["sha256"].as_str().unwrap().to_owned();

    let withdraw = |record: &Value| {
        format!(
            "/api/funds/{}?version={}",
            record["id"],
            record["version"].as_i64().unwrap()
        )
    };
    let (status, body) = nx.delete(&withdraw(&pending)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(
        !stored(&files, &sha_own).exists(),
        "the withdrawn record's file is removed from the disk"
    );
    let res = nx.get_raw(&format!("/api/attachments/{}", a["id"])).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let (status, body) = nx.delete(&withdraw(&again)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(
        stored(&files, &sha_shared).is_file(),
        "a file the confirmed record still names stays"
    );
    let res = yy
        .get_raw(&format!("/api/attachments/{}", kept["id"]))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), shared);

    // A confirmed record cannot be withdrawn, and keeps its file.
    let (status, _) = nx.delete(&withdraw(&confirmed)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(stored(&files, &sha_shared).is_file());

    // The same receipt uploaded again after its removal is stored again.
    let later = enter(&nx, project, "2026-05").await;
    let b = attach(&nx, &later, &own, "回单甲.pdf").await;
    assert!(stored(&files, &sha_own).is_file());
    let res = nx.get_raw(&format!("/api/attachments/{}", b["id"])).await;
    assert_eq!(res.bytes().await.unwrap().to_vec(), own);

    // The trail keeps the hash: on the withdrawal, and on the removal of the file.
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    let entries: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT action, summary, before_json FROM audit_log \
         WHERE entity = 'fund_arrival' AND entity_id = $1 ORDER BY id",
    )
    .bind(pending["id"].as_i64().unwrap().to_string())
    .fetch_all(&mut db)
    .await
    .unwrap();
    let withdrawn = entries.iter().find(|e| e.0 == "withdraw").unwrap();
    assert!(
        withdrawn
            .2
            .as_deref()
            .unwrap_or_default()
            .contains(&sha_own),
        "{withdrawn:?}"
    );
    let erased = entries.iter().find(|e| e.0 == "delete").unwrap();
    assert!(erased.1.contains(&sha_own), "{erased:?}");
    let removals: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'fund_arrival' AND action = 'delete' \
         AND summary LIKE $1",
    )
    .bind(format!("%{sha_shared}%"))
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!(removals, 0, "the shared file was never removed");
    let _ = std::fs::remove_dir_all(&files);
}

#[tokio::test]
async fn phone_numbers_are_shown_in_full_only_to_those_who_maintain_the_directory() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, unit) = nx
        .post(
            "/api/units",
            json!({
                "name": "南县电话测试专班", "category": "investment", "subcategory": "coordinating",
                "region_code": "430921",
                "contact_person": "李明", "contact_phone": "13812345678"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{unit}");
    assert_eq!(unit["contact_phone"], "13812345678");
    let id = unit["id"].as_i64().unwrap();
    let find = |items: Vec<Value>| {
        items
            .into_iter()
            .find(|u| u["id"].as_i64() == Some(id))
            .expect("the unit is listed")
    };
    let listed = find(nx.items("/api/units?region=430921").await);
    assert_eq!(
        listed["contact_phone"], "13812345678",
        "the bureau maintains it"
    );
    let rows = xlsx_rows(&nx, "/api/units/export?region=430921").await;
    assert!(rows.iter().flatten().any(|c| c == "13812345678"));

    // Readers who do not maintain the directory see the number masked, in the list, the
    // record and the export alike; the contact person stays (it is what the directory is for).
    for reader in ["nx_leader", "nx_unit"] {
        let user = app.login(reader).await;
        let listed = find(user.items("/api/units?region=430921").await);
        assert_eq!(listed["contact_phone"], "138****5678", "{reader}");
        assert_eq!(listed["contact_person"], "李明");
        let (status, one) = user.get(&format!("/api/units/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(one["contact_phone"], "138****5678", "{reader}");
        let rows = xlsx_rows(&user, "/api/units/export?region=430921").await;
        let cells: Vec<&String> = rows.iter().flatten().collect();
        assert!(cells.iter().any(|c| *c == "138****5678"), "{reader}");
        assert!(!cells.iter().any(|c| c.contains("13812345678")), "{reader}");
    }
}

/// The same minimisation for accounts: the administrator who keeps the accounts sees a
/// phone in full, as does its owner; a bureau or an auditor reading the user list sees it
/// masked.
#[tokio::test]
async fn account_phones_are_shown_in_full_only_to_administrators_and_the_owner() {
    let app = spawn_app().await;
    let admin = app.login("nx_admin").await;
    let (status, user) = admin
        .post(
            "/api/users",
            json!({ "username": "nx_phone", "display_name": "张电话", "role": "leader",
                    "region_code": "430921", "phone": "13912345678",
                    "password": "Start#2026" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let id = user["id"].as_i64().unwrap();
    let (_, one) = admin.get(&format!("/api/users/{id}")).await;
    assert_eq!(one["phone"], "13912345678");
    for reader in ["nx_bureau", "nx_auditor"] {
        let user = app.login(reader).await;
        let listed = user.items("/api/users?q=nx_phone").await;
        assert_eq!(listed.len(), 1, "{reader}");
        assert_eq!(listed[0]["phone"], "139****5678", "{reader}");
        let (status, one) = user.get(&format!("/api/users/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{reader}");
        assert_eq!(one["phone"], "139****5678", "{reader}");
    }
}
