//! The assistance list (帮办清单): 南县 lists procedures on one of its projects for a unit with
//! an account and for one without; each is a task in the right 我的待办; a unit reads only
//! its own items and another county none; overdue items appear in the overdue list on the
//! store's clock; only the one answering for an item closes it.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn in_days(n: i64) -> String {
    (time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
        + time::Duration::days(n))
    .to_string()
}

async fn list(user: &User, path: &str) -> Vec<Value> {
    let (status, body) = user.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body.as_array().unwrap().clone()
}

fn item_ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

async fn assistance_tasks(user: &User) -> Vec<Value> {
    list(user, "/api/tasks/mine")
        .await
        .into_iter()
        .filter(|t| t["kind"] == "assistance_item")
        .collect()
}

#[tokio::test]
async fn each_unit_reads_and_closes_only_its_own_assistance_items() {
    let (app, store) = spawn_app_with_store(Default::default(), Default::default()).await;
    let nx = app.login("nx_bureau").await;
    let fgj = app.login("nx_unit_fgj").await;
    let zone = app.login("nx_unit").await;
    let yyx = app.login("yyx_bureau").await;
    let drc = unit_id(&nx, "430921", "县发展和改革局").await;
    let education = unit_id(&nx, "430921", "县教育局").await;
    let yj_zone = unit_id(&yyx, "430981", "沅江高新技术产业园区").await;
    let (status, project) = nx
        .post(
            "/api/projects",
            json!({ "name": "南县帮办测试食品产业园项目", "investor_name": "湖南帮办食品有限公司",
                    "origin": "out_of_province", "contract_fen": 50_000_000_000i64,
                    "signed_on": "2026-01-10", "region_code": "430921", "stage": "signed", "investor_credit_code": credit_code() }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let pid = project["project"]["id"].as_i64().unwrap();
    let path = format!("/api/projects/{pid}/assistance");

    // Bad input: every field at fault named, nothing written.
    let (status, body) = nx
        .post(
            &path,
            json!({ "step": "approval", "content": " ", "unit_id": yj_zone, "person": "",
                    "due_on": in_days(-1) }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for field in ["content", "unit_id", "person", "due_on"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let (status, body) = nx
        .post(
            &path,
            json!({ "step": "办证", "content": "x", "unit_id": drc, "person": "王强",
                    "due_on": in_days(5) }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(list(&nx, &path).await.is_empty());

    let (status, approval) = nx
        .post(
            &path,
            json!({ "step": "approval", "content": "协助办理项目备案", "unit_id": drc,
                    "person": "王强", "due_on": in_days(5) }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{approval}");
    assert_eq!(approval["step_label"], "项目立项");
    assert_eq!(approval["light"], "green");
    let (status, land) = nx
        .post(
            &path,
            json!({ "step": "land_pre_review", "content": "协调办理用地预审与选址意见书",
                    "unit_id": education, "person": "李娜", "due_on": in_days(1) }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{land}");
    let (approval_id, land_id) = (
        approval["id"].as_i64().unwrap(),
        land["id"].as_i64().unwrap(),
    );

    // The project's page lists both; the bureau answers for the unit without an account.
    let on_page = list(&nx, &path).await;
    assert_eq!(item_ids(&on_page), vec![land_id, approval_id]);
    assert_eq!(on_page[0]["mine"], true, "{on_page:?}");
    assert_eq!(on_page[1]["mine"], false);
    assert_eq!(on_page[0]["light"], "yellow");

    // Tasks: the 发改局's account has its item; the bureau the other one.
    let fgj_tasks = assistance_tasks(&fgj).await;
    assert_eq!(fgj_tasks.len(), 1, "{fgj_tasks:?}");
    assert_eq!(fgj_tasks[0]["source_id"], approval_id);
    let nx_tasks = assistance_tasks(&nx).await;
    assert_eq!(nx_tasks.len(), 1, "{nx_tasks:?}");
    assert_eq!(nx_tasks[0]["source_id"], land_id);

    // A unit reads its own items only; another unit and another county none.
    assert_eq!(
        item_ids(&fgj.items("/api/assistance").await),
        vec![approval_id]
    );
    assert!(zone.items("/api/assistance").await.is_empty());
    assert!(assistance_tasks(&zone).await.is_empty());
    assert!(yyx.items("/api/assistance").await.is_empty());
    let (status, _) = yyx.get(&path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = yyx
        .post(
            &path,
            json!({ "step": "approval", "content": "越权", "unit_id": yj_zone, "person": "张三",
                    "due_on": in_days(5) }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = yyx
        .post(
            &format!("/api/assistance/{approval_id}/complete"),
            json!({ "result": "越权办结" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The city above reads both.
    let yy = app.login("yy_bureau").await;
    assert_eq!(yy.items("/api/assistance").await.len(), 2);

    // Only the one answering for an item closes it.
    let (status, _) = fgj
        .post(
            &format!("/api/assistance/{land_id}/complete"),
            json!({ "result": "不是本单位的事项" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "the unit does not even see it"
    );
    let (status, body) = nx
        .post(
            &format!("/api/assistance/{approval_id}/complete"),
            json!({ "result": "代为办结" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = fgj
        .post(
            &format!("/api/assistance/{approval_id}/complete"),
            json!({ "result": " " }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, done) = fgj
        .post(
            &format!("/api/assistance/{approval_id}/complete"),
            json!({ "result": "已取得项目备案证明" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "done");
    assert_eq!(assistance_tasks(&fgj).await[0]["status"], "done");
    let (status, _) = fgj
        .post(
            &format!("/api/assistance/{approval_id}/complete"),
            json!({ "result": "再次报送" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Two days on, the land item is overdue and reported; the closed one is not.
    assert!(nx.items("/api/assistance?overdue=true").await.is_empty());
    store.clock().advance(time::Duration::days(2));
    let overdue = nx.items("/api/assistance?overdue=true").await;
    assert_eq!(item_ids(&overdue), vec![land_id]);
    assert_eq!(overdue[0]["light"], "red");
    assert_eq!(overdue[0]["days_left"], -1);
    assert_eq!(
        item_ids(&yy.items("/api/assistance?overdue=true").await),
        vec![land_id]
    );
    assert!(yyx.items("/api/assistance?overdue=true").await.is_empty());
    let (status, closed) = nx
        .post(
            &format!("/api/assistance/{land_id}/complete"),
            json!({ "result": "已取得用地预审与选址意见书" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert!(nx.items("/api/assistance?overdue=true").await.is_empty());
}

#[tokio::test]
async fn the_county_demo_has_a_campaign_and_assistance_items_one_overdue() {
    let (app, store) = spawn_app_with_store(Default::default(), Default::default()).await;
    store.system().load_county_scale(2026).await.unwrap();
    let nx = app.login("nx_bureau").await;

    // The province's campaign reaches the county, with projects of the demo ledger in it.
    let campaigns = list(&nx, "/api/campaigns").await;
    assert_eq!(campaigns.len(), 1, "{campaigns:?}");
    assert!(
        campaigns[0]["name"].as_str().unwrap().ends_with("专项行动"),
        "{campaigns:?}"
    );
    let hn = app.login("hn_bureau").await;
    let (status, campaign) = hn
        .get(&format!("/api/campaigns/{}", campaigns[0]["id"]))
        .await;
    assert_eq!(status, StatusCode::OK, "{campaign}");
    assert!(
        campaign["report"]["total"]["projects"].as_i64().unwrap() > 0,
        "{}",
        campaign["report"]["total"]
    );
    let today = in_days(0);
    let phases = campaign["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 4);
    for p in phases {
        let ended = p["ends_on"].as_str().unwrap() < today.as_str();
        assert_eq!(p["status"] == "done", ended, "{p}");
    }

    // 南县's 帮办清单: three items on its projects, one overdue; the zone's account has its own.
    let items = nx.items("/api/assistance").await;
    assert_eq!(items.len(), 3, "{items:?}");
    let overdue = nx.items("/api/assistance?overdue=true").await;
    assert_eq!(overdue.len(), 1, "{overdue:?}");
    assert_eq!(overdue[0]["light"], "red");
    let zone = app.login("nx_unit").await;
    assert_eq!(zone.items("/api/assistance").await.len(), 1);
    let (_, summary) = nx.get("/api/problems/summary").await;
    assert_eq!(summary["assistance_overdue"], 1, "{summary}");
}

/// A signed project of `region`, registered by `user`.
async fn project(user: &User, name: &str, region: &str) -> i64 {
    let (status, project) = user
        .post(
            "/api/projects",
            json!({ "name": name, "investor_name": format!("{name}投资有限公司"),
                    "origin": "out_of_province", "contract_fen": 50_000_000_000i64,
                    "signed_on": "2026-01-10", "region_code": region, "stage": "signed",
                    "investor_credit_code": credit_code() }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    project["project"]["id"].as_i64().unwrap()
}

async fn add_item(user: &User, project: i64, unit: i64, content: &str, due_on: String) -> i64 {
    let (status, item) = user
        .post(
            &format!("/api/projects/{project}/assistance"),
            json!({ "step": "approval", "content": content, "unit_id": unit, "person": "王强",
                    "due_on": due_on }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    item["id"].as_i64().unwrap()
}

/// The 帮办内容 of each row of an export (header checked), in the sheet's order.
async fn exported(user: &User, path: &str) -> Vec<String> {
    let rows = xlsx_rows(user, path).await;
    assert_eq!(
        rows[0].join(" "),
        "编号 县市区 项目 事项 帮办内容 责任单位 责任人 办理时限 状态 逾期 剩余天数 办理结果 办结时间",
        "{path}"
    );
    rows[1..].iter().map(|r| r[4].clone()).collect()
}

#[tokio::test]
async fn the_list_pages_with_its_total_and_exports_every_row_in_reach() {
    let (app, store) = spawn_app_with_store(Default::default(), Default::default()).await;
    let nx = app.login("nx_bureau").await;
    let fgj = app.login("nx_unit_fgj").await;
    let yyx = app.login("yyx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let drc = unit_id(&nx, "430921", "县发展和改革局").await;
    let education = unit_id(&nx, "430921", "县教育局").await;
    let yj_zone = unit_id(&yyx, "430981", "沅江高新技术产业园区").await;
    let nx_project = project(&nx, "南县帮办分页测试项目", "430921").await;
    let yj_project = project(&yyx, "沅江帮办导出测试项目", "430981").await;
    // Five items of 南县 listed latest time limit first (the first two the 发改局's), one of 沅江.
    let mut nx_ids = Vec::new();
    for n in 0..5 {
        let unit = if n < 2 { drc } else { education };
        let content = format!("南县帮办{n}");
        nx_ids.push(add_item(&nx, nx_project, unit, &content, in_days(5 - n)).await);
    }
    add_item(&yyx, yj_project, yj_zone, "沅江帮办", in_days(1)).await;
    nx_ids.reverse();

    // Pages of two: the total over all of them, soonest time limit first across the pages.
    let mut paged = Vec::new();
    for (page, len) in [(1, 2), (2, 2), (3, 1)] {
        let (status, body) = nx
            .get(&format!("/api/assistance?page_size=2&page={page}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["total"], 5, "{body}");
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), len, "page {page}: {body}");
        paged.extend(item_ids(items));
    }
    assert_eq!(paged, nx_ids);

    // The export holds every row of the list, not a page of it, in the list's order; never
    // another county's item, and a unit only its unit's.
    let nx_rows = exported(&nx, "/api/assistance/export").await;
    assert_eq!(
        nx_rows,
        [
            "南县帮办4",
            "南县帮办3",
            "南县帮办2",
            "南县帮办1",
            "南县帮办0"
        ]
    );
    assert_eq!(exported(&yyx, "/api/assistance/export").await, ["沅江帮办"]);
    assert_eq!(
        exported(&fgj, "/api/assistance/export").await,
        ["南县帮办1", "南县帮办0"]
    );
    assert_eq!(exported(&yy, "/api/assistance/export").await.len(), 6);
    assert_eq!(
        exported(&yy, "/api/assistance/export?region=430981").await,
        ["沅江帮办"]
    );

    // Under the list's filters: three days on, the two soonest of 南县 are overdue.
    store.clock().advance(time::Duration::days(3));
    let (_, overdue) = nx.get("/api/assistance?overdue=true&page_size=1").await;
    assert_eq!(overdue["total"], 2, "{overdue}");
    let rows = xlsx_rows(&nx, "/api/assistance/export?overdue=true").await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        rows[1..]
            .iter()
            .map(|r| (r[4].as_str(), r[9].as_str()))
            .collect::<Vec<_>>(),
        [("南县帮办4", "是"), ("南县帮办3", "是")]
    );
    let res = nx.get_raw("/api/assistance/export?status=closed").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_list_counts_every_item_the_old_cap_of_500_hid() {
    use sqlx::Connection;
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let education = unit_id(&nx, "430921", "县教育局").await;
    let pid = project(&nx, "南县帮办逾期统计测试项目", "430921").await;
    add_item(&nx, pid, education, "按时办理的事项", in_days(3)).await;
    // 600 overdue copies of it, as a province's list may hold: the API does not take items
    // already past their time limit.
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query(
        "WITH RECURSIVE n (k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < 600) \
         INSERT INTO assistance_items (project_id, region_code, step, content, unit_id, person, \
         due_on, status, created_by, created_at) \
         SELECT i.project_id, i.region_code, i.step, '逾期事项', i.unit_id, i.person, $1, \
         'open', i.created_by, i.created_at FROM assistance_items i CROSS JOIN n",
    )
    .bind(in_days(-1))
    .execute(&mut conn)
    .await
    .unwrap();

    let (_, all) = nx.get("/api/assistance").await;
    assert_eq!(all["total"], 601, "{}", all["total"]);
    assert_eq!(all["items"].as_array().unwrap().len(), 20);
    let (_, last) = nx.get("/api/assistance?page=31").await;
    let last = last["items"].as_array().unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0]["content"], "按时办理的事项");
    // The dashboard's figure is the overdue list's total, past 500 too.
    let (_, overdue) = nx.get("/api/assistance?overdue=true").await;
    assert_eq!(overdue["total"], 600);
    let (_, summary) = nx.get("/api/problems/summary").await;
    assert_eq!(summary["assistance_overdue"], 600, "{summary}");
    assert_eq!(xlsx_rows(&nx, "/api/assistance/export").await.len(), 602);
}
