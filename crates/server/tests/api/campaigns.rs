//! Campaigns (专项行动): the province runs the Hunan 2020 rule over projects of 南县 and 沅江;
//! its page classifies them by the campaign's own thresholds, sets its rates against its goals
//! and tells the current phase; every reader sees only its own projects; a county's campaign
//! stays with its county and the regions above; phases are tasks of the organiser.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const WAN: i64 = 10_000 * 100;

fn in_days(n: i64) -> String {
    (time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
        + time::Duration::days(n))
    .to_string()
}

async fn event(user: &User, name: &str, held_on: &str) -> i64 {
    let (status, e) = user
        .post(
            "/api/events",
            json!({ "name": name, "level": "province", "held_on": held_on,
                    "host": "湖南省人民政府", "region_code": "430000" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    e["id"].as_i64().unwrap()
}

async fn project(user: &User, name: &str, extra: Value) -> i64 {
    let mut input = json!({
        "name": name, "investor_name": format!("{name}投资方"), "origin": "out_of_province",
        "contract_fen": 1_000 * WAN, "signed_on": "2019-05-28", "region_code": "430921",
        "stage": "signed", "investor_credit_code": credit_code()
    });
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    let (status, d) = user.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    d["project"]["id"].as_i64().unwrap()
}

/// Enters an arrival and has 益阳 confirm it (with evidence when warned).
async fn confirmed(app: &TestApp, enterer: &User, id: i64, wan: i64) {
    let (status, r) = enterer
        .post(
            &format!("/api/projects/{id}/funds"),
            json!({ "period": "2020-03", "amount": wan * WAN, "currency": "CNY",
                    "kind": "fixed_asset", "override_reason": "按银行回单录入的一次性到位资金" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    if !r["warnings"].as_array().unwrap().is_empty() {
        let (status, body) = enterer
            .upload_file(
                &format!("/api/funds/{}/evidence", r["id"]),
                b"%PDF-1.4 bank receipt".to_vec(),
                "银行回单.pdf",
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let yy = app.login("yy_bureau").await;
    let (status, body) = yy
        .post(
            &format!("/api/funds/{}/review", r["id"]),
            json!({ "decision": "confirm", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The Hunan 2020 rule [000] with thresholds of its own (优秀 above 25%, 良好 from 10%).
fn hunan_2020(name: &str) -> Value {
    json!({
        "name": name,
        "rule": { "any_of": [
            { "event_levels": ["province"], "event_years": [2018, 2019] },
            { "signed_years": [2018, 2019], "fortune500": true }
        ] },
        "goals": [{ "indicator": "arrival_rate", "target_bp": 2000 },
                  { "indicator": "start_rate", "target_bp": 5000 }],
        "excellent_bp": 2500,
        "good_bp": 1000,
        "phases": [
            { "name": "梳理摸底", "starts_on": in_days(-10), "ends_on": in_days(-5),
              "requirements": "按资金到位率分成优秀、良好、一般、未履约四类" },
            { "name": "分片督导", "starts_on": in_days(-4), "ends_on": in_days(2),
              "requirements": "督导小组分赴市州现场调研、座谈交流" },
            { "name": "集中督导", "starts_on": in_days(10), "ends_on": in_days(20),
              "requirements": "厅领导率队集中调研督导" },
            { "name": "回头看", "starts_on": in_days(30), "ends_on": in_days(60),
              "requirements": "全面检查履约进展，考核资金到位率" }
        ]
    })
}

async fn campaign_projects(user: &User, id: i64) -> (i64, Vec<Value>) {
    let (status, page) = user
        .get(&format!("/api/campaigns/{id}/projects?page_size=500"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    (
        page["total"].as_i64().unwrap(),
        page["items"].as_array().unwrap().clone(),
    )
}

async fn campaigns_of(user: &User) -> Vec<Value> {
    let (status, list) = user.get("/api/campaigns").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn the_hunan_2020_campaign_classifies_its_projects_for_each_reader() {
    let app = spawn_app().await;
    let hn = app.login("hn_bureau").await;
    let nx = app.login("nx_bureau").await;
    let yyx = app.login("yyx_bureau").await;

    let bay_week = event(&hn, "2019湖南—粤港澳大湾区投资贸易洽谈周", "2019-05-28").await;
    let old_fair = event(&hn, "2017湖南（香港）投资贸易洽谈周", "2017-06-01").await;
    let at_week = project(
        &nx,
        "南县大湾区合作智能装备项目",
        json!({ "event_id": bay_week }),
    )
    .await;
    let at_old = project(
        &nx,
        "南县2017洽谈周项目",
        json!({ "event_id": old_fair, "signed_on": "2017-06-01" }),
    )
    .await;
    let fortune = project(
        &nx,
        "南县世界500强冷链物流项目",
        json!({ "global500": true, "signed_on": "2019-03-01", "stage": "started", "started_on": "2019-10-01" }),
    )
    .await;
    let ordinary = project(
        &nx,
        "南县普通农产品加工项目",
        json!({ "signed_on": "2019-03-01" }),
    )
    .await;
    let late_fortune = project(
        &nx,
        "南县2020年世界500强项目",
        json!({ "global500": true, "signed_on": "2020-03-01" }),
    )
    .await;
    let yj = project(
        &yyx,
        "沅江大湾区合作船舶配套项目",
        json!({ "event_id": bay_week, "region_code": "430981" }),
    )
    .await;
    // 30% of contract: 优秀 by the campaign's 25%, only 良好 by the ledger's default 50%.
    confirmed(&app, &nx, at_week, 300).await;

    // Bad input: every field at fault, nothing written.
    let (status, body) = hn
        .post(
            "/api/campaigns",
            json!({ "name": " ", "rule": { "any_of": [{ "signed_years": [2020, 2018] }, {}] },
                    "goals": [{ "indicator": "arrival_rate", "target_bp": 2000 },
                              { "indicator": "arrival_rate", "target_bp": 3000 }],
                    "excellent_bp": 1000, "good_bp": 2000,
                    "phases": [{ "name": "梳理摸底", "starts_on": "2020-05-29", "ends_on": "2020-05-25",
                                 "requirements": "" }] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for field in [
        "name",
        "rule.any_of[0].signed_years",
        "rule.any_of[1]",
        "goals[1].indicator",
        "good_bp",
        "phases[0].ends_on",
    ] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    assert!(campaigns_of(&hn).await.is_empty());

    let (status, c) = hn
        .post(
            "/api/campaigns",
            hunan_2020("2020年签约项目资金到位倍增行动"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().unwrap();
    let (status, body) = hn
        .post(
            "/api/campaigns",
            hunan_2020("2020年签约项目资金到位倍增行动"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // The province reads every selected project, none of the others.
    let (total, items) = campaign_projects(&hn, id).await;
    let province_ids = ids(&items);
    for p in [at_week, fortune, yj] {
        assert!(province_ids.contains(&p), "{p} in {province_ids:?}");
    }
    for p in [at_old, ordinary, late_fortune] {
        assert!(!province_ids.contains(&p), "{p} not in {province_ids:?}");
    }
    let (status, c) = hn.get(&format!("/api/campaigns/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["report"]["total"]["projects"].as_i64().unwrap(), total);
    let listed = |class: &str| {
        items
            .iter()
            .filter(|p| p["derived"]["classification"] == class)
            .count() as i64
    };
    for class in ["excellent", "good", "fair"] {
        assert_eq!(
            c["report"]["total"][class].as_i64().unwrap(),
            listed(class),
            "the list and the figures classify {class} alike: {c}"
        );
    }
    let week = items.iter().find(|p| p["id"] == at_week).unwrap();
    assert_eq!(week["derived"]["classification"], "excellent", "{week}");
    let (_, ledger_view) = nx.get(&format!("/api/projects/{at_week}")).await;
    assert_eq!(
        ledger_view["project"]["derived"]["classification"], "good",
        "the ledger's own thresholds are untouched"
    );
    assert!(c["report"]["definitions"]
        .to_string()
        .contains("优秀 到位率高于25.00%"));
    assert_eq!(c["goals"][0]["label"], "资金到位率");
    assert_eq!(c["goals"][0]["target"], "20.00%");
    assert!(c["goals"][0]["actual"].is_string(), "{c}");
    assert_eq!(c["rule_text"].as_array().unwrap().len(), 2);
    // The phase holding today, with its requirements and its light (due in two days).
    assert_eq!(c["current_phase"], "分片督导");
    let phases = c["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 4);
    assert_eq!(phases[1]["current"], true);
    assert_eq!(phases[1]["light"], "yellow");
    assert_eq!(phases[0]["light"], "red");
    assert_eq!(
        phases[1]["requirements"],
        "督导小组分赴市州现场调研、座谈交流"
    );
    assert_eq!(c["organised_by_me"], true);

    // The phases are the province bureau's tasks.
    let (_, mine) = hn.get("/api/tasks/mine").await;
    let phase_tasks: Vec<&Value> = mine
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "campaign_phase")
        .collect();
    assert_eq!(phase_tasks.len(), 4, "{mine}");

    // 南县 reads the province's campaign over its own projects only.
    let (nx_total, nx_items) = campaign_projects(&nx, id).await;
    assert!(nx_items.iter().all(|p| p["region_code"] == "430921"));
    assert!(ids(&nx_items).contains(&at_week) && !ids(&nx_items).contains(&yj));
    let (_, nx_view) = nx.get(&format!("/api/campaigns/{id}")).await;
    assert_eq!(
        nx_view["report"]["total"]["projects"].as_i64().unwrap(),
        nx_total
    );
    assert_eq!(nx_view["organised_by_me"], false);
    // 沅江 the same over its own.
    let (_, yj_items) = campaign_projects(&yyx, id).await;
    assert!(ids(&yj_items).contains(&yj) && !ids(&yj_items).contains(&at_week));
    let (status, _) = yyx
        .get(&format!("/api/campaigns/{id}/projects?region=430921"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "沅江 cannot ask for 南县");
    // A unit account reads the campaign over its unit's projects only.
    let unit = app.login("nx_unit").await;
    let (_, unit_items) = campaign_projects(&unit, id).await;
    assert!(!ids(&unit_items).contains(&at_week), "{unit_items:?}");

    // Only the organiser reports a phase done; its task is then done.
    let (status, body) = nx
        .post(
            &format!("/api/campaigns/{id}/phases/2/complete"),
            json!({ "summary": "已完成" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = hn
        .post(
            &format!("/api/campaigns/{id}/phases/2/complete"),
            json!({ "summary": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, c) = hn
        .post(
            &format!("/api/campaigns/{id}/phases/2/complete"),
            json!({ "summary": "六个督导组已赴14个市州督导" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["phases"][1]["status"], "done");
    assert_eq!(c["phases"][1]["light"], "done");
    let (status, _) = hn
        .post(
            &format!("/api/campaigns/{id}/phases/2/complete"),
            json!({ "summary": "再次报告" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, mine) = hn.get("/api/tasks/mine").await;
    let done = mine
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "campaign_phase" && t["status"] == "done")
        .count();
    assert_eq!(done, 1, "{mine}");
}

#[tokio::test]
async fn a_county_s_campaign_is_read_by_its_county_and_above_only() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let mut input = hunan_2020("南县2026年重大项目攻坚行动");
    input["rule"] = json!({ "any_of": [{ "min_contract_fen": 100 * WAN }] });
    let (status, c) = nx.post("/api/campaigns", input).await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().unwrap();
    let (_, items) = campaign_projects(&nx, id).await;
    assert!(items
        .iter()
        .all(|p| p["region_code"] == "430921" && p["contract_fen"].as_i64().unwrap() >= 100 * WAN));

    for reader in ["yy_bureau", "hn_bureau"] {
        let user = app.login(reader).await;
        let (status, _) = user.get(&format!("/api/campaigns/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{reader} is above 南县");
        assert_eq!(campaigns_of(&user).await.len(), 1, "{reader}");
    }
    for outsider in ["yyx_bureau", "cs_bureau"] {
        let user = app.login(outsider).await;
        let (status, _) = user.get(&format!("/api/campaigns/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{outsider}");
        let (status, _) = user.get(&format!("/api/campaigns/{id}/projects")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{outsider}");
        assert!(campaigns_of(&user).await.is_empty(), "{outsider}");
        let (status, _) = user
            .post(
                &format!("/api/campaigns/{id}/phases/1/complete"),
                json!({ "summary": "越权" }),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{outsider}");
    }
    // A unit account may read but not set up campaigns.
    let unit = app.login("nx_unit").await;
    let (status, _) = unit
        .post("/api/campaigns", hunan_2020("单位不能组织的行动"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_organiser_edits_its_campaign_and_no_one_else_may() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, c) = nx
        .post("/api/campaigns", hunan_2020("南县2026年履约攻坚行动"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().unwrap();
    let path = format!("/api/campaigns/{id}");
    let version = c["version"].clone();
    let (status, _) = nx
        .post(
            &format!("/api/campaigns/{id}/phases/1/complete"),
            json!({ "summary": "已按到位率分四类" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Bad input: each fault named by its field, in Chinese, nothing written.
    let mut bad = hunan_2020(" ");
    bad["good_bp"] = json!(3000);
    bad["phases"][1]["ends_on"] = json!(in_days(-6));
    bad["version"] = version.clone();
    let (status, body) = nx.put(&path, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"]["name"][0], "请填写专项行动名称", "{body}");
    assert_eq!(body["errors"]["good_bp"][0], "良好的下限不能高于优秀的界限");
    assert_eq!(
        body["errors"]["phases[1].ends_on"][0],
        "阶段结束日期不能早于开始日期"
    );
    // A phase already reported done cannot be dropped.
    let mut dropped = hunan_2020("南县2026年履约攻坚行动");
    dropped["phases"] = json!([]);
    dropped["version"] = version.clone();
    let (status, body) = nx.put(&path, dropped).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["phases"][0]
        .as_str()
        .unwrap()
        .contains("梳理摸底"));

    // The edit: renamed, another rule, goals and thresholds; phase 2 moved, the last two
    // replaced by one.
    let mut edit = hunan_2020("南县2026年重大项目履约攻坚行动");
    edit["rule"] = json!({ "any_of": [{ "min_contract_fen": 500 * WAN }] });
    edit["goals"] = json!([{ "indicator": "fulfilment_rate", "target_bp": 6000 }]);
    edit["excellent_bp"] = json!(4000);
    edit["good_bp"] = json!(1500);
    edit["phases"][0]["seq"] = json!(1);
    edit["phases"][1]["seq"] = json!(2);
    edit["phases"][1]["ends_on"] = json!(in_days(8));
    edit["phases"][2] = json!({ "name": "回头看", "starts_on": in_days(15), "ends_on": in_days(40),
                                "requirements": "全面检查履约进展" });
    edit["phases"].as_array_mut().unwrap().truncate(3);
    edit["version"] = version.clone();
    let (status, e) = nx.put(&path, edit.clone()).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["name"], "南县2026年重大项目履约攻坚行动");
    assert_eq!(e["excellent_bp"], 4000);
    assert_eq!(e["good_bp"], 1500);
    assert_eq!(e["version"], version.as_i64().unwrap() + 1);
    assert_eq!(
        e["rule_text"][0], "合同金额不低于500.00万元的已签约项目",
        "{e}"
    );
    assert_eq!(e["goals"][0]["label"], "履约率");
    let phases = e["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 3);
    assert_eq!(phases[0]["status"], "done", "a kept phase keeps its report");
    assert_eq!(phases[1]["ends_on"], in_days(8));
    assert_eq!(phases[2]["name"], "回头看");
    assert!(e["report"]["definitions"]
        .to_string()
        .contains("优秀 到位率高于40.00%"));
    // Its tasks follow: three left, renamed, phase 2 due on its new day.
    let (_, mine) = nx.get("/api/tasks/mine").await;
    let tasks: Vec<&Value> = mine
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "campaign_phase")
        .collect();
    assert_eq!(tasks.len(), 3, "{mine}");
    assert!(tasks.iter().all(|t| t["title"]
        .as_str()
        .unwrap()
        .contains("南县2026年重大项目履约攻坚行动")));
    assert!(tasks
        .iter()
        .any(|t| t["title"].as_str().unwrap().contains("分片督导") && t["due_on"] == in_days(8)));

    // An edit from the copy read before is refused.
    let (status, body) = nx.put(&path, edit.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_error(&body, "stale_version");

    // A phase put in before 分片督导, which moves back and keeps its task; a phase number the
    // campaign does not hold is refused.
    let phases = edit["phases"].as_array().unwrap();
    let mut moved = phases[1].clone();
    moved["starts_on"] = json!(in_days(0));
    edit["phases"] = json!([
        phases[0],
        { "name": "专项核查", "starts_on": in_days(-4), "ends_on": in_days(-1), "requirements": "" },
        moved,
        phases[2].clone(),
    ]);
    edit["version"] = e["version"].clone();
    edit["phases"][3]["seq"] = json!(9);
    let (status, body) = nx.put(&path, edit.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["phases[3].seq"].is_array(), "{body}");
    edit["phases"][3]["seq"] = json!(3);
    let (status, e) = nx.put(&path, edit).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    let names: Vec<&str> = e["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["梳理摸底", "专项核查", "分片督导", "回头看"]);
    assert_eq!(e["phases"][0]["status"], "done");
    let (_, mine) = nx.get("/api/tasks/mine").await;
    let open = mine
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "campaign_phase")
        .count();
    assert_eq!(open, 4, "{mine}");

    // Audited with before and after.
    let auditor = app.login("hn_auditor").await;
    let entries = auditor.items("/api/audit?entity=campaign").await;
    let entry = entries
        .iter()
        .find(|e| e["action"] == "update" && e["before"]["name"] == "南县2026年履约攻坚行动")
        .unwrap_or_else(|| panic!("{entries:?}"));
    assert_eq!(entry["before"]["phases"].as_array().unwrap().len(), 4);
    assert_eq!(entry["after"]["name"], "南县2026年重大项目履约攻坚行动");
    assert_eq!(entry["after"]["excellent_bp"], 4000);

    // Another county does not see it; the city above reads it but may not edit it; nor may a
    // unit of 南县.
    let mut other = hunan_2020("越权修改");
    other["version"] = e["version"].clone();
    for (user, expected) in [
        ("yyx_bureau", StatusCode::NOT_FOUND),
        ("yy_bureau", StatusCode::FORBIDDEN),
        ("nx_unit", StatusCode::FORBIDDEN),
    ] {
        let (status, body) = app.login(user).await.put(&path, other.clone()).await;
        assert_eq!(status, expected, "{user}: {body}");
    }
    let (_, now) = nx.get(&path).await;
    assert_eq!(now["name"], "南县2026年重大项目履约攻坚行动");
}
