//! Issue 13's authentication items: two-factor secrets encrypted at rest, password expiry,
//! the separation of administrator and auditor duties (三权分立), and who reads the sign-in
//! attempts that name no account.

use crate::helpers::{
    assert_error, json_of, spawn_app, spawn_app_with, spawn_app_with_store, TestApp, PASSWORD,
};
use luodi_server::ServerSettings;
use luodi_store::{AuthSettings, Store};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn raw(app: &TestApp) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap()
}

/// The code an authenticator app holding `secret` shows at the store's time.
fn code_now(store: &Store, secret: &str) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        0,
        30,
        bytes,
        None,
        String::new(),
    );
    totp.generate(store.clock().now().unix_timestamp() as u64)
}

/// Signs `username` in with the password and a code from `secret`; answers the final status.
async fn sign_in_with_code(
    app: &TestApp,
    store: &Store,
    username: &str,
    secret: &str,
) -> StatusCode {
    let (client, res) = app.try_login(username, PASSWORD).await;
    let (status, body) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let challenge = body["two_factor"]["challenge"].as_str().unwrap().to_owned();
    let res = client
        .post(app.url("/api/auth/login/code"))
        .json(&json!({ "challenge": challenge, "code": code_now(store, secret) }))
        .send()
        .await
        .unwrap();
    res.status()
}

async fn stored_secret(app: &TestApp, username: &str) -> String {
    sqlx::query_scalar(
        "SELECT t.secret FROM two_factor t JOIN users u ON u.id = t.user_id WHERE u.username = $1",
    )
    .bind(username)
    .fetch_one(&mut raw(app).await)
    .await
    .unwrap()
}

fn key_settings(file: &std::path::Path) -> AuthSettings {
    AuthSettings {
        secret_key_file: Some(file.to_owned()),
        ..AuthSettings::default()
    }
}

#[tokio::test]
async fn two_factor_secrets_are_stored_encrypted_with_the_key_file_and_still_sign_in() {
    let dir = std::env::temp_dir().join(format!("luodi-key-{}", uuid::Uuid::new_v4().simple()));
    let key_file = dir.join("luodi-secret.key");
    let (app, store) =
        spawn_app_with_store(key_settings(&key_file), ServerSettings::default()).await;
    // Created on first start, for the owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }

    let mut secrets = Vec::new();
    for username in ["nx_bureau", "yy_bureau"] {
        let user = app.login(username).await;
        let (status, started) = user.post("/api/auth/two-factor/start", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{started}");
        let secret = started["secret"].as_str().unwrap().to_owned();
        let (status, body) = user
            .post(
                "/api/auth/two-factor/confirm",
                json!({ "code": code_now(&store, &secret) }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        secrets.push(secret);
    }
    // The column holds neither the secret nor anything an authenticator app takes.
    let stored = stored_secret(&app, "nx_bureau").await;
    assert!(stored.starts_with("v1:"), "{stored}");
    assert!(!stored.contains(&secrets[0]), "{stored}");
    assert!(totp_rs::Secret::Encoded(stored.clone()).to_bytes().is_err());
    // Sealed to its account: copied onto another account's row, it does not open.
    let mut conn = raw(&app).await;
    sqlx::query(
        "UPDATE two_factor SET secret = $1 WHERE user_id = \
         (SELECT id FROM users WHERE username = 'yy_bureau')",
    )
    .bind(&stored)
    .execute(&mut conn)
    .await
    .unwrap();
    store
        .clock()
        .set(store.clock().now() + time::Duration::seconds(30));
    assert_ne!(
        sign_in_with_code(&app, &store, "yy_bureau", &secrets[0]).await,
        StatusCode::OK
    );
    // The account's own sealed secret signs in.
    assert_eq!(
        sign_in_with_code(&app, &store, "nx_bureau", &secrets[0]).await,
        StatusCode::OK
    );

    // A secret stored in clear before this release still signs in, and is sealed on use.
    sqlx::query(
        "UPDATE two_factor SET secret = $1 WHERE user_id = \
         (SELECT id FROM users WHERE username = 'yy_bureau')",
    )
    .bind(&secrets[1])
    .execute(&mut conn)
    .await
    .unwrap();
    store
        .clock()
        .set(store.clock().now() + time::Duration::seconds(30));
    assert_eq!(
        sign_in_with_code(&app, &store, "yy_bureau", &secrets[1]).await,
        StatusCode::OK
    );
    let resealed = stored_secret(&app, "yy_bureau").await;
    assert!(resealed.starts_with("v1:") && !resealed.contains(&secrets[1]));

    // …and at the next start, whether used or not.
    sqlx::query(
        "UPDATE two_factor SET secret = $1 WHERE user_id = \
         (SELECT id FROM users WHERE username = 'yy_bureau')",
    )
    .bind(&secrets[1])
    .execute(&mut conn)
    .await
    .unwrap();
    Store::open(&app.database_url, key_settings(&key_file))
        .await
        .expect("reopened with its key file");
    assert!(stored_secret(&app, "yy_bureau").await.starts_with("v1:"));

    // Another key file does not open these secrets: the store refuses to start on it.
    let wrong = dir.join("other.key");
    let refused = Store::open(&app.database_url, key_settings(&wrong)).await;
    let message = refused.err().expect("another key is refused").to_string();
    assert!(message.contains("密钥文件"), "{message}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_password_older_than_the_limit_must_be_changed_before_anything_else() {
    let app = spawn_app().await;
    // A fresh demo: no account's password has expired.
    let fresh = app.login("hn_bureau").await;
    let (_, me) = fresh.get("/api/auth/me").await;
    assert_eq!(me["password_expired"], false);
    assert_eq!(me["must_change_password"], false);

    sqlx::query(
        "UPDATE users SET password_changed_at = '2025-01-01T00:00:00.000Z' \
         WHERE username IN ('nx_bureau', 'yy_bureau')",
    )
    .execute(&mut raw(&app).await)
    .await
    .unwrap();
    let (client, res) = app.try_login("nx_bureau", PASSWORD).await;
    let (status, body) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["password_expired"], true);
    assert_eq!(body["user"]["must_change_password"], true);
    // Every other call is refused with its own code and a Chinese message naming the rule.
    for path in ["/api/projects", "/api/users", "/api/tasks/mine"] {
        let res = client.get(app.url(path)).send().await.unwrap();
        let (status, body) = json_of(res).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_error(&body, "password_expired");
        assert!(
            body["message"].as_str().unwrap().contains("超过90天"),
            "{body}"
        );
    }
    let res = client
        .post(app.url("/api/auth/password"))
        .json(&json!({ "old_password": PASSWORD, "new_password": "Nanxian#2027" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = client.get(app.url("/api/projects")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, me) = json_of(client.get(app.url("/api/auth/me")).send().await.unwrap()).await;
    assert_eq!(me["password_expired"], false);

    // Without a maximum age (0), no password expires.
    let app = spawn_app_with(AuthSettings {
        password_max_age_days: 0,
        ..AuthSettings::default()
    })
    .await;
    sqlx::query(
        "UPDATE users SET password_changed_at = '2020-01-01T00:00:00.000Z' \
         WHERE username = 'nx_bureau'",
    )
    .execute(&mut raw(&app).await)
    .await
    .unwrap();
    let nx = app.login("nx_bureau").await;
    let (status, _) = nx.get("/api/projects").await;
    assert_eq!(status, StatusCode::OK);
}

fn permissions(me: &Value) -> Vec<&str> {
    me["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn administrators_manage_accounts_and_only_auditors_read_the_trail() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let auditor = app.login("hn_auditor").await;
    let (_, me) = admin.get("/api/auth/me").await;
    assert!(permissions(&me).contains(&"manage_users"));
    assert!(!permissions(&me).contains(&"read_audit"));
    let (_, me) = auditor.get("/api/auth/me").await;
    assert_eq!(me["role_label"], "安全审计员");
    assert_eq!(permissions(&me), ["read_audit", "read_users", "read_units"]);

    // The administrator creates accounts, an auditor's among them, and reads no trail.
    let (status, created) = admin
        .post(
            "/api/users",
            json!({ "username": "yy_auditor", "display_name": "益阳市安全审计员",
                    "role": "auditor", "region_code": "430900", "password": "Yiyang#2026a" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, body) = admin.get("/api/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "forbidden");

    // The auditor reads what the administrator did, and administers nothing.
    let entries = auditor.items("/api/audit?entity=user&action=create").await;
    assert!(
        entries
            .iter()
            .any(|e| e["actor_name"] == "admin"
                && e["summary"].as_str().unwrap().contains("yy_auditor")),
        "{entries:?}"
    );
    let denied = auditor.items("/api/audit?action=denied&actor=admin").await;
    assert!(
        !denied.is_empty(),
        "the administrator's refused read is recorded"
    );
    let id = created["id"].as_i64().unwrap();
    let refused = [
        auditor
            .post(
                "/api/users",
                json!({ "username": "nx_x", "display_name": "某", "role": "auditor",
                        "region_code": "430921", "password": "Nanxian#2026a" }),
            )
            .await,
        auditor
            .post(
                &format!("/api/users/{id}/password"),
                json!({ "password": "Yiyang#2026b" }),
            )
            .await,
        auditor
            .post(&format!("/api/users/{id}/unlock"), json!({}))
            .await,
        auditor
            .put("/api/settings/two-factor", json!({ "roles": [] }))
            .await,
    ];
    for (status, body) in refused {
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    // Reading the accounts is part of the auditor's work.
    let users = auditor.items("/api/users?q=yy_auditor").await;
    assert_eq!(users.len(), 1);
}

#[tokio::test]
async fn sign_ins_naming_no_account_are_read_by_provincial_and_national_auditors() {
    let app = spawn_app().await;
    let (_, res) = app.try_login("zhang_guess", "Wrong#2026x").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // A national account's failure has no region either, but it names an account: national.
    let (_, res) = app.try_login("cn_admin", "Wrong#2026x").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let failures = |entries: Vec<Value>| -> Vec<String> {
        entries
            .iter()
            .map(|e| e["summary"].as_str().unwrap().to_owned())
            .collect()
    };
    for reader in ["hn_auditor", "cn_auditor"] {
        let seen = failures(
            app.login(reader)
                .await
                .items("/api/audit?action=login_failed")
                .await,
        );
        assert!(
            seen.iter().any(|s| s.contains("不存在的账号 zhang_guess")),
            "{reader}: {seen:?}"
        );
    }
    let hn = failures(
        app.login("hn_auditor")
            .await
            .items("/api/audit?action=login_failed")
            .await,
    );
    assert!(!hn.iter().any(|s| s.contains("cn_admin")), "{hn:?}");
    let cn = failures(
        app.login("cn_auditor")
            .await
            .items("/api/audit?action=login_failed")
            .await,
    );
    assert!(cn.iter().any(|s| s.contains("cn_admin")), "{cn:?}");
    // A county's auditor reads its own county only.
    let nx = failures(
        app.login("nx_auditor")
            .await
            .items("/api/audit?action=login_failed")
            .await,
    );
    assert!(nx.is_empty(), "{nx:?}");
}
