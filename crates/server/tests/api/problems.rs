//! Problems: 南县's bureau registers problems of its projects and a common one, routes them by
//! the seed's rule, assigns one to 县经济开发区 (nx_unit) with a numbered 交办函 that lands in
//! the unit's 我的待办; the unit answers, the bureau sends it back (退办), the unit answers
//! again, it is closed. Another goes overdue on the store's clock and is supervised with a
//! numbered 督办函. No endpoint closes an unanswered problem; other counties, other units and
//! other cities read nothing, letters included. Monthly updates' problems become tracked ones.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Read;

fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}

fn in_days(n: i64) -> String {
    (today() + time::Duration::days(n)).to_string()
}

async fn project(nx: &User, name: &str, unit: Option<i64>) -> i64 {
    let mut input = json!({
        "name": name, "investor_name": "某某实业有限公司",
        "origin": "in_province", "contract_fen": 100_000_000, "signed_on": "2026-01-10",
        "region_code": "430921", "stage": "signed", "investor_credit_code": credit_code()
    });
    if let Some(unit) = unit {
        input["responsible_unit_id"] = json!(unit);
    }
    let (status, d) = nx.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    d["project"]["id"].as_i64().unwrap()
}

async fn register(user: &User, body: Value) -> Value {
    let (status, p) = user.post("/api/problems", body).await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    p
}

fn actions(p: &Value) -> Vec<String> {
    p["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect()
}

/// A list page's rows, checked against its total (the tests' lists fit on one page).
async fn list_of(user: &User, path: &str) -> Value {
    let (status, page) = user.get(path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["items"].clone();
    assert_eq!(
        page["total"].as_i64().unwrap(),
        items.as_array().unwrap().len() as i64
    );
    items
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

/// The text of a .docx's body.
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[tokio::test]
async fn a_problem_runs_from_registration_through_assignment_and_answer_to_closure() {
    let (app, store) = spawn_app_with_store(Default::default(), Default::default()).await;
    let nx = app.login("nx_bureau").await;
    let unit = app.login("nx_unit").await;
    let yy = app.login("yy_bureau").await;
    let zone = unit_id(&nx, "430921", "县经济开发区").await;
    let school = unit_id(&nx, "430921", "县教育局").await;
    let pid = project(&nx, "南县问题测试项目", Some(zone)).await;

    // Every field at fault named; a common problem needs no project, a project's does.
    let (status, body) = nx
        .post(
            "/api/problems",
            json!({ "description": " ", "category": "land" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["errors"]["description"].is_array() && body["errors"]["project_id"].is_array(),
        "{body}"
    );
    let (status, body) = nx
        .post(
            "/api/problems",
            json!({ "description": "x", "category": "税收", "project_id": pid }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A unit registers nothing.
    let (status, _) = unit
        .post(
            "/api/problems",
            json!({ "description": "x", "category": "land", "project_id": pid }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Routing by the seed's rule.
    let land = register(
        &nx,
        json!({
            "description": "项目二期用地指标未落实", "category": "land", "project_id": pid
        }),
    )
    .await;
    assert_eq!(land["routing"], "locality");
    assert_eq!(land["status"], "registered");
    let policy = register(&nx, json!({
        "description": "企业咨询招商引资奖励政策兑现程序", "category": "policy", "project_id": pid,
        "within_bureau_remit": true
    })).await;
    assert_eq!(policy["routing"], "on_the_spot");
    assert!(!actions(&policy).contains(&"assign".into()), "{policy}");
    let common = register(&nx, json!({
        "description": "多个项目反映融资难、贷款审批慢", "category": "financing", "common": true,
        "within_bureau_remit": true
    })).await;
    assert_eq!(common["routing"], "leading_group");
    assert_eq!(common["region_code"], "430921");

    // No endpoint closes an unanswered problem: registered, assigned, in progress.
    let id = land["id"].as_i64().unwrap();
    let (status, body) = nx
        .post(&format!("/api/problems/{id}/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("事事有回音"),
        "{body}"
    );
    // Nor is it answered before it is assigned.
    let (status, _) = nx
        .post(
            &format!("/api/problems/{id}/answer"),
            json!({ "text": "已解决" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // 交办: a deadline in the past and no unit are refused, field by field.
    let (status, body) = nx
        .post(
            &format!("/api/problems/{id}/assign"),
            json!({ "due_on": "2020-01-01" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["due_on"].is_array() && body["errors"]["unit_id"].is_array(),
        "{body}"
    );
    let (status, p) = nx
        .post(
            &format!("/api/problems/{id}/assign"),
            json!({
                "unit_id": zone, "leader": "李副县长", "person": "王主任", "due_on": in_days(5)
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "assigned");
    let year = today().year();
    let letter = &p["letters"][0];
    assert_eq!(letter["number"], format!("南县商交〔{year}〕1号"));
    // A second assignment takes the next number.
    let (_, second) = nx
        .post(
            &format!("/api/problems/{}/assign", common["id"]),
            json!({
                "unit_id": school, "due_on": in_days(10)
            }),
        )
        .await;
    assert_eq!(
        second["letters"][0]["number"],
        format!("南县商交〔{year}〕2号")
    );
    let (status, body) = nx
        .post(&format!("/api/problems/{id}/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // The 交办函 in the official layout, for the bureau and the unit alike.
    let url = format!("/api/problems/{id}/letters/{}", letter["id"]);
    for user in [&nx, &unit] {
        let res = user.get_raw(&url).await;
        assert_eq!(res.status(), StatusCode::OK);
        let xml = docx_text(&res.bytes().await.unwrap());
        for text in [
            "问题交办函",
            "南县商交",
            "县经济开发区：",
            "项目二期用地指标未落实",
            "李副县长",
            "王主任",
        ] {
            assert!(xml.contains(text), "{text} missing");
        }
    }

    // The unit's 我的待办 holds it; the unit sees only what is given to it.
    let (_, tasks) = unit.get("/api/tasks/mine").await;
    let task = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "problem" && t["source_id"] == id)
        .unwrap_or_else(|| panic!("{tasks}"));
    assert_eq!(task["status"], "open");
    assert_eq!(task["due_on"], in_days(5));
    let mine = list_of(&unit, "/api/problems").await;
    assert_eq!(ids(&mine), vec![id]);
    assert_eq!(
        actions(&mine[0]),
        vec!["accept", "answer", "request_extension"]
    );
    // The county bureau without an account's unit holds the 教育局's task.
    let (_, tasks) = nx.get("/api/tasks/mine").await;
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["kind"] == "problem" && t["source_id"] == common["id"]),
        "{tasks}"
    );

    // 延期: asked by the unit, refused without a reason only with one, approved moves the task.
    let (status, p) = unit
        .post(&format!("/api/problems/{id}/accept"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "in_progress");
    let (status, body) = unit
        .post(
            &format!("/api/problems/{id}/extension"),
            json!({ "due_on": in_days(3), "reason": "" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["due_on"].is_array() && body["errors"]["reason"].is_array(),
        "{body}"
    );
    let (status, p) = unit
        .post(
            &format!("/api/problems/{id}/extension"),
            json!({ "due_on": in_days(15), "reason": "需待县国土空间规划调整" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["extension_due_on"], in_days(15));
    let (status, _) = nx
        .post(
            &format!("/api/problems/{id}/extension/decision"),
            json!({ "approve": false }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, p) = nx
        .post(
            &format!("/api/problems/{id}/extension/decision"),
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["due_on"], in_days(15));
    assert!(p["extension_due_on"].is_null());
    let (_, tasks) = unit.get("/api/tasks/mine").await;
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["source_id"] == id && t["due_on"] == in_days(15)),
        "{tasks}"
    );

    // An empty answer is refused.
    let (status, _) = unit
        .post(
            &format!("/api/problems/{id}/answer"),
            json!({ "text": "  " }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, p) = unit
        .post(
            &format!("/api/problems/{id}/answer"),
            json!({ "text": "正在研究" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "answered");
    assert_eq!(p["answered_late"], false);
    // The unit may not close or send back its own answer.
    let (status, _) = unit
        .post(&format!("/api/problems/{id}/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // 退办: the answer is gone, the task open again, counted against the unit.
    let (status, p) = nx
        .post(
            &format!("/api/problems/{id}/send-back"),
            json!({ "text": "答复未明确供地时间" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "in_progress");
    assert!(p["answer"].is_null());
    assert_eq!(p["returned_count"], 1);
    let (status, body) = nx
        .post(&format!("/api/problems/{id}/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let unanswered = list_of(&nx, "/api/problems?unanswered=true").await;
    assert!(ids(&unanswered).contains(&id));
    let (status, _) = unit
        .post(
            &format!("/api/problems/{id}/answer"),
            json!({ "text": "已协调县自然资源局，12月底前完成二期供地" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, p) = nx
        .post(&format!("/api/problems/{id}/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["status"], "closed");
    let steps: Vec<&str> = p["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "register",
            "assign",
            "accept",
            "request_extension",
            "approve_extension",
            "answer",
            "send_back",
            "answer",
            "close"
        ]
    );
    let unanswered = list_of(&nx, "/api/problems?unanswered=true").await;
    assert!(!ids(&unanswered).contains(&id));
    let (_, tasks) = unit.get("/api/tasks/mine").await;
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["source_id"] == id && t["status"] == "done"),
        "{tasks}"
    );

    // On the spot: the bureau answers and closes, without a letter.
    let pid2 = policy["id"].as_i64().unwrap();
    let (status, _) = nx
        .post(
            &format!("/api/problems/{pid2}/answer"),
            json!({ "text": "已当场解释兑现程序" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, p) = nx
        .post(&format!("/api/problems/{pid2}/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert!(p["letters"].as_array().unwrap().is_empty());

    // 督办: not before the deadline has passed; then with a numbered 督办函.
    let cid = common["id"].as_i64().unwrap();
    let (status, body) = nx
        .post(
            &format!("/api/problems/{cid}/supervise"),
            json!({ "reason": "逾期未答复", "due_on": in_days(20) }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    store.clock().advance(time::Duration::days(11));
    let overdue = list_of(&nx, "/api/problems?overdue=true").await;
    assert_eq!(ids(&overdue), vec![cid]);
    assert_eq!(overdue[0]["light"], "red");
    let (status, p) = nx
        .post(
            &format!("/api/problems/{cid}/supervise"),
            json!({ "reason": "逾期未答复", "due_on": in_days(20) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["supervised_count"], 1);
    let letter = p["letters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "supervise")
        .unwrap()
        .clone();
    assert_eq!(letter["number"], format!("南县商督〔{year}〕1号"));
    let res = nx
        .get_raw(&format!("/api/problems/{cid}/letters/{}", letter["id"]))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let xml = docx_text(&res.bytes().await.unwrap());
    assert!(xml.contains("问题督办函") && xml.contains("逾期未答复") && xml.contains("县教育局："));

    // Per-unit figures: the zone answered on time once and was sent back once; the school
    // was supervised once.
    let (_, figures) = yy.get("/api/problems/units").await;
    let row = |name: &str| {
        figures
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit_name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{figures}"))
    };
    assert_eq!(row("县经济开发区")["answered_on_time"], 1);
    assert_eq!(row("县经济开发区")["returned"], 1);
    assert_eq!(row("县教育局")["supervised"], 1);
    assert_eq!(row("县教育局")["answered_on_time"], 0);
    // An answer after the deadline counts late.
    store.clock().advance(time::Duration::days(25));
    let (status, p) = nx
        .post(
            &format!("/api/problems/{cid}/answer"),
            json!({ "text": "已提交领导小组办公室协调银行" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["answered_late"], true);

    // The city reads its county's problems and may handle them; the trail has every step.
    let list = list_of(&yy, "/api/problems").await;
    assert_eq!(list.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn nobody_reads_or_handles_a_problem_outside_their_scope() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let unit = app.login("nx_unit").await;
    let yj_unit = app.login("yj_unit").await;
    let yyx = app.login("yyx_bureau").await;
    let cs = app.login("cs_bureau").await;
    let zone = unit_id(&nx, "430921", "县经济开发区").await;
    let school = unit_id(&nx, "430921", "县教育局").await;
    let pid = project(&nx, "南县范围测试项目", None).await;
    let mine = register(
        &nx,
        json!({ "description": "供水管网未接通", "category": "factors", "project_id": pid }),
    )
    .await;
    let other = register(
        &nx,
        json!({ "description": "环评批复滞后", "category": "environment", "project_id": pid }),
    )
    .await;
    let (_, mine) = nx
        .post(
            &format!("/api/problems/{}/assign", mine["id"]),
            json!({ "unit_id": zone, "due_on": in_days(7) }),
        )
        .await;
    let (_, other) = nx
        .post(
            &format!("/api/problems/{}/assign", other["id"]),
            json!({ "unit_id": school, "due_on": in_days(7) }),
        )
        .await;
    let letter = format!(
        "/api/problems/{}/letters/{}",
        mine["id"], mine["letters"][0]["id"]
    );
    let other_letter = format!(
        "/api/problems/{}/letters/{}",
        other["id"], other["letters"][0]["id"]
    );

    // The unit: only its own problem, not the one given to the 教育局.
    let list = list_of(&unit, "/api/problems").await;
    assert_eq!(ids(&list), vec![mine["id"].as_i64().unwrap()]);
    let (status, _) = unit.get(&format!("/api/problems/{}", other["id"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        unit.get_raw(&other_letter).await.status(),
        StatusCode::NOT_FOUND
    );
    let (status, _) = unit
        .post(
            &format!("/api/problems/{}/answer", other["id"]),
            json!({ "text": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another county's unit, another county, another city: nothing, through any endpoint.
    for user in [&yj_unit, &yyx, &cs] {
        let list = list_of(user, "/api/problems").await;
        assert!(list.as_array().unwrap().is_empty(), "{list}");
        let (_, figures) = user.get("/api/problems/units").await;
        assert!(figures.as_array().unwrap().is_empty(), "{figures}");
        for p in [&mine, &other] {
            let id = &p["id"];
            let (status, _) = user.get(&format!("/api/problems/{id}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            for (path, body) in [
                ("answer", json!({ "text": "x" })),
                ("close", json!({})),
                ("send-back", json!({ "text": "x" })),
                ("supervise", json!({ "reason": "x", "due_on": in_days(9) })),
                ("extension", json!({ "reason": "x", "due_on": in_days(9) })),
                ("assign", json!({ "unit_id": zone, "due_on": in_days(9) })),
            ] {
                let (status, _) = user.post(&format!("/api/problems/{id}/{path}"), body).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            }
        }
        assert_eq!(user.get_raw(&letter).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            user.get_raw(&other_letter).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    // A county cannot register against another county's project.
    let (status, body) = yyx
        .post(
            "/api/problems",
            json!({ "description": "x", "category": "land", "project_id": pid }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // Nor give a problem to a unit outside its scope.
    let third = register(
        &nx,
        json!({ "description": "规划调整", "category": "planning", "project_id": pid }),
    )
    .await;
    let yj_unit_id = app
        .login("yy_bureau")
        .await
        .items("/api/units?region=430981")
        .await[0]["id"]
        .as_i64()
        .unwrap();
    let (status, body) = nx
        .post(
            &format!("/api/problems/{}/assign", third["id"]),
            json!({ "unit_id": yj_unit_id, "due_on": in_days(7) }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn the_problems_of_submitted_monthly_updates_become_tracked_problems_once() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let pid = project(&nx, "南县调度问题项目", None).await;
    let period = {
        let t = today();
        let (y, m) = if t.month() as u8 == 1 {
            (t.year() - 1, 12)
        } else {
            (t.year(), t.month() as u8 - 1)
        };
        format!("{y}-{m:02}")
    };
    let (status, round) = yy
        .post(
            "/api/dispatch/rounds?region=430921&q=调度问题",
            json!({ "period": period, "due_on": in_days(5) }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let (status, body) = nx
        .put(
            "/api/dispatch/updates",
            json!({
                "project_id": pid, "period": period, "progress": "厂房主体施工", "submit": true, "version": 0,
                "problems": [
                    { "text": "施工用电增容未批复", "category": "要素保障" },
                    { "text": "需协调银行贷款", "category": "融资", "help_asked": true }
                ]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, done) = nx.post("/api/problems/from-updates", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["created"], 2);
    let (_, again) = nx.post("/api/problems/from-updates", json!({})).await;
    assert_eq!(again["created"], 0);
    // The city imports nothing twice either.
    let (_, city) = yy.post("/api/problems/from-updates", json!({})).await;
    assert_eq!(city["created"], 0);
    let list = list_of(&nx, &format!("/api/problems?project_id={pid}")).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let power = list.iter().find(|p| p["category"] == "factors").unwrap();
    assert_eq!(power["source"], "update");
    assert_eq!(power["routing"], "locality");
    let loan = list.iter().find(|p| p["category"] == "financing").unwrap();
    assert_eq!(loan["routing"], "leading_group");
    // A unit imports nothing.
    let (status, _) = app
        .login("nx_unit")
        .await
        .post("/api/problems/from-updates", json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_list_pages_with_its_total_and_exports_the_same_rows() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let yyx = app.login("yyx_bureau").await;
    for n in 0..25 {
        register(
            &nx,
            json!({"description": format!("南溪问题{n}：用地指标不足"), "category": "land",
                   "common": true}),
        )
        .await;
    }
    register(
        &nx,
        json!({"description": "南溪融资难", "category": "financing", "common": true}),
    )
    .await;
    register(
        &yyx,
        json!({"description": "云阳用地指标不足", "category": "land", "common": true}),
    )
    .await;

    let (_, first) = nx.get("/api/problems?category=land&page_size=10").await;
    assert_eq!(first["total"], 25);
    assert_eq!(first["items"].as_array().unwrap().len(), 10);
    let (_, last) = nx
        .get("/api/problems?category=land&page_size=10&page=3")
        .await;
    assert_eq!(last["items"].as_array().unwrap().len(), 5);
    let firsts = ids(&first["items"]);
    assert!(firsts.windows(2).all(|w| w[0] > w[1]), "latest first");
    assert!(ids(&last["items"]).iter().all(|id| *id < firsts[9]));
    let (_, found) = nx.get("/api/problems?q=%E8%9E%8D%E8%B5%84").await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["description"], "南溪融资难");

    // The export holds the list's rows under the same filters and scope, not a page of them.
    let rows = xlsx_rows(&nx, "/api/problems/export?category=land").await;
    assert_eq!(rows[0][0], "编号");
    let descriptions: Vec<&str> = rows[1..].iter().map(|r| r[5].as_str()).collect();
    assert_eq!(descriptions.len(), 25, "{rows:?}");
    assert!(descriptions.iter().all(|d| d.starts_with("南溪问题")));
    let rows = xlsx_rows(&yyx, "/api/problems/export").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][5], "云阳用地指标不足");
}

/// The leaders' dashboard's figures, each checked against the list its drill-down opens.
async fn overview_matches_lists(user: &User, query: &str) -> Value {
    let (status, o) = user.get(&format!("/api/problems/summary?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{o}");
    let year = &o["year"];
    let region = o["region_code"]
        .as_str()
        .map(|r| format!("&region={r}"))
        .unwrap_or_default();
    for (figure, filter) in [
        ("open", "open=true".to_owned()),
        ("overdue", "overdue=true".to_owned()),
        ("closed_in_period", format!("closed_year={year}")),
        ("answered_on_time", "answered=on_time".to_owned()),
        ("answered_late", "answered=late".to_owned()),
        ("closed", "status=closed".to_owned()),
    ] {
        let (status, page) = user
            .get(&format!("/api/problems?{filter}{region}&page_size=1"))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(o["problems"][figure], page["total"], "{figure}: {o}");
    }
    let (status, overdue_items) = user
        .get(&format!("/api/assistance?overdue=true{region}&page_size=1"))
        .await;
    assert_eq!(status, StatusCode::OK, "{overdue_items}");
    assert_eq!(o["assistance_overdue"], overdue_items["total"], "{o}");
    o
}

#[tokio::test]
async fn the_leaders_dashboard_counts_the_problems_and_overdue_assistance_in_reach() {
    let (app, store) = spawn_app_with_store(Default::default(), Default::default()).await;
    let nx = app.login("nx_bureau").await;
    let unit = app.login("nx_unit").await;
    let yy = app.login("yy_bureau").await;
    let yyx = app.login("yyx_bureau").await;
    let zone = unit_id(&nx, "430921", "县经济开发区").await;
    let school = unit_id(&nx, "430921", "县教育局").await;
    let pid = project(&nx, "南县看板问题测试项目", Some(zone)).await;
    let answered = register(
        &nx,
        json!({ "description": "施工便道未硬化", "category": "factors", "project_id": pid }),
    )
    .await;
    let late = register(
        &nx,
        json!({ "description": "学校配套未落实", "category": "other", "project_id": pid }),
    )
    .await;
    register(
        &nx,
        json!({ "description": "融资担保难", "category": "financing", "common": true }),
    )
    .await;
    let (a, l) = (
        answered["id"].as_i64().unwrap(),
        late["id"].as_i64().unwrap(),
    );
    for (id, unit_id, days) in [(a, zone, 7), (l, school, 3)] {
        let (status, body) = nx
            .post(
                &format!("/api/problems/{id}/assign"),
                json!({ "unit_id": unit_id, "due_on": in_days(days) }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _) = unit
        .post(
            &format!("/api/problems/{a}/answer"),
            json!({ "text": "已硬化施工便道" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, closed) = nx
        .post(&format!("/api/problems/{a}/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    let year = &closed["closed_at"].as_str().unwrap()[..4];
    let (status, item) = nx
        .post(
            &format!("/api/projects/{pid}/assistance"),
            json!({ "step": "planning_permit", "content": "协助办理建设工程规划许可证",
                    "unit_id": zone, "person": "刘洋", "due_on": in_days(1) }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{item}");

    // Five days on: the school's problem and the 帮办 item are overdue.
    store.clock().advance(time::Duration::days(5));
    let q = format!("year={year}");
    let o = overview_matches_lists(&nx, &q).await;
    let p = &o["problems"];
    assert_eq!(
        (
            &p["registered"],
            &p["open"],
            &p["overdue"],
            &p["closed_in_period"],
            &p["answered_on_time"],
            &p["answered_late"],
            &p["closing_rate"],
        ),
        (
            &json!(3),
            &json!(2),
            &json!(1),
            &json!(1),
            &json!(1),
            &json!(0),
            &json!("33.33%")
        ),
        "{o}"
    );
    assert_eq!(o["assistance_overdue"], 1, "{o}");
    // The city reads the same for its county, and nothing of another one.
    let counts = |o: &Value| {
        let mut p = o["problems"].clone();
        p.as_object_mut().unwrap().remove("counted_at");
        p
    };
    assert_eq!(counts(&overview_matches_lists(&yy, &q).await), counts(&o));
    let county = overview_matches_lists(&yy, &format!("{q}&region=430921")).await;
    assert_eq!(counts(&county), counts(&o));
    assert_eq!(county["assistance_overdue"], 1);
    let other = overview_matches_lists(&yy, &format!("{q}&region=430981")).await;
    assert_eq!(other["problems"]["registered"], 0, "{other}");
    assert_eq!(other["assistance_overdue"], 0);
    // Another county reads nothing, even asking for 南县 by name.
    for query in [q.clone(), format!("{q}&region=430921")] {
        let o = overview_matches_lists(&yyx, &query).await;
        assert_eq!(o["problems"]["registered"], 0, "{o}");
        assert_eq!(o["assistance_overdue"], 0);
    }
    // A unit: only the problem given to it, and its own 帮办 item.
    let o = overview_matches_lists(&unit, &q).await;
    let p = &o["problems"];
    assert_eq!(
        (&p["registered"], &p["open"], &p["closed_in_period"]),
        (&json!(1), &json!(0), &json!(1)),
        "{o}"
    );
    assert_eq!(p["closing_rate"], "100.00%");
    assert_eq!(o["assistance_overdue"], 1);
    let (status, body) = nx.get("/api/problems/summary?region=4309xx").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}
