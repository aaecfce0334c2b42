//! A user of one county must never read or change another county's data, through any
//! endpoint. 南县 (430921) and 沅江市 (430981) are both in 益阳市 (430900).

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NAN: &str = "430921";
const YUANJIANG: &str = "430981";

fn in_region(code: &Value, root: &str) -> bool {
    let prefix = root.trim_end_matches("00");
    code.as_str().is_some_and(|c| c.starts_with(prefix))
}

/// Ids of a 沅江 user and unit, found by the provincial admin.
async fn yuanjiang_records(app: &TestApp) -> (i64, i64) {
    let admin = app.login("admin").await;
    let users = admin.items(&format!("/api/users?region={YUANJIANG}")).await;
    let user = users
        .iter()
        .find(|u| u["username"] == "yj_unit")
        .expect("yj_unit");
    let units = admin.items(&format!("/api/units?region={YUANJIANG}")).await;
    (
        user["id"].as_i64().unwrap(),
        units[0]["id"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn a_county_admin_cannot_read_another_countys_users_units_or_audit() {
    let app = spawn_app().await;
    let (yj_user, yj_unit) = yuanjiang_records(&app).await;
    // Leave traces in 沅江's audit trail.
    app.login("yj_unit").await;
    let yy = app.login("yy_bureau").await;
    let (status, _) = yy
        .post(
            "/api/units",
            json!({ "name": "沅江市测试单位", "category": "landing", "region_code": YUANJIANG }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let nx = app.login("nx_admin").await;

    // Lists, with and without a filter pointing at the other county.
    let users = nx.items("/api/users").await;
    assert!(!users.is_empty());
    assert!(
        users.iter().all(|u| in_region(&u["region_code"], NAN)),
        "{users:?}"
    );
    assert!(nx
        .items(&format!("/api/users?region={YUANJIANG}"))
        .await
        .is_empty());
    assert!(nx.items("/api/users?q=yj_unit").await.is_empty());
    let units = nx.items("/api/units").await;
    assert!(units.len() >= 69);
    assert!(units.iter().all(|u| u["region_code"] == NAN));
    assert!(nx
        .items(&format!("/api/units?region={YUANJIANG}"))
        .await
        .is_empty());
    assert!(nx.items("/api/units?q=沅江").await.is_empty());
    assert!(nx
        .items("/api/units?region=430000")
        .await
        .iter()
        .all(|u| u["region_code"] == NAN));
    // The county's trail is read by its auditor (administrators do not read it).
    let nx_audit = app.login("nx_auditor").await;
    let audit = nx_audit.items("/api/audit").await;
    assert!(!audit.is_empty(), "the county's own sign-ins are audited");
    assert!(
        audit.iter().all(|e| in_region(&e["region_code"], NAN)),
        "{audit:?}"
    );
    assert!(nx_audit.items("/api/audit?actor=yj_unit").await.is_empty());
    assert!(nx_audit
        .items("/api/audit?actor=yy_bureau")
        .await
        .is_empty());

    // Single records answer 404, exactly as if they did not exist.
    for path in [
        format!("/api/users/{yj_user}"),
        format!("/api/units/{yj_unit}"),
    ] {
        let (status, body) = nx.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_error(&body, "not_found");
    }

    // Export of the other county holds only the header row.
    let res = nx
        .get_raw(&format!("/api/units/export?region={YUANJIANG}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let rows = read_xlsx(bytes);
    assert_eq!(rows.len(), 1, "only the header: {rows:?}");

    // The dashboard counts only 南县.
    let (_, dash) = nx.get("/api/dashboard").await;
    assert_eq!(dash["scope_name"], "南县");
    assert_eq!(dash["regions"]["counties"], 1);

    // The region selector starts at 南县.
    let (_, roots) = nx.get("/api/regions/scope").await;
    assert_eq!(roots.as_array().unwrap().len(), 1);
    assert_eq!(roots[0]["code"], NAN);
}

#[tokio::test]
async fn a_county_admin_cannot_change_another_countys_records() {
    let app = spawn_app().await;
    let (yj_user, yj_unit) = yuanjiang_records(&app).await;
    let nx = app.login("nx_admin").await;

    let (status, _) = nx
        .put(
            &format!("/api/users/{yj_user}"),
            json!({ "display_name": "改名", "role": "unit", "region_code": NAN, "unit_id": null,
                    "phone": null, "active": false, "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = nx
        .post(
            &format!("/api/users/{yj_user}/password"),
            json!({ "password": "Taken#Over1" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = nx
        .post(&format!("/api/users/{yj_user}/unlock"), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = nx
        .put(
            &format!("/api/units/{yj_unit}"),
            json!({ "name": "改名", "category": "landing", "subcategory": null, "region_code": NAN,
                    "active": true, "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Creating records in the other county is refused with a field error.
    let (status, body) = nx
        .post(
            "/api/users",
            json!({ "username": "intruder", "display_name": "越权", "role": "bureau",
                    "region_code": YUANJIANG, "password": "Intrude#2026" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["region_code"][0]
        .as_str()
        .unwrap()
        .contains("管辖范围"));
    let (status, body) = nx
        .post(
            "/api/units",
            json!({ "name": "越权单位", "category": "landing", "region_code": YUANJIANG }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["region_code"].is_array());
    // …and so is a user of 南县 attached to a 沅江 unit.
    let (status, body) = nx
        .post(
            "/api/users",
            json!({ "username": "sneaky", "display_name": "越权", "role": "unit", "region_code": NAN,
                    "unit_id": yj_unit, "password": "Intrude#2026" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["unit_id"].is_array(), "{body}");

    let file = workbook(&[
        UNIT_HEADER,
        &["越权导入单位", "项目落户地", "", "1", "", "", ""],
    ]);
    for path in ["/api/units/import/preview", "/api/units/import/commit"] {
        let (status, body) = nx.upload(path, file.clone(), YUANJIANG).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert!(body["errors"]["region_code"].is_array());
    }

    // Nothing changed in 沅江.
    let admin = app.login("admin").await;
    let (_, user) = admin.get(&format!("/api/users/{yj_user}")).await;
    assert_eq!(user["active"], true);
    assert!(admin.items("/api/units?q=越权").await.is_empty());
    assert!(admin.items("/api/users?q=intruder").await.is_empty());
}

#[tokio::test]
async fn a_prefecture_sees_all_its_counties_and_nothing_beyond() {
    let app = spawn_app().await;
    let yy = app.login("yy_bureau").await;
    let units = yy.items("/api/units").await;
    let regions: std::collections::BTreeSet<&str> = units
        .iter()
        .map(|u| u["region_code"].as_str().unwrap())
        .collect();
    assert!(regions.contains(NAN) && regions.contains(YUANJIANG) && regions.contains("430900"));
    assert!(regions.iter().all(|r| r.starts_with("4309")), "{regions:?}");
    let cs = app.login("cs_bureau").await;
    assert!(cs
        .items(&format!("/api/units?region={NAN}"))
        .await
        .is_empty());
}

#[tokio::test]
async fn roles_without_the_permission_are_refused() {
    let app = spawn_app().await;
    let bureau = app.login("nx_bureau").await;
    let (status, body) = bureau.get("/api/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "forbidden");
    let (status, _) = bureau
        .post(
            "/api/users",
            json!({ "username": "newbie", "display_name": "新人", "role": "unit",
                    "region_code": NAN, "password": "Newbie#2026" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let unit = app.login("nx_unit").await;
    let (status, _) = unit.get("/api/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = unit
        .post(
            "/api/units",
            json!({ "name": "私设单位", "category": "landing", "region_code": NAN }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = unit.get("/api/units").await;
    assert_eq!(status, StatusCode::OK);
}

/// The first sheet's cells as text; numbers as Rust prints them, date cells as ISO dates.
pub fn read_xlsx(bytes: Vec<u8>) -> Vec<Vec<String>> {
    read_xlsx_sheet(bytes, 0)
}

pub fn read_xlsx_sheet(bytes: Vec<u8>, sheet: usize) -> Vec<Vec<String>> {
    use calamine::{Data, Reader};
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(sheet).unwrap().unwrap();
    let text = |c: &Data| match c {
        Data::DateTime(d) => {
            let epoch = time::macros::date!(1899 - 12 - 30);
            (epoch + time::Duration::days(d.as_f64() as i64)).to_string()
        }
        other => other.to_string(),
    };
    range.rows().map(|r| r.iter().map(text).collect()).collect()
}

/// "Everything under 益阳" must be one index range scan, not a table scan, on both backends.
#[tokio::test]
async fn subtree_queries_are_index_range_scans() {
    use sqlx::{Connection, Row};
    let app = spawn_app().await;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    let postgres = app.database_url.starts_with("postgres");
    if postgres {
        // The demo tables are small enough that the planner would rather scan; the question
        // here is whether an index can serve the range at all.
        sqlx::query("SET enable_seqscan = off")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let (lo, hi) = luodi_domain::RegionCode::parse("430900")
        .unwrap()
        .subtree_range();
    for (table, index) in [
        ("units", "units_region_category"),
        ("users", "users_region"),
        ("audit_log", "audit_region_at"),
    ] {
        let query =
            format!("SELECT * FROM {table} WHERE region_code >= '{lo}' AND region_code < '{hi}'");
        let sql = if postgres {
            format!("EXPLAIN {query}")
        } else {
            format!("EXPLAIN QUERY PLAN {query}")
        };
        let rows = sqlx::query(&sql).fetch_all(&mut conn).await.unwrap();
        let plan: Vec<String> = rows
            .iter()
            .map(|r| {
                r.try_get::<String, _>(if postgres { 0 } else { 3 })
                    .unwrap()
            })
            .collect();
        let plan = plan.join("\n");
        assert!(
            plan.contains(index),
            "{table} is not read through {index}:\n{plan}"
        );
        assert!(
            !plan.contains("SCAN ") && !plan.contains("Seq Scan"),
            "{table} is scanned whole:\n{plan}"
        );
    }
}
