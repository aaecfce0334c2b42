use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

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
    let entries = admin.items("/api/audit?entity=unit").await;
    let entry = &entries[0];
    assert_eq!(entry["action"], "create");
    assert_eq!(entry["action_label"], "新增");
    assert_eq!(entry["entity_label_zh"], "单位");
    assert_eq!(entry["actor_name"], "admin");
    assert_eq!(entry["region_code"], "430121");
    assert_eq!(entry["after"]["name"], "长沙县招商合作局");
    assert!(entry["before"].is_null());
    assert!(entry["request_id"].as_str().is_some_and(|s| !s.is_empty()));

    let logins = admin.items("/api/audit?action=login&actor=admin").await;
    assert!(!logins.is_empty());
    let today = &entry["at"].as_str().unwrap()[..10];
    assert!(!admin
        .items(&format!("/api/audit?from={today}&to={today}"))
        .await
        .is_empty());
    assert!(admin.items("/api/audit?to=2000-01-01").await.is_empty());
    let (status, body) = admin.get("/api/audit?from=2026-13-45").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["from"].is_array());
}

#[tokio::test]
async fn the_trail_cannot_be_changed_through_the_api_or_the_database() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let id = admin.items("/api/audit").await[0]["id"].clone();
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
    ] {
        let res = admin
            .client
            .request(method.clone(), admin.url(&format!("/api/audit/{id}")))
            .json(&json!({ "summary": "篡改" }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{method}");
    }
    let res = admin
        .client
        .delete(admin.url("/api/audit"))
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
