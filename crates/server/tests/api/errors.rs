use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn malformed_json_wrong_types_and_missing_fields_answer_in_the_error_shape() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;

    let res = admin
        .client
        .post(admin.url("/api/units"))
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(res).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "malformed_json");

    let (status, body) = admin
        .post(
            "/api/units",
            json!({ "name": 5, "category": "landing", "region_code": "430921" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "validation_failed");
    assert!(body["message"].as_str().unwrap().contains("name"), "{body}");

    let (status, body) = admin.post("/api/units", json!({ "name": "某单位" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["message"].as_str().unwrap().contains("缺少必填字段"),
        "{body}"
    );

    let (status, body) = admin
        .put(
            "/api/users/1",
            json!({ "display_name": "x", "role": "admin", "active": "yes", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["message"].as_str().unwrap().contains("active"),
        "{body}"
    );
}

#[tokio::test]
async fn bad_field_values_name_every_field_at_fault() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let (status, body) = admin
        .post(
            "/api/users",
            json!({ "username": "A b", "display_name": "", "role": "boss",
                    "region_code": "12345", "password": "123" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "validation_failed");
    for field in [
        "username",
        "display_name",
        "role",
        "region_code",
        "password",
    ] {
        assert!(
            body["errors"][field].is_array(),
            "{field} missing in {body}"
        );
    }
    let (_, users) = admin.get("/api/users?q=A%20b").await;
    assert_eq!(users["total"], 0);
}

#[tokio::test]
async fn unknown_routes_and_bad_paths_answer_in_json() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let (status, body) = admin.get("/api/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "route_not_found");
    let (status, body) = admin.get("/api/users/abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_path");
    let (status, body) = admin.get("/api/users?page=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_query");
    let (status, body) = json_of(client().get(app.url("/api/users")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "unauthenticated");
}

#[tokio::test]
async fn openapi_document_lists_every_endpoint_and_docs_are_served() {
    let app = spawn_app().await;
    let (status, doc) = json_of(
        client()
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/health",
        "/api/auth/login",
        "/api/auth/logout",
        "/api/auth/me",
        "/api/auth/password",
        "/api/regions",
        "/api/regions/scope",
        "/api/regions/{code}",
        "/api/roles",
        "/api/users",
        "/api/users/{id}",
        "/api/users/{id}/password",
        "/api/users/{id}/unlock",
        "/api/units",
        "/api/units/{id}",
        "/api/units/export",
        "/api/units/import/template",
        "/api/units/import/preview",
        "/api/units/import/commit",
        "/api/audit",
        "/api/dashboard",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    let res = client().get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn committed_openapi_document_matches_the_server() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/openapi.json"
    ))
    .expect("docs/openapi.json is committed");
    let current = luodi_server::openapi().to_pretty_json().unwrap();
    assert!(
        committed.trim() == current.trim(),
        "docs/openapi.json is stale: run `cargo run -p luodi -- openapi > docs/openapi.json` and `npm --prefix web run gen:api`"
    );
}

#[tokio::test]
async fn client_side_routes_get_the_single_page() {
    let app = spawn_app().await;
    let res = client().get(app.url("/units")).send().await.unwrap();
    let built = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../web/dist/index.html"
    ))
    .exists();
    if built {
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(res.text().await.unwrap().contains("id=\"app\""));
    } else {
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(res.text().await.unwrap().contains("前端尚未构建"));
    }
}
