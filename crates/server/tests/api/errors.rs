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

/// Every answer carries the security headers, with a policy the embedded pages satisfy (the
/// browser tests run under it).
#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/api/health", "/api/nothing-here", "/projects"] {
        let res = client().get(app.url(path)).send().await.unwrap();
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
    }
}

/// Behind a reverse proxy that terminates TLS, an https `public_url` is enough: the session
/// cookie is `Secure` and every answer carries HSTS.
#[tokio::test]
async fn an_https_public_url_makes_the_cookie_secure_and_sends_hsts() {
    let app = spawn_app_configured(
        luodi_store::AuthSettings::default(),
        luodi_server::ServerSettings {
            public_url: Some("https://zs.example.gov.cn".into()),
            ..Default::default()
        },
    )
    .await;
    let res = client().get(app.url("/api/health")).send().await.unwrap();
    assert!(res.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    let (_, res) = app.try_login("nx_bureau", "Luodi@2026").await;
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
}

/// A page on another site cannot make a signed-in browser import a sheet or change data with
/// its cookie; the same request from the product's own pages, or by a script with a bearer
/// token, goes through.
#[tokio::test]
async fn a_cross_origin_change_with_the_session_cookie_is_refused() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let host = app.base.trim_start_matches("http://").to_owned();
    let sheet = workbook(&[
        &["活动名称", "级别", "举办日期", "主办单位", "组织地区"],
        &[
            "2026年跨站测试活动",
            "县级",
            "2026-03-01",
            "南县人民政府",
            "南县",
        ],
    ]);
    let post = |origin: String| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(sheet.clone()).file_name("x.xlsx"),
        );
        nx.client
            .post(nx.url("/api/events/import/commit"))
            .header("origin", origin)
            .multipart(form)
    };
    let (status, body) = json_of(post("https://evil.example".into()).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_error(&body, "cross_origin");
    let res = nx
        .client
        .post(nx.url("/api/auth/logout"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a cross-site sign-out is refused too"
    );
    assert!(
        nx.items("/api/events?q=跨站测试").await.is_empty(),
        "nothing written"
    );

    let (status, body) = json_of(post(format!("http://{host}")).send().await.unwrap()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "from the product's own origin: {body}"
    );

    // A script with a bearer token is not a browser riding on a cookie.
    let (_, login) = app.try_login("yy_bureau", PASSWORD).await;
    let token = json_of(login).await.1["token"].as_str().unwrap().to_owned();
    let res = reqwest::Client::new()
        .post(app.url("/api/auth/logout"))
        .header("origin", "https://elsewhere.example")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
}

#[tokio::test]
async fn years_beyond_the_tables_are_refused_and_integral_numbers_taken_as_integers() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    // The year after i32::MAX overflowed (a panic in a debug build): refused before.
    for path in [
        "/api/holidays?year=2147483647",
        "/api/events?year=2147483647",
        "/api/events/export?year=-2147483648",
    ] {
        let (status, body) = admin.get(path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_error(&body, "validation_failed");
        assert!(body["errors"]["year"].is_array(), "{path}: {body}");
    }
    let (status, _) = admin.get("/api/holidays?year=2026").await;
    assert_eq!(status, StatusCode::OK);

    // JSON Schema counts 2026.0 as an integer, as the OpenAPI document's `integer` says.
    let (status, body) = admin
        .put("/api/holidays", json!({"year": 2026.0, "text": ""}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = admin
        .put("/api/holidays", json!({"year": 2026.5, "text": ""}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["year"].is_array(), "{body}");
}

#[tokio::test]
async fn every_operation_documents_the_shared_error_answers() {
    let app = spawn_app().await;
    let (_, doc) = json_of(
        client()
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let public = path == "/api/health" || path.starts_with("/api/auth/login");
            if !public {
                for status in ["401", "403"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: no {status}"
                    );
                }
            }
            if path.contains('{') {
                for status in ["400", "404"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: no {status}"
                    );
                }
            }
            if op["requestBody"]["content"]["application/json"].is_object() {
                for status in ["400", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path}: no {status}"
                    );
                }
            }
        }
    }
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(tags.contains(&"ledger") && tags.contains(&"events"));
}
