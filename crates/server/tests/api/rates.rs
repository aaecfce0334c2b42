use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const WAN: i64 = 10_000 * 100;

async fn project(user: &User, name: &str, region: &str, contract_wan: i64, started: bool) -> i64 {
    let mut input = json!({
        "name": name, "investor_name": format!("{name}投资方"), "origin": "in_province",
        "contract_fen": contract_wan * WAN, "signed_on": "2026-01-10", "region_code": region,
        "stage": if started { "started" } else { "signed" },
        "investor_credit_code": credit_code()
    });
    if started {
        input["started_on"] = json!("2026-04-01");
    }
    let (status, d) = user.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    d["project"]["id"].as_i64().unwrap()
}

async fn confirmed(app: &TestApp, enterer: &User, id: i64, wan: i64) {
    let (status, r) = enterer
        .post(
            &format!("/api/projects/{id}/funds"),
            json!({ "period": "2026-03", "amount": wan * WAN, "currency": "CNY", "kind": "fixed_asset",
                    "override_reason": "按银行回单录入的一次性到位资金" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    // A warned record (a first entry above half the contract) is confirmed with its evidence.
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
    let (status, _) = yy
        .post(
            &format!("/api/funds/{}/review", r["id"]),
            json!({ "decision": "confirm", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

fn row<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {report}"))
}

#[tokio::test]
async fn rates_by_county_are_sums_over_sums_with_exact_boundaries() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let yj = app.login("yyx_bureau").await;
    // 南县: 1,000万 with 500 (exactly 50% → 良好) and 3,000万 with 0, started.
    let a = project(&nx, "南县甲项目", "430921", 1_000, false).await;
    project(&nx, "南县乙项目", "430921", 3_000, true).await;
    confirmed(&app, &nx, a, 500).await;
    // 沅江: 1,000万 with 501 (above 50% → 优秀) and 1,000万 with 10 (一般).
    let c = project(&yj, "沅江丙项目", "430981", 1_000, false).await;
    let d = project(&yj, "沅江丁项目", "430981", 1_000, false).await;
    confirmed(&app, &yj, c, 501).await;
    confirmed(&app, &yj, d, 10).await;

    let yy = app.login("yy_bureau").await;
    let (status, report) = yy.get("/api/rates").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["region_name"], "益阳市");
    let nan = row(&report, "430921");
    assert_eq!(nan["name"], "南县");
    assert_eq!(nan["projects"], 2);
    assert_eq!(
        nan["arrival_rate"], "12.50%",
        "500 ÷ 4,000, not the mean of 50% and 0%"
    );
    assert_eq!(nan["fulfilment_rate"], "100.00%");
    assert_eq!(nan["start_rate"], "50.00%");
    assert_eq!(
        (
            nan["excellent"].as_i64(),
            nan["good"].as_i64(),
            nan["not_fulfilled"].as_i64()
        ),
        (Some(0), Some(1), Some(1))
    );
    let yuan = row(&report, "430981");
    assert_eq!(
        (yuan["excellent"].as_i64(), yuan["fair"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        yuan["arrival_rate_usd"],
        Value::Null,
        "no USD contract: undefined, not 0%"
    );
    assert_eq!(report["total"]["projects"], 4);
    assert_eq!(report["total"]["arrival_rate"], "16.85%", "1,011 ÷ 6,000");
    assert!(report["definitions"][0]
        .as_str()
        .unwrap()
        .contains("Σ已确认到位资金 ÷ Σ合同金额"));

    // The province sees 益阳 as one row.
    let (_, province) = app.login("hn_bureau").await.get("/api/rates").await;
    assert_eq!(row(&province, "430900")["projects"], 4);
    // A county sees only itself and cannot ask for the city.
    let (_, own) = nx.get("/api/rates").await;
    assert_eq!(own["total"]["projects"], 2);
    let (status, _) = nx.get("/api/rates?region=430900").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = nx.get("/api/rates?region=430981").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The same table as an Excel report: numbers, not text; a total row; the definitions.
    let res = yy.get_raw("/api/rates/export").await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let sheet = crate::scope::read_xlsx(bytes.clone());
    assert_eq!(sheet[0][0], "地区");
    assert_eq!(sheet[0][4], "资金到位率（人民币）");
    let nan = sheet.iter().find(|r| r[0] == "南县").unwrap();
    assert_eq!(nan[1], "2");
    assert_eq!(nan[2], "4000", "contract in 万元");
    assert_eq!(nan[3], "500");
    assert_eq!(
        nan[4], "0.125",
        "12.50% as a ratio formatted as a percentage"
    );
    assert_eq!(nan[9], "1", "履约率 100%");
    let total = sheet.last().unwrap();
    assert_eq!(total[0], "合计");
    assert_eq!((total[1].as_str(), total[3].as_str()), ("4", "1011"));
    let notes = crate::scope::read_xlsx_sheet(bytes, 1);
    assert!(notes
        .iter()
        .any(|r| r[1].contains("Σ已确认到位资金 ÷ Σ合同金额")));
    assert!(notes.iter().any(|r| r[1].contains("益阳市")));
    // A county's export is its own figures only, and it cannot export the city's.
    let res = nx.get_raw("/api/rates/export").await;
    let own = crate::scope::read_xlsx(res.bytes().await.unwrap().to_vec());
    assert_eq!(own.last().unwrap()[1], "2");
    assert!(own.iter().all(|r| r[0] != "沅江市"));
    let (status, _) = nx.get("/api/rates/export?region=430900").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The generated ledger behind `luodi demo --scale province` keeps its invariants: project
/// sums equal their confirmed records, rates add up, and new projects can still be entered.
#[tokio::test]
async fn the_generated_ledger_is_consistent() {
    use sqlx::Connection;
    let app = spawn_app().await;
    sqlx::any::install_default_drivers();
    let store = luodi_store::Store::open(&app.database_url, Default::default())
        .await
        .unwrap();
    let report = store.system().load_ledger(7, 1_500).await.unwrap().unwrap();
    assert_eq!(report.projects, 1_500);
    assert!(report.fund_records > 10_000, "{report:?}");
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    let mismatched: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM projects p WHERE p.arrived_fen <> COALESCE((SELECT CAST(SUM(f.amount) AS BIGINT) \
         FROM fund_arrivals f WHERE f.project_id = p.id AND f.status = 'confirmed' AND f.currency = 'CNY'), 0)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(mismatched, 0);

    let province = app.login("hn_bureau").await;
    let (_, rates) = province.get("/api/rates").await;
    let sum: i64 = rates["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["projects"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, rates["total"]["projects"].as_i64().unwrap());
    assert!(sum > 1_000, "signed projects in the province: {sum}");
    assert!(
        !province.items("/api/duplicates").await.is_empty(),
        "some projects were signed twice"
    );

    // Records waiting for review were entered by a county bureau where the county has an
    // account (the city reviews them) and by the city for the others (the province does).
    let city_queue = app
        .login("yy_bureau")
        .await
        .items("/api/funds/review")
        .await;
    assert!(
        city_queue.iter().any(|r| r["region_name"] == "南县"
            && r["entered_by_name"].as_str().unwrap().contains("南县")),
        "南县's own entries wait for 益阳市"
    );
    let province_queue = province.items("/api/funds/review").await;
    assert!(
        province_queue
            .iter()
            .any(|r| r["entered_by_name"] == "徐红梅（益阳市商务局）"),
        "益阳市 entered for its counties without an account; the province reviews that"
    );
    assert!(
        city_queue
            .iter()
            .all(|r| r["entered_by_name"] != "徐红梅（益阳市商务局）"),
        "益阳市 does not review its own entries"
    );

    // The export holds every project of the scope, not one page of them.
    let res = province.get_raw("/api/projects/export").await;
    let rows = crate::scope::read_xlsx(res.bytes().await.unwrap().to_vec());
    assert_eq!(
        rows.len() as i64 - 1,
        1_500,
        "all 1,500 generated projects exported"
    );

    let nx = app.login("nx_bureau").await;
    let (status, body) = nx
        .post(
            "/api/projects",
            json!({ "name": "生成数据之后新录入的项目", "investor_name": "某公司", "origin": "in_province",
                    "region_code": "430921", "stage": "negotiating" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "identity sequences moved past generated ids: {body}"
    );
}

/// A signed project with its fields given in `extra` (origin, contract, signing date, …).
async fn project_with(user: &User, name: &str, extra: Value) -> i64 {
    let mut input = json!({
        "name": name, "investor_name": format!("{name}投资方"), "origin": "in_province",
        "contract_fen": 1_000 * WAN, "signed_on": "2026-01-10", "region_code": "430921",
        "stage": "signed", "investor_credit_code": credit_code()
    });
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    let (status, d) = user.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    d["project"]["id"].as_i64().unwrap()
}

/// Enters an arrival for a month and has 益阳 confirm it.
async fn confirmed_in(
    app: &TestApp,
    enterer: &User,
    id: i64,
    period: &str,
    amount: i64,
    currency: &str,
) {
    let (status, r) = enterer
        .post(
            &format!("/api/projects/{id}/funds"),
            json!({ "period": period, "amount": amount, "currency": currency, "kind": "fixed_asset",
                    "override_reason": "测试数据：按凭证录入" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    // A warned record is confirmed only with its evidence.
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

#[tokio::test]
async fn rates_at_the_end_of_a_month_count_only_what_was_signed_and_confirmed_by_then() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let a = project_with(&nx, "南县月末甲项目", json!({})).await;
    project_with(
        &nx,
        "南县五月签约项目",
        json!({ "signed_on": "2026-05-01" }),
    )
    .await;
    confirmed_in(&app, &nx, a, "2026-03", 200 * WAN, "CNY").await;
    confirmed_in(&app, &nx, a, "2026-06", 300 * WAN, "CNY").await;
    // Signed in February (with no money), terminated in mid-April.
    let dropped = project_with(
        &nx,
        "南县四月终止项目",
        json!({ "signed_on": "2026-02-10" }),
    )
    .await;
    let (status, body) = nx
        .post(
            &format!("/api/projects/{dropped}/stage"),
            json!({ "stage": "terminated", "changed_on": "2026-04-15", "note": "投资方撤资", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, march) = nx.get("/api/rates?as_of=2026-03").await;
    assert_eq!(status, StatusCode::OK, "{march}");
    assert_eq!(march["as_of"], "2026-03");
    let total = &march["total"];
    assert_eq!(
        total["projects"], 2,
        "the May signing is not yet counted; the April termination not yet happened"
    );
    assert_eq!(
        total["not_fulfilled"], 1,
        "the one to be terminated had no money"
    );
    assert_eq!(total["contract_fen"], 2 * 1_000 * WAN);
    assert_eq!(total["arrived_fen"], 200 * WAN);
    assert_eq!(total["arrival_rate"], "10.00%", "200 ÷ 2,000");
    assert_eq!(total["good"], 1, "exactly 20% is 良好");
    let (_, april) = nx.get("/api/rates?as_of=2026-04").await;
    let total = &april["total"];
    assert_eq!(total["projects"], 1, "terminated on 15 April");
    assert_eq!(total["arrival_rate"], "20.00%", "200 ÷ 1,000");
    // May: the May signing counts, the June money not yet.
    let (_, may) = nx.get("/api/rates?as_of=2026-05").await;
    let total = &may["total"];
    assert_eq!(
        total["projects"], 2,
        "signed by May, the April termination gone"
    );
    assert_eq!(total["arrived_fen"], 200 * WAN, "the June 300万 not yet");
    assert_eq!(total["arrival_rate"], "10.00%", "200 ÷ 2,000");
    assert_eq!(
        total["good"], 1,
        "200 of its own 1,000 is exactly 20%: 良好"
    );
    assert_eq!(total["fair"], 0);
    assert_eq!(total["not_fulfilled"], 1, "the May project has no money");
    let (_, june) = nx.get("/api/rates?as_of=2026-06").await;
    assert_eq!(june["total"]["arrived_fen"], 500 * WAN);
    assert_eq!(june["total"]["excellent"], 0);
    assert_eq!(
        june["total"]["good"], 1,
        "500 of 1,000 is exactly 50%: 良好"
    );
    assert!(march["definitions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d.as_str().unwrap().starts_with("截至2026-03月末")));

    let (_, now) = nx.get("/api/rates").await;
    assert_eq!(now["total"]["projects"], 2);
    assert_eq!(now["total"]["arrived_fen"], 500 * WAN);
    assert_eq!(now["total"]["arrival_rate"], "25.00%", "500 ÷ 2,000");
    assert_eq!(now["as_of"], Value::Null);

    let (status, bad) = nx.get("/api/rates?as_of=2026-13").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad["errors"]["as_of"].is_array(), "{bad}");
}

#[tokio::test]
async fn rates_group_by_origin_industry_zone_and_event() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (_, region) = nx.get("/api/regions/430921").await;
    let zone = region["zones"][0]["id"].as_i64().unwrap();
    let zone_name = region["zones"][0]["name"].as_str().unwrap().to_owned();
    let (status, event) = nx
        .post(
            "/api/events",
            json!({ "name": "南县分组测试签约会", "level": "county", "held_on": "2026-01-08", "region_code": "430921" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let event_id = event["id"].as_i64().unwrap();
    project_with(
        &nx,
        "南县境外电子项目",
        json!({ "origin": "foreign", "contract_fen": 0, "contract_cents": 100 * WAN,
                "industry_code": "39", "zone_id": zone, "event_id": event_id }),
    )
    .await;
    project_with(&nx, "南县省内食品项目", json!({ "industry_code": "14" })).await;

    let (_, by_origin) = nx.get("/api/rates?group_by=origin").await;
    assert_eq!(by_origin["group_by"], "origin");
    assert_eq!(row(&by_origin, "foreign")["name"], "境外");
    assert_eq!(row(&by_origin, "foreign")["contract_cents"], 100 * WAN);
    assert_eq!(row(&by_origin, "in_province")["name"], "省内");

    let (_, by_industry) = nx.get("/api/rates?group_by=industry").await;
    assert_eq!(row(&by_industry, "C")["name"], "制造业");
    assert_eq!(
        row(&by_industry, "C")["projects"],
        2,
        "divisions 39 and 14 are both C"
    );

    let (_, by_zone) = nx.get("/api/rates?group_by=zone").await;
    assert_eq!(row(&by_zone, &zone.to_string())["name"], zone_name.as_str());
    assert_eq!(row(&by_zone, "")["name"], "未填写");

    let (_, by_event) = nx.get("/api/rates?group_by=event").await;
    assert_eq!(
        row(&by_event, &event_id.to_string())["name"],
        "南县分组测试签约会"
    );

    let (_, foreign_only) = nx.get("/api/rates?origin=foreign&industry=C").await;
    assert_eq!(foreign_only["total"]["projects"], 1);
    let (_, by_label) = nx.get("/api/rates?origin=境外").await;
    assert_eq!(
        by_label["total"]["projects"], 1,
        "the Chinese label means the same origin"
    );
    // A project coded at section level belongs to its section.
    project_with(&nx, "南县制造业门类项目", json!({ "industry_code": "C" })).await;
    let (_, by_industry) = nx.get("/api/rates?group_by=industry").await;
    assert_eq!(row(&by_industry, "C")["projects"], 3);
    let (_, section) = nx.get("/api/rates?industry=C").await;
    assert_eq!(section["total"]["projects"], 3);

    let (status, _) = nx.get("/api/rates?group_by=colour").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Another county's groups are empty, not 南县's.
    let (_, other) = app
        .login("yyx_bureau")
        .await
        .get("/api/rates?group_by=origin")
        .await;
    assert_eq!(other["total"]["projects"], 0, "{other}");
}

#[tokio::test]
async fn growth_by_origin_compares_the_same_months_of_last_year() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let domestic = project_with(
        &nx,
        "南县省外增长项目",
        json!({ "origin": "out_of_province", "signed_on": "2025-01-05" }),
    )
    .await;
    let foreign = project_with(
        &nx,
        "南县外资增长项目",
        json!({ "origin": "foreign", "contract_fen": 0, "contract_cents": 1_000 * WAN, "signed_on": "2025-01-05" }),
    )
    .await;
    confirmed_in(&app, &nx, domestic, "2025-03", 100 * WAN, "CNY").await;
    confirmed_in(&app, &nx, domestic, "2025-11", 900 * WAN, "CNY").await;
    confirmed_in(&app, &nx, domestic, "2026-03", 112 * WAN, "CNY").await;
    confirmed_in(&app, &nx, foreign, "2025-02", 10 * WAN, "USD").await;
    confirmed_in(&app, &nx, foreign, "2026-02", 9 * WAN, "USD").await;

    let (status, g) = nx.get("/api/rates/growth?period=2026-10").await;
    assert_eq!(status, StatusCode::OK, "{g}");
    assert_eq!(
        (g["from"].as_str(), g["to"].as_str()),
        (Some("2026-01"), Some("2026-10"))
    );
    let find = |origin: &str, currency: &str| {
        g["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["origin"] == origin && r["currency"] == currency)
            .unwrap_or_else(|| panic!("{origin} {currency} in {g}"))
            .clone()
    };
    let d = find("out_of_province", "CNY");
    assert_eq!(d["this_year"], 112 * WAN);
    assert_eq!(
        d["last_year"],
        100 * WAN,
        "November 2025 is outside January–October"
    );
    assert_eq!(d["growth"], "12.00%");
    let f = find("foreign", "USD");
    assert_eq!(
        (f["this_year"].as_i64(), f["last_year"].as_i64()),
        (Some(9 * WAN), Some(10 * WAN))
    );
    assert_eq!(f["growth"], "-10.00%");

    // Nothing in 2024: no growth rate rather than an infinite one.
    let (_, first_year) = nx.get("/api/rates/growth?period=2025-10").await;
    assert_eq!(first_year["rows"][0]["growth"], Value::Null, "{first_year}");

    let (_, other) = app
        .login("yyx_bureau")
        .await
        .get("/api/rates/growth?period=2026-10")
        .await;
    assert!(other["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["this_year"] == 0));
}

#[tokio::test]
async fn monthly_arrival_sets_each_month_beside_the_same_month_of_last_year() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let domestic = project_with(
        &nx,
        "南县逐月项目",
        json!({ "origin": "out_of_province", "signed_on": "2025-01-05" }),
    )
    .await;
    let foreign = project_with(
        &nx,
        "南县逐月外资项目",
        json!({ "origin": "foreign", "contract_fen": 0, "contract_cents": 1_000 * WAN, "signed_on": "2025-01-05" }),
    )
    .await;
    confirmed_in(&app, &nx, domestic, "2025-03", 100 * WAN, "CNY").await;
    confirmed_in(&app, &nx, domestic, "2025-11", 900 * WAN, "CNY").await;
    confirmed_in(&app, &nx, domestic, "2026-03", 112 * WAN, "CNY").await;
    confirmed_in(&app, &nx, domestic, "2026-03", 8 * WAN, "CNY").await;
    confirmed_in(&app, &nx, domestic, "2026-11", 50 * WAN, "CNY").await;
    confirmed_in(&app, &nx, foreign, "2026-02", 9 * WAN, "USD").await;

    let (status, m) = nx.get("/api/rates/monthly?period=2026-10").await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(
        (m["year"].as_i64(), m["to"].as_str()),
        (Some(2026), Some("2026-10"))
    );
    let months = m["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let month = |n: usize| &months[n - 1];
    assert_eq!(
        month(3)["this_year_fen"],
        120 * WAN,
        "two records of March add up"
    );
    assert_eq!(month(3)["last_year_fen"], 100 * WAN);
    assert_eq!(
        month(11)["last_year_fen"],
        900 * WAN,
        "last year is shown whole"
    );
    assert_eq!(
        month(11)["this_year_fen"],
        0,
        "November 2026 lies after the month asked"
    );
    assert_eq!(
        month(2)["this_year_cents"],
        9 * WAN,
        "dollars apart from 元"
    );
    assert_eq!(month(2)["this_year_fen"], 0);

    // Another county's bureau counts none of it, and cannot ask for 南县.
    let yj = app.login("yyx_bureau").await;
    let (_, other) = yj.get("/api/rates/monthly?period=2026-10").await;
    assert!(other["months"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["this_year_fen"] == 0 && m["last_year_fen"] == 0));
    let (status, _) = yj.get("/api/rates/monthly?region=430921").await;
    assert!(status.is_client_error(), "{status}");
}

/// The month-by-month series and 同比 sum kept monthly sums (`arrival_sums`), recomputed for
/// the regions a change touched: each kind of change that moves a month's figure shows at once
/// — a new confirmed record, a correction, a project moved to another county, a copy confirmed
/// as a duplicate — and the county that lost the project no longer counts it.
#[tokio::test]
async fn kept_monthly_sums_follow_corrections_moves_and_duplicates() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let yj = app.login("yyx_bureau").await;
    // (南县, 沅江市, 益阳市): March 2026 in 元, and 2026 out-of-province arrival through October
    let figures = || async {
        let mut march = Vec::new();
        for user in [&nx, &yj, &yy] {
            let (status, m) = user.get("/api/rates/monthly?period=2026-10").await;
            assert_eq!(status, StatusCode::OK, "{m}");
            let (status, g) = user.get("/api/rates/growth?period=2026-10").await;
            assert_eq!(status, StatusCode::OK, "{g}");
            let growth = g["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["origin"] == "out_of_province" && r["currency"] == "CNY")
                .map_or(0, |r| r["this_year"].as_i64().unwrap());
            march.push((m["months"][2]["this_year_fen"].as_i64().unwrap(), growth));
        }
        march
    };
    let start = figures().await;
    let moved_by = |now: &[(i64, i64)], deltas: [i64; 3]| {
        let expected: Vec<(i64, i64)> = start
            .iter()
            .zip(deltas)
            .map(|((m, g), d)| (m + d * WAN, g + d * WAN))
            .collect();
        assert_eq!(now, expected.as_slice());
    };

    // The original, and a project that will turn out to be its copy.
    let (status, original) = nx
        .post(
            "/api/projects",
            crate::ledger::project_input(&nx, "华实稻虾米精深加工项目").await,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{original}");
    let copy = project_with(
        &nx,
        "南县汇总检验项目",
        json!({ "origin": "out_of_province", "investor_name": "益阳检验投资有限公司" }),
    )
    .await;
    confirmed_in(&app, &nx, copy, "2026-03", 300 * WAN, "CNY").await;
    moved_by(&figures().await, [300, 0, 300]);

    // A correction of the March figure, once confirmed, replaces it.
    let (_, funds) = nx.get(&format!("/api/projects/{copy}/funds")).await;
    let first = funds[0]["id"].clone();
    let (status, fix) = nx
        .post(
            &format!("/api/projects/{copy}/funds"),
            json!({ "period": "2026-03", "amount": 250 * WAN, "currency": "CNY",
                    "kind": "fixed_asset", "corrects_id": first,
                    "note": "银行回单金额为250万元，原填报有误" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{fix}");
    moved_by(&figures().await, [300, 0, 300]);
    let (status, body) = yy
        .post(
            &format!("/api/funds/{}/review", fix["id"]),
            json!({ "decision": "confirm", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    moved_by(&figures().await, [250, 0, 250]);

    // The city moves the project to 沅江市: the city's figure stays, the counties' swap.
    let (_, detail) = yy.get(&format!("/api/projects/{copy}")).await;
    let p = &detail["project"];
    let mut moved = json!({
        "name": p["name"], "investor_name": p["investor_name"], "origin": p["origin"],
        "contract_fen": p["contract_fen"], "signed_on": p["signed_on"], "stage": p["stage"],
        "investor_credit_code": p["investor_credit_code"], "region_code": "430981",
        "version": p["version"]
    });
    let (status, body) = yy
        .put(&format!("/api/projects/{copy}"), moved.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    moved_by(&figures().await, [0, 250, 250]);

    // Back in 南县 and renamed, it is found to be a copy of the original: the city above
    // confirms it, and its money leaves every sum.
    moved["region_code"] = json!("430921");
    moved["version"] = body["project"]["version"].clone();
    moved["name"] = json!("湖南华实稻虾米精深加工项目（一期）");
    moved["investor_name"] = json!("湖南华实农业科技有限公司");
    moved["investor_credit_code"] = json!("914403001922038216");
    let (status, body) = yy.put(&format!("/api/projects/{copy}"), moved).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    moved_by(&figures().await, [250, 0, 250]);
    let pool = yy.items("/api/duplicates").await;
    let pair = pool
        .iter()
        .find(|c| c["project_id"] == copy || c["other_project_id"] == copy)
        .unwrap_or_else(|| panic!("the renamed project is paired: {pool:?}"));
    let (status, body) = yy
        .post(
            &format!("/api/duplicates/{}/decision", pair["id"]),
            json!({ "status": "duplicate", "note": "同一项目重复录入" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    moved_by(&figures().await, [0, 0, 0]);
    assert_eq!(
        original["project"]["duplicate_of"],
        Value::Null,
        "the earlier entry stays"
    );
}

#[tokio::test]
async fn the_ledger_lists_signed_projects_not_yet_fulfilling() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let idle = project(&nx, "南县未履约项目", "430921", 1_000, false).await;
    let started = project(&nx, "南县已开工项目", "430921", 1_000, true).await;
    let paid = project(&nx, "南县已到位项目", "430921", 1_000, false).await;
    confirmed(&app, &nx, paid, 10).await;
    let ids = |items: Vec<Value>| -> Vec<i64> {
        items.iter().map(|p| p["id"].as_i64().unwrap()).collect()
    };
    let lagging = ids(nx.items("/api/projects?not_fulfilled=true").await);
    assert_eq!(
        lagging,
        vec![idle],
        "started or paid projects are fulfilling"
    );
    assert!(ids(nx
        .items("/api/projects?not_fulfilled=true&signed_to=2025-12-31")
        .await)
    .is_empty());
    assert!(ids(nx.items("/api/projects").await).contains(&started));
}

#[tokio::test]
async fn targets_are_handed_down_and_show_their_progress() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let domestic = project_with(
        &nx,
        "南县目标项目",
        json!({ "origin": "out_of_province", "signed_on": "2025-01-05" }),
    )
    .await;
    confirmed_in(&app, &nx, domestic, "2025-03", 100 * WAN, "CNY").await;
    confirmed_in(&app, &nx, domestic, "2026-03", 112 * WAN, "CNY").await;

    // 益阳 hands 南县 its 2025 targets.
    for (indicator, bp) in [("domestic_growth", 1200), ("arrival_rate", 2000)] {
        let (status, t) = yy
            .put(
                "/api/targets",
                json!({ "region_code": "430921", "year": 2026, "indicator": indicator, "value_bp": bp }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{t}");
    }
    let (status, list) = nx.get("/api/targets?year=2026").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let by = |indicator: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|t| t["indicator"] == indicator)
            .unwrap()
            .clone()
    };
    let growth = by("domestic_growth");
    assert_eq!(growth["target"], "+12.00%");
    assert_eq!(growth["actual"], "12.00%");
    assert_eq!(growth["reached"], true, "exactly +12% reaches +12%");
    let rate = by("arrival_rate");
    assert_eq!(rate["actual"], "21.20%", "212万 of 1,000万");
    assert_eq!(rate["reached"], true);

    // Raising the bar is audited as a change and the progress follows.
    let (_, t) = yy
        .put(
            "/api/targets",
            json!({ "region_code": "430921", "year": 2026, "indicator": "domestic_growth", "value_bp": 1500 }),
        )
        .await;
    assert_eq!(t["reached"], false);

    // A county does not set its own targets, nor another county's; a city not its own.
    let (status, _) = nx
        .put(
            "/api/targets",
            json!({ "region_code": "430921", "year": 2026, "indicator": "arrival_rate", "value_bp": 100 }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = nx
        .put(
            "/api/targets",
            json!({ "region_code": "430981", "year": 2026, "indicator": "arrival_rate", "value_bp": 100 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = yy
        .put(
            "/api/targets",
            json!({ "region_code": "430900", "year": 2026, "indicator": "arrival_rate", "value_bp": 100 }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = yy
        .put(
            "/api/targets",
            json!({ "region_code": "430921", "year": 2026, "indicator": "arrival_rate", "value_bp": 12000 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["value_bp"].is_array(), "{body}");

    // The province's own targets are set by its administrator; a future year shows no
    // progress yet.
    let admin = app.login("admin").await;
    let (status, own) = admin
        .put(
            "/api/targets",
            json!({ "region_code": "430000", "year": 2099, "indicator": "foreign_growth", "value_bp": 1000 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(own["actual"], Value::Null);
    assert_eq!(own["reached"], Value::Null);
    assert_eq!(own["span"], "2099年尚未开始");

    // 沅江 sees none of 南县's targets (only its own, from the demo data); 益阳 sees them as
    // its child's, with the values just set.
    let (_, other) = app
        .login("yyx_bureau")
        .await
        .get("/api/targets?year=2026")
        .await;
    let other = other.as_array().unwrap();
    assert!(!other.is_empty());
    assert!(
        other.iter().all(|t| t["region_code"] == "430981"),
        "{other:?}"
    );
    let (_, city) = yy.get("/api/targets?year=2026").await;
    let nan: Vec<&Value> = city
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["region_code"] == "430921")
        .collect();
    assert_eq!(nan.len(), 3, "{nan:?}");
    assert!(nan.iter().all(|t| t["region_name"] == "南县"));
    assert!(nan
        .iter()
        .any(|t| t["indicator"] == "domestic_growth" && t["value_bp"] == 1500));
}

/// Another server instance on the same database, as behind a load balancer.
async fn second_instance(app: &TestApp) -> TestApp {
    use std::sync::Arc;
    let store = luodi_store::Store::open(&app.database_url, luodi_store::AuthSettings::default())
        .await
        .expect("open the same database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let files = std::env::temp_dir().join(format!("luodi-second-{}", addr.port()));
    let state = luodi_server::AppState {
        store,
        settings: Arc::new(luodi_server::ServerSettings::default()),
        files: Arc::new(luodi_store::LocalDisk::new(files)),
    };
    tokio::spawn(luodi_server::serve(listener, state));
    TestApp {
        base: format!("http://{addr}"),
        database_url: app.database_url.clone(),
    }
}

/// Reports are kept between changes (computed once per change, not per request): a change
/// made through one instance shows at once in what another instance answers, for each kind of
/// change that moves a figure.
#[tokio::test]
async fn kept_reports_follow_every_change_made_through_any_instance() {
    let app = spawn_app().await;
    let other = second_instance(&app).await;
    let nx = app.login("nx_bureau").await;
    let reader = other.login("yy_bureau").await;
    let read = |path: &'static str| {
        let reader = &reader;
        async move {
            let (status, report) = reader.get(path).await;
            assert_eq!(status, StatusCode::OK, "{report}");
            report
        }
    };
    // 南县's figure in a report (0 while it has no signed project)
    let nan = |report: &Value| {
        let mut figures =
            json!({ "projects": 0, "contract_fen": 0, "arrived_fen": 0, "started": 0 });
        if let Some(r) = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "430921")
        {
            figures = r.clone();
        }
        figures
    };
    let before = read("/api/rates").await;
    // asked twice: the second answer is the kept one
    assert_eq!(read("/api/rates").await, before);
    let growth_before = read("/api/rates/growth?period=2026-03").await;

    let search = "/api/projects?q=%E7%BC%93%E5%AD%98%E6%A3%80%E9%AA%8C";
    assert!(reader.items(search).await.is_empty());
    assert!(reader.items(search).await.is_empty(), "the kept page");

    // a new signed project
    let id = project(&nx, "南县缓存检验项目", "430921", 2_000, false).await;
    let after_project = read("/api/rates").await;
    assert_eq!(
        nan(&after_project)["projects"].as_i64(),
        nan(&before)["projects"].as_i64().map(|n| n + 1)
    );
    assert_eq!(
        nan(&after_project)["contract_fen"].as_i64(),
        nan(&before)["contract_fen"]
            .as_i64()
            .map(|n| n + 2_000 * WAN)
    );

    let found = reader.items(search).await;
    assert_eq!(found.len(), 1, "the ledger page follows the new project");

    // a confirmed arrival (entered, then reviewed by the city on the first instance)
    confirmed(&app, &nx, id, 700).await;
    let after_money = read("/api/rates").await;
    assert_eq!(
        nan(&after_money)["arrived_fen"].as_i64(),
        nan(&after_project)["arrived_fen"]
            .as_i64()
            .map(|n| n + 700 * WAN)
    );
    let as_of = read("/api/rates?as_of=2026-03").await;
    assert!(nan(&as_of)["arrived_fen"].as_i64().unwrap() >= 700 * WAN);
    assert_ne!(
        read("/api/rates/growth?period=2026-03").await,
        growth_before,
        "2026's arrivals through March include the new 700万"
    );

    // a stage change: started
    let (_, detail) = nx.get(&format!("/api/projects/{id}")).await;
    let version = &detail["project"]["version"];
    let (status, body) = nx
        .post(
            &format!("/api/projects/{id}/stage"),
            json!({ "stage": "started", "changed_on": "2026-04-02", "version": version }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after_start = read("/api/rates").await;
    assert_eq!(reader.items(search).await[0]["stage"], "started");
    assert_eq!(
        nan(&after_start)["started"].as_i64(),
        nan(&after_money)["started"].as_i64().map(|n| n + 1)
    );
}

/// Today's 三率 by region, industry and origin are summed from figures kept per county
/// (`project_rate_sums`), recomputed for the counties a change touched. After each kind of
/// change — a signing, a confirmed arrival, a start, a move, a termination, a confirmed
/// duplicate, new 分类标准 — every report equals the same report read from the projects (a
/// signing span covering every project sends the report to the projects), and shows the
/// change.
#[tokio::test]
async fn kept_rate_sums_agree_with_the_projects_after_each_change() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let hn = app.login("hn_bureau").await;
    let admin = app.login("admin").await;
    let queries = [
        "group_by=region",
        "group_by=industry",
        "group_by=origin",
        "group_by=region&origin=in_province",
        "group_by=origin&industry=C",
    ];
    // (南县's signed projects, 益阳市's arrived 元, 益阳市's 优秀, 沅江市's signed projects),
    // after checking that every kept report is the projects' own
    let figures = || async {
        for user in [&nx, &yy, &hn, &admin] {
            for q in queries {
                let (status, kept) = user.get(&format!("/api/rates?{q}")).await;
                assert_eq!(status, StatusCode::OK, "{kept}");
                let (status, live) = user
                    .get(&format!("/api/rates?{q}&signed_from=2000-01-01"))
                    .await;
                assert_eq!(status, StatusCode::OK, "{live}");
                assert_eq!(kept["total"], live["total"], "{q}");
                assert_eq!(kept["rows"], live["rows"], "{q}");
            }
        }
        let (_, city) = yy.get("/api/rates").await;
        let county = |code: &str| {
            city["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["code"] == code)
                .map_or(0, |r| r["projects"].as_i64().unwrap())
        };
        (
            county("430921"),
            city["total"]["arrived_fen"].as_i64().unwrap(),
            city["total"]["excellent"].as_i64().unwrap(),
            county("430981"),
        )
    };
    let start = figures().await;

    let id = project(&nx, "南县汇总核对项目", "430921", 1_000, false).await;
    let signed = figures().await;
    assert_eq!(signed, (start.0 + 1, start.1, start.2, start.3));

    // 600万 of 1,000万: above the 50% line, 优秀
    confirmed(&app, &nx, id, 600).await;
    let paid = figures().await;
    assert_eq!(
        paid,
        (start.0 + 1, start.1 + 600 * WAN, start.2 + 1, start.3)
    );

    let (_, detail) = nx.get(&format!("/api/projects/{id}")).await;
    let (status, body) = nx
        .post(
            &format!("/api/projects/{id}/stage"),
            json!({ "stage": "started", "changed_on": "2026-04-02",
                    "version": detail["project"]["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(figures().await, paid);

    // 分类标准 raised to 70%: the project is 良好 now, everywhere at once
    let (_, rules) = admin.get("/api/rules").await;
    let mut update = crate::rules::update_of(&rules);
    update["thresholds"]["excellent_above_bp"] = json!(7000);
    let (status, body) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let strict = figures().await;
    assert!(strict.2 < paid.2, "{strict:?} against {paid:?}");

    // moved to 沅江市 by the city
    let (_, detail) = yy.get(&format!("/api/projects/{id}")).await;
    let p = &detail["project"];
    let (status, body) = yy
        .put(
            &format!("/api/projects/{id}"),
            json!({
                "name": p["name"], "investor_name": p["investor_name"], "origin": p["origin"],
                "contract_fen": p["contract_fen"], "signed_on": p["signed_on"],
                "stage": p["stage"], "started_on": p["started_on"],
                "investor_credit_code": p["investor_credit_code"], "region_code": "430981",
                "version": p["version"]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let moved = figures().await;
    assert_eq!(moved, (start.0, strict.1, strict.2, start.3 + 1));

    // terminated: no longer a signed project
    let (_, detail) = yy.get(&format!("/api/projects/{id}")).await;
    let (status, body) = yy
        .post(
            &format!("/api/projects/{id}/stage"),
            json!({ "stage": "terminated", "changed_on": "2026-06-01",
                    "note": "投资方经营困难，双方协商终止合同",
                    "version": detail["project"]["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ended = figures().await;
    assert_eq!(ended, (start.0, start.1, ended.2, start.3));

    // a sheet of three signed projects over two counties, written in one statement (on
    // PostgreSQL the counties are marked once per statement, migration 0052)
    use crate::ledger_sheet::{row, sheet, COUNTY};
    let mut yuanjiang = row("沅江表格导入项目");
    yuanjiang[COUNTY] = "沅江市".to_owned();
    let file = sheet(&[
        row("南县表格导入一号项目"),
        row("南县表格导入二号项目"),
        yuanjiang,
    ]);
    let (status, body) = yy
        .upload_file("/api/projects/import/commit", file, "ledger.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["inserted"], 3, "{body}");
    assert_eq!(
        figures().await,
        (ended.0 + 2, ended.1, ended.2, ended.3 + 1)
    );
}
