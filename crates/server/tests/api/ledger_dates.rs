//! Dates that cannot lie: signing, milestone and stage-change dates after today (beyond the
//! rules' grace) are refused by the form, the stage change and the sheet, naming the field.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}

fn days_ahead(n: i64) -> String {
    (today() + time::Duration::days(n)).to_string()
}

fn signed(signed_on: &str) -> Value {
    json!({
        "name": "南县未来日期测试项目", "investor_name": "某某实业有限公司",
        "origin": "in_province", "contract_fen": 100_000_000, "signed_on": signed_on,
        "region_code": "430921", "stage": "signed", "investor_credit_code": credit_code()
    })
}

async fn set_grace(app: &TestApp, days: i64) {
    let admin = app.login("admin").await;
    let (_, rules) = admin.get("/api/rules").await;
    let update = json!({
        "thresholds": rules["thresholds"],
        "tiers": rules["tiers"].as_array().unwrap().iter()
            .map(|t| json!({ "any_of": t["any_of"], "obligation": t["obligation"] }))
            .collect::<Vec<_>>(),
        "review_by": rules["review_by"],
        "date_grace_days": days,
        "version": rules["version"],
    });
    let (status, body) = admin.put("/api/rules", update).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn signing_and_milestone_dates_after_today_are_refused_in_the_form() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, body) = nx.post("/api/projects", signed("2099-01-01")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let said = body["errors"]["signed_on"][0].as_str().unwrap();
    assert!(
        said.contains("晚于今天") && said.contains("2099-01-01"),
        "{body}"
    );
    let (status, body) = nx.post("/api/projects", signed(&days_ahead(1))).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "tomorrow too: {body}"
    );

    // A started project whose 开工日期 lies ahead would make today's 开工率 lie.
    let mut started = signed("2026-01-10");
    started["stage"] = json!("started");
    started["land_supplied_on"] = json!("2026-02-01");
    started["started_on"] = json!("2099-06-01");
    let (status, body) = nx.post("/api/projects", started.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["started_on"].is_array(), "{body}");
    assert!(body["errors"]["signed_on"].is_null(), "{body}");

    // Today is fine; the stage change refuses a date ahead.
    let (status, detail) = nx.post("/api/projects", signed(&days_ahead(0))).await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    let id = detail["project"]["id"].as_i64().unwrap();
    let (status, body) = nx
        .post(
            &format!("/api/projects/{id}/stage"),
            json!({ "stage": "land_supplied", "changed_on": "2099-05-05",
                    "version": detail["project"]["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["changed_on"][0]
            .as_str()
            .unwrap()
            .contains("晚于今天"),
        "{body}"
    );

    // A grace of three days lets a ceremony three days ahead in, not four.
    set_grace(&app, 3).await;
    let (status, body) = nx.post("/api/projects", signed(&days_ahead(3))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = nx.post("/api/projects", signed(&days_ahead(4))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["errors"]["signed_on"][0]
            .as_str()
            .unwrap()
            .contains("今天之后最多3天"),
        "{body}"
    );
}

#[tokio::test]
async fn the_sheet_refuses_dates_ahead_naming_row_and_column() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let header: &[&str] = &[
        "项目名称",
        "投资方",
        "资金来源",
        "落户地",
        "项目阶段",
        "签约日期",
        "合同资金（万元）",
        "供地日期",
        "开工日期",
    ];
    let file = ledger_workbook(&[
        header,
        &[
            "未来签约项目",
            "甲公司",
            "省内",
            "南县",
            "已签约",
            "2099-01-01",
            "100",
            "",
            "",
        ],
        &[
            "未来开工项目",
            "乙公司",
            "省内",
            "南县",
            "已开工",
            "2026-01-01",
            "100",
            "2026-02-01",
            "2027-06-01",
        ],
        &[
            "正常项目",
            "丙公司",
            "省内",
            "南县",
            "已签约",
            "2026-01-01",
            "100",
            "",
            "",
        ],
    ]);
    let (status, body) = nx
        .upload_file("/api/projects/import/preview", file, "projects.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let errors = body["errors"].as_array().unwrap();
    let at = |row: u64, field: &str| {
        errors
            .iter()
            .find(|e| e["row"] == row && e["field"] == field)
            .unwrap_or_else(|| panic!("row {row} {field}: {body}"))
            .clone()
    };
    assert_eq!(at(2, "signed_on")["column"], "F");
    assert!(at(2, "signed_on")["message"]
        .as_str()
        .unwrap()
        .contains("晚于今天"));
    assert_eq!(at(3, "started_on")["column"], "I");
    assert_eq!(body["valid_rows"], 1, "{body}");
}
