//! The spreadsheets the browser tests upload (`web/e2e/fixtures`), made here so that they can
//! be reproduced byte for byte:
//!
//! ```text
//! LUODI_WRITE_FIXTURES=1 cargo test -p luodi-server --test api e2e_fixtures
//! ```
//!
//! rewrites them. Without the variable the test fails when a committed file differs from what
//! this code makes, or no longer previews as the browser test expects.

use crate::helpers::*;
use reqwest::StatusCode;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};
use std::path::PathBuf;

const HEADER: &[&str] = &[
    "项目名称",
    "投资方",
    "统一社会信用代码",
    "资金来源",
    "行业代码",
    "合同资金（万元）",
    "落户地",
    "项目阶段",
    "责任领导",
];

/// Three projects still being negotiated in 南县 (not signed, so no signed-project figure of
/// the other browser tests moves); the first two share an investor, so the second lands in the
/// duplicate pool.
const VALID: &[&[&str]] = &[
    &[
        "南县智能农机装备制造项目（E2E导入）",
        "湖南智农装备有限公司",
        "91430921MA4L0001X1",
        "省外境内",
        "35",
        "15000",
        "南县",
        "在谈",
        "王副县长",
    ],
    &[
        "南县智能農機裝備製造項目（E2E导入）",
        "湖南智农装备有限公司",
        "91430921MA4L0001X1",
        "省外境内",
        "35",
        "8000",
        "南县",
        "在谈",
        "",
    ],
    &[
        "南县冷链物流园项目（E2E导入）",
        "湖南冷运物流有限公司",
        "91430921MA4L0002X2",
        "省内",
        "59",
        "6000",
        "南县",
        "意向",
        "",
    ],
];

/// The same sheet with two mistakes: a credit code whose check character is wrong (row 4) and
/// a project landing in another county (row 5).
const WITH_ERRORS: &[&[&str]] = &[
    VALID[0],
    VALID[1],
    &[
        "南县冷链物流园项目（E2E导入）",
        "湖南冷运物流有限公司",
        "91430921MA4L0002X3",
        "省内",
        "59",
        "6000",
        "南县",
        "意向",
        "",
    ],
    &[
        "沅江市芦苇新材料项目（E2E导入）",
        "湖南芦苇新材料有限公司",
        "",
        "省内",
        "22",
        "3000",
        "沅江市",
        "在谈",
        "",
    ],
];

/// A workbook whose bytes depend only on its cells (the creation time is fixed).
fn sheet(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 1).unwrap())
            .set_author("luodi e2e fixtures"),
    );
    let ws = wb.add_worksheet();
    ws.set_name("项目台账").unwrap();
    for (c, header) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *header).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *value).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../web/e2e/fixtures/{name}"))
}

/// Writes the file when asked to, else checks the committed one is what this code makes.
fn check_or_write(name: &str, bytes: &[u8]) {
    let path = fixture(name);
    if std::env::var_os("LUODI_WRITE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; make it with LUODI_WRITE_FIXTURES=1 cargo test -p luodi-server --test api e2e_fixtures",
            path.display()
        )
    });
    assert!(
        committed == bytes,
        "{} is stale; rewrite it with LUODI_WRITE_FIXTURES=1",
        path.display()
    );
}

#[tokio::test]
async fn the_browser_tests_ledger_sheets_are_current_and_preview_as_expected() {
    let valid = sheet(VALID);
    assert_eq!(valid, sheet(VALID), "the same cells make the same bytes");
    let with_errors = sheet(WITH_ERRORS);
    check_or_write("ledger-import.xlsx", &valid);
    check_or_write("ledger-import-errors.xlsx", &with_errors);

    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, preview) = nx
        .upload_file(
            "/api/projects/import/preview",
            valid.clone(),
            "ledger-import.xlsx",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 3, "{preview}");
    assert_eq!(preview["errors"].as_array().unwrap().len(), 0);

    let (status, preview) = nx
        .upload_file(
            "/api/projects/import/preview",
            with_errors,
            "ledger-import-errors.xlsx",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let errors = preview["errors"].as_array().unwrap();
    let at: Vec<(i64, &str)> = errors
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        at,
        [(4, "investor_credit_code"), (5, "region_code")],
        "{errors:?}"
    );

    // Imported, the sheet raises exactly one pair for the browser test to decide.
    let (status, body) = nx
        .upload_file("/api/projects/import/commit", valid, "ledger-import.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["inserted"], 3);
    let pool = nx.items("/api/duplicates").await;
    assert_eq!(pool.len(), 1, "{pool:?}");
    assert_eq!(pool[0]["project_name"], VALID[1][0]);
    assert_eq!(pool[0]["other_project_name"], VALID[0][0]);
}

/// The fund sheet the browser test uploads: one row typed in by hand (no project number, the
/// project's full name), 300万元 of fixed-asset money for October 2026, for a project the
/// browser test signs in 浏阳市 as 长沙市商务局 (so no 益阳 figure of the other tests moves).
pub const FUND_SHEET_PROJECT: &str = "浏阳市烟花新材料产业园项目（E2E到位填报）";

fn fund_sheet() -> Vec<u8> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 1).unwrap())
            .set_author("luodi e2e fixtures"),
    );
    let ws = wb.add_worksheet();
    ws.set_name("资金到位填报").unwrap();
    let rows: [[&str; 6]; 2] = [
        [
            "项目编号",
            "项目名称",
            "到位月份",
            "币种",
            "本次到位金额（万元/万美元）",
            "资金类型",
        ],
        [
            "",
            FUND_SHEET_PROJECT,
            "2026-10",
            "人民币",
            "300",
            "固定资产投资",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                ws.write_string(r as u32, c as u16, *value).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn the_browser_tests_fund_sheet_is_current_and_previews_as_expected() {
    let sheet = fund_sheet();
    check_or_write("fund-sheet.xlsx", &sheet);
    let app = spawn_app().await;
    let cs = app.login("cs_bureau").await;
    let (status, d) = cs
        .post(
            "/api/projects",
            serde_json::json!({
                "name": FUND_SHEET_PROJECT, "investor_name": "湖南某新材料有限公司",
                "origin": "in_province", "contract_fen": 1_000 * 1_000_000i64,
                "signed_on": "2026-06-18", "region_code": "430181", "stage": "signed",
                "credit_code_missing_reason": "投资主体尚未注册，注册后补填代码"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    let (status, preview) = cs
        .upload_file("/api/funds/import/preview", sheet, "fund-sheet.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 1, "{preview}");
    assert_eq!(preview["rows"][0]["amount"], 300 * 1_000_000i64);
    assert_eq!(preview["rows"][0]["region_name"], "浏阳市");
}

/// The events sheet the browser test imports as 南县商务局: two county events of 2026.
pub const EVENTS_SHEET_ROWS: [[&str; 5]; 3] = [
    ["活动名称", "级别", "举办日期", "主办单位", "组织地区"],
    [
        "2026南县稻虾产业招商推介会（E2E导入）",
        "县级",
        "2026-04-18",
        "南县人民政府",
        "南县",
    ],
    [
        "2026南县电子信息产业专题招商会（E2E导入）",
        "县级",
        "2026-09-09",
        "南县商务局",
        "430921",
    ],
];

fn events_sheet() -> Vec<u8> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 1).unwrap())
            .set_author("luodi e2e fixtures"),
    );
    let ws = wb.add_worksheet();
    ws.set_name("签约活动").unwrap();
    for (r, row) in EVENTS_SHEET_ROWS.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *value).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn the_browser_tests_events_sheet_is_current_and_previews_as_expected() {
    let sheet = events_sheet();
    check_or_write("events-import.xlsx", &sheet);
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, preview) = nx
        .upload_file("/api/events/import/preview", sheet, "events-import.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 2, "{preview}");
    assert_eq!(preview["rows"][1]["region_name"], "南县");
}

/// The projects of the receipts browser test: 22 signed projects of 长沙县 (more than a page
/// of the review queue), entered by 长沙县商务局 and confirmed by 长沙市商务局 (no 益阳 figure
/// of the other tests moves).
pub fn receipt_project(i: usize) -> String {
    format!("长沙县E2E回单项目{i:02}")
}

/// The month's sheet 长沙县 uploads with its receipts: 50万元 each for November 2026, each
/// row naming its receipt 回单01 … 回单22 (sent as 回单01.pdf … beside the sheet).
fn fund_receipts_sheet() -> Vec<u8> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 1).unwrap())
            .set_author("luodi e2e fixtures"),
    );
    let ws = wb.add_worksheet();
    ws.set_name("资金到位填报").unwrap();
    let header = [
        "项目编号",
        "项目名称",
        "到位月份",
        "币种",
        "本次到位金额（万元/万美元）",
        "资金类型",
        "回单文件",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for i in 1..=22 {
        let r = i as u32;
        ws.write_string(r, 1, receipt_project(i)).unwrap();
        ws.write_string(r, 2, "2026-11").unwrap();
        ws.write_string(r, 3, "人民币").unwrap();
        ws.write_string(r, 4, "50").unwrap();
        ws.write_string(r, 5, "固定资产投资").unwrap();
        ws.write_string(r, 6, format!("回单{i:02}")).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn the_browser_tests_receipts_sheet_is_current_and_matches_its_receipts() {
    let sheet = fund_receipts_sheet();
    check_or_write("fund-sheet-receipts.xlsx", &sheet);
    let app = spawn_app().await;
    let csx = app.login("csx_bureau").await;
    for i in 1..=22 {
        let (status, d) = csx
            .post(
                "/api/projects",
                serde_json::json!({
                    "name": receipt_project(i), "investor_name": "长沙某科技有限公司",
                    "origin": "in_province", "contract_fen": 1_000 * 1_000_000i64,
                    "signed_on": "2026-05-10", "region_code": "430121", "stage": "signed",
                    "credit_code_missing_reason": "投资主体尚未注册，注册后补填代码"
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{d}");
    }
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(sheet).file_name("fund-sheet-receipts.xlsx"),
    );
    for i in 1..=22 {
        form = form.part(
            "receipts",
            reqwest::multipart::Part::bytes(format!("%PDF-1.4 回单{i:02}").into_bytes())
                .file_name(format!("回单{i:02}.pdf")),
        );
    }
    let res = csx
        .client
        .post(csx.url("/api/funds/import/preview"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, preview) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 22, "{preview}");
    assert_eq!(preview["rows_with_receipt"], 22, "{preview}");
}
