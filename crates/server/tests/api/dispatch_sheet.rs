//! The month in one sheet: a county downloads its round's sheet prefilled with its projects,
//! fills in progress, a problem, a stage reached and the month's money with its receipt, and
//! submits it all or nothing; bad rows are named by row and column and nothing is written;
//! the money waits for review; a closed round takes nothing more; the board exports.

use crate::helpers::*;
use crate::scope::read_xlsx;
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

/// Three signed projects of 南县; the third is 县经济开发区's (which has the account nx_unit).
async fn projects(app: &TestApp) -> Vec<i64> {
    let nx = app.login("nx_bureau").await;
    let unit = unit_id(&nx, "430921", "县经济开发区").await;
    let mut ids = Vec::new();
    for i in 1..=3 {
        let mut input = json!({
            "name": format!("南县月表项目{i}"), "investor_name": "某某实业有限公司",
            "origin": "in_province", "contract_fen": 10_000_000_000_i64, "signed_on": "2026-01-10",
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

/// A sheet as downloaded, to be filled in by column name.
struct Sheet {
    rows: Vec<Vec<String>>,
}

impl Sheet {
    async fn download(user: &User, round: i64) -> Sheet {
        let res = user
            .get_raw(&format!("/api/dispatch/rounds/{round}/sheet"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let mut rows = read_xlsx(res.bytes().await.unwrap().to_vec());
        let width = rows[0].len();
        for r in &mut rows {
            r.resize(width, String::new());
        }
        Sheet { rows }
    }

    fn col(&self, header: &str) -> usize {
        self.rows[0]
            .iter()
            .position(|h| h.trim_start_matches('*') == header)
            .unwrap_or_else(|| panic!("no column {header}: {:?}", self.rows[0]))
    }

    fn row_of(&self, project: i64) -> usize {
        self.rows
            .iter()
            .position(|r| r[0] == project.to_string())
            .unwrap_or_else(|| panic!("no row for {project}"))
    }

    fn set(&mut self, project: i64, header: &str, value: &str) {
        let (r, c) = (self.row_of(project), self.col(header));
        self.rows[r][c] = value.to_owned();
    }

    fn bytes(&self) -> Vec<u8> {
        let refs: Vec<Vec<&str>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        workbook(&slices)
    }
}

async fn send(
    user: &User,
    step: &str,
    round: i64,
    sheet: Vec<u8>,
    receipts: &[(&str, Vec<u8>)],
) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(sheet).file_name("月度调度表.xlsx"),
        )
        .text("round_id", round.to_string());
    for (name, bytes) in receipts {
        form = form.part(
            "receipts",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    let res = user
        .client
        .post(user.url(&format!("/api/dispatch/sheet/{step}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    json_of(res).await
}

fn errors_at(body: &Value, row: i64) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .filter(|e| e["row"] == row)
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_county_does_the_month_in_one_sheet_and_its_money_waits_for_review() {
    let app = spawn_app().await;
    let ids = projects(&app).await;
    let yy = app.login("yy_bureau").await;
    let nx = app.login("nx_bureau").await;
    let unit = app.login("nx_unit").await;
    let due = (today() + time::Duration::days(5)).to_string();
    let (status, round) = yy
        .post(
            "/api/dispatch/rounds?region=430921&q=月表项目",
            json!({ "period": last_month(), "due_on": due }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    let round = round["id"].as_i64().unwrap();

    // The county's sheet lists the three projects, prefilled; the unit's only its own.
    let mut sheet = Sheet::download(&nx, round).await;
    assert_eq!(sheet.rows.len(), 4, "{:?}", sheet.rows);
    assert_eq!(sheet.rows[sheet.row_of(ids[0])][1], "南县月表项目1");
    assert_eq!(
        sheet.rows[sheet.row_of(ids[0])][sheet.col("本月报送状态")],
        "未开始"
    );
    assert_eq!(Sheet::download(&unit, round).await.rows.len(), 2);

    // Every mistake at once, by row and column; nothing is written.
    let mut bad = Sheet {
        rows: sheet.rows.clone(),
    };
    bad.set(ids[0], "本月进展", "厂房开工准备");
    bad.set(ids[0], "本月到位金额（万元/万美元）", "一百万");
    bad.set(ids[0], "资金类型", "固定资产投资");
    bad.set(ids[0], "新阶段", "已投产");
    bad.set(ids[0], "阶段日期", "2026-03-01");
    bad.set(ids[1], "本月无变化", "是");
    bad.set(ids[1], "本月到位金额（万元/万美元）", "10");
    bad.set(ids[2], "存在问题", "用地指标未落实");
    let extra = bad.rows.len();
    bad.rows.push(bad.rows[1].clone());
    bad.rows[extra][0] = "99999999".into();
    let (status, preview) = send(&nx, "preview", round, bad.bytes(), &[]).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let r0 = errors_at(&preview, sheet.row_of(ids[0]) as i64 + 1);
    assert!(
        r0.iter().any(|(f, _)| f == "amount"),
        "text in a money cell: {r0:?}"
    );
    let r1 = errors_at(&preview, sheet.row_of(ids[1]) as i64 + 1);
    assert!(
        r1.iter()
            .any(|(f, m)| f == "unchanged" && m.contains("须留空")),
        "{r1:?}"
    );
    let r2 = errors_at(&preview, sheet.row_of(ids[2]) as i64 + 1);
    assert!(r2.iter().any(|(f, _)| f == "problem_category"), "{r2:?}");
    assert!(r2.iter().any(|(f, _)| f == "progress"), "{r2:?}");
    let r3 = errors_at(&preview, extra as i64 + 1);
    assert!(
        r3.iter()
            .any(|(f, m)| f == "project_id" && m.contains("不由您报送")),
        "another reporter's project: {r3:?}"
    );
    assert!(preview["errors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| !e["column"].as_str().unwrap().is_empty()));
    // The stage that breaks the date chain, once the money cell is right.
    bad.set(ids[0], "本月到位金额（万元/万美元）", "100");
    let (_, preview) = send(&nx, "preview", round, bad.bytes(), &[]).await;
    let r0 = errors_at(&preview, sheet.row_of(ids[0]) as i64 + 1);
    assert!(r0.iter().any(|(f, _)| f == "stage"), "{r0:?}");
    let (status, body) = send(&nx, "commit", round, bad.bytes(), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "import_rejected");
    let (_, funds) = nx.get(&format!("/api/projects/{}/funds", ids[0])).await;
    assert_eq!(funds.as_array().map(Vec::len), Some(0), "{funds}");
    let (_, view) = nx
        .get(&format!(
            "/api/dispatch/updates?project_id={}&period={}",
            ids[0],
            last_month()
        ))
        .await;
    assert!(view["current"].is_null(), "{view}");

    // The month, right: progress with a problem, a stage reached, money with its receipt;
    // the second carried forward; the unit's project left to the unit.
    sheet.set(ids[0], "本月进展", "完成土地挂牌出让");
    sheet.set(ids[0], "存在问题", "用电增容未批复");
    sheet.set(ids[0], "问题类别", "要素保障");
    sheet.set(ids[0], "需上级协调", "是");
    sheet.set(ids[0], "下步计划", "办理不动产权证");
    sheet.set(ids[0], "新阶段", "已供地");
    sheet.set(ids[0], "阶段日期", "2026-02-01");
    sheet.set(ids[0], "本月到位金额（万元/万美元）", "100");
    sheet.set(ids[0], "资金类型", "固定资产投资");
    sheet.set(ids[0], "回单文件", "回单1");
    sheet.set(ids[1], "本月无变化", "是");
    let receipts = [("回单1.pdf", b"%PDF-1.4 receipt".to_vec())];
    let (status, preview) = send(&nx, "preview", round, sheet.bytes(), &receipts).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["errors"], json!([]), "{preview}");
    assert_eq!(preview["valid_rows"], 2);
    assert_eq!(preview["skipped_rows"], 1);
    assert_eq!(preview["unchanged_rows"], 1);
    assert_eq!(preview["stage_changes"], 1);
    assert_eq!(preview["fund_rows"], 1);
    assert_eq!(preview["rows_with_receipt"], 1);
    assert_eq!(preview["late"], false);
    let (status, done) = send(&nx, "commit", round, sheet.bytes(), &receipts).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["submitted"], 2);

    let (_, view) = nx
        .get(&format!(
            "/api/dispatch/updates?project_id={}&period={}",
            ids[0],
            last_month()
        ))
        .await;
    let update = &view["current"];
    assert_eq!(update["status"], "submitted", "{view}");
    assert_eq!(update["progress"], "完成土地挂牌出让");
    assert_eq!(update["problems"][0]["category"], "要素保障");
    assert_eq!(update["problems"][0]["help_asked"], true);
    let (_, project) = nx.get(&format!("/api/projects/{}", ids[0])).await;
    assert_eq!(project["project"]["stage"], "land_supplied", "{project}");
    assert_eq!(project["project"]["land_supplied_on"], "2026-02-01");
    // The money is entered for review, not confirmed, with its receipt.
    let (_, funds) = nx.get(&format!("/api/projects/{}/funds", ids[0])).await;
    let funds = funds.as_array().unwrap();
    assert_eq!(funds.len(), 1, "{funds:?}");
    assert_eq!(funds[0]["status"], "entered");
    assert_eq!(funds[0]["amount"], 100 * 10_000 * 100);
    assert_eq!(funds[0]["period"], last_month());
    assert_eq!(funds[0]["evidence_count"], 1);
    let (_, board) = yy.get(&format!("/api/dispatch/rounds/{round}/board")).await;
    let county = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_id"].is_null())
        .unwrap();
    assert_eq!(
        (county["projects"].as_i64(), county["submitted"].as_i64()),
        (Some(2), Some(2))
    );

    // Sent again: the submitted ones are refused by row, nothing changes.
    let (_, again) = send(&nx, "preview", round, sheet.bytes(), &receipts).await;
    assert!(
        errors_at(&again, sheet.row_of(ids[0]) as i64 + 1)
            .iter()
            .any(|(_, m)| m.contains("已报送")),
        "{again}"
    );

    // A unit may report progress and money but not move a stage.
    let mut by_unit = Sheet::download(&unit, round).await;
    by_unit.set(ids[2], "本月进展", "设备进场");
    by_unit.set(ids[2], "新阶段", "已供地");
    by_unit.set(ids[2], "阶段日期", "2026-02-01");
    let (_, preview) = send(&unit, "preview", round, by_unit.bytes(), &[]).await;
    assert!(
        errors_at(&preview, 2)
            .iter()
            .any(|(f, m)| f == "stage" && m.contains("无权")),
        "{preview}"
    );

    // Only the organiser closes the round; then nothing more is taken.
    let (status, body) = nx
        .post(&format!("/api/dispatch/rounds/{round}/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, closed) = yy
        .post(&format!("/api/dispatch/rounds/{round}/close"), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "closed");
    by_unit.set(ids[2], "新阶段", "");
    by_unit.set(ids[2], "阶段日期", "");
    let (status, body) = send(&unit, "commit", round, by_unit.bytes(), &[]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("已结束"),
        "{body}"
    );
    let (_, tasks) = unit.get("/api/tasks/mine").await;
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] != "open"),
        "the unit's task is withdrawn: {tasks}"
    );

    // The board as a workbook: a row per reporter, the total, the round in the notes.
    let rows = xlsx_rows(&yy, &format!("/api/dispatch/rounds/{round}/board/export")).await;
    assert_eq!(rows[0][2], "报送单位", "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r[2] == "县经济开发区" && r[9] == "未报（已结束）"),
        "{rows:?}"
    );
    let total = rows.iter().find(|r| r[0] == "合计").unwrap();
    assert_eq!(
        (total[3].as_str(), total[4].as_str()),
        ("3", "2"),
        "{rows:?}"
    );
    // A county of another city cannot read it.
    let other = app.login("csx_bureau").await;
    let res = other
        .get_raw(&format!("/api/dispatch/rounds/{round}/board/export"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
