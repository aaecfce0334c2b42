//! Who confirms fund records (the review rule), the review queue's filters, batch review, and
//! the enterer's withdrawal or correction of a record still waiting for review.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const WAN: i64 = 10_000 * 100;

/// A signed project in `region`, entered by `user`.
async fn project(user: &User, region: &str, name: &str) -> i64 {
    let (status, detail) = user
        .post(
            "/api/projects",
            json!({
                "name": name, "investor_name": "浙江某实业有限公司", "origin": "out_of_province",
                "contract_fen": 10_000 * WAN, "signed_on": "2026-01-10", "region_code": region,
                "stage": "signed", "investor_credit_code": credit_code()
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    detail["project"]["id"].as_i64().unwrap()
}

async fn enter(user: &User, project: i64, period: &str, wan: i64) -> Value {
    let (status, record) = user
        .post(
            &format!("/api/projects/{project}/funds"),
            json!({ "period": period, "amount": wan * WAN, "currency": "CNY", "kind": "fixed_asset" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{record}");
    record
}

fn ids(items: &[Value]) -> Vec<i64> {
    let mut ids: Vec<i64> = items.iter().map(|r| r["id"].as_i64().unwrap()).collect();
    ids.sort();
    ids
}

async fn set_review_rule(app: &TestApp, rule: &str) {
    let admin = app.login("admin").await;
    let (_, rules) = admin.get("/api/rules").await;
    let mut update = json!({
        "thresholds": rules["thresholds"],
        "tiers": rules["tiers"].as_array().unwrap().iter()
            .map(|t| json!({ "any_of": t["any_of"], "obligation": t["obligation"] }))
            .collect::<Vec<_>>(),
        "review_by": rule,
        "date_grace_days": rules["date_grace_days"],
        "version": rules["version"],
    });
    update["review_by"] = json!(rule);
    let (status, body) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["review_by"], rule);
}

#[tokio::test]
async fn the_city_confirms_its_counties_and_the_province_only_steps_in_when_it_says_so() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let id = project(&nx, "430921", "南县复合材料项目").await;
    let record = enter(&nx, id, "2026-02", 500).await;
    let path = format!("/api/funds/{}/review", record["id"]);

    // The province does not see the county's record in its own queue, and is told how to
    // step in when it tries to confirm it.
    let hn = app.login("hn_bureau").await;
    assert!(hn.items("/api/funds/review").await.is_empty());
    let queue = hn.items("/api/funds/review?step_in=true").await;
    assert_eq!(ids(&queue), [record["id"].as_i64().unwrap()]);
    assert_eq!(queue[0]["review_standing"], "step_in");
    let (status, body) = hn
        .post(&path, json!({ "decision": "confirm", "version": 1 }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("代为审核"),
        "{body}"
    );

    // The city sees it as its own to review; the project page says so too.
    let yy = app.login("yy_bureau").await;
    let queue = yy.items("/api/funds/review").await;
    assert_eq!(queue[0]["review_standing"], "direct");
    let (_, funds) = yy.get(&format!("/api/projects/{id}/funds")).await;
    assert_eq!(funds[0]["review_standing"], "direct");
    let (_, funds) = nx.get(&format!("/api/projects/{id}/funds")).await;
    assert_eq!(
        funds[0]["review_standing"],
        Value::Null,
        "nobody reviews their own"
    );
    assert_eq!(funds[0]["may_withdraw"], true);

    // Said so: the province confirms in the city's place, and the trail says it stepped in.
    let (status, confirmed) = hn
        .post(
            &path,
            json!({ "decision": "confirm", "version": 1, "step_in": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(confirmed["stepped_in"], true);
    let auditor = app.login("hn_auditor").await;
    let (_, log) = auditor
        .get("/api/audit?entity=fund_arrival&action=confirm")
        .await;
    let entry = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity_id"].as_str() == Some(record["id"].to_string().as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("{log}"));
    assert!(
        entry["summary"].as_str().unwrap().starts_with("代为确认"),
        "{entry}"
    );
    assert_eq!(entry["after"]["stepped_in"], true);

    // Under "仅上一级", stepping in is refused and the step-in queue is empty.
    set_review_rule(&app, "parent_only").await;
    let second = enter(&nx, id, "2026-03", 100).await;
    assert!(hn.items("/api/funds/review?step_in=true").await.is_empty());
    let (status, _) = hn
        .post(
            &format!("/api/funds/{}/review", second["id"]),
            json!({ "decision": "confirm", "version": 1, "step_in": true }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Under "上级任一层级", the county's record is in the province's own queue.
    set_review_rule(&app, "any_above").await;
    let queue = hn.items("/api/funds/review").await;
    assert_eq!(ids(&queue), [second["id"].as_i64().unwrap()]);
    assert_eq!(queue[0]["review_standing"], "direct");
    let (status, body) = hn
        .post(
            &format!("/api/funds/{}/review", second["id"]),
            json!({ "decision": "confirm", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["stepped_in"], false);
}

#[tokio::test]
async fn a_reviewer_filters_the_queue_and_confirms_or_returns_it_in_batches() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let yyx = app.login("yyx_bureau").await;
    let a = project(&nx, "430921", "南县甲项目").await;
    let b = project(&yyx, "430981", "沅江乙项目").await;
    let mut records = Vec::new();
    for (user, project, period, wan) in [
        (&nx, a, "2026-02", 100),
        (&nx, a, "2026-03", 200),
        (&nx, a, "2026-04", 300),
        (&yyx, b, "2026-02", 400),
        (&yyx, b, "2026-03", 50),
    ] {
        records.push(enter(user, project, period, wan).await);
    }
    let id = |i: usize| records[i]["id"].as_i64().unwrap();
    // Evidence on one record.
    let (status, body) = nx
        .upload_file(
            &format!("/api/funds/{}/evidence", id(1)),
            b"%PDF-1.4 receipt".to_vec(),
            "回单.pdf",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let yy = app.login("yy_bureau").await;
    let filtered = |q: &'static str| {
        let yy = &yy;
        async move { ids(&yy.items(&format!("/api/funds/review?{q}")).await) }
    };
    assert_eq!(filtered("").await.len(), 5);
    assert_eq!(filtered("region=430921").await, [id(0), id(1), id(2)]);
    assert_eq!(filtered("period=2026-02").await, [id(0), id(3)]);
    assert_eq!(
        filtered("amount_min=150000000&amount_max=350000000").await,
        [id(1), id(2)]
    );
    assert_eq!(filtered("evidence=true").await, [id(1)]);
    assert_eq!(filtered("evidence=false").await.len(), 4);
    assert_eq!(filtered("currency=USD").await, Vec::<i64>::new());
    let entered_by = records[3]["entered_by"].as_i64().unwrap();
    let by_yyx = yy
        .items(&format!("/api/funds/review?entered_by={entered_by}"))
        .await;
    assert_eq!(ids(&by_yyx), [id(3), id(4)]);
    // Sorted by amount, largest first, and the evidence count on every page.
    let (_, page2) = yy
        .get("/api/funds/review?sort=-amount&page=2&page_size=2")
        .await;
    let page2 = page2["items"].as_array().unwrap();
    assert_eq!(
        page2
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [id(1), id(0)]
    );
    assert_eq!(page2[0]["evidence_count"], 1);
    assert_eq!(page2[1]["evidence_count"], 0);
    let (status, body) = yy.get("/api/funds/review?sort=-entered_by").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // A batch of three chosen records: one seen at an old version, one of another city's
    // county (invisible), one fine — each decided on its own.
    let (status, outcome) = yy
        .post(
            "/api/funds/review/batch",
            json!({
                "decision": "confirm",
                "items": [
                    { "id": id(0), "version": 1 },
                    { "id": id(1), "version": 7 },
                    { "id": 999_999, "version": 1 },
                ],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["reviewed"], 1);
    let refused = outcome["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2, "{outcome}");
    assert!(refused
        .iter()
        .any(|r| r["id"] == id(1) && r["project_name"] == "南县甲项目"));
    assert!(refused.iter().any(|r| r["id"] == 999_999));

    // Returning needs one reason for all.
    let (status, body) = yy
        .post(
            "/api/funds/review/batch",
            json!({ "decision": "return", "filter": { "region": "430981" } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["reason"].is_array(), "{body}");
    // Every record the filter matches: 沅江's two are returned with the one reason.
    let (status, outcome) = yy
        .post(
            "/api/funds/review/batch",
            json!({ "decision": "return", "reason": "缺少银行回单", "filter": { "region": "430981" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["reviewed"], 2);
    assert_eq!(filtered("").await, [id(1), id(2)]);
    let (_, funds) = yyx.get(&format!("/api/projects/{b}/funds")).await;
    assert!(funds
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["status"] == "returned" && f["return_reason"] == "缺少银行回单"));

    // One audit entry per record.
    let auditor = app.login("hn_auditor").await;
    let (_, log) = auditor
        .get("/api/audit?entity=fund_arrival&page_size=100")
        .await;
    let returns = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "return")
        .count();
    assert_eq!(returns, 2, "{log}");

    // A county reviews nothing, in batch either.
    let (status, _) = nx
        .post(
            "/api/funds/review/batch",
            json!({ "decision": "confirm", "items": [{ "id": id(2), "version": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn whoever_entered_a_record_withdraws_or_corrects_it_until_it_is_reviewed() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let id = project(&nx, "430921", "南县丙项目").await;
    // The county's development zone is responsible for it, so its clerk reads it too.
    let unit_of_zone = unit_id(&nx, "430921", "县经济开发区").await;
    let (_, detail) = nx.get(&format!("/api/projects/{id}")).await;
    let mut edit = detail["project"].clone();
    edit["responsible_unit_id"] = json!(unit_of_zone);
    let (status, body) = nx.put(&format!("/api/projects/{id}"), edit).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let record = enter(&nx, id, "2026-02", 100).await;
    let rid = record["id"].as_i64().unwrap();

    // Corrected by its enterer: checked like a new entry, version moves on.
    let (status, body) = nx
        .put(
            &format!("/api/funds/{rid}"),
            json!({ "period": "2099-02", "amount": 150 * WAN, "currency": "CNY",
                    "kind": "fixed_asset", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["period"].is_array(), "{body}");
    let (status, corrected) = nx
        .put(
            &format!("/api/funds/{rid}"),
            json!({ "period": "2026-03", "amount": 150 * WAN, "currency": "CNY",
                    "kind": "registered_capital", "note": "按回单更正", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{corrected}");
    assert_eq!(corrected["amount"], 150 * WAN);
    assert_eq!(corrected["period"], "2026-03");
    assert_eq!(corrected["version"], 2);
    // The old version is stale now.
    let (status, _) = nx.delete(&format!("/api/funds/{rid}?version=1")).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Someone else of the same county may not; nor the reviewer.
    let unit = app.login("nx_unit").await;
    let (status, _) = unit.delete(&format!("/api/funds/{rid}?version=2")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Withdrawn: gone from the project and the queue, kept in the trail.
    let (status, _) = nx.delete(&format!("/api/funds/{rid}?version=2")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, funds) = nx.get(&format!("/api/projects/{id}/funds")).await;
    assert_eq!(funds.as_array().unwrap().len(), 0);
    let yy = app.login("yy_bureau").await;
    assert!(yy.items("/api/funds/review").await.is_empty());
    let auditor = app.login("hn_auditor").await;
    let (_, log) = auditor
        .get("/api/audit?entity=fund_arrival&action=withdraw")
        .await;
    let withdrawn = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity_id"].as_str() == Some(rid.to_string().as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(withdrawn["before"]["amount"], 150 * WAN);

    // Once reviewed, neither is possible.
    let record = enter(&nx, id, "2026-04", 100).await;
    let rid = record["id"].as_i64().unwrap();
    let (status, _) = yy
        .post(
            &format!("/api/funds/{rid}/review"),
            json!({ "decision": "confirm", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = nx.delete(&format!("/api/funds/{rid}?version=2")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = nx
        .put(
            &format!("/api/funds/{rid}"),
            json!({ "period": "2026-04", "amount": 1, "currency": "CNY",
                    "kind": "fixed_asset", "version": 2 }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

/// The queue's export writes a dollar record in 万美元 beside the project's dollar contract.
#[tokio::test]
async fn the_queue_export_keeps_each_record_in_its_own_currency() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, detail) = nx
        .post(
            "/api/projects",
            json!({
                "name": "南县外资项目", "investor_name": "香港某投资有限公司", "origin": "foreign",
                "contract_cents": 2_000 * WAN, "signed_on": "2026-01-10", "region_code": "430921",
                "stage": "signed", "investor_credit_code": credit_code()
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    let id = detail["project"]["id"].as_i64().unwrap();
    let (status, record) = nx
        .post(
            &format!("/api/projects/{id}/funds"),
            json!({ "period": "2026-02", "amount": 150 * WAN + 25, "currency": "USD",
                    "kind": "registered_capital", "note": "首期" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{record}");
    let yy = app.login("yy_bureau").await;
    let rows = xlsx_rows(&yy, "/api/funds/review/export").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        rows[1][..8],
        [
            "南县",
            "南县外资项目",
            "2026-02",
            "美元",
            "150.000025",
            "注册资本实缴",
            "2000",
            "0"
        ],
        "{rows:?}"
    );
    assert_eq!(rows[1][10], "首期");
}
