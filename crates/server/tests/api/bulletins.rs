//! Month-end close (月结) and bulletins (通报): a closed month's rates are the figures as they
//! stood at the close, a later correction shows in the next month; a published bulletin and
//! both its exports never change; a county reads its city's bulletin, a sibling county's
//! bulletin never.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Read;

const WAN: i64 = 10_000 * 100;

async fn project(user: &User, name: &str, contract_wan: i64) -> i64 {
    let (status, d) = user
        .post(
            "/api/projects",
            json!({
                "name": name, "investor_name": format!("{name}投资方"), "origin": "in_province",
                "contract_fen": contract_wan * WAN, "signed_on": "2026-01-10",
                "region_code": "430921", "stage": "signed", "investor_credit_code": credit_code()
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    d["project"]["id"].as_i64().unwrap()
}

/// A report without what says how it was read (closed or live), for comparing figures.
fn figures(report: &Value) -> Value {
    json!({ "total": report["total"], "rows": report["rows"] })
}

/// Every text run of a .docx's body, and of each sheet of an .xlsx: what the files say,
/// without the creation times their packages carry.
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

fn xlsx_sheets(bytes: &[u8]) -> Vec<Vec<Vec<String>>> {
    (0..10)
        .map(|i| crate::scope::read_xlsx_sheet(bytes.to_vec(), i))
        .collect()
}

async fn ids(user: &User) -> Vec<i64> {
    let (status, list) = user.get("/api/bulletins").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect()
}

async fn download(user: &User, path: &str) -> Vec<u8> {
    let res = user.get_raw(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn a_closed_month_keeps_its_figures_and_a_later_correction_lands_in_the_next_month() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let a = project(&nx, "南县月结甲项目", 1_000).await;
    let b = project(&nx, "南县月结乙项目", 2_000).await;
    record_and_confirm(&app, &nx, a, "2026-08", 300 * WAN).await;
    record_and_confirm(&app, &nx, b, "2026-09", 100 * WAN).await;

    // What the records say of September's end before anyone closes it.
    let (status, before) = yy.get("/api/rates?as_of=2026-09").await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(before["closed"], false);
    let (_, by_county_before) = nx.get("/api/rates?as_of=2026-09&region=430921").await;

    // 南县 may not close for the city, and nobody closes a month not yet over.
    let (status, body) = yy.post("/api/closes", json!({ "period": "2026-12" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["period"].is_array(), "{body}");
    let (status, close) = yy.post("/api/closes", json!({ "period": "2026-09" })).await;
    assert_eq!(status, StatusCode::CREATED, "{close}");
    assert_eq!(close["region_code"], "430900");
    assert!(close["projects"].as_i64().unwrap() >= 2);
    let (status, again) = yy.post("/api/closes", json!({ "period": "2026-09" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    // the county below is covered by the city's close
    let (status, under) = nx.post("/api/closes", json!({ "period": "2026-09" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{under}");

    // Late corrections of closed months: a September record confirmed after the close, and
    // an August one.
    record_and_confirm(&app, &nx, a, "2026-09", 250 * WAN).await;
    record_and_confirm(&app, &nx, b, "2026-08", 50 * WAN).await;

    let (_, after) = yy.get("/api/rates?as_of=2026-09").await;
    assert_eq!(after["closed"], true);
    assert_eq!(
        figures(&after),
        figures(&before),
        "the closed September reads the figures as they stood at the close"
    );
    assert!(after["definitions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d.as_str().unwrap().contains("已月结")));
    let (_, by_county_after) = nx.get("/api/rates?as_of=2026-09&region=430921").await;
    assert_eq!(figures(&by_county_after), figures(&by_county_before));

    // October is open: it holds both corrections.
    let (_, october) = yy.get("/api/rates?as_of=2026-10").await;
    assert_eq!(october["closed"], false);
    let nan = |r: &Value| {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["code"] == "430921")
            .cloned()
            .unwrap()
    };
    assert_eq!(
        nan(&october)["arrived_fen"].as_i64().unwrap()
            - nan(&after)["arrived_fen"].as_i64().unwrap(),
        300 * WAN,
        "the 250万 and 50万 confirmed after the close show as October's change"
    );
    // The closed figures equal what the records said, read through the records alone.
    assert_eq!(nan(&after)["arrived_fen"], nan(&before)["arrived_fen"]);

    // the close is audited and listed for the county below
    let (_, closes) = nx.get("/api/closes").await;
    assert_eq!(closes.as_array().unwrap().len(), 1, "{closes}");
    let (_, sibling) = app.login("cs_bureau").await.get("/api/closes").await;
    assert_eq!(
        sibling.as_array().unwrap().len(),
        0,
        "长沙 sees nothing of 益阳's close"
    );
}

#[tokio::test]
async fn a_closed_month_by_region_reads_its_county_sums_which_agree_with_its_projects() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let hn = app.login("hn_bureau").await;
    let admin = app.login("admin").await;
    let a = project(&nx, "南县分县汇总甲项目", 1_000).await;
    let b = project(&nx, "南县分县汇总乙项目", 2_000).await;
    // 600万 of 1,000万 (优秀 at the 50% line, 良好 at 70%) and 100万 of 2,000万
    record_and_confirm(&app, &nx, a, "2026-08", 600 * WAN).await;
    record_and_confirm(&app, &nx, b, "2026-09", 100 * WAN).await;
    let (status, close) = yy.post("/api/closes", json!({ "period": "2026-09" })).await;
    assert_eq!(status, StatusCode::CREATED, "{close}");
    let close_id = close["id"].as_i64().unwrap();
    // the close keeps its county sums at once, not at the first read
    let kept_rows = || async {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&app.database_url)
            .await
            .unwrap();
        let n: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(DISTINCT thresholds) AS BIGINT) FROM month_close_sums \
             WHERE close_id = $1",
        )
        .bind(close_id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        n
    };
    assert_eq!(kept_rows().await, 1);

    // Each closed report by region (kept sums) equals the same report read through the close's
    // projects (a signing filter that keeps every project takes that path), for every reader.
    let agree = || async {
        for (name, user) in [
            ("南县", &nx),
            ("益阳市", &yy),
            ("湖南省", &hn),
            ("admin", &admin),
        ] {
            for q in [
                "as_of=2026-09",
                "as_of=2026-09&region=430921",
                "as_of=2026-09&region=430900",
            ] {
                let (status, kept) = user.get(&format!("/api/rates?{q}")).await;
                if name == "南县" && q.ends_with("430900") {
                    assert_eq!(status, StatusCode::NOT_FOUND, "{kept}");
                    continue;
                }
                assert_eq!(status, StatusCode::OK, "{q}: {kept}");
                let (status, live) = user
                    .get(&format!("/api/rates?{q}&signed_from=2000-01-01"))
                    .await;
                assert_eq!(status, StatusCode::OK, "{live}");
                assert_eq!(kept["closed"], live["closed"], "{q}");
                assert_eq!(figures(&kept), figures(&live), "{name} {q}");
            }
        }
        let (_, city) = yy.get("/api/rates?as_of=2026-09").await;
        assert_eq!(city["closed"], true);
        city["total"]["excellent"].as_i64().unwrap()
    };
    let excellent = agree().await;

    // A correction after the close changes neither path.
    record_and_confirm(&app, &nx, b, "2026-09", 900 * WAN).await;
    assert_eq!(agree().await, excellent);

    // 分类标准 raised to 70%: the closed month is classified by them too, from sums kept for
    // the new thresholds beside the old ones.
    let (_, rules) = admin.get("/api/rules").await;
    let mut update = crate::rules::update_of(&rules);
    update["thresholds"]["excellent_above_bp"] = json!(7000);
    let (status, body) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(agree().await, excellent - 1);
    assert_eq!(kept_rows().await, 2);
}

#[tokio::test]
async fn a_published_bulletin_and_its_exports_stay_as_published_and_reach_its_scope_only() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let a = project(&nx, "南县通报甲项目", 1_000).await;
    project(&nx, "南县通报乙项目", 4_000).await;
    record_and_confirm(&app, &nx, a, "2026-08", 600 * WAN).await;
    // The year's targets, handed down: the province's for the city, the city's for 南县.
    let hn = app.login("hn_bureau").await;
    let (status, body) = hn
        .put(
            "/api/targets",
            json!({ "region_code": "430900", "year": 2026,
            "indicator": "arrival_rate", "value_bp": 1000 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = yy
        .put(
            "/api/targets",
            json!({ "region_code": "430921", "year": 2026,
            "indicator": "arrival_rate", "value_bp": 2000 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A problem registered in 南县, not yet handled.
    let (status, body) = nx
        .post(
            "/api/problems",
            json!({ "description": "项目用地报批进度慢",
            "category": "land", "project_id": a, "within_bureau_remit": false }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // … as if registered in August (the test cannot wait for a quarter to pass).
    {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&app.database_url)
            .await
            .unwrap();
        sqlx::query("UPDATE problems SET created_at = '2026-08-20T02:00:00.000Z' WHERE id = $1")
            .bind(body["id"].as_i64().unwrap())
            .execute(&mut conn)
            .await
            .unwrap();
    }

    // A bulletin is drafted from closed figures only.
    let q3 = json!({ "period_kind": "quarter", "year": 2026, "period_index": 3, "rank_by": "arrival_rate" });
    let (status, body) = yy.post("/api/bulletins", q3.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["period_index"][0]
        .as_str()
        .unwrap()
        .contains("尚未月结"));
    let (status, _) = yy.post("/api/closes", json!({ "period": "2026-09" })).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, nx_try) = nx.post("/api/bulletins", q3.clone()).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a county drafts its own: {nx_try}"
    );

    let (status, draft) = yy.post("/api/bulletins", q3).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    let id = draft["id"].as_i64().unwrap();
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["editable"], true);
    assert_eq!(draft["figures"]["period_label"], "2026年第三季度");
    let total = &draft["figures"]["total"];
    assert_eq!(total["projects"], 2);
    assert_eq!(total["arrived_fen"], 600 * WAN);
    assert_eq!(total["arrival_rate"], "12.00%", "600 ÷ 5,000");
    let prose = draft["prose"].as_array().unwrap();
    assert_eq!(
        prose[0],
        "截至9月底，全市签约项目2个，合同资金0.50亿元，到位资金0.06亿元，资金到位率12.00%。履约率50.00%，开工率0.00%。"
    );
    assert_eq!(draft["figures"]["ranking"][0]["name"], "南县");
    // Targets against the closed figures: the city's 10% is reached, 南县's 20% is not.
    let targets = draft["figures"]["targets"].as_array().unwrap();
    let target = |region: &str, indicator: &str| {
        targets
            .iter()
            .find(|t| t["region_code"] == region && t["indicator"] == indicator)
            .unwrap_or_else(|| panic!("{region} {indicator}: {targets:?}"))
    };
    let city = target("430900", "arrival_rate");
    assert_eq!(city["region_name"], "益阳市");
    assert_eq!(
        (&city["target"], &city["actual"], &city["reached"]),
        (&json!("10.00%"), &json!("12.00%"), &json!(true))
    );
    let county = target("430921", "arrival_rate");
    assert_eq!(county["region_name"], "南县");
    assert_eq!(
        (&county["actual"], &county["reached"]),
        (&json!("12.00%"), &json!(false))
    );
    // no confirmed money last year: growth cannot be stated
    assert!(target("430921", "domestic_growth")["reached"].is_null());
    assert!(prose.iter().any(|p| p
        .as_str()
        .unwrap()
        .starts_with("对照年度目标任务，资金到位率目标10.00%，期末为12.00%，已完成；")));
    let problems = &draft["figures"]["problems"];
    assert_eq!(problems["registered"], 1, "{problems}");
    assert_eq!(problems["registered_in_period"], 1);
    assert_eq!(
        (&problems["open"], &problems["overdue"]),
        (&json!(1), &json!(0))
    );
    assert_eq!(problems["closing_rate"], "0.00%");
    assert!(prose.iter().any(|p| p
        == "问题办理方面，截至9月底累计登记问题1个，已办结0个，办结率0.00%，无逾期未办结问题。"));

    // A draft is its author region's: 南县 does not see the city's draft.
    let (status, _) = nx.get(&format!("/api/bulletins/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Publishing needs a number; the author edits prose and number, not figures.
    let (status, body) = yy
        .post(
            &format!("/api/bulletins/{id}/publish"),
            json!({ "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let mut edited: Vec<Value> = prose.clone();
    edited[0] = json!(format!(
        "{}各地要对照目标加压奋进。",
        prose[0].as_str().unwrap()
    ));
    let (status, body) = yy
        .put(
            &format!("/api/bulletins/{id}"),
            json!({ "title": draft["title"], "doc_number": "益商通〔2026〕3号",
                    "prose": edited, "version": 1,
                    "figures": { "total": { "projects": 99 } } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["figures"], draft["figures"], "figures are not edited");
    let (status, published) = yy
        .post(
            &format!("/api/bulletins/{id}/publish"),
            json!({ "version": 2 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["status"], "published");
    assert_eq!(published["editable"], false);
    let (status, _) = yy
        .put(
            &format!("/api/bulletins/{id}"),
            json!({ "title": "改", "doc_number": "x", "prose": ["改"], "version": 3 }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a published bulletin is frozen"
    );

    let docx = download(&yy, &format!("/api/bulletins/{id}/docx")).await;
    let xlsx = download(&yy, &format!("/api/bulletins/{id}/xlsx")).await;
    let text = docx_text(&docx);
    for expected in [
        "益商通〔2026〕3号",
        "加压奋进",
        "2026年第三季度",
        "12.00%",
        "南县",
    ] {
        assert!(text.contains(expected), "the .docx says {expected}");
    }
    let sheets = xlsx_sheets(&xlsx);
    assert_eq!(
        sheets[1][4],
        vec!["资金到位率", "12.00%"],
        "{:?}",
        sheets[1]
    );
    assert_eq!(sheets[2][1][1], "南县");
    assert_eq!(
        sheets[4][0],
        vec!["地区", "指标", "年度目标", "期末", "完成情况"]
    );
    assert_eq!(
        sheets[4][1],
        vec!["益阳市", "资金到位率", "10.00%", "12.00%", "已完成"]
    );
    assert!(text.contains("问题办理情况") && text.contains("目标任务完成情况"));

    // The data changes: new money for September and a new project; the bulletin does not.
    record_and_confirm(&app, &nx, a, "2026-09", 200 * WAN).await;
    project(&nx, "南县通报后签约项目", 3_000).await;
    let (_, now) = yy.get(&format!("/api/bulletins/{id}")).await;
    assert_eq!(now, published, "the published bulletin is frozen");
    assert_eq!(
        docx_text(&download(&yy, &format!("/api/bulletins/{id}/docx")).await),
        text
    );
    assert_eq!(
        xlsx_sheets(&download(&yy, &format!("/api/bulletins/{id}/xlsx")).await),
        sheets
    );

    // 南县 sees the city's published bulletin and its files; 沅江 sees it too; 长沙 does not;
    // 沅江 never sees 南县's own (draft or, once published, a sibling's).
    assert!(ids(&nx).await.contains(&id));
    let (status, seen) = nx.get(&format!("/api/bulletins/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["editable"], false);
    download(&nx, &format!("/api/bulletins/{id}/docx")).await;
    let yyx = app.login("yyx_bureau").await;
    assert!(ids(&yyx).await.contains(&id));
    let nx_id = nx_try["id"].as_i64().unwrap();
    let (status, _) = nx
        .put(
            &format!("/api/bulletins/{nx_id}"),
            json!({ "title": nx_try["title"], "doc_number": "南商通〔2026〕1号",
                    "prose": nx_try["prose"], "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = nx
        .post(
            &format!("/api/bulletins/{nx_id}/publish"),
            json!({ "version": 2 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !ids(&yyx).await.contains(&nx_id),
        "a sibling county's bulletin"
    );
    let (status, _) = yyx.get(&format!("/api/bulletins/{nx_id}/docx")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        ids(&yy).await.contains(&nx_id),
        "the city reads its county's bulletin"
    );
    let cs = app.login("cs_bureau").await;
    assert!(ids(&cs).await.is_empty());
    let (status, _) = cs.get(&format!("/api/bulletins/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // every change is in the trail
    let auditor = app.login("hn_auditor").await;
    let entries = auditor.items("/api/audit?entity=bulletin").await;
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    let audit = json!(entries);
    for action in ["create", "update", "publish"] {
        assert!(actions.contains(&action), "{action} audited: {audit}");
    }
}

#[tokio::test]
async fn a_month_closes_by_itself_the_days_the_rules_set_after_its_rounds_deadline_once() {
    use crate::helpers::spawn_app_with_store;
    use luodi_server::ServerSettings;
    use luodi_store::AuthSettings;
    let (app, store) =
        spawn_app_with_store(AuthSettings::default(), ServerSettings::default()).await;
    let nx = app.login("nx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let admin = app.login("admin").await;
    let set_auto_close = |days: Option<i64>| {
        let admin = &admin;
        async move {
            let (_, rules) = admin.get("/api/rules").await;
            let mut update = crate::rules::update_of(&rules);
            update["auto_close_days"] = json!(days);
            let (status, saved) = admin.put("/api/rules", update).await;
            assert_eq!(status, StatusCode::OK, "{saved}");
        }
    };
    let a = project(&nx, "南县自动月结项目", 1_000).await;
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+8));
    let today = now.date();
    let month = if today.month() as u8 == 1 {
        format!("{}-12", today.year() - 1)
    } else {
        format!("{}-{:02}", today.year(), today.month() as u8 - 1)
    };
    record_and_confirm(&app, &nx, a, &month, 300 * WAN).await;
    let due = today + time::Duration::days(3);
    let (status, round) = yy
        .post(
            "/api/dispatch/rounds",
            json!({ "period": month, "due_on": due.to_string() }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let (_, live) = yy.get(&format!("/api/rates?as_of={month}")).await;
    assert_eq!(live["closed"], false);

    // Three days after the deadline: nothing while the rules leave months to be closed by
    // hand, nor while they wait four days.
    store.clock().set(now + time::Duration::days(3 + 3));
    assert_eq!(store.system().auto_close_months().await.unwrap(), vec![]);
    set_auto_close(Some(4)).await;
    assert_eq!(store.system().auto_close_months().await.unwrap(), vec![]);
    let (_, closes) = yy.get("/api/closes").await;
    assert_eq!(closes, json!([]));

    // Set to three days on the rules page, the same worker follows it: not on the second day,
    // then once on the third, however many instances run the worker at the same time.
    set_auto_close(Some(3)).await;
    store.clock().set(now + time::Duration::days(3 + 2));
    assert_eq!(store.system().auto_close_months().await.unwrap(), vec![]);
    store.clock().set(now + time::Duration::days(3 + 3));
    let (first, second) = (store.system(), store.system());
    let (one, two) = tokio::join!(first.auto_close_months(), second.auto_close_months());
    let made: Vec<_> = one.unwrap().into_iter().chain(two.unwrap()).collect();
    assert_eq!(
        made,
        vec![("430900".to_owned(), month.clone())],
        "closed once"
    );
    assert_eq!(store.system().auto_close_months().await.unwrap(), vec![]);
    let (_, closes) = nx.get("/api/closes").await;
    let closes = closes.as_array().unwrap();
    assert_eq!(closes.len(), 1, "{closes:?}");
    assert_eq!(closes[0]["region_code"], "430900");
    assert_eq!(closes[0]["period"], month.as_str());

    // the month reads the kept figures: a late record for it lands in the next month
    record_and_confirm(&app, &nx, a, &month, 100 * WAN).await;
    let (_, closed) = yy.get(&format!("/api/rates?as_of={month}")).await;
    assert_eq!(closed["closed"], true);
    assert_eq!(figures(&closed), figures(&live));
}

#[tokio::test]
async fn the_county_demo_has_a_closed_september_and_a_published_bulletin_for_yiyang() {
    use crate::helpers::spawn_app_with_store;
    use luodi_server::ServerSettings;
    use luodi_store::AuthSettings;
    let (app, store) =
        spawn_app_with_store(AuthSettings::default(), ServerSettings::default()).await;
    store.system().load_county_scale(2026).await.unwrap();
    let nx = app.login("nx_bureau").await;
    let (_, list) = nx.get("/api/bulletins").await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["status"], "published");
    assert_eq!(list[0]["doc_number"], "益商通〔2026〕3号");
    let (_, bulletin) = nx.get(&format!("/api/bulletins/{}", list[0]["id"])).await;
    assert!(
        bulletin["prose"][0].as_str().unwrap().contains("截至9月底"),
        "{}",
        bulletin["prose"]
    );
    let (_, rates) = nx.get("/api/rates?as_of=2026-09").await;
    assert_eq!(rates["closed"], true);
    // 长沙 sees neither
    let cs = app.login("cs_bureau").await;
    assert_eq!(cs.get("/api/bulletins").await.1, json!([]));
}
