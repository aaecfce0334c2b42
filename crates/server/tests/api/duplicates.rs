//! The duplicate review pool and its decisions: `POST /api/duplicates/{id}/decision`.

use crate::helpers::*;
use crate::ledger::project_input;
use reqwest::StatusCode;
use serde_json::json;

/// Two look-alike projects in 南县; returns the id of the pending pair.
async fn pair(app: &TestApp) -> i64 {
    let nx = app.login("nx_bureau").await;
    for name in [
        "华实稻虾米精深加工项目",
        "湖南华实稻虾米精深加工项目（一期）",
    ] {
        let (status, body) = nx
            .post("/api/projects", project_input(&nx, name).await)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let pool = nx.items("/api/duplicates").await;
    assert_eq!(pool.len(), 1, "{pool:?}");
    assert_eq!(pool[0]["status"], "pending");
    assert_eq!(pool[0]["status_label"], "待核查");
    pool[0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_decided_pair_leaves_the_pending_list_and_is_decided_once() {
    let app = spawn_app().await;
    let id = pair(&app).await;
    let nx = app.login("nx_bureau").await;
    let url = format!("/api/duplicates/{id}/decision");
    // Both projects are 南县's: the city above decides.
    let yy = app.login("yy_bureau").await;
    let (status, decided) = yy
        .post(
            &url,
            json!({ "status": "duplicate", "note": "同一项目在两次签约活动中重复签约" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "duplicate");
    assert_eq!(decided["status_label"], "确认重复");
    assert_eq!(decided["decision_note"], "同一项目在两次签约活动中重复签约");
    assert_eq!(decided["reviewed_by_name"], "徐红梅（益阳市商务局）");
    assert!(decided["reviewed_at"].is_string());

    assert!(nx.items("/api/duplicates").await.is_empty());
    assert!(nx.items("/api/duplicates?status=pending").await.is_empty());
    assert_eq!(nx.items("/api/duplicates?status=duplicate").await.len(), 1);
    assert!(nx
        .items("/api/duplicates?status=not_duplicate")
        .await
        .is_empty());
    assert_eq!(nx.items("/api/duplicates?status=all").await.len(), 1);
    // The export follows the same filter and shows the decision.
    assert_eq!(
        xlsx_rows(&nx, "/api/duplicates/export").await.len(),
        1,
        "header only"
    );
    let rows = xlsx_rows(&nx, "/api/duplicates/export?status=all").await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], "湖南华实稻虾米精深加工项目（一期）");
    assert_eq!(rows[1][5], "确认重复");
    assert_eq!(rows[1][6], "同一项目在两次签约活动中重复签约");
    assert!(rows[1][4].contains("名称"), "the reasons: {:?}", rows[1]);
    let yj = app.login("yyx_bureau").await;
    assert_eq!(
        xlsx_rows(&yj, "/api/duplicates/export?status=all")
            .await
            .len(),
        1,
        "another county's pairs are not exported"
    );
    let (status, _) = nx.get("/api/duplicates/export?status=maybe").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = nx.get("/api/duplicates?status=maybe").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["status"][0]
        .as_str()
        .unwrap()
        .contains("待核查"));

    let (status, body) = yy
        .post(
            &url,
            json!({ "status": "not_duplicate", "note": "再看一次" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "conflict");
    assert!(body["message"].as_str().unwrap().contains("已由"), "{body}");

    let audit = app.login("nx_auditor").await;
    let entries = audit
        .items("/api/audit?entity=duplicate_candidate&action=decide")
        .await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["entity_id"], id.to_string());
    assert_eq!(entries[0]["action_label"], "核查");
    assert_eq!(entries[0]["entity_label_zh"], "疑似重复");
    assert_eq!(entries[0]["before"]["status"], "pending");
    assert_eq!(entries[0]["after"]["status"], "duplicate");
    assert!(entries[0]["summary"]
        .as_str()
        .unwrap()
        .contains("结论：确认重复"));
}

#[tokio::test]
async fn a_decision_needs_a_known_outcome_and_a_reason_to_clear_a_suspicion() {
    let app = spawn_app().await;
    let id = pair(&app).await;
    let nx = app.login("nx_bureau").await;
    let url = format!("/api/duplicates/{id}/decision");
    // Both projects are 南县's: the city above decides.
    let yy = app.login("yy_bureau").await;
    let (status, body) = yy.post(&url, json!({ "status": "merged" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "validation_failed");
    assert!(body["errors"]["status"][0]
        .as_str()
        .unwrap()
        .contains("不是重复"));
    let (status, body) = yy
        .post(&url, json!({ "status": "not_duplicate", "note": "  " }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["note"][0].as_str().unwrap().contains("理由"));
    let (status, body) = yy
        .post(
            &url,
            json!({ "status": "not_duplicate", "note": "理".repeat(501) }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["note"].is_array());
    assert_eq!(nx.items("/api/duplicates").await.len(), 1, "still pending");

    let (status, decided) = yy
        .post(
            &url,
            json!({ "status": "not_duplicate", "note": "同一投资方的两个不同项目" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status_label"], "不是重复");
}

#[tokio::test]
async fn only_the_ledger_keepers_of_the_candidates_region_decide() {
    let app = spawn_app().await;
    let id = pair(&app).await;
    let url = format!("/api/duplicates/{id}/decision");
    let body = json!({ "status": "duplicate" });

    // Another county: the pair does not exist for it.
    let yyx = app.login("yyx_bureau").await;
    assert!(yyx.items("/api/duplicates?status=all").await.is_empty());
    let (status, res) = yyx.post(&url, body.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&res, "not_found");
    // Same county, but no ledger permission.
    for user in ["nx_unit", "nx_leader", "nx_admin"] {
        let (status, res) = app.login(user).await.post(&url, body.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
        assert_error(&res, "forbidden");
    }
    let (status, _) = app
        .login("nx_bureau")
        .await
        .post("/api/duplicates/999999/decision", body.clone())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // 南县's ledger keeper entered both projects: it may not clear (or confirm) its own pair.
    let nx = app.login("nx_bureau").await;
    let listed = nx.items("/api/duplicates").await;
    assert_eq!(listed[0]["can_decide"], false, "{listed:?}");
    for verdict in [
        json!({ "status": "not_duplicate", "note": "两个不同项目" }),
        body.clone(),
    ] {
        let (status, res) = nx.post(&url, verdict).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{res}");
        assert!(res["message"].as_str().unwrap().contains("上一级"), "{res}");
    }
    assert_eq!(nx.items("/api/duplicates").await.len(), 1, "still pending");

    // The city above covers 南县 and may decide.
    let yy = app.login("yy_bureau").await;
    assert_eq!(yy.items("/api/duplicates").await[0]["can_decide"], true);
    let (status, decided) = yy.post(&url, body).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["reviewed_by_name"], "徐红梅（益阳市商务局）");
}

/// The same project is entered in 南县 and again, as 沅江華實稻蝦米精深加工, in 沅江市: 沅江市 is told a look-alike exists
/// elsewhere but not which project it is, and cannot decide; 益阳市, above both, sees and
/// decides it; neither county's history or audit log shows the other county's project.
#[tokio::test]
async fn a_look_alike_in_another_county_is_hidden_from_the_county_and_decided_above() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, body) = nx
        .post(
            "/api/projects",
            project_input(&nx, "华实稻虾米精深加工项目").await,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let nx_project = body["project"]["id"].as_i64().unwrap();

    let yj = app.login("yyx_bureau").await;
    let mut input = project_input(&nx, "沅江華實稻蝦米精深加工").await;
    input["region_code"] = json!("430981");
    input["zone_id"] = json!(null);
    let (status, body) = yj.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let yj_project = body["project"]["id"].as_i64().unwrap();

    let ours = |pool: Vec<serde_json::Value>| {
        pool.into_iter()
            .find(|d| d["project_id"] == yj_project)
            .expect("the pair raised by 沅江市's project")
    };
    let seen = ours(yj.items("/api/duplicates").await);
    assert_eq!(seen["project_name"], "沅江華實稻蝦米精深加工");
    assert_eq!(seen["other_in_scope"], false);
    assert!(seen["other_project_id"].is_null(), "{seen}");
    assert_eq!(seen["other_project_name"], "");
    assert_eq!(seen["other_region_name"], "");
    assert!(seen["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().unwrap().contains("信用代码")));
    let exported = xlsx_rows(&yj, "/api/duplicates/export").await;
    assert!(
        exported.iter().flatten().all(|c| !c.contains("华实")),
        "{exported:?}"
    );
    let url = format!("/api/duplicates/{}/decision", seen["id"]);
    let decision = json!({ "status": "duplicate", "note": "同一投资方同一项目在两地签约" });
    let (status, body) = yj.post(&url, decision.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("共同上级"),
        "{body}"
    );
    // 南县 does not see a pair raised by 沅江市's project at all.
    assert!(nx
        .items("/api/duplicates?status=all")
        .await
        .iter()
        .all(|d| d["project_id"] != yj_project));

    let yy = app.login("yy_bureau").await;
    let seen = ours(yy.items("/api/duplicates").await);
    assert_eq!(seen["other_in_scope"], true);
    assert_eq!(seen["other_project_id"], nx_project);
    assert_eq!(seen["other_project_name"], "华实稻虾米精深加工项目");
    assert_eq!(seen["other_region_name"], "南县");
    let (status, decided) = yy.post(&url, decision).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status_label"], "确认重复");
    // 沅江市 learns the decision, not the note written with both projects in view.
    let told = ours(yj.items("/api/duplicates?status=all").await);
    assert_eq!(told["status_label"], "确认重复");
    assert!(told["decision_note"].is_null(), "{told}");
    assert_eq!(
        ours(yy.items("/api/duplicates?status=all").await)["decision_note"],
        "同一投资方同一项目在两地签约"
    );

    // The decision is in the city's history of either project, in neither county's.
    let decisions = |history: serde_json::Value| {
        history
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["entity"] == "duplicate_candidate")
            .count()
    };
    for (user, project) in [(&nx, nx_project), (&yj, yj_project)] {
        let (status, history) = user.get(&format!("/api/projects/{project}/history")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(decisions(history), 0, "county's history of {project}");
    }
    for project in [nx_project, yj_project] {
        let (_, history) = yy.get(&format!("/api/projects/{project}/history")).await;
        assert_eq!(decisions(history), 1, "city's history of {project}");
    }
    // It is filed under 益阳市: the city's audit log has it, the counties' do not.
    let path = "/api/audit?entity=duplicate_candidate&action=decide";
    assert!(app.login("nx_auditor").await.items(path).await.is_empty());
    let entries = app.login("hn_auditor").await.items(path).await;
    let pair_id = seen["id"].to_string();
    let entry = entries
        .iter()
        .find(|e| e["entity_id"] == pair_id.as_str())
        .expect("the decision in the province's audit log");
    assert_eq!(entry["region_code"], "430900");
    assert!(entry["summary"]
        .as_str()
        .unwrap()
        .contains("沅江華實稻蝦米精深加工 与 华实稻虾米精深加工项目（南县）"));

    // The signal 沅江市 was given is audited with the entering account, on its own project
    // and under its own county, naming neither the other project nor its county.
    let signals = app
        .login("hn_auditor")
        .await
        .items("/api/audit?entity=project&action=duplicate_signal")
        .await;
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert_eq!(signals[0]["actor_name"], "yyx_bureau");
    assert_eq!(signals[0]["entity_id"], yj_project.to_string());
    assert_eq!(signals[0]["region_code"], "430981");
    let text = signals[0].to_string();
    assert!(text.contains("信用代码") && !text.contains("华实") && !text.contains("南县"));
    // 南县's own entry (the earlier one) gave no signal.
    let (_, history) = nx.get(&format!("/api/projects/{nx_project}/history")).await;
    assert!(!history.to_string().contains("duplicate_signal"));
}

/// An installation that keeps cross-county pairs to the common superior: 沅江市 is told
/// nothing (its pool has no such pair, so there is no signal to audit); 益阳市 sees the pair.
#[tokio::test]
async fn an_installation_may_show_cross_county_pairs_only_to_the_common_superior() {
    let app = spawn_app_with(luodi_store::AuthSettings {
        cross_scope_duplicates: luodi_store::CrossScopeDuplicates::Superior,
        ..Default::default()
    })
    .await;
    let nx = app.login("nx_bureau").await;
    let (status, body) = nx
        .post(
            "/api/projects",
            project_input(&nx, "华实稻虾米精深加工项目").await,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let yj = app.login("yyx_bureau").await;
    let mut input = project_input(&nx, "沅江華實稻蝦米精深加工").await;
    input["region_code"] = json!("430981");
    input["zone_id"] = json!(null);
    let (status, body) = yj.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let yj_project = body["project"]["id"].as_i64().unwrap();

    assert!(yj.items("/api/duplicates?status=all").await.is_empty());
    let exported = xlsx_rows(&yj, "/api/duplicates/export").await;
    assert!(exported.len() <= 1, "header only: {exported:?}");
    let pool = app.login("yy_bureau").await.items("/api/duplicates").await;
    let pair = pool
        .iter()
        .find(|d| d["project_id"] == yj_project)
        .expect("the city sees the pair");
    assert_eq!(pair["other_project_name"], "华实稻虾米精深加工项目");
    // Nor can it reach the pair by its id: deciding it answers as for a pair that does not
    // exist, not "decided by the common superior".
    let (status, body) = yj
        .post(
            &format!("/api/duplicates/{}/decision", pair["id"]),
            json!({ "status": "duplicate" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let signals = app
        .login("hn_auditor")
        .await
        .items("/api/audit?entity=project&action=duplicate_signal")
        .await;
    assert!(signals.is_empty(), "{signals:?}");
}

/// The two projects of [`pair`]: (the earlier entry, the later one).
async fn pair_projects(app: &TestApp, id: i64) -> (i64, i64) {
    let yy = app.login("yy_bureau").await;
    let pool = yy.items("/api/duplicates?status=all").await;
    let d = pool.iter().find(|d| d["id"] == id).expect("the pair");
    let (a, b) = (
        d["project_id"].as_i64().unwrap(),
        d["other_project_id"].as_i64().unwrap(),
    );
    (a.min(b), a.max(b))
}

fn county_projects(report: &serde_json::Value, code: &str) -> i64 {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .map_or(0, |r| r["projects"].as_i64().unwrap())
}

/// 确认重复 takes the later entry out of every figure — 三率, the ledger's list and count,
/// an event's figures — while the project itself is kept and its page says what it copies;
/// the level that decided takes it back with a reason, and the figures count it again.
#[tokio::test]
async fn a_confirmed_copy_leaves_the_figures_and_comes_back_when_the_decision_is_reopened() {
    let app = spawn_app().await;
    let id = pair(&app).await;
    let (original, copy) = pair_projects(&app, id).await;
    let nx = app.login("nx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let hn = app.login("hn_bureau").await;
    let (_, before) = yy.get("/api/rates").await;
    let counted = county_projects(&before, "430921");
    assert!(counted >= 2, "{before}");
    let listed = nx.get("/api/projects?page_size=100").await.1["total"]
        .as_i64()
        .unwrap();
    let (_, page) = nx.get(&format!("/api/projects/{copy}")).await;
    assert_eq!(page["project"]["in_duplicate_pool"], true, "{page}");

    let url = format!("/api/duplicates/{id}/decision");
    let (status, decided) = yy
        .post(
            &url,
            json!({ "status": "duplicate", "note": "同一项目重复录入" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");

    let (_, after) = yy.get("/api/rates").await;
    assert_eq!(county_projects(&after, "430921"), counted - 1, "{after}");
    assert_eq!(
        after["total"]["projects"],
        before["total"]["projects"].as_i64().unwrap() - 1
    );
    let (_, own) = nx.get("/api/rates").await;
    assert_eq!(
        own["total"]["projects"],
        counted - 1,
        "the county's own 三率 too"
    );
    let (_, list) = nx.get("/api/projects?page_size=100").await;
    assert_eq!(list["total"], listed - 1);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["id"] != copy));
    let only = nx.items("/api/projects?duplicates=only").await;
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["id"], copy);
    assert_eq!(only[0]["duplicate_of"], original);
    assert_eq!(
        nx.get("/api/projects?duplicates=include&page_size=100")
            .await
            .1["total"],
        listed
    );
    let (status, body) = nx.get("/api/projects?duplicates=maybe").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let exported = xlsx_rows(&nx, "/api/projects/export").await;
    assert_eq!(
        exported.len() as i64,
        listed,
        "header + every counted project"
    );
    // Kept: the copy's page still opens, says what it copies, and its history says who decided.
    let (status, page) = nx.get(&format!("/api/projects/{copy}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["project"]["duplicate_of"], original);
    assert_eq!(page["project"]["in_duplicate_pool"], false);
    let (_, history) = nx.get(&format!("/api/projects/{copy}/history")).await;
    assert!(history.to_string().contains("mark_duplicate"), "{history}");
    let (_, page) = nx.get(&format!("/api/projects/{original}")).await;
    assert!(page["project"]["duplicate_of"].is_null());

    // Reopened only by the level that decided (or above), with a reason.
    let reopen = format!("/api/duplicates/{id}/reopen");
    let (status, body) = nx
        .post(&reopen, json!({ "note": "县里认为不是重复" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = yy.post(&reopen, json!({ "note": " " })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["note"][0].as_str().unwrap().contains("理由"));
    let (status, reopened) = hn
        .post(&reopen, json!({ "note": "省级复核：两期工程，另行核查" }))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the province stands above the city: {reopened}"
    );
    assert_eq!(reopened["status"], "pending");
    assert_eq!(reopened["can_reopen"], false);
    let (status, body) = yy.post(&reopen, json!({ "note": "再撤一次" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, again) = yy.get("/api/rates").await;
    assert_eq!(county_projects(&again, "430921"), counted);
    let (_, page) = nx.get(&format!("/api/projects/{copy}")).await;
    assert!(page["project"]["duplicate_of"].is_null());
    assert_eq!(page["project"]["in_duplicate_pool"], true);
    let entries = app
        .login("hn_auditor")
        .await
        .items("/api/audit?entity=duplicate_candidate&action=reopen")
        .await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["before"]["status"], "duplicate");
    assert_eq!(entries[0]["after"]["status"], "pending");
    assert_eq!(
        entries[0]["region_code"], "430900",
        "filed under the level that decided"
    );
}

/// A project in the pool is not paid into 三率 behind the reviewer's back: its fund records
/// wait (alone or in a batch) until the pair is decided.
#[tokio::test]
async fn fund_records_of_a_project_in_the_pool_wait_for_the_pair_to_be_decided() {
    let app = spawn_app().await;
    let id = pair(&app).await;
    let (_, copy) = pair_projects(&app, id).await;
    let nx = app.login("nx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let mut records = Vec::new();
    for period in ["2026-04", "2026-05"] {
        let (status, record) = nx
            .post(
                &format!("/api/projects/{copy}/funds"),
                json!({ "period": period, "amount": 940_500_000_i64, "currency": "CNY",
                        "kind": "fixed_asset", "override_reason": "一次性支付设备款，合同约定" }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{record}");
        records.push(record);
    }
    let queue = yy.items("/api/funds/review?pool=true").await;
    assert_eq!(queue.len(), 2, "{queue:?}");
    assert!(queue.iter().all(|r| r["in_duplicate_pool"] == true));
    assert!(yy.items("/api/funds/review?pool=false").await.is_empty());
    let (status, sorted) = yy.get("/api/funds/review?sort=-pool").await;
    assert_eq!(status, StatusCode::OK, "{sorted}");
    let (status, sorted) = yy.get("/api/funds/review?sort=-warnings").await;
    assert_eq!(status, StatusCode::OK, "{sorted}");

    let (status, body) = yy
        .post(
            &format!("/api/funds/{}/review", records[0]["id"]),
            json!({ "decision": "confirm", "version": records[0]["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("疑似重复"),
        "{body}"
    );
    let (status, batch) = yy
        .post(
            "/api/funds/review/batch",
            json!({ "decision": "confirm", "items": [
                { "id": records[1]["id"], "version": records[1]["version"] }] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{batch}");
    assert_eq!(batch["reviewed"], 0);
    assert!(batch["refused"][0]["message"]
        .as_str()
        .unwrap()
        .contains("疑似重复"));
    // Returning is not paying: a reviewer may send it back while the pair waits.
    let (_, project) = nx.get(&format!("/api/projects/{copy}")).await;
    assert_eq!(project["project"]["arrived_fen"], 0);

    let (status, decided) = yy
        .post(
            &format!("/api/duplicates/{id}/decision"),
            json!({ "status": "not_duplicate", "note": "同一投资方在同一园区的两期项目" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    let (status, body) = yy
        .post(
            &format!("/api/funds/{}/review", records[0]["id"]),
            json!({ "decision": "confirm", "version": records[0]["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn enter(user: &User, region: &str, name: &str, investor: &str, code: Option<&str>) -> i64 {
    let mut input = project_input(user, name).await;
    input["region_code"] = json!(region);
    input["zone_id"] = json!(null);
    input["investor_name"] = json!(investor);
    input["investor_credit_code"] = json!(code);
    // A county re-entering a project leaves the code out with the handiest reason.
    input["credit_code_missing_reason"] =
        json!(code.is_none().then_some("企业尚未注册，注册后补填代码"));
    let (status, body) = user.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["project"]["id"].as_i64().unwrap()
}

/// 沅江市 re-enters a 南县 project with its own name in front, in traditional characters, the
/// investor's short name and no credit code: the pair is found across the two counties, with
/// its score and reasons, and it goes to 益阳市 above both.
#[tokio::test]
async fn a_copy_with_the_county_in_front_in_traditional_characters_is_caught_in_another_county() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let original = enter(
        &nx,
        "430921",
        "华湘锂电新材料产业园项目",
        "湖南华湘锂电科技股份有限公司",
        Some("914403001922038216"),
    )
    .await;
    let yj = app.login("yyx_bureau").await;
    let copy = enter(
        &yj,
        "430981",
        "沅江市華湘鋰電新材料產業園項目",
        "華湘鋰電",
        None,
    )
    .await;
    // An unrelated project with the same generic words is not paired.
    let other = enter(
        &yj,
        "430981",
        "楚天智能新材料产业园项目",
        "楚天智能装备有限公司",
        None,
    )
    .await;

    let pool = app.login("yy_bureau").await.items("/api/duplicates").await;
    let pair = pool
        .iter()
        .find(|d| d["project_id"] == copy)
        .unwrap_or_else(|| panic!("the city sees the copy: {pool:?}"));
    assert_eq!(pair["other_project_id"], original);
    assert_eq!(pair["can_decide"], true);
    let score = pair["score"].as_i64().unwrap();
    assert!(score >= 90, "{pair}");
    let reasons: Vec<&str> = pair["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    for r in ["项目名称相似度100%", "投资方简称与全称一致", "落户地不同"] {
        assert!(reasons.contains(&r), "{reasons:?}");
    }
    assert!(!pool.iter().any(|d| d["project_id"] == other), "{pool:?}");
    // 沅江市 entered the copy: it may not decide the pair.
    let mine = yj.items("/api/duplicates").await;
    let seen = mine.iter().find(|d| d["project_id"] == copy).unwrap();
    assert_eq!(seen["can_decide"], false);
}

/// A real 二期 of the same investor is not paired with its 一期 (the differing phase lowers the
/// score below the pool's threshold), while a re-entry of the 一期 is.
#[tokio::test]
async fn a_real_second_phase_is_not_paired_but_a_re_entry_is() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let code = Some("914403001922038216");
    let investor = "湖南华湘锂电科技股份有限公司";
    let first = enter(&nx, "430921", "华湘锂电新材料产业园项目", investor, code).await;
    let second = enter(
        &nx,
        "430921",
        "华湘锂电新材料产业园二期项目",
        investor,
        code,
    )
    .await;
    let again = enter(
        &nx,
        "430921",
        "湖南华湘锂电新材料产业园（一期）",
        investor,
        code,
    )
    .await;

    let pool = app.login("yy_bureau").await.items("/api/duplicates").await;
    assert!(
        !pool
            .iter()
            .any(|d| d["project_id"] == second || d["other_project_id"] == second),
        "{pool:?}"
    );
    let pair = pool
        .iter()
        .find(|d| d["project_id"] == again)
        .unwrap_or_else(|| panic!("{pool:?}"));
    assert_eq!(pair["other_project_id"], first);
    assert_eq!(pair["score"], 100, "{pair}");
    assert!(pair["reasons"]
        .as_array()
        .unwrap()
        .contains(&json!("同一投资方统一社会信用代码")));
}

/// The ledger sheet a county imports, with the columns these tests fill in.
fn ledger_sheet(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut all: Vec<&[&str]> = vec![&[
        "项目名称",
        "投资方",
        "统一社会信用代码",
        "资金来源",
        "合同资金（万元）",
        "签约日期",
        "落户地",
    ]];
    all.extend(rows.iter().map(|r| r.as_slice()));
    let mut sheet = all.iter().map(|r| r.to_vec()).collect::<Vec<_>>();
    for r in sheet.iter_mut().skip(1) {
        r.push("已签约");
    }
    sheet[0].push("项目阶段");
    let slices: Vec<&[&str]> = sheet.iter().map(Vec::as_slice).collect();
    ledger_workbook(&slices)
}

/// A county's sheet is matched against the whole installation, as the form is: a reworded copy
/// of another county's project, under a name key of its own, is pooled; a genuine 二期 in the
/// same sheet is not.
#[tokio::test]
async fn a_sheet_row_copying_another_county_s_project_is_pooled() {
    let app = spawn_app().await;
    let yj = app.login("yyx_bureau").await;
    let original = enter(
        &yj,
        "430981",
        "金瑞锂电池正极材料生产基地项目",
        "广东金瑞锂电科技股份有限公司",
        Some("914403001922038216"),
    )
    .await;
    let nx = app.login("nx_bureau").await;
    let file = ledger_sheet(&[
        [
            "南县金瑞锂电池正极材料产业化项目",
            "金瑞锂电",
            "",
            "省外境内",
            "20000",
            "2026-03-18",
            "南县",
        ],
        [
            "金瑞锂电池正极材料生产基地二期项目",
            "广东金瑞锂电科技股份有限公司",
            "914403001922038216",
            "省外境内",
            "35000",
            "2026-05-20",
            "南县",
        ],
    ]);
    let (status, body) = nx
        .upload_file("/api/projects/import/commit", file, "台账.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pool = app.login("yy_bureau").await.items("/api/duplicates").await;
    let pairs: Vec<(&str, i64)> = pool
        .iter()
        .map(|d| {
            (
                d["project_name"].as_str().unwrap(),
                d["other_project_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [("南县金瑞锂电池正极材料产业化项目", original)],
        "{pool:?}"
    );
    assert!(pool[0]["reasons"]
        .as_array()
        .unwrap()
        .contains(&json!("落户地不同")));
}

/// A foreign investor entered by its English name is not counted as another investor: the
/// names cannot be compared, so the project names, industry, amount and signing window decide
/// — and say so.
#[tokio::test]
async fn an_english_investor_name_is_not_held_against_a_copy() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let original = enter(
        &nx,
        "430921",
        "博世汽车电子零部件生产基地项目",
        "博世汽车部件（益阳）有限公司",
        Some("914403001922038216"),
    )
    .await;
    let yj = app.login("yyx_bureau").await;
    let copy = enter(
        &yj,
        "430981",
        "博世汽车电子零部件产业化项目",
        "Bosch Automotive Parts (Yiyang) Co., Ltd.",
        None,
    )
    .await;
    let pool = app.login("yy_bureau").await.items("/api/duplicates").await;
    let pair = pool
        .iter()
        .find(|d| d["project_id"] == copy)
        .unwrap_or_else(|| panic!("{pool:?}"));
    assert_eq!(pair["other_project_id"], original);
    assert!(pair["reasons"]
        .as_array()
        .unwrap()
        .contains(&json!("投资方一为中文名称、一为外文名称，未能比对")));
}
