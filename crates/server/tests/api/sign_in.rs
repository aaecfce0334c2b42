//! Sign-in hardening: an unknown username locks like a real one, failures from one client
//! address are throttled, common passwords are refused.

use crate::helpers::{assert_error, json_of, spawn_app, spawn_app_with, PASSWORD};
use luodi_store::AuthSettings;
use reqwest::StatusCode;
use serde_json::json;

/// Strips the digits (the lock's time) from a message.
fn shape(message: &serde_json::Value) -> String {
    message
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect()
}

#[tokio::test]
async fn an_unknown_username_is_locked_exactly_like_a_real_one() {
    let app = spawn_app().await;
    for attempt in 1..=7 {
        let (_, real) = app.try_login("nx_bureau", "Wrong#2026x").await;
        let (_, invented) = app.try_login("nx_bureau_zz", "Wrong#2026x").await;
        let (real_status, real) = json_of(real).await;
        let (invented_status, invented) = json_of(invented).await;
        assert_eq!(real_status, invented_status, "attempt {attempt}");
        assert_eq!(real["code"], invented["code"], "attempt {attempt}");
        assert_eq!(
            shape(&real["message"]),
            shape(&invented["message"]),
            "attempt {attempt}"
        );
        let expected = if attempt < 5 {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::LOCKED
        };
        assert_eq!(real_status, expected, "attempt {attempt}: {real}");
    }
    // Entries of unknown usernames belong to no region: the national auditor reads them.
    let admin = app.login("cn_auditor").await;
    let locks = admin.items("/api/audit?action=locked").await;
    assert!(
        locks.iter().any(|e| e["summary"]
            .as_str()
            .unwrap()
            .contains("不存在的账号 nx_bureau_zz")),
        "{locks:?}"
    );
    let failures = admin.items("/api/audit?action=login_failed").await;
    assert!(
        failures.iter().any(|e| e["summary"]
            .as_str()
            .unwrap()
            .contains("不存在的账号 nx_bureau_zz 尝试登录（连续第1次）")),
        "{failures:?}"
    );
}

#[tokio::test]
async fn failed_sign_ins_from_one_address_are_turned_away_for_a_while() {
    let app = spawn_app_with(AuthSettings {
        max_failed_per_address: 6,
        ..AuthSettings::default()
    })
    .await;
    // Spread over several names, so that no account lock stops them first.
    for i in 0..6 {
        let (_, res) = app
            .try_login(&format!("guess{}", i % 3), "Wrong#2026x")
            .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    // Now even the right password is refused from this address, with a time to come back.
    let (_, res) = app.try_login("nx_bureau", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = res
        .headers()
        .get("retry-after")
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    let (_, body) = json_of(res).await;
    assert_error(&body, "too_many_requests");
}

#[tokio::test]
async fn common_passwords_are_refused_when_set_or_changed() {
    let app = spawn_app().await;
    let bureau = app.login("nx_bureau").await;
    let (status, body) = bureau
        .post(
            "/api/auth/password",
            json!({ "old_password": PASSWORD, "new_password": "P@ssw0rd" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["new_password"][0]
        .as_str()
        .unwrap()
        .contains("过于常见"));

    let admin = app.login("nx_admin").await;
    let (status, body) = admin
        .post(
            "/api/users",
            json!({ "username": "nx_new1", "display_name": "王晓东", "role": "leader",
                    "region_code": "430921", "password": "Woaini@1314" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["password"][0]
        .as_str()
        .unwrap()
        .contains("过于常见"));
    let (_, me) = bureau.get("/api/auth/me").await;
    let (status, body) = admin
        .post(
            &format!("/api/users/{}/password", me["id"]),
            json!({ "password": "Admin@123" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["password"][0]
        .as_str()
        .unwrap()
        .contains("过于常见"));
}
