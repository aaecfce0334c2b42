//! A signed project names its investor (issue 19): the 统一社会信用代码, or a sentence saying
//! why there is none (无代码原因), through the form, an edit, a stage change and the sheet.

use crate::helpers::*;
use crate::ledger::project_input;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Connection;

const REQUIRED: &str = "已签约项目须填写统一社会信用代码，或说明未填写的原因";
const FOREIGN: &str = "境外投资者无统一社会信用代码";

/// `input` without a credit code, with `reason` as 无代码原因 and `stage` (no signing date
/// before 已签约).
fn without_code(mut input: Value, stage: &str, reason: Option<&str>) -> Value {
    input["investor_credit_code"] = Value::Null;
    input["credit_code_missing_reason"] = json!(reason);
    input["stage"] = json!(stage);
    if stage == "negotiating" {
        input["signed_on"] = Value::Null;
    }
    input
}

fn first_error<'a>(body: &'a Value, field: &str) -> &'a str {
    body["errors"][field][0]
        .as_str()
        .unwrap_or_else(|| panic!("no error on {field}: {body}"))
}

#[tokio::test]
async fn the_form_asks_a_signed_project_for_its_code_or_a_reason() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let input = project_input(&nx, "稻虾米精深加工项目").await;

    let (status, body) = nx
        .post("/api/projects", without_code(input.clone(), "signed", None))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(first_error(&body, "investor_credit_code"), REQUIRED);
    // Blank is blank, and a character is not a reason.
    let (status, body) = nx
        .post(
            "/api/projects",
            without_code(input.clone(), "started", Some("  ")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(first_error(&body, "investor_credit_code"), REQUIRED);
    let (status, body) = nx
        .post(
            "/api/projects",
            without_code(input.clone(), "signed", Some("无")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = first_error(&body, "credit_code_missing_reason");
    assert!(message.contains("至少8个"), "{message}");
    assert!(
        nx.items("/api/projects").await.is_empty(),
        "nothing written"
    );

    // A negotiation needs neither.
    let (status, body) = nx
        .post(
            "/api/projects",
            without_code(input.clone(), "negotiating", None),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // A signed one with the reason, or with the code (a reason beside a code is not kept).
    let mut foreign = without_code(input.clone(), "signed", Some(FOREIGN));
    foreign["name"] = json!("外资新能源电池项目");
    let (status, body) = nx.post("/api/projects", foreign).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["project"]["credit_code_missing_reason"], FOREIGN);
    assert_eq!(body["project"]["investor_credit_code"], Value::Null);
    let mut coded = input.clone();
    coded["name"] = json!("羽绒服装产业园");
    coded["credit_code_missing_reason"] = json!(FOREIGN);
    let (status, body) = nx.post("/api/projects", coded).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["project"]["investor_credit_code"],
        "914403001922038216"
    );
    assert_eq!(body["project"]["credit_code_missing_reason"], Value::Null);
}

#[tokio::test]
async fn an_old_signed_project_without_a_code_is_asked_for_it_when_edited() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let input = without_code(
        project_input(&nx, "稻虾米精深加工项目").await,
        "signed",
        Some(FOREIGN),
    );
    let (status, body) = nx.post("/api/projects", input.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["project"]["id"].as_i64().unwrap();
    // As a project stored before the rule: signed, with neither. It is still read.
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query("UPDATE projects SET credit_code_missing_reason = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut conn)
        .await
        .unwrap();
    let (status, detail) = nx.get(&format!("/api/projects/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["project"]["credit_code_missing_reason"], Value::Null);

    let mut edit = input.clone();
    edit["credit_code_missing_reason"] = Value::Null;
    edit["responsible_person"] = json!("李明");
    edit["version"] = json!(1);
    let (status, body) = nx.put(&format!("/api/projects/{id}"), edit.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(first_error(&body, "investor_credit_code"), REQUIRED);

    edit["credit_code_missing_reason"] = json!("  投资主体尚未注册，注册后补填代码 ");
    let (status, body) = nx.put(&format!("/api/projects/{id}"), edit.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["project"]["credit_code_missing_reason"], "投资主体尚未注册，注册后补填代码",
        "stored trimmed"
    );
    // The code given later replaces the reason; the trail keeps both sides.
    edit["investor_credit_code"] = json!(credit_code());
    edit["version"] = json!(2);
    let (status, body) = nx.put(&format!("/api/projects/{id}"), edit).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["project"]["credit_code_missing_reason"], Value::Null);

    let audit = app.login("nx_auditor").await;
    let entries = audit.items("/api/audit?entity=project&action=update").await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    let reason_of = |e: &Value, side: &str| e[side]["credit_code_missing_reason"].clone();
    let (first, second) = if entries[0]["id"].as_i64() < entries[1]["id"].as_i64() {
        (&entries[0], &entries[1])
    } else {
        (&entries[1], &entries[0])
    };
    assert_eq!(reason_of(first, "before"), Value::Null);
    assert_eq!(
        reason_of(first, "after"),
        "投资主体尚未注册，注册后补填代码"
    );
    assert_eq!(
        reason_of(second, "before"),
        "投资主体尚未注册，注册后补填代码"
    );
    assert_eq!(reason_of(second, "after"), Value::Null);
    assert!(
        second["after"]["investor_credit_code"].is_string(),
        "{second}"
    );
}

#[tokio::test]
async fn a_negotiation_is_signed_only_once_it_names_its_investor() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let input = without_code(
        project_input(&nx, "稻虾米精深加工项目").await,
        "negotiating",
        None,
    );
    let (status, body) = nx.post("/api/projects", input.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["project"]["id"].as_i64().unwrap();
    let signing = json!({ "stage": "signed", "changed_on": "2026-03-18", "version": 1 });
    let (status, body) = nx
        .post(&format!("/api/projects/{id}/stage"), signing.clone())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(first_error(&body, "stage").starts_with(REQUIRED), "{body}");
    let (_, detail) = nx.get(&format!("/api/projects/{id}")).await;
    assert_eq!(detail["project"]["stage"], "negotiating", "not moved");
    // Nor by the stage sheet, which names the row.
    let file = workbook(&[
        &["项目编号", "项目名称", "新阶段", "变更日期"],
        &[
            &id.to_string(),
            "稻虾米精深加工项目",
            "已签约",
            "2026-03-18",
        ],
    ]);
    let (status, body) = nx
        .upload_file("/api/projects/stages/import/commit", file, "stages.xlsx")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let error = &body["rows_errors"][0];
    assert_eq!(
        (error["row"].as_i64(), error["field"].as_str()),
        (Some(2), Some("stage"))
    );
    assert!(
        error["message"].as_str().unwrap().starts_with(REQUIRED),
        "{body}"
    );
    let (_, detail) = nx.get(&format!("/api/projects/{id}")).await;
    assert_eq!(detail["project"]["version"], 1, "nothing written");

    // The reason may be given while negotiating; then the signing goes through.
    let mut edit = input.clone();
    edit["credit_code_missing_reason"] = json!(FOREIGN);
    edit["version"] = json!(1);
    let (status, body) = nx.put(&format!("/api/projects/{id}"), edit).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut signing = signing;
    signing["version"] = json!(2);
    let (status, body) = nx.post(&format!("/api/projects/{id}/stage"), signing).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["project"]["stage"], "signed");
    assert_eq!(body["project"]["credit_code_missing_reason"], FOREIGN);
}

#[tokio::test]
async fn the_stage_change_takes_the_code_or_the_reason_with_it_in_one_transaction() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let input = without_code(
        project_input(&nx, "稻虾米精深加工二号项目").await,
        "negotiating",
        None,
    );
    let (status, body) = nx.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["project"]["id"].as_i64().unwrap();
    let path = format!("/api/projects/{id}/stage");
    let signing = |extra: Value| {
        let mut v = json!({ "stage": "signed", "changed_on": "2026-03-18", "version": 1 });
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    let unchanged = || async {
        let (_, detail) = nx.get(&format!("/api/projects/{id}")).await;
        let p = &detail["project"];
        assert_eq!(
            (&p["stage"], &p["version"], &p["investor_credit_code"]),
            (&json!("negotiating"), &json!(1), &Value::Null),
            "nothing written"
        );
    };

    // A wrong check digit is named on the code's field; a character is not a reason.
    let (status, body) = nx
        .post(
            &path,
            signing(json!({ "investor_credit_code": "91430921MA4L000000" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    first_error(&body, "investor_credit_code");
    let (status, body) = nx
        .post(
            &path,
            signing(json!({ "credit_code_missing_reason": "无" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(first_error(&body, "credit_code_missing_reason").contains("至少8个"));
    unchanged().await;

    // A good code with a date the rules refuse: the code is not kept either.
    let code = credit_code();
    let (status, body) = nx
        .post(
            &path,
            signing(json!({ "investor_credit_code": code, "changed_on": "2126-03-18" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    first_error(&body, "changed_on");
    unchanged().await;

    // Code and stage together: one edit and one stage change, both audited.
    let (status, body) = nx
        .post(&path, signing(json!({ "investor_credit_code": code })))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let p = &body["project"];
    assert_eq!(p["stage"], "signed");
    assert_eq!(p["investor_credit_code"], json!(code));
    assert_eq!(p["version"], 3, "the edit, then the stage change");
    let (status, history) = nx.get(&format!("/api/projects/{id}/history")).await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let text = history.to_string();
    assert!(
        text.contains(&code),
        "the edit is in the history: {history}"
    );
    assert!(text.contains("已签约"), "the stage change too: {history}");

    // The reason instead of a code, on another negotiation.
    let input = without_code(
        project_input(&nx, "稻虾米精深加工三号项目").await,
        "negotiating",
        None,
    );
    let (_, body) = nx.post("/api/projects", input).await;
    let id = body["project"]["id"].as_i64().unwrap();
    let (status, body) = nx
        .post(
            &format!("/api/projects/{id}/stage"),
            signing(json!({ "credit_code_missing_reason": FOREIGN })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["project"]["stage"], "signed");
    assert_eq!(body["project"]["credit_code_missing_reason"], FOREIGN);
}

#[tokio::test]
async fn the_sheet_names_the_row_and_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let res = nx.get_raw("/api/projects/import/template").await;
    assert_eq!(res.status(), StatusCode::OK);
    let template = crate::scope::read_xlsx(res.bytes().await.unwrap().to_vec());
    assert_eq!(template[0][2], "统一社会信用代码");
    assert_eq!(template[0][3], "无代码原因");

    let code = credit_code();
    let header: &[&str] = &[
        "项目名称",
        "投资方",
        "统一社会信用代码",
        "无代码原因",
        "资金来源",
        "落户地",
        "项目阶段",
        "签约日期",
    ];
    let rows = |third_reason: &'static str, fourth_reason: &'static str| {
        let code = code.clone();
        move || -> Vec<Vec<String>> {
            [
                [
                    "有代码项目",
                    "甲公司",
                    code.as_str(),
                    "",
                    "省外境内",
                    "南县",
                    "已签约",
                    "2026-01-02",
                ],
                [
                    "无代码项目",
                    "乙公司",
                    "",
                    third_reason,
                    "境外",
                    "南县",
                    "已开工",
                    "2026-01-03",
                ],
                [
                    "原因太短项目",
                    "丙公司",
                    "",
                    fourth_reason,
                    "省内",
                    "南县",
                    "已签约",
                    "2026-01-04",
                ],
                ["在谈项目", "丁公司", "", "", "省内", "南县", "在谈", ""],
            ]
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect()
        }
    };
    let file = |rows: Vec<Vec<String>>| {
        let mut all: Vec<Vec<&str>> = vec![header.to_vec()];
        all.extend(rows.iter().map(|r| r.iter().map(String::as_str).collect()));
        let slices: Vec<&[&str]> = all.iter().map(Vec::as_slice).collect();
        workbook(&slices)
    };
    // Row 3 (已开工) lacks a started date as well; row 4's reason is one character.
    let bad = file(rows("", "无")());
    let (status, body) = nx
        .upload_file("/api/projects/import/commit", bad, "台账.xlsx")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "import_rejected");
    let errors = body["rows_errors"].as_array().unwrap();
    let at = |row: i64, field: &str| {
        errors
            .iter()
            .find(|e| e["row"] == row && e["field"] == field)
            .unwrap_or_else(|| panic!("no error at row {row} on {field}: {errors:?}"))
    };
    let missing = at(3, "investor_credit_code");
    assert_eq!(missing["column"], "C");
    assert_eq!(missing["message"], REQUIRED);
    let short = at(4, "credit_code_missing_reason");
    assert_eq!(short["column"], "D");
    assert!(
        short["message"]
            .as_str()
            .unwrap()
            .contains("未填写统一社会信用代码的原因"),
        "{short}"
    );
    assert!(
        errors.iter().all(|e| e["row"] != 2 && e["row"] != 5),
        "the coded and the negotiating rows are fine: {errors:?}"
    );
    assert!(
        nx.items("/api/projects").await.is_empty(),
        "nothing written"
    );

    let good = file(
        rows(FOREIGN, "投资主体尚未注册，注册后补填代码")()
            .into_iter()
            .map(|mut r| {
                if r[6] == "已开工" {
                    r[6] = "已签约".into();
                }
                r
            })
            .collect(),
    );
    let (status, body) = nx
        .upload_file("/api/projects/import/commit", good, "台账.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["inserted"], 4);
    let projects = nx.items("/api/projects?sort=name").await;
    let reason = |name: &str| {
        projects.iter().find(|p| p["name"] == name).unwrap()["credit_code_missing_reason"].clone()
    };
    assert_eq!(reason("无代码项目"), FOREIGN);
    assert_eq!(reason("有代码项目"), Value::Null);

    // The export carries the column as the template does.
    let res = nx.get_raw("/api/projects/export?sort=name").await;
    let exported = crate::scope::read_xlsx(res.bytes().await.unwrap().to_vec());
    assert_eq!(exported[0][3], "无代码原因");
    assert!(exported.iter().any(|r| r[3] == FOREIGN), "{exported:?}");
}
