//! The ledger's editable rules: `GET/PUT /api/rules`.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const WAN: i64 = 10_000 * 100;
const YI: i64 = 10_000 * WAN;

/// The body of a PUT: the rules as read, with their version (the fund checks and the
/// automatic close left out, so kept as they are).
pub fn update_of(rules: &Value) -> Value {
    json!({
        "thresholds": rules["thresholds"],
        "tiers": rules["tiers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| json!({ "any_of": t["any_of"], "obligation": t["obligation"] }))
            .collect::<Vec<_>>(),
        "review_by": rules["review_by"],
        "date_grace_days": rules["date_grace_days"],
        "version": rules["version"],
    })
}

/// A 1亿元 project in 南县 with 2,500万元 entered by its responsible unit (nx_unit's) and
/// confirmed by the city: 25%.
async fn project_at_25_percent(app: &TestApp) -> i64 {
    let nx = app.login("nx_bureau").await;
    let unit = unit_id(&nx, "430921", "县经济开发区").await;
    let (status, detail) = nx
        .post(
            "/api/projects",
            json!({
                "name": "南县羽绒服装产业园项目", "investor_name": "浙江某服饰有限公司",
                "origin": "in_province", "contract_fen": YI, "signed_on": "2026-01-10",
                "region_code": "430921", "stage": "signed", "investor_credit_code": credit_code(), "responsible_unit_id": unit
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    let id = detail["project"]["id"].as_i64().unwrap();
    let (status, fund) = app
        .login("nx_unit")
        .await
        .post(
            &format!("/api/projects/{id}/funds"),
            json!({ "period": "2026-02", "amount": 2_500 * WAN, "currency": "CNY", "kind": "fixed_asset" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{fund}");
    let (status, body) = app
        .login("yy_bureau")
        .await
        .post(
            &format!("/api/funds/{}/review", fund["id"]),
            json!({ "decision": "confirm", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    id
}

async fn derived(user: &User, id: i64) -> Value {
    let (status, d) = user.get(&format!("/api/projects/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    d["project"]["derived"].clone()
}

fn obligation_codes(derived: &Value) -> Vec<&str> {
    derived["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["obligation"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn everyone_reads_the_seed_defaults_and_their_definitions() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, rules) = nx.get("/api/rules").await;
    assert_eq!(status, StatusCode::OK, "{rules}");
    assert_eq!(rules["version"], 0);
    assert_eq!(rules["is_default"], true);
    assert_eq!(rules["thresholds"]["excellent_above_bp"], 5000);
    assert_eq!(rules["thresholds"]["good_from_bp"], 2000);
    assert_eq!(rules["definitions"][0], "优秀：资金到位率高于50%");
    assert_eq!(
        rules["definitions"][1],
        "良好：资金到位率不低于20%、不高于50%"
    );
    let tiers = rules["tiers"].as_array().unwrap();
    assert_eq!(tiers.len(), 5);
    assert_eq!(tiers[0]["obligation"], "city_ledger");
    assert_eq!(tiers[0]["any_of"][0]["kind"], "contract_at_least");
    assert_eq!(tiers[0]["any_of"][0]["amount"], YI);
    assert_eq!(tiers[0]["description"], "合同金额 ≥ 1亿元");
    assert_eq!(
        tiers[4]["description"],
        "境外资金：合同外资 ≥ 1000万美元，或省外境内资金：合同金额 ≥ 3亿元"
    );
    assert_eq!(rules["defaults"]["tiers"].as_array().unwrap().len(), 5);
    assert_eq!(rules["obligation_choices"].as_array().unwrap().len(), 5);
    assert_eq!(rules["condition_kinds"][2]["unit"], "wan_usd");
    assert_eq!(rules["editable"], false);
    assert!(rules["not_editable_reason"]
        .as_str()
        .unwrap()
        .contains("无权"));

    let (_, rules) = app.login("nx_admin").await.get("/api/rules").await;
    assert_eq!(rules["editable"], false, "a county administrator");
    assert!(rules["not_editable_reason"]
        .as_str()
        .unwrap()
        .contains("省级及以上"));
    let (_, rules) = app.login("admin").await.get("/api/rules").await;
    assert_eq!(rules["editable"], true, "the province's administrator");

    let res = client().get(app.url("/api/rules")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn projects_are_classified_and_tiered_by_the_rules_in_force() {
    let app = spawn_app().await;
    let id = project_at_25_percent(&app).await;
    let nx = app.login("nx_bureau").await;
    let before = derived(&nx, id).await;
    assert_eq!(before["classification_label"], "良好");
    assert_eq!(obligation_codes(&before), ["city_ledger"]);

    let admin = app.login("admin").await;
    let (_, rules) = admin.get("/api/rules").await;
    let mut update = update_of(&rules);
    update["thresholds"]["good_from_bp"] = json!(3000);
    // The city ledger from 2亿元 instead of 1亿元, and a county-supervision rule below it.
    update["tiers"][0]["any_of"][0]["amount"] = json!(2 * YI);
    update["tiers"][2]["any_of"][0]["amount"] = json!(2 * YI);
    let (status, saved) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["is_default"], false);
    assert_eq!(saved["updated_by_name"], "湖南省系统管理员");
    assert_eq!(
        saved["definitions"][1],
        "良好：资金到位率不低于30%、不高于50%"
    );
    assert_eq!(saved["tiers"][0]["description"], "合同金额 ≥ 2亿元");

    let after = derived(&nx, id).await;
    assert_eq!(after["arrival_rate"], "25.00%");
    assert_eq!(
        after["classification_label"], "一般",
        "25% is below the new 30%"
    );
    assert_eq!(obligation_codes(&after), ["county_supervision"]);
    let listed = nx.items("/api/projects").await;
    assert_eq!(listed[0]["derived"]["classification_label"], "一般");
    // The 三率 report counts classes and states its definitions with the same thresholds.
    let (_, rates) = nx.get("/api/rates").await;
    assert_eq!(
        (
            rates["total"]["good"].as_i64(),
            rates["total"]["fair"].as_i64()
        ),
        (Some(0), Some(1)),
        "{rates}"
    );
    assert!(
        rates["definitions"][3]
            .as_str()
            .unwrap()
            .contains("良好 30.00%（含）"),
        "{}",
        rates["definitions"]
    );
    assert_eq!(
        app.login("yyx_bureau").await.get("/api/rules").await.1["version"],
        1,
        "one rule set for every region"
    );

    let auditor = app.login("hn_auditor").await;
    let entries = auditor.items("/api/audit?entity=ledger_rules").await;
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e["action"], "update");
    assert_eq!(e["entity_label_zh"], "台账规则");
    assert_eq!(e["region_code"], "430000");
    assert_eq!(e["before"]["thresholds"]["good_from_bp"], 2000);
    assert_eq!(e["after"]["thresholds"]["good_from_bp"], 3000);
    assert_eq!(e["before"]["tiers"][0]["any_of"][0]["amount"], YI);
    assert_eq!(e["after"]["tiers"][0]["any_of"][0]["amount"], 2 * YI);
    assert!(e["summary"].as_str().unwrap().contains("良好线 20% → 30%"));
}

#[tokio::test]
async fn bad_rules_are_refused_field_by_field_in_chinese() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let (_, rules) = admin.get("/api/rules").await;
    let mut update = update_of(&rules);
    update["thresholds"] = json!({ "excellent_above_bp": 2000, "good_from_bp": 2000 });
    update["tiers"][0]["obligation"] = json!("mayor_visit");
    update["tiers"][1]["any_of"][0]["amount"] = json!(-1);
    update["tiers"][2]["any_of"] = json!([]);
    update["tiers"][3]["any_of"][0]["kind"] = json!("contract_above");
    update["date_grace_days"] = json!(30);
    let (status, body) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "validation_failed");
    let errors = &body["errors"];
    assert!(errors["good_from_bp"][0]
        .as_str()
        .unwrap()
        .contains("良好线须低于优秀线"));
    assert!(errors["tiers[0].obligation"][0]
        .as_str()
        .unwrap()
        .contains("mayor_visit"));
    assert!(errors["tiers[1].any_of[0].amount"][0]
        .as_str()
        .unwrap()
        .contains("负数"));
    assert!(errors["tiers[2].any_of"][0]
        .as_str()
        .unwrap()
        .contains("至少要有一个条件"));
    assert!(errors["tiers[3].any_of[0].kind"].is_array(), "{body}");
    assert!(
        errors["date_grace_days"][0]
            .as_str()
            .unwrap()
            .contains("0至7天"),
        "{body}"
    );

    let mut update = update_of(&rules);
    update["thresholds"]["excellent_above_bp"] = json!(10_001);
    let (status, body) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["excellent_above_bp"][0]
        .as_str()
        .unwrap()
        .contains("0%至100%"));

    let mut update = update_of(&rules);
    update["thresholds"]["good_from_bp"] = json!("二成");
    let (status, body) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "validation_failed");

    let (_, unchanged) = admin.get("/api/rules").await;
    assert_eq!(unchanged["version"], 0, "nothing written");
}

#[tokio::test]
async fn only_administrators_of_a_province_or_the_country_change_the_rules() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let (_, rules) = admin.get("/api/rules").await;
    let update = update_of(&rules);
    for user in [
        "hn_bureau",
        "yy_bureau",
        "nx_bureau",
        "nx_unit",
        "hn_leader",
    ] {
        let (status, body) = app
            .login(user)
            .await
            .put("/api/rules", update.clone())
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
        assert_error(&body, "forbidden");
    }
    // A county administrator holds the permission but would reclassify other counties.
    let (status, body) = app
        .login("nx_admin")
        .await
        .put("/api/rules", update.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"].as_str().unwrap().contains("省级及以上"));
    let (_, unchanged) = admin.get("/api/rules").await;
    assert_eq!(unchanged["version"], 0);
}

#[tokio::test]
async fn on_a_multi_province_install_only_a_nationwide_administrator_changes_the_rules() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let (_, rules) = admin.get("/api/rules").await;
    assert_eq!(rules["editable"], true, "a one-province install");
    // The same installation also carries a project of 深圳市南山区 (广东).
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO projects (name, name_key, investor_name, origin, region_code, stage, \
         created_at, updated_at) VALUES ('南山项目', '南山', '某公司', 'in_province', '440305', \
         'signed', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let (_, rules) = admin.get("/api/rules").await;
    assert_eq!(rules["editable"], false);
    assert!(rules["not_editable_reason"]
        .as_str()
        .unwrap()
        .contains("其他省份"));
    let (status, body) = admin.put("/api/rules", update_of(&rules)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().unwrap().contains("全国系统管理员"));
}

#[tokio::test]
async fn a_stale_version_is_refused() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let (_, rules) = admin.get("/api/rules").await;
    let mut first = update_of(&rules);
    first["thresholds"]["excellent_above_bp"] = json!(6000);
    let (status, saved) = admin.put("/api/rules", first).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    // A second administrator still looking at the defaults (version 0).
    let mut second = update_of(&rules);
    second["thresholds"]["good_from_bp"] = json!(1000);
    let (status, body) = admin.put("/api/rules", second.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "stale_version");
    // And one that read version 1 after another save made it 2.
    let mut third = update_of(&saved);
    third["thresholds"]["good_from_bp"] = json!(1500);
    let (status, saved) = admin.put("/api/rules", third.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(saved["version"], 2);
    let (status, _) = admin.put("/api/rules", third).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, now) = admin.get("/api/rules").await;
    assert_eq!(now["thresholds"]["excellent_above_bp"], 6000);
    assert_eq!(now["thresholds"]["good_from_bp"], 1500);
}

#[tokio::test]
async fn the_automatic_close_is_set_on_the_rules_page_checked_and_audited() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let (_, rules) = admin.get("/api/rules").await;
    assert_eq!(
        rules["auto_close_days"],
        Value::Null,
        "by hand only: {rules}"
    );
    assert_eq!(rules["defaults"]["auto_close_days"], Value::Null);

    let mut update = update_of(&rules);
    update["auto_close_days"] = json!(5);
    let (status, saved) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["auto_close_days"], 5);
    assert_eq!(saved["version"], 1);
    let (_, read) = app.login("nx_bureau").await.get("/api/rules").await;
    assert_eq!(read["auto_close_days"], 5, "everyone reads it");

    // A change that leaves the field out keeps it.
    let mut update = update_of(&saved);
    update["thresholds"]["good_from_bp"] = json!(2500);
    let (status, saved) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["auto_close_days"], 5);

    for bad in [32, -1] {
        let mut update = update_of(&saved);
        update["auto_close_days"] = json!(bad);
        let (status, body) = admin.put("/api/rules", update).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_error(&body, "validation_failed");
        assert_eq!(
            body["errors"]["auto_close_days"][0], "自动月结天数应在0至31天之间",
            "{body}"
        );
    }
    let mut update = update_of(&saved);
    update["auto_close_days"] = json!("五天");
    let (status, body) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, unchanged) = admin.get("/api/rules").await;
    assert_eq!(
        (
            unchanged["version"].as_i64(),
            unchanged["auto_close_days"].as_i64()
        ),
        (Some(2), Some(5)),
        "nothing written"
    );

    // Back to closing by hand only: null, not left out.
    let mut update = update_of(&unchanged);
    update["auto_close_days"] = Value::Null;
    let (status, saved) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["auto_close_days"], Value::Null);
    assert_eq!(saved["version"], 3);

    let entries = app
        .login("hn_auditor")
        .await
        .items("/api/audit?entity=ledger_rules")
        .await;
    let summaries: Vec<&str> = entries
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        [
            "修改台账规则：自动月结 截止后5天 → 未设置",
            "修改台账规则：良好线 20% → 25%",
            "修改台账规则：自动月结 未设置 → 截止后5天",
        ]
    );
    assert_eq!(entries[2]["before"]["auto_close_days"], Value::Null);
    assert_eq!(entries[2]["after"]["auto_close_days"], 5);
    assert_eq!(entries[2]["actor_name"], "admin");
}

#[tokio::test]
async fn a_configured_automatic_close_fills_in_rules_that_never_chose_once() {
    use luodi_server::ServerSettings;
    use luodi_store::AuthSettings;
    let (app, store) =
        spawn_app_with_store(AuthSettings::default(), ServerSettings::default()).await;
    let admin = app.login("admin").await;
    // Rules saved before the automatic close was one of them.
    let (_, rules) = admin.get("/api/rules").await;
    let mut update = update_of(&rules);
    update["date_grace_days"] = json!(3);
    let (status, saved) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["auto_close_days"], Value::Null);

    assert!(store.system().adopt_configured_auto_close(5).await.unwrap());
    assert!(
        !store.system().adopt_configured_auto_close(7).await.unwrap(),
        "once"
    );
    assert_eq!(store.system().auto_close_days().await.unwrap(), Some(5));
    let (_, rules) = admin.get("/api/rules").await;
    assert_eq!(rules["auto_close_days"], 5);
    assert_eq!(rules["date_grace_days"], 3, "the rest kept");
    assert_eq!(rules["version"], 2);
    assert_eq!(rules["updated_by_name"], "系统");
    let entries = app
        .login("hn_auditor")
        .await
        .items("/api/audit?entity=ledger_rules")
        .await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0]["actor_name"], "系统（配置文件）");
    assert_eq!(entries[0]["region_code"], "430000");
    assert!(
        entries[0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("修改台账规则：自动月结 未设置 → 截止后5天（沿用配置文件 auto_close_days"),
        "{}",
        entries[0]["summary"]
    );

    // Switched off on the page: the configuration does not switch it on again.
    let mut update = update_of(&rules);
    update["auto_close_days"] = Value::Null;
    let (status, saved) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert!(!store.system().adopt_configured_auto_close(5).await.unwrap());
    assert_eq!(store.system().auto_close_days().await.unwrap(), None);
}

#[tokio::test]
async fn a_configured_automatic_close_on_a_fresh_install_writes_the_default_rules_with_it() {
    use luodi_server::ServerSettings;
    use luodi_store::AuthSettings;
    let (app, store) =
        spawn_app_with_store(AuthSettings::default(), ServerSettings::default()).await;
    assert_eq!(store.system().auto_close_days().await.unwrap(), None);
    assert!(store.system().adopt_configured_auto_close(0).await.unwrap());
    let (_, rules) = app.login("admin").await.get("/api/rules").await;
    assert_eq!(rules["auto_close_days"], 0, "on the deadline's day");
    assert_eq!(rules["version"], 1);
    assert_eq!(rules["is_default"], false);
    assert_eq!(rules["thresholds"], rules["defaults"]["thresholds"]);
    assert_eq!(rules["tiers"].as_array().unwrap().len(), 5);
    assert!(!store.system().adopt_configured_auto_close(3).await.unwrap());
    assert_eq!(store.system().auto_close_days().await.unwrap(), Some(0));
}
