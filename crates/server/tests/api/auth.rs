use crate::helpers::*;
use luodi_store::AuthSettings;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn health_reports_the_backend() {
    let app = spawn_app().await;
    let (status, body) = json_of(client().get(app.url("/api/health")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let expected = if app.database_url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
    assert!(body["version"].as_str().is_some());
}

#[tokio::test]
async fn login_sets_an_http_only_cookie_and_me_describes_the_user() {
    let app = spawn_app().await;
    let (client, res) = app.try_login("nx_bureau", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        cookie.starts_with("luodi_session=") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let (_, body) = json_of(res).await;
    assert_eq!(body["user"]["region"]["name"], "南县");
    let (status, me) = json_of(client.get(app.url("/api/auth/me")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "nx_bureau");
    assert_eq!(me["role"], "bureau");
    assert_eq!(me["must_change_password"], false);
    assert!(me["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("manage_units")));
    assert!(!me["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("read_audit")));

    // The token also works as a bearer token, for scripts.
    let token = body["token"].as_str().unwrap();
    let res = reqwest::Client::new()
        .get(app.url("/api/auth/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_chinese_answer() {
    let app = spawn_app().await;
    let (_, res) = app.try_login("nx_bureau", "Wrong@2026").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (_, body) = json_of(res).await;
    assert_error(&body, "invalid_credentials");
    let (_, res) = app.try_login("nobody\u{7}", "Wrong@2026").await;
    let (_, other) = json_of(res).await;
    assert_eq!(body, other);

    // Guessing at usernames is audited too (no region: read by nationwide administrators).
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    let (name, summary): (String, String) = sqlx::query_as(
        "SELECT actor_name, summary FROM audit_log WHERE action = 'login_failed' AND actor_id IS NULL",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(name, "nobody", "control characters are dropped");
    assert!(summary.contains("不存在的账号"), "{summary}");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_until_an_admin_unlocks_it() {
    let app = spawn_app().await;
    for _ in 0..4 {
        let (_, res) = app.try_login("yj_unit", "Wrong@2026").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let (_, res) = app.try_login("yj_unit", "Wrong@2026").await;
    assert_eq!(res.status(), StatusCode::LOCKED);
    // Even the right password is refused while locked.
    let (_, res) = app.try_login("yj_unit", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::LOCKED);
    let (_, body) = json_of(res).await;
    assert_error(&body, "account_locked");

    let admin = app.login("admin").await;
    let users = admin.items("/api/users?q=yj_unit").await;
    let user = users.iter().find(|u| u["username"] == "yj_unit").unwrap();
    assert_eq!(user["locked"], true);
    let (status, _) = admin
        .post(&format!("/api/users/{}/unlock", user["id"]), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    app.login("yj_unit").await;

    // The lock and the unlock are read by the auditor: administrators do not read the trail.
    let auditor = app.login("hn_auditor").await;
    let entries = auditor.items("/api/audit?action=locked").await;
    assert!(entries
        .iter()
        .any(|e| e["summary"].as_str().unwrap().contains("yj_unit")));
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let user = app.login("nx_unit").await;
    let res = user
        .client
        .post(user.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (status, body) = user.get("/api/auth/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "unauthenticated");
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = spawn_app_with(AuthSettings {
        session_idle_minutes: 0,
        ..AuthSettings::default()
    })
    .await;
    let user = app.login("nx_unit").await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (status, _) = user.get("/api/auth/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn seeded_accounts_must_change_their_password_outside_demo_mode() {
    let app = spawn_app_with(AuthSettings {
        demo_mode: Some(false),
        ..AuthSettings::default()
    })
    .await;
    let admin = app.login("admin").await;
    let (_, me) = admin.get("/api/auth/me").await;
    assert_eq!(me["must_change_password"], true);
    let (status, body) = admin.get("/api/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "password_change_required");

    let (status, body) = admin
        .post(
            "/api/auth/password",
            json!({ "old_password": PASSWORD, "new_password": "short" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["new_password"][0]
        .as_str()
        .unwrap()
        .contains("至少需要8个字符"));

    let (status, body) = admin
        .post(
            "/api/auth/password",
            json!({ "old_password": "Nope@2026", "new_password": "Hunan#2027x" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"]["old_password"][0], "原密码不正确");

    let (status, _) = admin
        .post(
            "/api/auth/password",
            json!({ "old_password": PASSWORD, "new_password": "Hunan#2027x" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = admin.get("/api/users").await;
    assert_eq!(status, StatusCode::OK);
    let (_, res) = app.try_login("admin", "Hunan#2027x").await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn demo_accounts_keep_their_password_in_demo_mode() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let (_, me) = admin.get("/api/auth/me").await;
    assert_eq!(me["must_change_password"], false);
}

/// A burst of sign-ins cannot exhaust memory: at most one password hash per core runs at a
/// time, a bounded number wait, and the rest are told at once to come back (503 `busy` with
/// a Retry-After), never a server error; afterwards sign-in works as before.
#[tokio::test]
async fn a_burst_of_sign_ins_waits_in_a_bounded_queue_or_is_told_to_retry() {
    let app = spawn_app_with(AuthSettings {
        max_waiting_hashes: 4,
        ..AuthSettings::default()
    })
    .await;
    let client = client();
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..60 {
        let client = client.clone();
        let url = app.url("/api/auth/login");
        attempts.spawn(async move {
            let res = client
                .post(url)
                .json(&serde_json::json!({ "username": format!("nobody{i}"), "password": "x" }))
                .send()
                .await
                .unwrap();
            let retry = res
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            let (status, body) = json_of(res).await;
            (status, body, retry)
        });
    }
    let answers = attempts.join_all().await;
    let busy: Vec<_> = answers
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    for (status, body, _) in &answers {
        assert!(
            *status == StatusCode::UNAUTHORIZED || *status == StatusCode::SERVICE_UNAVAILABLE,
            "{status} {body}"
        );
    }
    assert!(
        !busy.is_empty(),
        "60 at once with 4 allowed to wait: some are turned away"
    );
    let (_, body, retry) = busy[0];
    assert_error(body, "busy");
    assert_eq!(retry.as_deref(), Some("2"));
    assert!(
        answers.len() - busy.len() >= 4,
        "those that could wait were answered"
    );
    app.login("nx_bureau").await;
}
