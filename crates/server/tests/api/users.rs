use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_admin_creates_a_user_who_must_then_choose_a_password() {
    let app = spawn_app().await;
    let admin = app.login("nx_admin").await;
    let units = admin.items("/api/units?q=县经济开发区").await;
    let unit_id = units[0]["id"].as_i64().unwrap();
    let (status, user) = admin
        .post(
            "/api/users",
            json!({ "username": "nx_kfq2", "display_name": "王晓东", "role": "unit",
                    "region_code": "430921", "unit_id": unit_id, "phone": "0737-5222222",
                    "password": "Start#2026" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["unit_name"], "县经济开发区");
    assert_eq!(user["region_name"], "南县");
    assert_eq!(user["must_change_password"], true);

    let (status, body) = admin
        .post(
            "/api/users",
            json!({ "username": "nx_kfq2", "display_name": "重名", "role": "leader",
                    "region_code": "430921", "password": "Start#2026" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["errors"]["username"][0], "该用户名已被使用");

    let (_, res) = app.try_login("nx_kfq2", "Start#2026").await;
    let (_, login) = json_of(res).await;
    assert_eq!(login["user"]["must_change_password"], true);

    let auditor = app.login("nx_auditor").await;
    let entries = auditor.items("/api/audit?entity=user&action=create").await;
    let entry = entries
        .iter()
        .find(|e| e["entity_id"].as_str() == Some(user["id"].to_string().as_str()))
        .unwrap();
    assert_eq!(entry["actor_name"], "nx_admin");
    assert_eq!(entry["after"]["username"], "nx_kfq2");
    assert!(
        entry["after"].get("password").is_none() && entry["after"].get("password_hash").is_none()
    );
}

#[tokio::test]
async fn concurrent_edits_are_detected_and_the_later_one_is_refused() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let users = admin.items("/api/users?q=nx_leader").await;
    let user = &users[0];
    let id = user["id"].as_i64().unwrap();
    let edit = |name: &str, version: i64| {
        json!({ "display_name": name, "role": "leader", "region_code": "430921",
                "unit_id": user["unit_id"], "phone": user["phone"], "active": true, "version": version })
    };
    let version = user["version"].as_i64().unwrap();
    let (status, first) = admin
        .put(&format!("/api/users/{id}"), edit("姜杰（县长）", version))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["version"], version + 1);
    let (status, body) = admin
        .put(&format!("/api/users/{id}"), edit("姜杰（副县长）", version))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "stale_version");
    let (_, now) = admin.get(&format!("/api/users/{id}")).await;
    assert_eq!(now["display_name"], "姜杰（县长）");

    let auditor = app.login("hn_auditor").await;
    let entries = auditor.items("/api/audit?entity=user&action=update").await;
    let entry = &entries[0];
    assert_eq!(entry["before"]["display_name"], user["display_name"]);
    assert_eq!(entry["after"]["display_name"], "姜杰（县长）");
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out() {
    let app = spawn_app().await;
    let admin = app.login("nx_admin").await;
    let (_, me) = admin.get("/api/auth/me").await;
    let (_, user) = admin.get(&format!("/api/users/{}", me["id"])).await;
    let (status, body) = admin
        .put(
            &format!("/api/users/{}", me["id"]),
            json!({ "display_name": user["display_name"], "role": "bureau", "region_code": "430921",
                    "unit_id": user["unit_id"], "phone": null, "active": false, "version": user["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["active"].is_array() && body["errors"]["role"].is_array());
}

#[tokio::test]
async fn a_password_reset_closes_sessions_and_forces_a_change() {
    let app = spawn_app().await;
    let victim = app.login("nx_unit").await;
    // Signed in and active: this instance now holds a copy of the session.
    let (status, _) = victim.get("/api/auth/me").await;
    assert_eq!(status, StatusCode::OK);
    let admin = app.login("nx_admin").await;
    let users = admin.items("/api/users?q=nx_unit").await;
    let id = users.iter().find(|u| u["username"] == "nx_unit").unwrap()["id"].clone();
    let (status, body) = admin
        .post(
            &format!("/api/users/{id}/password"),
            json!({ "password": "weak" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["password"].is_array());
    let (status, _) = admin
        .post(
            &format!("/api/users/{id}/password"),
            json!({ "password": "Reset#2026a" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = victim.get("/api/auth/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, res) = app.try_login("nx_unit", "Reset#2026a").await;
    let (_, body) = json_of(res).await;
    assert_eq!(body["user"]["must_change_password"], true);

    // An administrator's own password is changed with the current one, not reset: whoever
    // holds the session must not take the account over.
    let (_, me) = admin.get("/api/auth/me").await;
    let (status, body) = admin
        .post(
            &format!("/api/users/{}/password", me["id"]),
            json!({ "password": "Takeover#2026" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().unwrap().contains("当前密码"));
    let (_, res) = app.try_login("nx_admin", "Takeover#2026").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn roles_are_listed_with_their_permissions() {
    let app = spawn_app().await;
    let user = app.login("nx_leader").await;
    let (status, roles) = user.get("/api/roles").await;
    assert_eq!(status, StatusCode::OK);
    let roles = roles.as_array().unwrap();
    assert_eq!(roles.len(), 6);
    let admin = roles.iter().find(|r| r["code"] == "admin").unwrap();
    assert_eq!(admin["label"], "系统管理员");
    let holds = |role: &serde_json::Value, code: &str| {
        role["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == code)
    };
    assert!(holds(admin, "manage_users") && !holds(admin, "read_audit"));
    let auditor = roles.iter().find(|r| r["code"] == "auditor").unwrap();
    assert_eq!(auditor["label"], "安全审计员");
    assert!(holds(auditor, "read_audit") && !holds(auditor, "manage_users"));
}

#[tokio::test]
async fn a_deactivated_or_moved_user_loses_access_at_once() {
    let app = spawn_app().await;
    let victim = app.login("yj_unit").await;
    let (status, me) = victim.get("/api/auth/me").await;
    assert_eq!(status, StatusCode::OK);
    let admin = app.login("admin").await;
    let (_, user) = admin.get(&format!("/api/users/{}", me["id"])).await;
    let update = |active: bool, role: &str, version: &serde_json::Value| {
        json!({ "display_name": user["display_name"], "role": role,
                "region_code": user["region_code"], "unit_id": user["unit_id"],
                "phone": null, "active": active, "version": version })
    };
    // A role change is seen on the next request, not a second later.
    let (status, changed) = admin
        .put(
            &format!("/api/users/{}", me["id"]),
            update(true, "leader", &user["version"]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let (_, me) = victim.get("/api/auth/me").await;
    assert_eq!(me["role"], "leader");
    let (status, body) = admin
        .put(
            &format!("/api/users/{}", me["id"]),
            update(false, "leader", &changed["version"]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = victim.get("/api/auth/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn another_countys_unit_answers_as_a_missing_one() {
    let app = spawn_app().await;
    let yj_units = app.login("yyx_bureau").await.items("/api/units").await;
    let elsewhere = yj_units[0]["id"].as_i64().unwrap();
    let admin = app.login("nx_admin").await;
    let mut messages = Vec::new();
    for unit_id in [elsewhere, 999_999] {
        let (status, body) = admin
            .post(
                "/api/users",
                json!({ "username": format!("nx_u{unit_id}"), "display_name": "王晓东", "role": "unit",
                        "region_code": "430921", "unit_id": unit_id, "password": "Start#2026" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        messages.push(body["errors"]["unit_id"][0].as_str().unwrap().to_owned());
    }
    assert_eq!(messages[0], messages[1], "no hint that 沅江's unit exists");
    assert_eq!(messages[0], "所属单位不存在或不在您的管辖范围内");
}
