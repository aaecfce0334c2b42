use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const WAN: i64 = 10_000 * 100;

async fn project(user: &User, name: &str, region: &str, contract_wan: i64, started: bool) -> i64 {
    let mut input = json!({
        "name": name, "investor_name": format!("{name}投资方"), "origin": "in_province",
        "contract_fen": contract_wan * WAN, "signed_on": "2026-01-10", "region_code": region,
        "stage": if started { "started" } else { "signed" }
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
            json!({ "period": "2026-03", "amount": wan * WAN, "currency": "CNY", "kind": "fixed_asset" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
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
