//! Editing a project: `PUT /api/projects/{id}`.

use crate::helpers::*;
use crate::ledger::project_input;
use reqwest::StatusCode;
use serde_json::{json, Value};

const WAN: i64 = 10_000 * 100;

async fn create(user: &User, input: Value) -> Value {
    let (status, detail) = user.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    detail["project"].clone()
}

/// The body of a PUT: the project's input fields as they are now, and its version.
fn update_of(project: &Value, input: &Value) -> Value {
    let mut body = input.clone();
    body["version"] = project["version"].clone();
    body
}

fn obligations(project: &Value) -> Vec<String> {
    project["derived"]["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["obligation"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_bureau_edits_a_project_and_the_audit_keeps_before_and_after() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let input = project_input(&nx, "稻虾米精深加工项目").await;
    let project = create(&nx, input.clone()).await;
    let id = project["id"].as_i64().unwrap();
    assert_eq!(obligations(&project), ["city_ledger", "quarterly_bulletin"]);

    let mut changed = update_of(&project, &input);
    changed["contract_fen"] = json!(50_000 * WAN);
    changed["responsible_person"] = json!("  李明  ");
    changed["signed_on"] = json!("2026-05-20");
    let (status, detail) = nx.put(&format!("/api/projects/{id}"), changed).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let p = &detail["project"];
    assert_eq!(p["version"], 2);
    assert_eq!(p["contract_fen"], 50_000 * WAN);
    assert_eq!(p["responsible_person"], "李明", "stored trimmed");
    assert_eq!(p["signed_on"], "2026-05-20");
    assert_eq!(p["stage"], "signed", "the stage is untouched");
    assert_eq!(
        obligations(p),
        [
            "city_ledger",
            "city_leader_with_team",
            "quarterly_bulletin",
            "revisit_form"
        ],
        "5亿元 from out of the province: a city leader and the revisit form"
    );
    assert_eq!(
        detail["stages"].as_array().unwrap().len(),
        1,
        "an edit writes no stage history"
    );

    let audit = app.login("nx_auditor").await;
    let entries = audit.items("/api/audit?entity=project&action=update").await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(e["entity_id"], id.to_string());
    assert_eq!(e["region_code"], "430921");
    assert_eq!(e["before"]["contract_fen"], 20_000 * WAN);
    assert_eq!(e["after"]["contract_fen"], 50_000 * WAN);
    assert_eq!(e["before"]["responsible_person"], Value::Null);
    assert_eq!(e["after"]["responsible_person"], "李明");
    assert!(
        e["after"].get("name").is_none(),
        "only changed fields are kept: {e}"
    );
    assert!(e["summary"]
        .as_str()
        .unwrap()
        .contains("稻虾米精深加工项目"));
}

#[tokio::test]
async fn a_stale_version_a_different_stage_and_bad_input_are_refused() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let input = project_input(&nx, "稻虾米精深加工项目").await;
    let project = create(&nx, input.clone()).await;
    let url = format!("/api/projects/{}", project["id"]);

    let mut first = update_of(&project, &input);
    first["leading_industry"] = json!("稻虾米产业");
    let (status, _) = nx.put(&url, first.clone()).await;
    assert_eq!(status, StatusCode::OK);
    // A second writer still holding version 1.
    first["leading_industry"] = json!("水产");
    let (status, body) = nx.put(&url, first).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "stale_version");
    assert!(body["message"].as_str().unwrap().contains("刷新"));

    let (_, now) = nx.get(&url).await;
    let now = &now["project"];
    assert_eq!(now["leading_industry"], "稻虾米产业");
    let mut staged = update_of(now, &input);
    staged["stage"] = json!("started");
    let (status, body) = nx.put(&url, staged).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "validation_failed");
    assert!(
        body["errors"]["stage"][0]
            .as_str()
            .unwrap()
            .contains("阶段变更"),
        "{body}"
    );

    let mut bad = update_of(now, &input);
    bad["name"] = json!(" ");
    bad["investor_credit_code"] = json!("914403001922038217");
    bad["contract_fen"] = json!(-1);
    bad["started_on"] = json!("2026-01-01");
    let (status, body) = nx.put(&url, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "investor_credit_code", "contract_fen", "started_on"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    assert!(body["errors"]["started_on"][0]
        .as_str()
        .unwrap()
        .contains("不能早于签约日期"));

    let (_, after) = nx.get(&url).await;
    assert_eq!(after["project"]["version"], 2, "nothing written");
    let (status, body) = nx.put("/api/projects/999999", update_of(now, &input)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
}

#[tokio::test]
async fn edits_stay_inside_the_scope_and_need_the_ledger_permission() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let input = project_input(&nx, "稻虾米精深加工项目").await;
    let project = create(&nx, input.clone()).await;
    let url = format!("/api/projects/{}", project["id"]);

    // Another county: the project does not exist for it.
    let yyx = app.login("yyx_bureau").await;
    let (status, body) = yyx.put(&url, update_of(&project, &input)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");

    // A responsible unit of the same county sees the project but may not edit it.
    let unit = app.login("nx_unit").await;
    let (status, body) = unit.put(&url, update_of(&project, &input)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "forbidden");

    // The county cannot move its project to another county.
    let mut moved = update_of(&project, &input);
    moved["region_code"] = json!("430981");
    moved["zone_id"] = json!(null);
    let (status, body) = nx.put(&url, moved).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["region_code"][0]
        .as_str()
        .unwrap()
        .contains("管辖范围"));
    // Nor keep a zone of the old county when the county changes (checked like a new project).
    let yy = app.login("yy_bureau").await;
    let mut moved = update_of(&project, &input);
    moved["region_code"] = json!("430981");
    let (status, body) = yy.put(&url, moved).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["zone_id"].is_array(), "{body}");

    let (_, after) = nx.get(&url).await;
    assert_eq!(after["project"]["version"], 1, "nothing written");
}

#[tokio::test]
async fn an_edit_keeps_references_outside_the_editors_scope_but_cannot_add_them() {
    let app = spawn_app().await;
    // The province's investment centre brought a project to 南县.
    let hn = app.login("hn_bureau").await;
    let province_unit = hn
        .items("/api/units?region=430000&q=湖南省投资促进事务中心")
        .await[0]["id"]
        .clone();
    let mut input = project_input(&hn, "稻虾米精深加工项目").await;
    input["attracting_unit_id"] = province_unit.clone();
    let project = create(&hn, input.clone()).await;
    assert_eq!(project["attracting_unit_name"], "湖南省投资促进事务中心");

    // 南县 cannot choose that unit itself …
    let nx = app.login("nx_bureau").await;
    let (status, body) = nx.post("/api/projects", input.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["attracting_unit_id"].is_array(), "{body}");
    // … but may edit the project that carries it.
    let url = format!("/api/projects/{}", project["id"]);
    let mut edit = update_of(&project, &input);
    edit["responsible_person"] = json!("李明");
    let (status, detail) = nx.put(&url, edit.clone()).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["project"]["attracting_unit_id"], province_unit);
    // Moving the reference to another out-of-scope unit is still refused.
    let other = hn.items("/api/units?region=430000&q=湖南省商务厅").await[0]["id"].clone();
    edit["version"] = detail["project"]["version"].clone();
    edit["responsible_unit_id"] = other;
    let (status, body) = nx.put(&url, edit).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["responsible_unit_id"].is_array(), "{body}");
}

#[tokio::test]
async fn moving_a_project_moves_its_fund_records_evidence_and_duplicate_candidates() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    create(&nx, project_input(&nx, "稻虾米精深加工项目").await).await;
    // The look-alike raises a candidate, filed under its county 南县.
    let input = project_input(&nx, "湖南华实稻虾米精深加工项目（一期）").await;
    let project = create(&nx, input.clone()).await;
    let id = project["id"].as_i64().unwrap();
    assert_eq!(nx.items("/api/duplicates").await.len(), 1);
    let unit = app.login("nx_unit").await;
    let (status, fund) = unit
        .post(
            &format!("/api/projects/{id}/funds"),
            json!({ "period": "2026-04", "amount": 100 * WAN, "currency": "CNY", "kind": "fixed_asset" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{fund}");
    let fund = fund["id"].as_i64().unwrap();
    let (status, attachment) = unit
        .upload_file(
            &format!("/api/funds/{fund}/evidence"),
            b"%PDF-1.4 receipt".to_vec(),
            "银行回单.pdf",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let attachment_url = format!("/api/attachments/{}", attachment["id"]);

    // The city above moves it to 沅江市 (a decision of the city, inside its scope).
    let yy = app.login("yy_bureau").await;
    let mut moved = update_of(&project, &input);
    moved["region_code"] = json!("430981");
    moved["zone_id"] = json!(null);
    let (status, detail) = yy.put(&format!("/api/projects/{id}"), moved).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["project"]["region_name"], "沅江市");

    // 南县 no longer sees any of it …
    let (status, _) = nx.get(&format!("/api/projects/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = nx.get(&format!("/api/funds/{fund}/evidence")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        nx.get_raw(&attachment_url).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(nx.items("/api/duplicates?status=all").await.is_empty());
    // … and 沅江市 sees all of it.
    let yyx = app.login("yyx_bureau").await;
    let (_, funds) = yyx.get(&format!("/api/projects/{id}/funds")).await;
    assert_eq!(funds.as_array().unwrap().len(), 1);
    assert_eq!(funds[0]["region_code"], "430981");
    assert_eq!(yyx.get_raw(&attachment_url).await.status(), StatusCode::OK);
    let pool = yyx.items("/api/duplicates").await;
    assert_eq!(
        pool.len(),
        1,
        "moved with it, and not raised again: {pool:?}"
    );
    assert_eq!(pool[0]["project_id"], id);
    assert_eq!(pool[0]["project_region_name"], "沅江市");
    // The look-alike stayed in 南县: 沅江市 is not shown it; the city above both is.
    assert_eq!(pool[0]["other_in_scope"], false);
    assert_eq!(pool[0]["other_region_name"], "");
    let pool = yy.items("/api/duplicates").await;
    let pair = pool.iter().find(|d| d["project_id"] == id).unwrap();
    assert_eq!(pair["other_in_scope"], true);
    assert_eq!(pair["other_region_name"], "南县");

    // The fund record is still reviewed by the level above its (new) county.
    let queue = yy.items("/api/funds/review").await;
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["region_code"], "430981");

    let audit = app.login("hn_auditor").await;
    let entries = audit.items("/api/audit?entity=project&action=update").await;
    assert!(entries[0]["summary"]
        .as_str()
        .unwrap()
        .contains("落户地 南县 → 沅江市"));
    assert_eq!(entries[0]["before"]["region_code"], "430921");
    assert_eq!(entries[0]["after"]["region_code"], "430981");
}

#[tokio::test]
async fn a_changed_credit_code_or_name_is_checked_for_duplicates_once() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let first = create(&nx, project_input(&nx, "稻虾米精深加工项目").await).await;
    // A look-alike name under another investor, amount and date: not enough for a pair.
    let mut other = project_input(&nx, "南县稻虾米精深加工基地").await;
    other["investor_name"] = json!("深圳某电子有限公司");
    other["investor_credit_code"] = json!("91440300MA5D0004X0");
    other["contract_fen"] = json!(luodi_domain::Fen::from_yi_yuan(5).0);
    other["signed_on"] = json!("2025-09-01");
    other["zone_id"] = json!(null);
    let second = create(&nx, other.clone()).await;
    assert!(
        nx.items("/api/duplicates").await.is_empty(),
        "another investor's project"
    );

    // Corrected to the first project's investor: now a candidate.
    let url = format!("/api/projects/{}", second["id"]);
    let mut edit = update_of(&second, &other);
    edit["investor_credit_code"] = json!("914403001922038216");
    let (status, detail) = nx.put(&url, edit.clone()).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let pool = nx.items("/api/duplicates").await;
    assert_eq!(pool.len(), 1, "{pool:?}");
    assert_eq!(pool[0]["project_id"], second["id"]);
    assert_eq!(pool[0]["other_project_id"], first["id"]);

    // Renamed to look like the first one too: still one pair, not a second row.
    edit["version"] = detail["project"]["version"].clone();
    edit["name"] = json!("华实稻虾米精深加工项目");
    let (status, detail) = nx.put(&url, edit.clone()).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(nx.items("/api/duplicates?status=all").await.len(), 1);

    // Once decided (by the city above), a later edit does not bring the pair back.
    let (status, _) = app
        .login("yy_bureau")
        .await
        .post(
            &format!("/api/duplicates/{}/decision", pool[0]["id"]),
            json!({ "status": "not_duplicate", "note": "同一投资方的两个不同项目" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    edit["version"] = detail["project"]["version"].clone();
    edit["name"] = json!("华实稻虾米精深加工二期项目");
    let (status, _) = nx.put(&url, edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(nx.items("/api/duplicates").await.is_empty());
    assert_eq!(nx.items("/api/duplicates?status=all").await.len(), 1);

    // The first project edited against the second: the reverse pair is not raised either.
    let mut first_edit = update_of(&first, &project_input(&nx, "稻虾米精深加工项目").await);
    first_edit["name"] = json!("华实稻虾米精深加工项目（南县）");
    let (status, _) = nx
        .put(&format!("/api/projects/{}", first["id"]), first_edit)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(nx.items("/api/duplicates?status=all").await.len(), 1);
}

#[tokio::test]
async fn an_edit_cannot_give_a_signed_project_a_start_date() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let input = project_input(&nx, "稻虾米精深加工项目").await;
    let project = create(&nx, input.clone()).await;
    let id = project["id"].as_i64().unwrap();
    // A 开工 date on a project still at 已签约 would count in the 开工率 while the stage
    // says otherwise: the start goes through a stage change.
    let mut changed = update_of(&project, &input);
    changed["started_on"] = json!("2026-06-01");
    let (status, body) = nx.put(&format!("/api/projects/{id}"), changed).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["errors"]["started_on"][0],
        "项目阶段为“已签约”，还不应有开工日期；达到该阶段时请用“变更阶段”登记"
    );
    let (_, detail) = nx.get(&format!("/api/projects/{id}")).await;
    assert_eq!(detail["project"]["version"], 1, "nothing written");
    assert!(detail["project"]["started_on"].is_null());

    // After the stage change the date is the project's, and an edit may correct it.
    let (status, body) = nx
        .post(
            &format!("/api/projects/{id}/stage"),
            json!({ "stage": "started", "changed_on": "2026-06-01", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let started = &body["project"];
    let mut corrected = update_of(started, &input);
    corrected["stage"] = json!("started");
    corrected["started_on"] = json!("2026-06-03");
    let (status, body) = nx
        .put(&format!("/api/projects/{id}"), corrected.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["project"]["started_on"], "2026-06-03");
    // …but not remove it while the stage says 已开工.
    corrected["started_on"] = Value::Null;
    corrected["version"] = body["project"]["version"].clone();
    let (status, body) = nx.put(&format!("/api/projects/{id}"), corrected).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["errors"]["started_on"][0],
        "项目阶段为“已开工”，须填写开工日期"
    );
}

#[tokio::test]
async fn stage_changes_keep_the_milestone_dates_in_step() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let input = project_input(&nx, "稻虾米精深加工项目").await;
    let project = create(&nx, input).await;
    let id = project["id"].as_i64().unwrap();
    let change = |stage: &str, on: &str, version: i64| json!({ "stage": stage, "changed_on": on, "version": version });
    let url = format!("/api/projects/{id}/stage");
    // 已签约 straight to 已投产 would leave no 开工 date for the 开工率.
    let (status, body) = nx.post(&url, change("producing", "2026-09-01", 1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["errors"]["stage"][0],
        "项目阶段为“已投产”，须填写开工日期：请按顺序变更阶段，逐步登记各里程碑日期"
    );
    // A date before the signing is refused too.
    let (status, body) = nx.post(&url, change("started", "2026-01-01", 1)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"]["stage"][0], "开工日期不能早于签约日期");
    // Step by step it goes through.
    let mut version = 1;
    for (stage, on) in [
        ("started", "2026-05-01"),
        ("completed", "2026-08-01"),
        ("producing", "2026-09-01"),
    ] {
        let (status, body) = nx.post(&url, change(stage, on, version)).await;
        assert_eq!(status, StatusCode::OK, "{stage}: {body}");
        version = body["project"]["version"].as_i64().unwrap();
    }
    // A step back (entered by mistake) clears the dates of the steps no longer reached and
    // says so in the history.
    let (status, body) = nx
        .post(&url, change("started", "2026-05-01", version))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let p = &body["project"];
    assert_eq!(p["started_on"], "2026-05-01");
    assert!(
        p["completed_on"].is_null() && p["producing_on"].is_null(),
        "{p}"
    );
    let stages = body["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 5, "every change stays in the history");
    assert!(
        stages.iter().any(|s| s["note"]
            .as_str()
            .is_some_and(|n| n.contains("阶段回退，清除竣工日期、投产日期"))),
        "{stages:?}"
    );
}
