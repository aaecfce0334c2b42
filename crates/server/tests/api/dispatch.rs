//! Monthly dispatch: rounds opened by a city and by the province over the same county, one
//! update per project and month counted in both, drafts, submissions, returns, lateness, the
//! board, reminders (each sent once), tasks and scope.

use crate::helpers::*;
use luodi_store::{AuthSettings, Store};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}

fn last_month() -> String {
    let t = today();
    let (y, m) = if t.month() as u8 == 1 {
        (t.year() - 1, 12)
    } else {
        (t.year(), t.month() as u8 - 1)
    };
    format!("{y}-{m:02}")
}

/// Three signed projects of 南县 named for these tests; the third is 县经济开发区's (which has
/// the account nx_unit, so it reports that one itself).
async fn projects(app: &TestApp) -> Vec<i64> {
    let nx = app.login("nx_bureau").await;
    let unit = unit_id(&nx, "430921", "县经济开发区").await;
    let mut ids = Vec::new();
    for i in 1..=3 {
        let mut input = json!({
            "name": format!("南县调度测试项目{i}"), "investor_name": "某某实业有限公司",
            "origin": "in_province", "contract_fen": 100_000_000, "signed_on": "2026-01-10",
            "region_code": "430921", "stage": "signed", "investor_credit_code": credit_code()
        });
        if i == 3 {
            input["responsible_unit_id"] = json!(unit);
        }
        let (status, d) = nx.post("/api/projects", input).await;
        assert_eq!(status, StatusCode::CREATED, "{d}");
        ids.push(d["project"]["id"].as_i64().unwrap());
    }
    ids
}

async fn open(user: &User, due_in_days: i64) -> Value {
    let due = (today() + time::Duration::days(due_in_days)).to_string();
    let (status, round) = user
        .post(
            "/api/dispatch/rounds?region=430921&q=调度测试",
            json!({ "period": last_month(), "due_on": due }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    round
}

async fn save(user: &User, project: i64, body: Value) -> (StatusCode, Value) {
    let mut body = body;
    body["project_id"] = json!(project);
    body["period"] = json!(last_month());
    user.put("/api/dispatch/updates", body).await
}

fn board_row<'a>(board: &'a Value, reporter: &str) -> &'a Value {
    board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reporter_name"].as_str().unwrap().contains(reporter))
        .unwrap_or_else(|| panic!("{reporter}: {board}"))
}

#[tokio::test]
async fn a_county_reports_once_for_the_city_s_and_the_province_s_rounds() {
    let app = spawn_app().await;
    let ids = projects(&app).await;
    let yy = app.login("yy_bureau").await;
    let hn = app.login("hn_bureau").await;
    let nx = app.login("nx_bureau").await;
    let unit = app.login("nx_unit").await;

    let city = open(&yy, 5).await;
    assert_eq!(city["project_count"], 3);
    assert_eq!(city["organised_by_me"], true);
    let province = open(&hn, 10).await;
    // One round per organiser and month.
    let (status, body) = yy
        .post(
            "/api/dispatch/rounds?region=430921&q=调度测试",
            json!({ "period": last_month() }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // A deadline in the past, a month to come: refused with the field named.
    let (status, body) = yy
        .post(
            "/api/dispatch/rounds",
            json!({ "period": "2099-01", "due_on": "2020-01-01" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["period"].is_array() && body["errors"]["due_on"].is_array(),
        "{body}"
    );

    // The county sees both rounds and has a task in each; the unit its own.
    let rounds = nx.get("/api/dispatch/rounds").await.1;
    assert_eq!(rounds.as_array().unwrap().len(), 2, "{rounds}");
    let (_, tasks) = nx.get("/api/tasks/mine").await;
    let tasks = tasks.as_array().unwrap();
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    assert!(tasks
        .iter()
        .all(|t| t["status"] == "open" && t["kind"] == "dispatch_report"));
    assert!(tasks[0]["title"].as_str().unwrap().contains("报送2个项目"));
    assert_eq!(tasks[0]["light"], "green");
    let (_, unit_tasks) = unit.get("/api/tasks/mine").await;
    assert_eq!(unit_tasks.as_array().unwrap().len(), 2);
    let (_, unit_projects) = unit
        .get(&format!("/api/dispatch/rounds/{}/projects", city["id"]))
        .await;
    let unit_projects = unit_projects.as_array().unwrap();
    assert_eq!(unit_projects.len(), 1, "a unit sees its own project");
    assert_eq!(unit_projects[0]["project_id"], ids[2]);

    // A draft, then the submission; 本月无变化 for the second one.
    let (status, draft) = save(
        &nx,
        ids[0],
        json!({ "progress": "完成主体厂房封顶", "version": 0 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["status"], "draft");
    let (status, body) = save(&nx, ids[0], json!({ "progress": "x", "version": 0 })).await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale version: {body}");
    let (status, body) = save(
        &nx,
        ids[0],
        json!({ "progress": "完成主体厂房封顶", "next_steps": "设备进场",
                "problems": [{ "text": "用电增容未批复", "category": "要素保障", "help_asked": true },
                             { "text": "", "category": "天气" }],
                "submit": true, "version": 1 }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["problems[1].text"].is_array(), "{body}");
    assert!(body["errors"]["problems[1].category"].is_array(), "{body}");
    let (status, submitted) = save(
        &nx,
        ids[0],
        json!({ "progress": "完成主体厂房封顶", "next_steps": "设备进场",
                "problems": [{ "text": "用电增容未批复", "category": "要素保障", "help_asked": true }],
                "submit": true, "version": 1 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["late"], false);
    assert_eq!(submitted["problems"][0]["help_asked"], true);
    let (status, unchanged) = save(
        &nx,
        ids[1],
        json!({ "unchanged": true, "submit": true, "version": 0 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{unchanged}");
    assert!(unchanged["progress"]
        .as_str()
        .unwrap()
        .starts_with("本月无变化"));

    // Counted in both rounds: the bureau's part is reported, the unit's is not.
    for (user, round) in [(&yy, &city), (&hn, &province)] {
        let (_, board) = user
            .get(&format!("/api/dispatch/rounds/{}/board", round["id"]))
            .await;
        let bureau = board_row(&board, "南县");
        assert_eq!(
            (bureau["projects"].as_i64(), bureau["submitted"].as_i64()),
            (Some(2), Some(2))
        );
        assert_eq!(bureau["status"], "已报");
        let zone = board_row(&board, "县经济开发区");
        assert_eq!(zone["status"], "未开始");
        assert_eq!(board["counties"][0]["submitted"], 2);
        assert_eq!(board["counties"][0]["projects"], 3);
    }
    let (_, tasks) = nx.get("/api/tasks/mine").await;
    assert!(tasks
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["status"] == "done" && t["light"] == "done"));

    // 催报: the unit, the one reporter missing, is told.
    let (status, reminded) = yy
        .post(
            &format!("/api/dispatch/rounds/{}/remind", city["id"]),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reminded}");
    assert_eq!(reminded["reporters"], 1);
    let (_, bell) = unit.get("/api/notifications").await;
    assert_eq!(bell["unread"], 1);
    assert!(bell["items"][0]["body"].as_str().unwrap().contains("催报"));
    let (status, _) = unit.post("/api/notifications/read", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(unit.get("/api/notifications").await.1["unread"], 0);

    // The city returns the first update; the county is told, corrects and resubmits.
    let (status, returned) = yy
        .post(
            &format!("/api/dispatch/updates/{}/return", submitted["id"]),
            json!({ "reason": "请补充设备进场时间", "version": submitted["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{returned}");
    assert_eq!(returned["status"], "returned");
    let (_, bell) = nx.get("/api/notifications").await;
    assert!(bell["items"][0]["body"]
        .as_str()
        .unwrap()
        .contains("请补充设备进场时间"));
    let (_, tasks) = nx.get("/api/tasks/mine").await;
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "open"),
        "reopened"
    );
    let (status, again) = save(
        &nx,
        ids[0],
        json!({ "progress": "完成主体厂房封顶，设备12月20日进场", "submit": true,
                "version": returned["version"] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["status"], "submitted");
    let (status, body) = save(
        &nx,
        ids[0],
        json!({ "progress": "改", "version": again["version"] }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "submitted stays until returned: {body}"
    );
    // A county bureau does not return its city's round's updates of another county; nobody
    // returns a draft.
    let (status, _) = unit
        .post(
            &format!("/api/dispatch/updates/{}/return", again["id"]),
            json!({ "reason": "x", "version": again["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Every version is kept, and the trail names who did what.
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    let versions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM monthly_update_versions WHERE update_id = $1")
            .bind(again["id"].as_i64().unwrap())
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(versions, 4, "draft, submitted, returned, resubmitted");
}

#[tokio::test]
async fn other_counties_see_nothing_and_closed_or_absent_months_are_refused() {
    let app = spawn_app().await;
    let ids = projects(&app).await;
    let yy = app.login("yy_bureau").await;
    let city = open(&yy, 5).await;
    let yyx = app.login("yyx_bureau").await;
    assert_eq!(yyx.get("/api/dispatch/rounds").await.1, json!([]));
    let (status, _) = yyx
        .get(&format!("/api/dispatch/rounds/{}/board", city["id"]))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = save(&yyx, ids[0], json!({ "progress": "x", "version": 0 })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(yyx.get("/api/tasks/mine").await.1, json!([]));
    // A county does not open a round over its city, and a unit opens none.
    let unit = app.login("nx_unit").await;
    let (status, _) = unit
        .post("/api/dispatch/rounds", json!({ "period": last_month() }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A month no round asks about.
    let nx = app.login("nx_bureau").await;
    let (status, body) = nx
        .put(
            "/api/dispatch/updates",
            json!({ "project_id": ids[0], "period": "2025-01", "progress": "x", "version": 0 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A round past its deadline: a submission is marked late, and the board says so.
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query("UPDATE dispatch_rounds SET due_on = '2026-01-05' WHERE id = $1")
        .bind(city["id"].as_i64().unwrap())
        .execute(&mut conn)
        .await
        .unwrap();
    let (status, late) = save(
        &nx,
        ids[0],
        json!({ "progress": "进展", "submit": true, "version": 0 }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{late}");
    assert_eq!(late["late"], true);
    let (_, board) = yy
        .get(&format!("/api/dispatch/rounds/{}/board", city["id"]))
        .await;
    assert_eq!(board_row(&board, "南县")["status"], "逾期");
    // A closed round takes no more.
    sqlx::query("UPDATE dispatch_rounds SET status = 'closed' WHERE id = $1")
        .bind(city["id"].as_i64().unwrap())
        .execute(&mut conn)
        .await
        .unwrap();
    let (status, body) = save(&nx, ids[1], json!({ "progress": "x", "version": 0 })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("已结束"));
}

/// The fund records of a project as its county sees them.
async fn funds_of(user: &User, project: i64) -> Vec<Value> {
    let (status, body) = user.get(&format!("/api/projects/{project}/funds")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn an_update_does_not_move_a_signed_project_that_names_no_investor() {
    let app = spawn_app().await;
    let ids = projects(&app).await;
    let yy = app.login("yy_bureau").await;
    open(&yy, 5).await;
    let nx = app.login("nx_bureau").await;
    // A project signed before the rule, with neither code nor reason on file.
    {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&app.database_url)
            .await
            .unwrap();
        sqlx::query(
            "UPDATE projects SET investor_credit_code = NULL, credit_code_missing_reason = NULL \
             WHERE id = $1",
        )
        .bind(ids[0])
        .execute(&mut conn)
        .await
        .unwrap();
    }
    let update = json!({
        "progress": "完成土地摘牌", "version": 0,
        "stage": { "stage": "land_supplied", "changed_on": "2026-02-01" },
    });
    let (status, body) = save(&nx, ids[0], update.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["errors"]["stage.stage"][0]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.starts_with("已签约项目须填写统一社会信用代码") && message.contains("后再变更阶段"),
        "{body}"
    );
    let (_, project) = nx.get(&format!("/api/projects/{}", ids[0])).await;
    assert_eq!(project["project"]["stage"], "signed", "nothing moved");

    // With the reason on file, the same update goes through.
    let (_, detail) = nx.get(&format!("/api/projects/{}", ids[0])).await;
    let p = &detail["project"];
    let (status, body) = nx
        .put(
            &format!("/api/projects/{}", ids[0]),
            json!({
                "name": p["name"], "investor_name": p["investor_name"], "origin": p["origin"],
                "contract_fen": p["contract_fen"], "signed_on": p["signed_on"],
                "stage": p["stage"], "region_code": p["region_code"],
                "credit_code_missing_reason": NO_CODE_REASON, "version": p["version"]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = save(&nx, ids[0], update).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["stage_change"]["stage"], "land_supplied", "{body}");
}

#[tokio::test]
async fn an_update_enters_the_month_s_money_for_review_and_moves_the_stage_once() {
    let app = spawn_app().await;
    let ids = projects(&app).await;
    let yy = app.login("yy_bureau").await;
    open(&yy, 5).await;
    let nx = app.login("nx_bureau").await;
    let tomorrow = (today() + time::Duration::days(1)).to_string();

    // A bad amount and a stage dated tomorrow: the whole save refused, both fields named.
    let (status, body) = save(
        &nx,
        ids[0],
        json!({
            "progress": "完成土地摘牌", "version": 0,
            "arrival": { "amount": 0, "currency": "CNY", "kind": "fixed_asset" },
            "stage": { "stage": "land_supplied", "changed_on": tomorrow },
        }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["arrival.amount"].is_array(), "{body}");
    assert!(body["errors"]["stage.changed_on"].is_array(), "{body}");
    // A figure above the whole contract needs a 超常说明, as any entry does.
    let (status, body) = save(
        &nx,
        ids[0],
        json!({
            "progress": "完成土地摘牌", "version": 0,
            "arrival": { "amount": 500_000_000, "currency": "CNY", "kind": "fixed_asset" },
        }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["errors"]["arrival.override_reason"].is_array(),
        "{body}"
    );
    // A stage dated before the signing is refused by the ledger's rules.
    let (status, body) = save(
        &nx,
        ids[0],
        json!({ "progress": "供地", "version": 0,
                "stage": { "stage": "land_supplied", "changed_on": "2025-12-01" } }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["stage.stage"].is_array(), "{body}");
    // Nothing was written: no update, no money, the stage as it was.
    let (_, view) = nx
        .get(&format!(
            "/api/dispatch/updates?project_id={}&period={}",
            ids[0],
            last_month()
        ))
        .await;
    assert_eq!(view["current"], Value::Null, "{view}");
    assert!(funds_of(&nx, ids[0]).await.is_empty());
    let (_, project) = nx.get(&format!("/api/projects/{}", ids[0])).await;
    assert_eq!(project["project"]["stage"], "signed");

    // A draft with this month's money and a new stage; the month is the round's, not typed.
    let draft = json!({
        "project_id": ids[0], "progress": "完成土地摘牌", "version": 0,
        "arrival": { "amount": 30_000_000, "currency": "CNY", "kind": "fixed_asset",
                     "note": "首期设备款" },
        "stage": { "stage": "land_supplied", "changed_on": "2026-02-01" },
    });
    let (status, first) = nx.put("/api/dispatch/updates", draft.clone()).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["status"], "draft");
    assert_eq!(first["period"], last_month());
    assert_eq!(first["arrival"]["status"], "entered", "{first}");
    assert_eq!(first["arrival"]["period"], last_month());
    assert_eq!(first["arrival"]["amount"], 30_000_000);
    assert_eq!(first["stage_change"]["stage"], "land_supplied");
    let (_, project) = nx.get(&format!("/api/projects/{}", ids[0])).await;
    assert_eq!(project["project"]["stage"], "land_supplied");
    assert_eq!(project["project"]["land_supplied_on"], "2026-02-01");

    // Saved again as it stands: still one record, one stage change.
    let mut again = draft.clone();
    again["version"] = first["version"].clone();
    let (status, second) = nx.put("/api/dispatch/updates", again.clone()).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["arrival"]["id"], first["arrival"]["id"]);
    assert_eq!(funds_of(&nx, ids[0]).await.len(), 1);
    // Another figure while that one waits for review: refused, changed in 资金到位 instead.
    again["version"] = second["version"].clone();
    again["arrival"]["amount"] = json!(40_000_000);
    let (status, body) = nx.put("/api/dispatch/updates", again).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["arrival.amount"][0]
        .as_str()
        .unwrap()
        .contains("资金到位"));

    // The receipt goes on the record the update entered, through the evidence upload.
    let fund = first["arrival"]["id"].as_i64().unwrap();
    let (status, body) = nx
        .upload_file(
            &format!("/api/funds/{fund}/evidence"),
            b"%PDF-1.4 bank receipt".to_vec(),
            "回单.pdf",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Submitted: the money waits in the city's review queue, for the round's month.
    let (status, submitted) = save(
        &nx,
        ids[0],
        json!({ "progress": "完成土地摘牌", "submit": true, "version": second["version"] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{submitted}");
    assert_eq!(submitted["status"], "submitted");
    assert_eq!(submitted["arrival"]["status"], "entered", "never confirmed");
    assert_eq!(submitted["arrival"]["evidence_count"], 1);
    let queue = yy.items("/api/funds/review").await;
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["id"], fund);
    assert_eq!(queue[0]["period"], last_month());
    assert_eq!(queue[0]["region_name"], "南县");
    // The city reads the update with its money and stage.
    let (_, view) = yy
        .get(&format!(
            "/api/dispatch/updates?project_id={}&period={}",
            ids[0],
            last_month()
        ))
        .await;
    assert_eq!(view["current"]["arrival"]["id"], fund);
    assert_eq!(view["current"]["stage_change"]["changed_on"], "2026-02-01");
    // Audited: the money and the stage, each by its own area's entry.
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    let actions: Vec<(String, String)> = sqlx::query_as(
        "SELECT entity, action FROM audit_log WHERE summary LIKE '%（月度进展）%' ORDER BY id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        actions,
        vec![
            ("project".to_owned(), "stage_change".to_owned()),
            ("fund_arrival".to_owned(), "create".to_owned()),
        ]
    );

    // Another county saves nothing for a project outside its scope, money or not.
    let yyx = app.login("yyx_bureau").await;
    let (status, _) = save(
        &yyx,
        ids[1],
        json!({ "progress": "x", "version": 0,
                "arrival": { "amount": 10_000_000, "currency": "CNY", "kind": "fixed_asset" } }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(funds_of(&nx, ids[1]).await.is_empty());
    assert_eq!(yy.items("/api/funds/review").await.len(), 1);
}

#[tokio::test]
async fn reminders_go_out_before_on_and_after_the_day_once_each() {
    let app = spawn_app().await;
    projects(&app).await;
    let yy = app.login("yy_bureau").await;
    let round = open(&yy, 5).await;
    let due = today() + time::Duration::days(5);
    // Two instances of the server run the engine on the same day: one message each.
    let a = Store::open(&app.database_url, AuthSettings::default())
        .await
        .unwrap();
    let b = Store::open(&app.database_url, AuthSettings::default())
        .await
        .unwrap();
    let rule = luodi_domain::deadlines::ReminderRule::default();
    let ahead = due - time::Duration::days(3);
    let (sys_a, sys_b) = (a.system(), b.system());
    let (sent_a, sent_b) = tokio::join!(
        sys_a.send_reminders(ahead, &rule),
        sys_b.send_reminders(ahead, &rule)
    );
    assert_eq!(
        sent_a.unwrap() + sent_b.unwrap(),
        2,
        "the bureau's task and the unit's"
    );
    assert_eq!(a.system().send_reminders(ahead, &rule).await.unwrap(), 0);
    assert_eq!(
        a.system()
            .send_reminders(ahead + time::Duration::days(1), &rule)
            .await
            .unwrap(),
        0,
        "no reminder is due the next day"
    );
    let nx = app.login("nx_bureau").await;
    let (_, bell) = nx.get("/api/notifications").await;
    assert_eq!(bell["unread"], 1);
    assert!(
        bell["items"][0]["body"]
            .as_str()
            .unwrap()
            .starts_with("即将到期"),
        "{bell}"
    );
    // Overdue: the county's leader hears of it too.
    let overdue = due + time::Duration::days(2);
    assert_eq!(a.system().send_reminders(overdue, &rule).await.unwrap(), 2);
    let leader = app.login("nx_leader").await;
    let (_, bell) = leader.get("/api/notifications").await;
    assert!(
        bell["items"][0]["body"]
            .as_str()
            .unwrap()
            .starts_with("已逾期"),
        "{bell}"
    );
    let (_, tasks) = nx.get("/api/tasks/mine").await;
    assert_eq!(tasks[0]["source_id"], round["id"]);
}

#[tokio::test]
async fn an_administrator_loads_the_holiday_table_and_working_days_follow_it() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let table = "# 2026年春节\n2026-02-14,班\n2026-02-15,休\n2026-02-16,休\n2026-02-17,休\n\
                 2026-02-18,休\n2026-02-19,休\n2026-02-20,休\n2026-02-21,休\n2026-02-22,休\n\
                 2026-02-23,休\n2026-02-28,班\n";
    let (status, body) = admin
        .put(
            "/api/holidays",
            json!({ "year": 2026, "text": "2026-02-30,休\n2026-10-01,放\n2027-01-01,休\n" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let lines = body["errors"]["text"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{body}");
    assert!(lines[0].as_str().unwrap().starts_with("第1行"));
    assert!(lines[1].as_str().unwrap().starts_with("第2行"));
    let (status, body) = admin
        .put(
            "/api/holidays",
            json!({ "year": 2026, "text": "2027-01-01,休\n" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, days) = admin
        .put("/api/holidays", json!({ "year": 2026, "text": table }))
        .await;
    assert_eq!(status, StatusCode::OK, "{days}");
    assert_eq!(days.as_array().unwrap().len(), 11);
    // Anyone reads it; a county's administrator does not change it.
    let nx = app.login("nx_bureau").await;
    let (_, read) = nx.get("/api/holidays?year=2026").await;
    assert_eq!(read[0], json!({ "day": "2026-02-14", "kind": "workday" }));
    let nx_admin = app.login("nx_admin").await;
    let (status, _) = nx_admin
        .put("/api/holidays", json!({ "year": 2026, "text": table }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Ten working days after a visit on 2026-02-10 end on 03-02, past the festival and
    // counting the 调休 Saturdays; in calendar days, on 02-20.
    let (_, due) = nx
        .get("/api/holidays/due?from=2026-02-10&days=10&count=working")
        .await;
    assert_eq!(due["due_on"], "2026-03-02");
    let (_, due) = nx.get("/api/holidays/due?from=2026-02-10&days=10").await;
    assert_eq!(due["due_on"], "2026-02-20");
}
