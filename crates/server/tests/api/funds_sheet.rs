//! The monthly fund-arrival sheet: template filled with the user's signed projects, preview,
//! all-or-nothing commit, and the row/column errors a clerk sees.

use crate::helpers::*;
use crate::scope::read_xlsx;
use reqwest::StatusCode;
use serde_json::{json, Value};

const WAN: i64 = 10_000 * 100;

async fn project(user: &User, name: &str, region: &str, stage: &str, fen: i64, cents: i64) -> i64 {
    let mut input = json!({
        "name": name, "investor_name": format!("{name}投资方"), "origin": "out_of_province",
        "contract_fen": fen, "contract_cents": cents, "region_code": region, "stage": stage
    });
    if stage != "negotiating" {
        input["signed_on"] = json!("2026-01-10");
    }
    if cents > 0 && fen == 0 {
        input["origin"] = json!("foreign");
        input["credit_code_missing_reason"] = json!("境外投资者无统一社会信用代码");
    } else {
        input["investor_credit_code"] = json!(credit_code());
    }
    let (status, d) = user.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    d["project"]["id"].as_i64().unwrap()
}

/// The template's rows as text, a header first.
async fn template(user: &User, query: &str) -> Vec<Vec<String>> {
    let res = user
        .get_raw(&format!("/api/funds/import/template{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    read_xlsx(res.bytes().await.unwrap().to_vec())
}

/// The filled-in template, as the clerk uploads it.
fn upload(rows: &[Vec<String>]) -> Vec<u8> {
    let refs: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
    workbook(&slices)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h.trim_start_matches('*') == name)
        .unwrap_or_else(|| panic!("{name} in {header:?}"))
}

struct Ledger {
    cny: i64,
    usd: i64,
    talks: i64,
    other_county: i64,
}

async fn ledger(app: &TestApp) -> Ledger {
    let nx = app.login("nx_bureau").await;
    let yj = app.login("yyx_bureau").await;
    Ledger {
        cny: project(
            &nx,
            "南县稻虾米加工项目",
            "430921",
            "signed",
            1_000 * WAN,
            0,
        )
        .await,
        usd: project(&nx, "南县外资羽绒项目", "430921", "signed", 0, 100 * WAN).await,
        talks: project(&nx, "南县在谈项目", "430921", "negotiating", 500 * WAN, 0).await,
        other_county: project(&yj, "沅江船舶配件项目", "430981", "signed", 800 * WAN, 0).await,
    }
}

#[tokio::test]
async fn a_monthly_sheet_lists_the_signed_projects_and_enters_the_filled_rows_for_review() {
    let app = spawn_app().await;
    let l = ledger(&app).await;
    let nx = app.login("nx_bureau").await;
    let mut sheet = template(&nx, "?period=2026-03").await;
    let header = sheet[0].clone();
    assert_eq!(header[0], "项目编号");
    let ids: Vec<String> = sheet[1..].iter().map(|r| r[0].clone()).collect();
    assert!(ids.contains(&l.cny.to_string()) && ids.contains(&l.usd.to_string()));
    assert!(
        !ids.contains(&l.talks.to_string()),
        "a project still in talks has no money to report"
    );
    assert!(
        !ids.contains(&l.other_county.to_string()),
        "another county's project is not in the sheet"
    );
    let row_of =
        |sheet: &[Vec<String>], id: i64| sheet.iter().position(|r| r[0] == id.to_string()).unwrap();
    let (cny, usd) = (row_of(&sheet, l.cny), row_of(&sheet, l.usd));
    assert_eq!(sheet[cny][col(&header, "到位月份")], "2026-03");
    assert_eq!(sheet[cny][col(&header, "合同金额（万元）")], "1000");
    assert_eq!(
        sheet[usd][col(&header, "币种")],
        "美元",
        "a foreign-only contract"
    );
    assert_eq!(sheet[cny][col(&header, "资金类型")], "固定资产投资");

    let amount = col(&header, "本次到位金额（万元/万美元）");
    sheet[cny][amount] = "250.5".into();
    sheet[usd][amount] = "20".into();
    let file = upload(&sheet);
    let (status, preview) = nx
        .upload_file("/api/funds/import/preview", file.clone(), "funds.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 2, "{preview}");
    assert_eq!(preview["skipped_rows"], sheet.len() - 3);
    assert!(
        preview["errors"].as_array().unwrap().is_empty(),
        "{preview}"
    );
    let yy = app.login("yy_bureau").await;
    assert!(
        yy.items("/api/funds/review").await.is_empty(),
        "a preview writes nothing"
    );

    let (status, result) = nx
        .upload_file("/api/funds/import/commit", file, "funds.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["entered"], 2);
    let queue = yy.items("/api/funds/review").await;
    assert_eq!(queue.len(), 2);
    let record = |id: i64| queue.iter().find(|f| f["project_id"] == id).unwrap();
    assert_eq!(record(l.cny)["amount"], 2_505 * WAN / 10, "250.5万元 in 分");
    assert_eq!(record(l.cny)["currency"], "CNY");
    assert_eq!(record(l.cny)["status"], "entered");
    assert_eq!(record(l.usd)["amount"], 20 * WAN, "20万美元 in cents");
    assert_eq!(record(l.usd)["currency"], "USD");
    assert_eq!(record(l.usd)["period"], "2026-03");
    // Entered, not confirmed: the rate does not move until the city confirms.
    let (_, d) = nx.get(&format!("/api/projects/{}", l.cny)).await;
    assert_eq!(d["project"]["arrived_fen"], 0);
    // Audited one by one, naming the sheet row.
    let (_, history) = nx.get(&format!("/api/projects/{}/history", l.cny)).await;
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["summary"].as_str().unwrap().contains("Excel导入第")),
        "{history}"
    );
}

#[tokio::test]
async fn a_template_sent_back_without_an_amount_says_so_and_enters_nothing() {
    let app = spawn_app().await;
    ledger(&app).await;
    let nx = app.login("nx_bureau").await;
    let sheet = template(&nx, "?period=2026-03").await;
    assert!(sheet.len() > 2, "the template lists the county's projects");
    let file = upload(&sheet);
    let (status, preview) = nx
        .upload_file("/api/funds/import/preview", file.clone(), "funds.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 0);
    let errors = preview["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{preview}");
    assert_eq!(errors[0]["message"], "表格中没有填写到位金额的行");
    let header = &sheet[0];
    let amount = col(header, "本次到位金额（万元/万美元）");
    assert_eq!(
        errors[0]["column"],
        ((b'A' + amount as u8) as char).to_string(),
        "the error points at the amount column"
    );
    let (status, result) = nx
        .upload_file("/api/funds/import/commit", file, "funds.xlsx")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{result}");
    let yy = app.login("yy_bureau").await;
    assert!(yy.items("/api/funds/review").await.is_empty());
}

#[tokio::test]
async fn a_sheet_with_bad_rows_names_them_and_enters_nothing() {
    let app = spawn_app().await;
    let l = ledger(&app).await;
    let nx = app.login("nx_bureau").await;
    let sheet = template(&nx, "?period=2026-03").await;
    let header = sheet[0].clone();
    let amount = col(&header, "本次到位金额（万元/万美元）");
    let base = sheet[sheet
        .iter()
        .position(|r| r[0] == l.cny.to_string())
        .unwrap()]
    .clone();
    let with = |changes: &[(&str, &str)]| -> Vec<String> {
        let mut r = base.clone();
        r[amount] = "100".into();
        for (h, v) in changes {
            r[col(&header, h)] = (*v).into();
        }
        r
    };
    let other = l.other_county.to_string();
    let rows = vec![
        header.clone(),
        with(&[]),                                          // row 2: fine
        with(&[("项目编号", &other), ("项目名称", "")]),    // row 3: another county's
        with(&[("项目名称", "南县另一个项目")]),            // row 4: name does not match
        with(&[("本次到位金额（万元/万美元）", "一百万")]), // row 5: text in a number
        with(&[("到位月份", "2026-13")]),                   // row 6: no such month
        with(&[("资金类型", "贷款")]),                      // row 7: unknown kind
        with(&[("本次到位金额（万元/万美元）", "950")]),    // row 8: 100 + 950 > 1,000万
        with(&[("本次到位金额（万元/万美元）", "-5")]),     // row 9: negative
        // row 10: typed in by hand, by name only
        with(&[("项目编号", ""), ("本次到位金额（万元/万美元）", "1")]),
        with(&[("项目编号", ""), ("项目名称", "没有这个项目")]), // row 11
        with(&[("项目编号", ""), ("项目名称", "")]),             // row 12: neither
    ];
    let (status, preview) = nx
        .upload_file("/api/funds/import/preview", upload(&rows), "funds.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let errors: Vec<(i64, String, String)> = preview["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let at = |row: i64| {
        errors
            .iter()
            .find(|e| e.0 == row)
            .unwrap_or_else(|| panic!("row {row} in {errors:?}"))
    };
    assert!(errors.iter().all(|e| e.0 != 2), "{errors:?}");
    assert_eq!(at(3).1, "A");
    assert!(at(3).2.contains("不在您的管辖范围内"), "{errors:?}");
    assert_eq!(at(4).1, "B");
    assert!(at(4).2.contains("请核对是否错行"));
    assert!(at(5).2.contains("一百万"), "{errors:?}");
    assert!(at(6).2.contains("2026-13"));
    assert!(at(7).2.contains("贷款"));
    let letter = |i: usize| char::from(b'A' + i as u8).to_string();
    assert_eq!(at(8).1, letter(col(&header, "超常说明")));
    assert!(
        at(8).2.contains("超过合同金额"),
        "counts row 2 above it: {errors:?}"
    );
    assert!(
        at(9).2.contains("大于0") || at(9).2.contains("负"),
        "{errors:?}"
    );
    assert!(
        errors.iter().all(|e| e.0 != 10),
        "found by its name: {errors:?}"
    );
    assert!(at(11).2.contains("未找到名为“没有这个项目”的项目"));
    assert!(at(12).2.contains("不能都为空"));
    assert_eq!(preview["valid_rows"], 2);

    let (status, body) = nx
        .upload_file("/api/funds/import/commit", upload(&rows), "funds.xlsx")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["rows_errors"].as_array().unwrap().len() >= 7);
    let yy = app.login("yy_bureau").await;
    assert!(
        yy.items("/api/funds/review").await.is_empty(),
        "nothing entered, not even the good row"
    );

    // With a 超常说明 the over-contract row goes through (the others removed).
    let mut fixed = vec![header.clone(), with(&[])];
    let mut over = with(&[("本次到位金额（万元/万美元）", "950")]);
    over[col(&header, "超常说明")] = "含增资扩股，合同补充协议已签".into();
    fixed.push(over);
    let (status, result) = nx
        .upload_file("/api/funds/import/commit", upload(&fixed), "funds.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["entered"], 2);
    let queue = yy.items("/api/funds/review").await;
    let flagged: Vec<&Value> = queue
        .iter()
        .filter(|f| !f["warnings"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(flagged.len(), 1, "{queue:?}");
    assert_eq!(
        flagged[0]["override_reason"],
        "含增资扩股，合同补充协议已签"
    );
}

#[tokio::test]
async fn units_fill_in_their_own_projects_and_readers_cannot_import() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let unit = unit_id(&nx, "430921", "县经济开发区").await;
    let (status, d) = nx
        .post(
            "/api/projects",
            json!({
                "name": "县开发区负责的项目", "investor_name": "某公司", "origin": "in_province",
                "contract_fen": 300 * WAN, "signed_on": "2026-01-10", "region_code": "430921",
                "stage": "signed", "investor_credit_code": credit_code(), "responsible_unit_id": unit
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    let own = d["project"]["id"].as_i64().unwrap();
    let elsewhere = project(&nx, "别的单位负责的项目", "430921", "signed", 300 * WAN, 0).await;
    let nx_unit = app.login("nx_unit").await;
    let sheet = template(&nx_unit, "").await;
    let ids: Vec<&str> = sheet[1..].iter().map(|r| r[0].as_str()).collect();
    assert!(ids.contains(&own.to_string().as_str()), "{ids:?}");
    assert!(
        !ids.contains(&elsewhere.to_string().as_str()),
        "a unit's sheet holds only its own projects: {ids:?}"
    );
    // Naming another unit's project by number is refused like another county's.
    let header = sheet[0].clone();
    let mut row = vec![String::new(); header.len()];
    row[0] = elsewhere.to_string();
    row[col(&header, "到位月份")] = "2026-03".into();
    row[col(&header, "本次到位金额（万元/万美元）")] = "10".into();
    row[col(&header, "资金类型")] = "固定资产投资".into();
    let (status, preview) = nx_unit
        .upload_file(
            "/api/funds/import/preview",
            upload(&[header, row]),
            "funds.xlsx",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert!(preview["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("不在您的管辖范围内"));

    let leader = app.login("nx_leader").await;
    let (status, _) = leader
        .upload_file("/api/funds/import/preview", upload(&sheet), "funds.xlsx")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "reading is not entering");
}

/// A multipart form of the sheet and its receipts.
fn with_receipts(sheet: Vec<u8>, receipts: &[(&str, Vec<u8>)]) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(sheet).file_name("资金到位填报表.xlsx"),
    );
    for (name, bytes) in receipts {
        form = form.part(
            "receipts",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    form
}

async fn send(user: &User, path: &str, form: reqwest::multipart::Form) -> (StatusCode, Value) {
    let res = user
        .client
        .post(user.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap();
    json_of(res).await
}

/// A .zip of `files` (name, contents), with names written as UTF-8.
fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        out.start_file(*name, options).unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// `bytes` with every `from` replaced by `to` (of the same length).
fn patch(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            i += from.len();
        } else {
            i += 1;
        }
    }
    bytes
}

#[tokio::test]
async fn the_month_s_sheet_brings_its_receipts_matched_to_rows() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let a = project(&nx, "回单甲项目", "430921", "signed", 10_000 * WAN, 0).await;
    let b = project(&nx, "回单乙项目", "430921", "signed", 10_000 * WAN, 0).await;
    let c = project(&nx, "回单丙项目", "430921", "signed", 10_000 * WAN, 0).await;
    let header = [
        "项目编号",
        "项目名称",
        "到位月份",
        "币种",
        "本次到位金额（万元/万美元）",
        "资金类型",
        "回单文件",
    ];
    let row = |id: i64, name: &str, receipt: &str| {
        vec![
            id.to_string(),
            name.to_owned(),
            "2026-03".to_owned(),
            "人民币".to_owned(),
            "100".to_owned(),
            "固定资产投资".to_owned(),
            receipt.to_owned(),
        ]
    };
    let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let sheet = upload(&[
        head.clone(),
        row(a, "回单甲项目", "回单001"),
        row(b, "回单乙项目", "回单2.pdf"),
        row(c, "回单丙项目", ""),
    ]);
    let pdf = |tag: &str| format!("%PDF-1.4 {tag}").into_bytes();
    // 回单2.pdf comes in a .zip made on Chinese Windows: its name in GBK, not UTF-8.
    let zip = patch(
        zip_of(&[("XXXX2.pdf", &pdf("b")), ("__MACOSX/._x", b"junk")]),
        b"XXXX2.pdf",
        &[187, 216, 181, 165, 50, 46, 112, 100, 102],
    );
    let receipts = [
        ("回单001.PDF", pdf("a")),
        ("多余.pdf", pdf("extra")),
        ("回单.zip", zip),
    ];
    let (status, preview) = send(
        &nx,
        "/api/funds/import/preview",
        with_receipts(sheet.clone(), &receipts),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["errors"], json!([]), "{preview}");
    assert_eq!(preview["files_sent"], 3, "the zip counts by its files");
    assert_eq!(preview["rows_with_receipt"], 2);
    assert_eq!(
        preview["rows_without_receipt"],
        json!([{ "row": 4, "label": "回单丙项目" }])
    );
    assert_eq!(preview["unused_files"], json!(["多余.pdf"]));

    // A row naming a file not sent, or a file of the wrong kind, is an error on its cell.
    let bad = upload(&[
        head.clone(),
        row(a, "回单甲项目", "不存在.pdf"),
        row(b, "回单乙项目", "说明.txt"),
    ]);
    let (status, preview) = send(
        &nx,
        "/api/funds/import/preview",
        with_receipts(bad, &[("说明.txt", b"text".to_vec())]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let errors = preview["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{preview}");
    assert!(errors
        .iter()
        .all(|e| e["field"] == "receipt" && e["column"] == "G"));
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("不存在.pdf"));
    assert!(errors[1]["message"].as_str().unwrap().contains("PDF"));
    // A broken zip is refused as such.
    let (status, body) = send(
        &nx,
        "/api/funds/import/preview",
        with_receipts(sheet.clone(), &[("坏.zip", b"PK not a zip".to_vec())]),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("坏.zip"),
        "{body}"
    );

    // Committed: each record comes with its receipt, the trail says so.
    let (status, result) = send(
        &nx,
        "/api/funds/import/commit",
        with_receipts(sheet, &receipts),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    for (project, file) in [(a, Some("回单001.PDF")), (b, Some("回单2.pdf")), (c, None)] {
        let (_, funds) = nx.get(&format!("/api/projects/{project}/funds")).await;
        let record = &funds[0];
        let (_, evidence) = nx
            .get(&format!("/api/funds/{}/evidence", record["id"]))
            .await;
        let names: Vec<&str> = evidence
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["file_name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            file.into_iter().collect::<Vec<_>>(),
            "project {project}"
        );
        assert_eq!(record["evidence_count"], file.map_or(0, |_| 1));
    }
    let (_, funds) = nx.get(&format!("/api/projects/{a}/funds")).await;
    let (_, evidence) = nx
        .get(&format!("/api/funds/{}/evidence", funds[0]["id"]))
        .await;
    let res = nx
        .get_raw(&format!("/api/attachments/{}", evidence[0]["id"]))
        .await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf("a").as_slice());
    // The city sees the evidence in its queue.
    let yy = app.login("yy_bureau").await;
    let queue = yy.items("/api/funds/review?evidence=true").await;
    assert_eq!(queue.len(), 2, "{queue:?}");
}
