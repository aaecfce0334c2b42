//! A 责任单位 / 项目落户地 account reads only the projects of its unit (domain §1): those the
//! unit is responsible for, brought in, or that landed in the zone it stands for — through the
//! ledger, its export and search, fund records, evidence, the duplicate pool and the figures.
//!
//! nx_unit belongs to 县经济开发区, the 项目落户地 unit standing for the zone 南县经济开发区;
//! nx_unit_nz to 南洲镇, the township of the same name.

use crate::helpers::*;
use crate::scope::read_xlsx;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NAN: &str = "430921";
const YI: i64 = 100_000_000 * 100;

/// Projects of 南县, entered by the county bureau.
struct Ledger {
    /// 县经济开发区 is responsible for it; it landed in a township.
    responsible: i64,
    /// Landed in 南县经济开发区; no unit named.
    located: i64,
    /// Brought in (招商单位) by 县经济开发区.
    attracting: i64,
    /// 县发展和改革局 is responsible; landed in 南洲镇.
    other: i64,
    /// Same investor as `other`: raises a candidate pair filed under this project.
    other_again: i64,
    /// Same investor as `responsible`, and 县经济开发区 responsible again: a pair of its own.
    responsible_again: i64,
    event: i64,
}

const RESPONSIBLE: &str = "南县智能农机装备制造项目";
const LOCATED: &str = "南县冷链物流园项目";
const ATTRACTING: &str = "南县生物医药研发中心项目";
const OTHER: &str = "南县光伏组件生产基地项目";
const OTHER_CODE: &str = "91430921MA4L0006X6";
const RESPONSIBLE_CODE: &str = "91430921MA4L0003X3";

async fn ledger(app: &TestApp) -> Ledger {
    let nx = app.login("nx_bureau").await;
    let kaifaqu = unit_id(&nx, NAN, "县经济开发区").await;
    let fgj = unit_id(&nx, NAN, "县发展和改革局").await;
    let park = zone_id(&nx, NAN, "南县经济开发区").await;
    let nanzhou = zone_id(&nx, NAN, "南洲镇").await;
    let changjiao = zone_id(&nx, NAN, "厂窖镇").await;
    let (status, event) = nx
        .post(
            "/api/events",
            json!({ "name": "南县招商引资集中签约活动", "level": "county",
                    "held_on": "2026-02-20", "region_code": NAN }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let event = event["id"].as_i64().unwrap();
    let create = |extra: Value| {
        let nx = &nx;
        async move {
            let mut input = json!({
                "investor_name": "湖南某实业有限公司", "origin": "out_of_province",
                "contract_fen": YI, "signed_on": "2026-03-01", "region_code": NAN,
                "stage": "signed", "investor_credit_code": credit_code()
            });
            for (k, v) in extra.as_object().unwrap() {
                input[k] = v.clone();
            }
            let (status, detail) = nx.post("/api/projects", input).await;
            assert_eq!(status, StatusCode::CREATED, "{detail}");
            detail["project"]["id"].as_i64().unwrap()
        }
    };
    Ledger {
        responsible: create(
            json!({ "name": RESPONSIBLE, "investor_credit_code": RESPONSIBLE_CODE,
            "responsible_unit_id": kaifaqu, "zone_id": changjiao, "event_id": event }),
        )
        .await,
        located: create(
            json!({ "name": LOCATED, "investor_credit_code": "91430921MA4L0004X4",
            "zone_id": park }),
        )
        .await,
        attracting: create(
            json!({ "name": ATTRACTING, "investor_credit_code": "91430921MA4L0005X5",
            "attracting_unit_id": kaifaqu }),
        )
        .await,
        other: create(json!({ "name": OTHER, "investor_credit_code": OTHER_CODE,
            "responsible_unit_id": fgj, "zone_id": nanzhou, "event_id": event }))
        .await,
        other_again: create(
            json!({ "name": "光伏组件扩产二号线", "investor_credit_code": OTHER_CODE,
            "responsible_unit_id": fgj }),
        )
        .await,
        responsible_again: create(json!({ "name": "农机装备售后服务中心",
            "investor_credit_code": RESPONSIBLE_CODE, "responsible_unit_id": kaifaqu }))
        .await,
        event,
    }
}

fn ids(items: &[Value]) -> Vec<i64> {
    let mut ids: Vec<i64> = items.iter().map(|p| p["id"].as_i64().unwrap()).collect();
    ids.sort_unstable();
    ids
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn a_unit_reads_the_projects_it_is_responsible_for_brought_in_or_hosts_and_no_other() {
    let app = spawn_app().await;
    let l = ledger(&app).await;
    let unit = app.login("nx_unit").await;
    let nx = app.login("nx_bureau").await;
    let own = sorted(vec![
        l.responsible,
        l.located,
        l.attracting,
        l.responsible_again,
    ]);

    // The ledger list, and its count.
    assert_eq!(ids(&unit.items("/api/projects").await), own);
    let (_, page) = unit.get("/api/projects?page_size=2").await;
    assert_eq!(page["total"], 4);
    assert_eq!(
        nx.items("/api/projects").await.len(),
        6,
        "the county sees all"
    );

    // Detail: its own, and 404 with the reason for another unit's.
    let (status, _) = unit.get(&format!("/api/projects/{}", l.located)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = unit.get(&format!("/api/projects/{}", l.other)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    assert!(
        body["message"].as_str().unwrap().contains("本单位负责"),
        "{body}"
    );

    // Search by the other project's credit code finds nothing; by its own, its two.
    assert!(unit
        .items(&format!("/api/projects?q={OTHER_CODE}"))
        .await
        .is_empty());
    assert_eq!(
        nx.items(&format!("/api/projects?q={OTHER_CODE}"))
            .await
            .len(),
        2
    );
    assert_eq!(
        ids(&unit
            .items(&format!("/api/projects?q={RESPONSIBLE_CODE}"))
            .await),
        sorted(vec![l.responsible, l.responsible_again])
    );

    // The export holds exactly the list.
    let res = unit.get_raw("/api/projects/export").await;
    assert_eq!(res.status(), StatusCode::OK);
    let rows = read_xlsx(res.bytes().await.unwrap().to_vec());
    let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(rows.len(), 1 + 4, "{names:?}");
    for name in [RESPONSIBLE, LOCATED, ATTRACTING] {
        assert!(names.contains(&name), "{name} missing: {names:?}");
    }
    assert!(!names.contains(&OTHER));

    // The duplicate pool: the pair raised by its own project, not the other unit's.
    let pool = unit.items("/api/duplicates?status=all").await;
    assert_eq!(pool.len(), 1, "{pool:?}");
    assert_eq!(pool[0]["project_id"], l.responsible_again);
    let county_pool = nx.items("/api/duplicates?status=all").await;
    assert_eq!(county_pool.len(), 2);
    assert!(county_pool
        .iter()
        .any(|d| d["project_id"] == l.other_again && d["other_project_id"] == l.other));

    // Figures count its projects only, and say so.
    let (_, rates) = unit.get("/api/rates").await;
    assert_eq!(rates["total"]["projects"], 4, "{rates}");
    assert!(
        rates["definitions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str().unwrap().contains("责任单位账号只统计")),
        "{rates}"
    );
    let (_, county_rates) = nx.get("/api/rates").await;
    assert_eq!(county_rates["total"]["projects"], 6);
    let (_, event) = unit.get(&format!("/api/events/{}", l.event)).await;
    assert_eq!(event["project_count"], 1, "{event}");
    let (_, event) = nx.get(&format!("/api/events/{}", l.event)).await;
    assert_eq!(event["project_count"], 2);

    // A township unit reads what landed in its township.
    let nanzhou = app.login("nx_unit_nz").await;
    assert_eq!(ids(&nanzhou.items("/api/projects").await), [l.other]);
}

fn arrival() -> Value {
    json!({ "period": "2026-02", "amount": 100 * 10_000 * 100, "currency": "CNY", "kind": "fixed_asset" })
}

#[tokio::test]
async fn a_unit_enters_and_reads_fund_records_and_evidence_of_its_projects_only() {
    let app = spawn_app().await;
    let l = ledger(&app).await;
    let unit = app.login("nx_unit").await;
    let nx = app.login("nx_bureau").await;

    // The county records money and a receipt on the other unit's project.
    let (status, theirs) = nx
        .post(&format!("/api/projects/{}/funds", l.other), arrival())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    let (status, their_receipt) = nx
        .upload_file(
            &format!("/api/funds/{}/evidence", theirs["id"]),
            b"%PDF-1.4 receipt".to_vec(),
            "银行回单.pdf",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // The unit records on its own project, with evidence, and reads them back.
    let (status, ours) = unit
        .post(&format!("/api/projects/{}/funds", l.located), arrival())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ours}");
    let (status, our_receipt) = unit
        .upload_file(
            &format!("/api/funds/{}/evidence", ours["id"]),
            b"%PDF-1.4 our receipt".to_vec(),
            "回单.pdf",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{our_receipt}");
    let (status, funds) = unit
        .get(&format!("/api/projects/{}/funds", l.located))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(funds.as_array().unwrap().len(), 1);
    let res = unit
        .get_raw(&format!("/api/attachments/{}", our_receipt["id"]))
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // The other unit's project: no entry, with the reason in Chinese …
    let (status, body) = unit
        .post(&format!("/api/projects/{}/funds", l.other), arrival())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("只能查看和填报本单位负责、招引或落户本单位的项目"),
        "{body}"
    );
    // … and none of its records or files.
    let (status, _) = unit.get(&format!("/api/projects/{}/funds", l.other)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = unit
        .get(&format!("/api/funds/{}/evidence", theirs["id"]))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = unit
        .get_raw(&format!("/api/attachments/{}", their_receipt["id"]))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (status, _) = unit
        .upload_file(
            &format!("/api/funds/{}/evidence", theirs["id"]),
            b"%PDF-1.4 forged".to_vec(),
            "伪造.pdf",
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The county still reads all of it.
    let (_, funds) = nx.get(&format!("/api/projects/{}/funds", l.other)).await;
    assert_eq!(funds.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_unit_account_without_a_unit_reads_no_projects() {
    use sqlx::Connection;
    let app = spawn_app().await;
    let l = ledger(&app).await;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query("UPDATE users SET unit_id = NULL WHERE username = 'nx_unit'")
        .execute(&mut conn)
        .await
        .unwrap();
    let unit = app.login("nx_unit").await;
    assert!(unit.items("/api/projects").await.is_empty());
    let (status, body) = unit.get(&format!("/api/projects/{}", l.located)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body["message"].as_str().unwrap().contains("未指定所属单位"),
        "{body}"
    );
    let (_, rates) = unit.get("/api/rates").await;
    assert_eq!(rates["total"]["projects"], 0);
}
