use crate::helpers::*;
use crate::scope::read_xlsx;
use reqwest::StatusCode;
use serde_json::json;

const HEADER: &[&str] = &[
    "项目名称",
    "投资方",
    "统一社会信用代码",
    "资金来源",
    "行业代码",
    "合同资金（万元）",
    "合同外资（万美元）",
    "签约日期",
    "落户地",
    "园区/乡镇",
    "项目阶段",
    "开工日期",
    "重点项目",
];

/// The column of 落户地 in [`HEADER`].
pub(crate) const COUNTY: usize = 8;

/// A signed 南县 project's row under [`HEADER`].
pub(crate) fn row(name: &str) -> Vec<String> {
    [
        name,
        "湖南某某科技有限公司",
        "914403001922038216",
        "省外境内",
        "39",
        "12000.5",
        "",
        "2026-03-18",
        "南县",
        "",
        "已签约",
        "",
        "是",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

pub(crate) fn sheet(rows: &[Vec<String>]) -> Vec<u8> {
    let mut all: Vec<Vec<&str>> = vec![HEADER.to_vec()];
    all.extend(rows.iter().map(|r| r.iter().map(String::as_str).collect()));
    let slices: Vec<&[&str]> = all.iter().map(Vec::as_slice).collect();
    ledger_workbook(&slices)
}

#[tokio::test]
async fn a_ledger_sheet_imports_and_exports_exactly() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let res = nx.get_raw("/api/projects/import/template").await;
    assert_eq!(res.status(), StatusCode::OK);
    let template = read_xlsx(res.bytes().await.unwrap().to_vec());
    assert_eq!(template[0][0], "*项目名称");

    let (_, region) = nx.get("/api/regions/430921").await;
    let park = region["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["kind"] == "park")
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut second = row("南县电子信息产业园二期");
    second[3] = "境外".into();
    second[5] = "".into();
    second[6] = "1000.25".into();
    second[9] = park.clone();
    second[10] = "已开工".into();
    second[11] = "2026-06-01".into();
    let file = sheet(&[row("南县新能源电池项目"), second]);
    let (status, preview) = nx
        .upload_file("/api/projects/import/preview", file.clone(), "ledger.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 2, "{}", preview["errors"]);
    assert_eq!(preview["rows"][0]["region_code"], "430921");
    assert_eq!(preview["rows"][0]["region_name"], "南县");
    assert!(
        nx.items("/api/projects").await.is_empty(),
        "a preview writes nothing"
    );
    let (status, result) = nx
        .upload_file("/api/projects/import/commit", file, "ledger.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["inserted"], 2);
    let projects = nx.items("/api/projects?sort=name").await;
    let usd = projects.iter().find(|p| p["origin"] == "foreign").unwrap();
    assert_eq!(
        usd["contract_cents"],
        100_025 * 10_000,
        "1000.25万美元 in cents"
    );
    assert_eq!(usd["zone_name"], park);
    let cny = projects
        .iter()
        .find(|p| p["origin"] == "out_of_province")
        .unwrap();
    assert_eq!(
        cny["contract_fen"],
        120_005 * 100_000i64,
        "12000.5万元 in 分"
    );

    let res = nx.get_raw("/api/projects/export?stage=started").await;
    let rows = read_xlsx(res.bytes().await.unwrap().to_vec());
    assert_eq!(rows.len(), 2, "header + the one started project");
    assert_eq!(rows[0][0], "项目名称");
    assert_eq!(rows[1][14], "1000.25", "exact 万美元 in the export");
    assert_eq!(rows[1][5], "境外");
    assert_eq!(rows[1][17], "南县");
}

/// The cells of the first sheet as calamine reads them, typed.
fn typed_cells(bytes: Vec<u8>) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

#[tokio::test]
async fn an_export_has_numbers_dates_and_percentages_and_imports_back_unchanged() {
    use calamine::{Data, DataType};
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let mut started = row("南县智能装备项目");
    started[5] = "12000.123456".into();
    started[10] = "已开工".into();
    started[11] = "2026-06-01".into();
    let (status, result) = nx
        .upload_file(
            "/api/projects/import/commit",
            sheet(&[row("南县新能源电池项目"), started]),
            "ledger.xlsx",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    let id = nx.items("/api/projects?stage=started").await[0]["id"]
        .as_i64()
        .unwrap();
    // The two rows share an investor: the city above clears the pair before money is confirmed.
    let yy = app.login("yy_bureau").await;
    for pair in yy.items("/api/duplicates").await {
        let (status, body) = yy
            .post(
                &format!("/api/duplicates/{}/decision", pair["id"]),
                serde_json::json!({ "status": "not_duplicate", "note": "同一投资方的两个不同项目" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // 3000.0305万元 of 12000.123456万元 confirmed: 25.00% (to two places).
    let fund = record_and_confirm(&app, &nx, id, "2026-07", 3_000_030_500).await;
    assert_eq!(fund["status"], "confirmed", "{fund}");

    let res = nx.get_raw("/api/projects/export?sort=name").await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let cells = typed_cells(bytes.clone());
    let header: Vec<String> = cells[0].iter().map(|c| c.to_string()).collect();
    let col = |h: &str| header.iter().position(|x| x == h).unwrap();
    let smart = cells.iter().find(|r| r[0] == "南县智能装备项目").unwrap();
    assert_eq!(smart[col("合同资金（万元）")], Data::Float(12000.123456));
    assert!(
        matches!(smart[col("开工日期")], Data::DateTime(_)),
        "a date cell, not text: {:?}",
        smart[col("开工日期")]
    );
    assert_eq!(smart[col("已确认到位（万元）")], Data::Float(3000.0305));
    let rate = smart[col("资金到位率")].get_float().unwrap();
    assert!(
        (rate - 0.25).abs() < 1e-6,
        "a ratio formatted as a percentage: {rate}"
    );

    // Only the chosen columns, in the order asked, the name first.
    let res = nx
        .get_raw("/api/projects/export?columns=stage,contract_fen,arrival_rate")
        .await;
    let rows = read_xlsx(res.bytes().await.unwrap().to_vec());
    assert_eq!(
        rows[0],
        ["项目名称", "项目阶段", "合同资金（万元）", "资金到位率"]
    );
    assert_eq!(rows.len(), 3);
    let (status, body) = nx.get("/api/projects/export?columns=stage,nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["message"].as_str().unwrap().contains("nonsense"),
        "{body}"
    );

    // The full export is the template's layout: it imports again, amounts and dates intact.
    let (status, result) = nx
        .upload_file("/api/projects/import/commit", bytes, "项目台账.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["inserted"], 2);
    let copies: Vec<_> = nx
        .items("/api/projects?q=智能装备")
        .await
        .into_iter()
        .collect();
    assert_eq!(copies.len(), 2);
    for p in &copies {
        assert_eq!(
            p["contract_fen"], 12_000_123_456i64,
            "12000.123456万元 in 分"
        );
        assert_eq!(p["started_on"], "2026-06-01");
    }
}

#[tokio::test]
async fn bad_rows_are_named_by_row_and_column_and_nothing_is_written() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let mut bad_code = row("校验位错误项目");
    bad_code[2] = "914403001922038217".into();
    let mut bad_date = row("日期越界项目");
    bad_date[7] = "1899-01-01".into();
    let mut negative = row("负数项目");
    negative[5] = "-100".into();
    let mut text = row("文字金额项目");
    text[5] = "一千万".into();
    let mut elsewhere = row("外县项目");
    elsewhere[COUNTY] = "沅江市".into();
    let mut missing = row("");
    missing[10] = "".into();
    let (status, preview) = nx
        .upload_file(
            "/api/projects/import/preview",
            sheet(&[
                row("正常项目"),
                bad_code,
                bad_date,
                negative,
                text,
                elsewhere,
                missing,
            ]),
            "bad.xlsx",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preview["valid_rows"], 1);
    let errors = preview["errors"].as_array().unwrap();
    let at = |row: i64, column: &str| {
        errors
            .iter()
            .find(|e| e["row"] == row && e["column"] == column)
            .unwrap_or_else(|| panic!("no error at {column}{row}: {errors:?}"))["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(at(3, "C").contains("校验位"));
    assert!(at(4, "H").contains("2000年至2100年"));
    assert!(at(5, "F").contains("负数"));
    assert!(at(6, "F").contains("不是有效的数字"));
    assert!(at(7, "I").contains("管辖范围"));
    assert!(at(8, "A").contains("项目名称不能为空"), "{errors:?}");
    assert!(at(8, "K").contains("项目阶段"));

    let (status, body) = nx
        .upload_file(
            "/api/projects/import/commit",
            b"PK\x03\x04broken".to_vec(),
            "x.xlsx",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "invalid_file");
    assert!(nx.items("/api/projects").await.is_empty());
}

#[tokio::test]
async fn ten_thousand_rows_with_one_bad_row_write_nothing() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let mut rows: Vec<Vec<String>> = (0..10_000)
        .map(|i| row(&format!("批量项目{i:05}")))
        .collect();
    rows[7_777][7] = "2026-02-30".into();
    let (status, body) = nx
        .upload_file("/api/projects/import/commit", sheet(&rows), "big.xlsx")
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        body["message"]
    );
    assert_error(&body, "import_rejected");
    let errors = body["rows_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["row"], 7_779, "data row 7,777 is Excel row 7,779");
    assert_eq!(errors[0]["column"], "H");
    let (_, page) = nx.get("/api/projects").await;
    assert_eq!(page["total"], 0);
}

/// 南县 enters 华实稻虾米精深加工项目 from the form, then imports five rows: row 2 repeats it in
/// traditional characters; row 4 repeats row 3 under another investor; row 5 is unrelated;
/// row 6 is the ledger project's real second phase, which is no copy. The form project's id
/// and the import's answer.
async fn ledger_project_then_look_alike_sheet(nx: &User) -> (i64, serde_json::Value) {
    let (status, existing) = nx
        .post(
            "/api/projects",
            crate::ledger::project_input(nx, "华实稻虾米精深加工项目").await,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{existing}");
    let mut unrelated = row("洞庭冷链物流园");
    unrelated[2] = "".into();
    let mut row3 = row("南县羽绒服装智能工厂");
    row3[2] = "".into();
    let mut row4 = row("湖南南县羽绒服装智能工厂（一期）");
    row4[1] = "另一家投资公司".into();
    row4[2] = "".into();
    let file = sheet(&[
        row("華實稻蝦米精深加工項目"),
        row3,
        row4,
        unrelated,
        row("华实稻虾米精深加工项目（二期）"),
    ]);
    let (status, result) = nx
        .upload_file("/api/projects/import/commit", file, "ledger.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    (existing["project"]["id"].as_i64().unwrap(), result)
}

#[tokio::test]
async fn an_import_queues_look_alikes_among_its_rows_and_against_the_ledger() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (existing_id, result) = ledger_project_then_look_alike_sheet(&nx).await;
    assert_eq!(result["inserted"], 5);

    let pool = nx.items("/api/duplicates").await;
    let pairs: Vec<(String, String)> = pool
        .iter()
        .map(|d| {
            (
                d["project_name"].as_str().unwrap().to_owned(),
                d["other_project_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        pairs.contains(&(
            "華實稻蝦米精深加工項目".into(),
            "华实稻虾米精深加工项目".into()
        )),
        "{pairs:?}"
    );
    assert!(
        !pairs.iter().any(|(a, _)| a.contains("二期")),
        "a real second phase is no copy: {pairs:?}"
    );
    assert!(
        pairs.contains(&(
            "湖南南县羽绒服装智能工厂（一期）".into(),
            "南县羽绒服装智能工厂".into()
        )),
        "rows of the same sheet meet each other: {pairs:?}"
    );
    assert!(
        !pairs
            .iter()
            .any(|(a, b)| a.contains("冷链") || b.contains("冷链")),
        "{pairs:?}"
    );
    assert!(pool.iter().any(|d| d["other_project_id"] == existing_id));

    // Ids reserved for the batch leave the next form entry its own id, on both databases.
    let (status, next) = nx
        .post(
            "/api/projects",
            crate::ledger::project_input(&nx, "蓝海电子元器件生产基地").await,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{next}");
    assert_eq!(nx.items("/api/projects").await.len(), 7);
    // Each imported project has its own audit entry naming its sheet row.
    let auditor = app.login("nx_auditor").await;
    let (status, audit) = auditor.get("/api/audit?entity=project&action=create").await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let summaries: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert!(
        summaries.contains(&"新增项目 南县羽绒服装智能工厂（Excel导入（第3行））"),
        "{summaries:?}"
    );
}

#[tokio::test]
async fn landing_places_as_people_write_them_and_every_error_of_a_row_at_once() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let header: &[&str] = &[
        "项目名称",
        "投资方",
        "资金来源",
        "落户地",
        "园区/乡镇",
        "项目阶段",
        "签约日期",
        "签约活动",
        "世界500强",
        "重点项目",
    ];
    let file = ledger_workbook(&[
        header,
        &[
            "全称落户项目",
            "甲公司",
            "省内",
            "湖南省益阳市南县",
            "",
            "已签约",
            "2026-01-02",
            "",
            "Y",
            "yes",
        ],
        &[
            "市县落户项目",
            "乙公司",
            "省内",
            "益阳市南县",
            "",
            "已签约",
            "2026-01-03",
            "",
            "√",
            "0",
        ],
        &[
            "省县落户项目",
            "丙公司",
            "省内",
            "湖南省南县",
            "",
            "已签约",
            "2026-01-04",
            "",
            "TRUE",
            "否",
        ],
        &[
            "园区落户项目",
            "丁公司",
            "省内",
            "南县经济开发区",
            "",
            "已签约",
            "2026-01-05",
            "",
            "no",
            "1",
        ],
        &[
            "代码落户项目",
            "戊公司",
            "省内",
            "430921",
            "南洲镇",
            "已签约",
            "2026-01-06",
            "",
            "",
            "是",
        ],
        // Unknown event and landing place, a bad date and a bad yes/no: all four reported.
        &[
            "错误很多的项目",
            "己公司",
            "省内",
            "北极县",
            "",
            "已签约",
            "2026-02-30",
            "不存在的洽谈会",
            "也许",
            "",
        ],
        // A bad stage: its dates are still checked, but not against a guessed stage.
        &[
            "阶段写错的项目",
            "庚公司",
            "省内",
            "南县",
            "",
            "快开工了",
            "2099-01-01",
            "",
            "",
            "",
        ],
    ]);
    let (status, body) = nx
        .upload_file("/api/projects/import/preview", file.clone(), "ledger.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["valid_rows"], 5, "{body}");
    let errors = body["errors"].as_array().unwrap();
    let fields_of = |row: u64| {
        let mut f: Vec<String> = errors
            .iter()
            .filter(|e| e["row"] == row)
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        f.sort();
        f
    };
    assert_eq!(
        fields_of(7),
        ["event", "global500", "region_code", "signed_on"],
        "{body}"
    );
    assert_eq!(fields_of(8), ["signed_on", "stage"], "{body}");
    let rows = body["rows"].as_array().unwrap();
    assert!(rows
        .iter()
        .all(|r| r["region_code"] == "430921" && r["region_name"] == "南县"));

    let (status, result) = nx
        .upload_file("/api/projects/import/commit", file, "ledger.xlsx")
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "all or nothing: {result}"
    );
    // Without the two bad rows it goes in; the 园区 written as the landing place is the zone.
    let file = ledger_workbook(&[
        header,
        &[
            "园区落户项目",
            "丁公司",
            "省内",
            "南县经济开发区",
            "",
            "已签约",
            "2026-01-05",
            "",
            "no",
            "1",
        ],
        &[
            "全称落户项目",
            "甲公司",
            "省内",
            "湖南省益阳市南县",
            "",
            "已签约",
            "2026-01-02",
            "",
            "Y",
            "yes",
        ],
    ]);
    let (status, result) = nx
        .upload_file("/api/projects/import/commit", file, "ledger.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    let projects = nx.items("/api/projects?sort=name").await;
    let zoned = projects
        .iter()
        .find(|p| p["name"] == "园区落户项目")
        .unwrap();
    assert_eq!(zoned["zone_name"], "南县经济开发区");
    assert_eq!(zoned["key_project"], true);
    assert_eq!(zoned["global500"], false);
    let full = projects
        .iter()
        .find(|p| p["name"] == "全称落户项目")
        .unwrap();
    assert_eq!(full["global500"], true);
    assert_eq!(full["key_project"], true);
}

#[tokio::test]
async fn a_failed_sheet_comes_back_with_its_bad_cells_marked_and_its_rows_named() {
    use std::io::Read;
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let header: &[&str] = &[
        "项目名称",
        "投资方",
        "资金来源",
        "落户地",
        "项目阶段",
        "签约日期",
        "备忘",
    ];
    let file = ledger_workbook(&[
        header,
        &[
            "好项目",
            "甲公司",
            "省内",
            "南县",
            "已签约",
            "2026-01-02",
            "保留此列",
        ],
        &[
            "坏项目",
            "乙公司",
            "火星",
            "南县",
            "已签约",
            "2026-02-30",
            "",
        ],
        &["", "丙公司", "省内", "南县", "已签约", "2026-01-05", ""],
    ]);
    // The page names the project of each error, not only its row.
    let (_, preview) = nx
        .upload_file(
            "/api/projects/import/preview",
            file.clone(),
            "我的台账.xlsx",
        )
        .await;
    let errors = preview["errors"].as_array().unwrap();
    let bad: Vec<&serde_json::Value> = errors.iter().filter(|e| e["row"] == 3).collect();
    assert_eq!(bad.len(), 2, "{preview}");
    assert!(bad.iter().all(|e| e["label"] == "坏项目"), "{preview}");
    assert!(errors.iter().any(|e| e["row"] == 4 && e["field"] == "name"));

    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(file).file_name("我的台账.xlsx"),
    );
    let res = nx
        .client
        .post(nx.url("/api/projects/import/errors"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    // Read back with calamine: the user's own values and columns (their 备忘 too), plus the
    // list of each row's errors.
    let rows = crate::scope::read_xlsx(bytes.clone());
    assert_eq!(rows[0][..7], *header);
    assert_eq!(rows[0][8], "错误说明");
    assert_eq!(rows[1][6], "保留此列");
    assert_eq!(rows[1][8], "", "a good row has no error");
    assert_eq!(rows[2][2], "火星", "values are kept as typed");
    assert!(
        rows[2][8].contains("C列") && rows[2][8].contains("F列"),
        "{:?}",
        rows[2]
    );
    assert!(rows[3][8].contains("A列"), "{:?}", rows[3]);
    // The bad cells are filled red (a style of their own) and carry the message as a note.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut part = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let styles = part("xl/styles.xml");
    assert!(styles.contains("FFC7CE"), "a red fill is defined");
    let sheet = part("xl/worksheets/sheet1.xml");
    let style_of = |cell: &str| {
        let at = sheet
            .find(&format!("r=\"{cell}\""))
            .unwrap_or_else(|| panic!("{cell}"));
        let tag = &sheet[at..at + sheet[at..].find('>').unwrap()];
        tag.split("s=\"")
            .nth(1)
            .map(|s| s[..s.find('"').unwrap()].to_owned())
    };
    assert!(style_of("C3").is_some());
    assert_eq!(style_of("C3"), style_of("F3"));
    assert_eq!(
        style_of("A4"),
        style_of("C3"),
        "a blank required cell is marked too"
    );
    assert_ne!(style_of("B3"), style_of("C3"), "a good cell is not");
    let notes = part("xl/comments1.xml");
    assert!(
        notes.contains("ref=\"C3\"") && notes.contains("ref=\"F3\""),
        "{notes}"
    );
    assert!(notes.contains("资金来源"), "{notes}");

    // A sheet without errors has nothing to mark.
    let good = ledger_workbook(&[
        header,
        &[
            "好项目",
            "甲公司",
            "省内",
            "南县",
            "已签约",
            "2026-01-02",
            "",
        ],
    ]);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(good).file_name("好.xlsx"),
    );
    let res = nx
        .client
        .post(nx.url("/api/projects/import/errors"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_county_name_shared_across_the_country_resolves_with_its_city() {
    let app = spawn_app().await;
    let cn = app.login("cn_admin").await;
    let (status, user) = cn
        .post(
            "/api/users",
            json!({ "username": "cn_clerk", "display_name": "全国台账员", "role": "bureau",
                    "password": "Start#2026" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let (client, res) = app.try_login("cn_clerk", "Start#2026").await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = client
        .post(app.url("/api/auth/password"))
        .json(&json!({ "old_password": "Start#2026", "new_password": "Nation#2026x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (client, res) = app.try_login("cn_clerk", "Nation#2026x").await;
    assert_eq!(res.status(), StatusCode::OK);
    let file = workbook(&[
        &["项目名称", "投资方", "资金来源", "落户地", "项目阶段"],
        &["城关区甲项目", "甲公司", "省内", "城关区", "在谈"],
        &["城关区乙项目", "乙公司", "省内", "兰州市城关区", "在谈"],
        &[
            "城关区丙项目",
            "丙公司",
            "省内",
            "西藏自治区拉萨市城关区",
            "在谈",
        ],
        &["城关区丁项目", "丁公司", "省内", "甘肃省城关区", "在谈"],
    ]);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(file).file_name("ledger.xlsx"),
    );
    let res = client
        .post(app.url("/api/projects/import/preview"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, preview) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let errors = preview["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{preview}");
    assert_eq!(errors[0]["row"], 2);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("写上所属的市"),
        "{preview}"
    );
    let codes: Vec<&str> = preview["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["region_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["620102", "540102", "620102"]);
}

/// Every list exports in its import sheet's layout (so an edited export imports back), the
/// derived figures after it, and only the columns asked for when asked.
#[tokio::test]
async fn every_export_starts_with_its_import_template() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    for (template, export) in [
        ("/api/projects/import/template", "/api/projects/export"),
        ("/api/events/import/template", "/api/events/export"),
        ("/api/units/import/template", "/api/units/export"),
    ] {
        let template = xlsx_rows(&nx, template).await;
        let export = xlsx_rows(&nx, export).await;
        let headers: Vec<String> = template[0]
            .iter()
            .map(|h| h.trim_start_matches('*').to_owned())
            .collect();
        assert_eq!(export[0][..headers.len()], headers[..], "{export:?}");
        assert!(export[0].len() > headers.len(), "derived figures follow");
    }
    let chosen = xlsx_rows(&nx, "/api/units/export?columns=region_name,category").await;
    assert_eq!(chosen[0], ["单位名称", "行政区划", "单位类别"]);
    let res = nx.get_raw("/api/events/export?columns=nonsense").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn many_projects_change_stage_through_one_sheet_under_the_stage_rules() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let mut ids = Vec::new();
    for i in 1..=3 {
        let (status, d) = nx
            .post(
                "/api/projects",
                json!({ "name": format!("南县阶段表项目{i}"), "investor_name": "某公司",
                        "origin": "in_province", "contract_fen": 100_000_000,
                        "signed_on": "2026-01-10", "region_code": "430921", "stage": "signed", "investor_credit_code": credit_code() }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{d}");
        ids.push(d["project"]["id"].as_i64().unwrap().to_string());
    }
    // The template lists the filtered projects with their stage.
    let template = xlsx_rows(&nx, "/api/projects/stages/import/template?q=阶段表").await;
    assert_eq!(template.len(), 4, "{template:?}");
    assert_eq!(template[1][2], "已签约");
    let header: &[&str] = &[
        "项目编号",
        "项目名称",
        "当前阶段",
        "新阶段",
        "变更日期",
        "说明",
    ];
    let name = |i: usize| format!("南县阶段表项目{}", i + 1);
    let file = workbook(&[
        header,
        &[
            &ids[0],
            &name(0),
            "已签约",
            "已供地",
            "2026-02-01",
            "挂牌出让",
        ],
        &[&ids[1], &name(1), "已签约", "已投产", "2026-03-01", ""],
        &[&ids[2], &name(2), "已签约", "已供地", "2099-01-01", ""],
        &[&ids[0], &name(0), "已签约", "已供地", "2026-02-02", ""],
        &[&ids[2], &name(2), "已签约", "", "", ""],
    ]);
    let (status, preview) = nx
        .upload_file(
            "/api/projects/stages/import/preview",
            file.clone(),
            "stages.xlsx",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 1, "{preview}");
    assert_eq!(preview["skipped_rows"], 1);
    let errors = preview["errors"].as_array().unwrap();
    let at = |row: u64| {
        errors
            .iter()
            .find(|e| e["row"] == row)
            .unwrap_or_else(|| panic!("{preview}"))
    };
    assert_eq!(at(3)["field"], "stage", "a skipped step");
    assert!(at(3)["message"]
        .as_str()
        .unwrap()
        .contains("按顺序变更阶段"));
    assert_eq!(at(4)["field"], "changed_on", "a date ahead");
    assert_eq!(at(4)["column"], "E");
    assert!(
        at(5)["message"].as_str().unwrap().contains("第2行"),
        "twice in one sheet"
    );
    assert_eq!(at(3)["label"], name(1));
    let (status, _) = nx
        .upload_file("/api/projects/stages/import/commit", file, "stages.xlsx")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "all or nothing");
    let (_, d) = nx.get(&format!("/api/projects/{}", ids[0])).await;
    assert_eq!(d["project"]["stage"], "signed");

    let file = workbook(&[
        header,
        &[
            &ids[0],
            &name(0),
            "已签约",
            "已供地",
            "2026-02-01",
            "挂牌出让",
        ],
        &[
            &ids[1],
            &name(1),
            "已签约",
            "终止",
            "2026-03-01",
            "投资方撤资",
        ],
    ]);
    let (status, result) = nx
        .upload_file("/api/projects/stages/import/commit", file, "stages.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["changed"], 2);
    let (_, d) = nx.get(&format!("/api/projects/{}", ids[0])).await;
    assert_eq!(d["project"]["stage"], "land_supplied");
    assert_eq!(d["project"]["land_supplied_on"], "2026-02-01");
    assert_eq!(
        d["stages"].as_array().unwrap().last().unwrap()["note"],
        "挂牌出让"
    );
    let (_, history) = nx.get(&format!("/api/projects/{}/history", ids[1])).await;
    assert!(
        history[0]["summary"]
            .as_str()
            .unwrap()
            .contains("Excel导入第3行"),
        "{history}"
    );
}

/// A stage-change row is read cell by cell by its columns' kinds: every wrong cell of a row
/// is reported at once, each in its own column.
#[tokio::test]
async fn a_stage_sheet_row_shows_every_wrong_cell_at_once() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let header: &[&str] = &[
        "项目编号",
        "项目名称",
        "当前阶段",
        "新阶段",
        "变更日期",
        "说明",
    ];
    let long = "长".repeat(501);
    let file = workbook(&[
        header,
        &["第一号", "某项目", "已签约", "已完工", "2026-02-30", &long],
        &["", "某项目", "已签约", "已供地", "", ""],
    ]);
    let (status, preview) = nx
        .upload_file("/api/projects/stages/import/preview", file, "stages.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 0, "{preview}");
    let errors = preview["errors"].as_array().unwrap();
    let columns = |row: u64| {
        let mut columns: Vec<&str> = errors
            .iter()
            .filter(|e| e["row"] == row)
            .map(|e| e["column"].as_str().unwrap())
            .collect();
        columns.sort();
        columns
    };
    assert_eq!(columns(2), ["A", "D", "E", "F"], "{preview}");
    assert_eq!(columns(3), ["A", "E"], "{preview}");
    let message = |row: u64, column: &str| {
        errors
            .iter()
            .find(|e| e["row"] == row && e["column"] == column)
            .and_then(|e| e["message"].as_str())
            .unwrap()
            .to_owned()
    };
    assert!(message(2, "A").contains("第一号"), "{preview}");
    assert!(message(2, "D").contains("已完工"), "{preview}");
    assert_eq!(message(3, "E"), "请填写变更日期");
}

/// The look-alike pairs in 南县's pool, each as its two names (sorted), score and reasons.
async fn pool_pairs(user: &User) -> Vec<(String, String, i64, String)> {
    let mut pairs: Vec<_> = user
        .items("/api/duplicates")
        .await
        .iter()
        .map(|d| {
            let mut names = [
                d["project_name"].as_str().unwrap().to_owned(),
                d["other_project_name"].as_str().unwrap().to_owned(),
            ];
            names.sort();
            let [a, b] = names;
            (a, b, d["score"].as_i64().unwrap(), d["reasons"].to_string())
        })
        .collect();
    pairs.sort();
    pairs
}

/// [`ledger_project_then_look_alike_sheet`], then a form entry copying one row; what the pool
/// holds afterwards.
async fn sheet_then_form(
    app: &TestApp,
    store: &luodi_store::Store,
) -> Vec<(String, String, i64, String)> {
    let nx = app.login("nx_bureau").await;
    let (_, result) = ledger_project_then_look_alike_sheet(&nx).await;
    assert_eq!(result["inserted"], 5);
    let waiting = store.projects_waiting_for_matching().await.unwrap();
    // The answer says whether the matching runs after the import.
    assert_eq!(result["waiting_for_matching"], waiting, "{result}");
    // The form entry re-enters row 3 under its own wording (same investor, amount, date).
    let mut input = crate::ledger::project_input(&nx, "南县羽绒服装智能工厂项目").await;
    input["investor_name"] = json!("湖南某某科技有限公司");
    input["investor_credit_code"] = json!(null);
    input["credit_code_missing_reason"] = json!("企业尚未注册，注册后补填代码");
    input["industry_code"] = json!("39");
    input["contract_fen"] = json!(12_000_500_000_i64);
    let (status, form) = nx.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::CREATED, "{form}");
    if waiting > 0 {
        // The form entry met the waiting rows of its county already.
        assert!(
            pool_pairs(&nx)
                .await
                .iter()
                .any(|(a, b, _, _)| a == "南县羽绒服装智能工厂" && b == "南县羽绒服装智能工厂项目"),
            "{:?}",
            pool_pairs(&nx).await
        );
    }
    pool_pairs(&nx).await
}

/// A sheet larger than `look_alike_background_rows` commits without its matching; the
/// matcher (held by another instance here until released) then finds exactly the pairs the
/// import would have found, a form entry made meanwhile meets the waiting rows, no pair is
/// raised twice, and fund records of the waiting projects cannot be confirmed until then.
#[tokio::test]
async fn a_large_sheet_is_matched_after_it_commits_exactly_as_within_the_import() {
    use sqlx::Connection;
    let (within, within_store) = spawn_app_with_store(Default::default(), Default::default()).await;
    let expected = sheet_then_form(&within, &within_store).await;
    assert!(
        expected
            .iter()
            .any(|(a, b, _, _)| a == "华实稻虾米精深加工项目" && b == "華實稻蝦米精深加工項目"),
        "{expected:?}"
    );

    let settings = luodi_store::AuthSettings {
        look_alike_background_rows: 3,
        ..Default::default()
    };
    let (app, store) = spawn_app_with_store(settings, Default::default()).await;
    let mut db = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE look_alike_matcher SET held_by = 'another-instance', held_until = '9999-12-31T00:00:00Z'",
    )
    .execute(&mut db)
    .await
    .unwrap();
    let nx = app.login("nx_bureau").await;
    let before_form = {
        let pairs = sheet_then_form(&app, &store).await;
        assert_eq!(store.projects_waiting_for_matching().await.unwrap(), 5);
        pairs
    };
    // Only the form entry's own pairs so far.
    assert!(
        before_form
            .iter()
            .all(|(a, b, _, _)| a == "南县羽绒服装智能工厂项目" || b == "南县羽绒服装智能工厂项目"),
        "{before_form:?}"
    );
    let projects = nx.items("/api/projects?q=冷链").await;
    let cold_chain = projects[0]["id"].as_i64().unwrap();
    assert_eq!(projects[0]["look_alike_pending"], true);
    let pending = |detail: &serde_json::Value| detail["project"]["look_alike_pending"].clone();
    let (_, detail) = nx.get(&format!("/api/projects/{cold_chain}")).await;
    assert_eq!(pending(&detail), true, "{detail}");
    let (status, record) = nx
        .post(
            &format!("/api/projects/{cold_chain}/funds"),
            json!({ "period": "2026-04", "amount": 300_000_000_i64, "currency": "CNY",
                    "kind": "fixed_asset" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{record}");
    let yy = app.login("yy_bureau").await;
    let review = |record: &serde_json::Value| {
        (
            format!("/api/funds/{}/review", record["id"]),
            json!({ "decision": "confirm", "version": record["version"] }),
        )
    };
    let (path, body) = review(&record);
    let (status, refused) = yy.post(&path, body).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("疑似重复比对尚未完成"),
        "{refused}"
    );

    // Another instance holds the matcher: this one leaves the queue alone.
    assert_eq!(store.match_waiting_projects().await.unwrap(), 0);
    sqlx::query("UPDATE look_alike_matcher SET held_until = '2000-01-01T00:00:00Z'")
        .execute(&mut db)
        .await
        .unwrap();
    // Its hold ran out: the queue is matched.
    assert_eq!(store.match_waiting_projects().await.unwrap(), 5);
    assert_eq!(store.projects_waiting_for_matching().await.unwrap(), 0);
    assert_eq!(pool_pairs(&nx).await, expected);
    let held: (Option<String>,) = sqlx::query_as("SELECT held_by FROM look_alike_matcher")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(held.0, None, "the hold is given back");
    let grams: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT project_id) FROM project_name_grams WHERE gram = '#2'",
    )
    .fetch_one(&mut db)
    .await
    .unwrap();
    let projects: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(grams, projects, "every project is in the gram index");

    let (_, detail) = nx.get(&format!("/api/projects/{cold_chain}")).await;
    assert_eq!(pending(&detail), false, "{detail}");
    let (path, body) = review(&record);
    let (status, confirmed) = yy.post(&path, body).await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
}
