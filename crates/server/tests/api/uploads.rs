//! Uploaded workbooks cannot take the server down: the files that crashed it, archive bombs,
//! declared sizes that lie, sheets past every limit, and a corpus of a few hundred mutated
//! workbooks, each sent to every import — no 5xx, no crash, nothing written by a refusal.

use crate::helpers::*;
use luodi_server::{office::SheetLimits, ServerSettings};
use luodi_store::AuthSettings;
use reqwest::StatusCode;
use serde_json::Value;
use std::io::{Read, Write};

const EVENTS_HEADER: &[&str] = &["活动名称", "级别", "举办日期", "主办单位", "组织地区"];
const PROJECTS_HEADER: &[&str] = &[
    "项目名称",
    "投资方",
    "资金来源",
    "合同资金（万元）",
    "签约日期",
    "落户地",
    "项目阶段",
];

/// The workbook's parts, by name, in archive order.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut part = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            part.read_to_end(&mut data).unwrap();
            (part.name().unwrap().into_owned(), data)
        })
        .collect()
}

fn rezip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for (name, data) in parts {
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn part_mut<'a>(parts: &'a mut [(String, Vec<u8>)], suffix: &str) -> &'a mut Vec<u8> {
    &mut parts
        .iter_mut()
        .find(|(n, _)| n.ends_with(suffix))
        .unwrap_or_else(|| panic!("{suffix} in the workbook"))
        .1
}

fn replace(data: &mut Vec<u8>, from: &str, to: &str) {
    let text = String::from_utf8(data.clone()).unwrap();
    assert!(text.contains(from), "{from} in {text}");
    *data = text.replacen(from, to, 1).into_bytes();
}

fn events_workbook() -> Vec<u8> {
    workbook(&[
        EVENTS_HEADER,
        &[
            "2026年上传测试签约活动",
            "县级",
            "2026-03-01",
            "南县人民政府",
            "南县",
        ],
    ])
}

/// Sends `file` to a preview as the nx_bureau would; answers status and body.
async fn preview(user: &User, file: Vec<u8>) -> (StatusCode, Value) {
    user.upload_file("/api/events/import/preview", file, "活动.xlsx")
        .await
}

#[tokio::test]
async fn the_two_files_that_crashed_the_server_are_refused_and_it_keeps_serving() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;

    // 1.9 KB declaring ten billion shared strings: calamine reserved 240 GB and aborted.
    let mut parts = unzip(&events_workbook());
    let sst = part_mut(&mut parts, "sharedStrings.xml");
    let text = String::from_utf8(sst.clone()).unwrap();
    let start = text.find("<sst").unwrap();
    let end = start + text[start..].find('>').unwrap();
    *sst = format!(
        "{}<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"10000000000\" uniqueCount=\"10000000000\"{}",
        &text[..start],
        &text[end..]
    )
    .into_bytes();
    let bomb = rezip(&parts);
    assert!(bomb.len() < 8 * 1024, "a small file: {} bytes", bomb.len());
    for path in ["/api/events/import/preview", "/api/events/import/commit"] {
        let (status, body) = nx.upload_file(path, bomb.clone(), "bomb.xlsx").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_error(&body, "sheet_too_large");
    }

    // A sheet whose only cell is at XFD1048576: a 550 GB rectangle before.
    for dimension in ["<dimension ref=\"XFD1048576\"/>", ""] {
        let mut parts = unzip(&events_workbook());
        *part_mut(&mut parts, "worksheets/sheet1.xml") = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
             <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">{dimension}\
             <sheetData><row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>活动名称</t></is></c></row></sheetData></worksheet>"
        )
        .into_bytes();
        let (status, body) = preview(&nx, rezip(&parts)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let code = body["code"].as_str().unwrap();
        assert!(
            ["sheet_too_large", "too_many_rows"].contains(&code),
            "{body}"
        );
    }

    // Still serving, and still importing a good sheet.
    let (status, body) = preview(&nx, events_workbook()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rows"].as_array().map(Vec::len), Some(1), "{body}");
}

#[tokio::test]
async fn archive_bombs_and_lying_sizes_are_refused_before_they_are_unpacked() {
    let settings = ServerSettings {
        sheets: SheetLimits {
            max_unpacked_mb: 4,
            max_rows: 50,
            ..SheetLimits::default()
        },
        ..ServerSettings::default()
    };
    let app = spawn_app_configured(AuthSettings::default(), settings).await;
    let nx = app.login("nx_bureau").await;
    let base = unzip(&events_workbook());

    // A part that inflates a thousandfold (8 MB of zeros in a few KB).
    let mut parts = base.clone();
    parts.push(("xl/media/padding.bin".into(), vec![0; 8 * 1024 * 1024]));
    let file = rezip(&parts);
    assert!(file.len() < 64 * 1024);
    let (status, body) = preview(&nx, file).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "sheet_too_large");
    assert!(body["message"].as_str().unwrap().contains("倍"), "{body}");

    // Parts that together unpack beyond the configured total, at an ordinary ratio.
    let mut parts = base.clone();
    let noise: Vec<u8> = (0..5 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    parts.push(("xl/media/photo.bin".into(), noise));
    let (status, body) = preview(&nx, rezip(&parts)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "sheet_too_large");
    assert!(body["message"].as_str().unwrap().contains("4MB"), "{body}");

    // Too many parts.
    let mut parts = base.clone();
    for i in 0..1_001 {
        parts.push((format!("xl/extra/{i}.xml"), b"<a/>".to_vec()));
    }
    let (status, body) = preview(&nx, rezip(&parts)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "sheet_too_large");

    // A worksheet whose declared size is smaller than what it inflates to: the zip reader
    // stops at the declared size, so the lie is caught instead of trusted.
    let mut file = rezip(&base);
    let sheet_name = b"xl/worksheets/sheet1.xml";
    let mut patched = 0;
    for at in 0..file.len().saturating_sub(46) {
        let central = file[at..].starts_with(&[0x50, 0x4b, 0x01, 0x02]);
        let local = file[at..].starts_with(&[0x50, 0x4b, 0x03, 0x04]);
        let (name_at, size_at) = match (central, local) {
            (true, _) => (at + 46, at + 24),
            (_, true) => (at + 30, at + 22),
            _ => continue,
        };
        if file[name_at..].starts_with(sheet_name) {
            file[size_at..size_at + 4].copy_from_slice(&40u32.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "local and central headers of the sheet");
    let (status, body) = preview(&nx, file).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "invalid_file");

    // A sheet that declares a million rows is refused unread; one that has more data rows
    // than the configured limit stops at the limit.
    let mut parts = base.clone();
    replace(
        part_mut(&mut parts, "worksheets/sheet1.xml"),
        "<dimension ref=\"A1:E2\"/>",
        "<dimension ref=\"A1:E1048576\"/>",
    );
    let (status, body) = preview(&nx, rezip(&parts)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "sheet_too_large");
    assert!(
        body["message"].as_str().unwrap().contains("1048576"),
        "{body}"
    );

    let names: Vec<String> = (0..51).map(|i| format!("2026年测试活动{i}")).collect();
    let mut rows: Vec<Vec<&str>> = vec![EVENTS_HEADER.to_vec()];
    for name in &names {
        rows.push(vec![name, "县级", "2026-03-01", "南县人民政府", "南县"]);
    }
    let slices: Vec<&[&str]> = rows.iter().map(Vec::as_slice).collect();
    let mut parts = unzip(&workbook(&slices));
    // Without a dimension the reader only learns the size by reading.
    let sheet = part_mut(&mut parts, "worksheets/sheet1.xml");
    let text = String::from_utf8(sheet.clone()).unwrap();
    let start = text.find("<dimension").unwrap();
    let end = start + text[start..].find("/>").unwrap() + 2;
    *sheet = format!("{}{}", &text[..start], &text[end..]).into_bytes();
    let (status, body) = preview(&nx, rezip(&parts)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "too_many_rows");
    assert!(body["message"].as_str().unwrap().contains("50"), "{body}");
    let (status, body) = preview(&nx, workbook(&slices[..51])).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "50 rows are within the limit: {body}"
    );

    // Old .xls (and encrypted workbooks, which share its container) get a way out.
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.resize(4096, 0);
    let (status, body) = preview(&nx, xls).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "invalid_file");
    assert!(
        body["message"].as_str().unwrap().contains(".xlsx"),
        "{body}"
    );
}

#[tokio::test]
async fn an_account_that_may_not_import_is_refused_before_its_file_is_read() {
    let app = spawn_app().await;
    let unit = app.login("nx_unit").await;
    let leader = app.login("nx_leader").await;
    let garbage = b"not a workbook at all".to_vec();
    for user in [&unit, &leader] {
        for path in [
            "/api/events/import/preview",
            "/api/events/import/commit",
            "/api/projects/import/preview",
            "/api/projects/import/commit",
            "/api/units/import/preview",
            "/api/units/import/commit",
        ] {
            let (status, body) = user.upload_file(path, garbage.clone(), "x.xlsx").await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
            assert_error(&body, "forbidden");
        }
    }
    let (status, body) = leader
        .upload_file("/api/funds/import/preview", garbage.clone(), "x.xlsx")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = leader
        .upload_file("/api/funds/1/evidence", garbage, "x.pdf")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

const UPLOADS: &[&str] = &[
    "/api/events/import/preview",
    "/api/events/import/commit",
    "/api/projects/import/preview",
    "/api/projects/import/commit",
    "/api/units/import/preview",
    "/api/units/import/commit",
    "/api/funds/import/preview",
    "/api/funds/import/commit",
    "/api/funds/1/evidence",
];

#[tokio::test]
async fn every_upload_answers_a_request_without_a_boundary_in_the_json_error_shape() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    for path in UPLOADS {
        for content_type in ["multipart/form-data", "application/json", "text/plain"] {
            let res = nx
                .client
                .post(nx.url(path))
                .header("content-type", content_type)
                .body("x")
                .send()
                .await
                .unwrap();
            let (status, body) = json_of(res).await;
            assert!(
                status == StatusCode::BAD_REQUEST || status == StatusCode::FORBIDDEN,
                "{path} {content_type}: {status} {body}"
            );
            assert!(body["code"].is_string(), "{path}: {body}");
        }
    }
}

/// splitmix64: the corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One mutant of `base`: raw byte damage, or a change to one XML part re-zipped.
fn mutate(base: &[u8], rng: &mut Rng) -> Vec<u8> {
    let kind = rng.below(10);
    if kind == 0 {
        let mut file = base.to_vec();
        for _ in 0..=rng.below(20) {
            let at = rng.below(file.len());
            file[at] ^= 1 << rng.below(8);
        }
        return file;
    }
    if kind == 1 {
        return base[..rng.below(base.len())].to_vec();
    }
    let mut parts = unzip(base);
    let index = rng.below(parts.len());
    let xml_parts: Vec<usize> = (0..parts.len())
        .filter(|&i| parts[i].0.ends_with(".xml") || parts[i].0.ends_with(".rels"))
        .collect();
    let target = *rng.pick(&xml_parts);
    let sheet = parts
        .iter()
        .position(|(n, _)| n.ends_with("worksheets/sheet1.xml"))
        .unwrap();
    match kind {
        2 => {
            // A number somewhere becomes absurd.
            let text = String::from_utf8_lossy(&parts[target].1).into_owned();
            let digits: Vec<usize> = text
                .char_indices()
                .filter(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            if let Some(&at) = digits.get(rng.below(digits.len())) {
                let huge = rng.pick(&[
                    "4294967296",
                    "18446744073709551616",
                    "-1",
                    "99999999999",
                    "1e308",
                    "NaN",
                ]);
                parts[target].1 =
                    format!("{}{}{}", &text[..at], huge, &text[at + 1..]).into_bytes();
            }
        }
        3 => {
            // A cell moves somewhere impossible.
            let text = String::from_utf8_lossy(&parts[sheet].1).into_owned();
            let refs: Vec<usize> = text.match_indices(" r=\"").map(|(i, _)| i + 4).collect();
            if let Some(&at) = refs.get(rng.below(refs.len())) {
                let end = at + text[at..].find('"').unwrap();
                let to = rng.pick(&[
                    "XFD1048576",
                    "A0",
                    "ZZZZ1",
                    "A99999999999",
                    "",
                    "A1048577",
                    "1",
                    "B",
                ]);
                parts[sheet].1 = format!("{}{}{}", &text[..at], to, &text[end..]).into_bytes();
            }
        }
        4 => {
            let data = &mut parts[target].1;
            if !data.is_empty() {
                let at = rng.below(data.len());
                let len = (10 + rng.below(200)).min(data.len() - at);
                data.drain(at..at + len);
            }
        }
        5 => {
            let data = &mut parts[target].1;
            let at = rng.below(data.len() + 1);
            let junk: Vec<u8> = (0..1 + rng.below(40))
                .map(|_| *rng.pick(&[b'<', b'>', b'&', b'"', 0, 0xff, 0xc3, b'a', b'/', b';']))
                .collect();
            data.splice(at..at, junk);
        }
        6 => {
            // A row repeated many times, keeping its number.
            let text = String::from_utf8_lossy(&parts[sheet].1).into_owned();
            if let (Some(start), Some(end)) = (text.rfind("<row"), text.rfind("</row>")) {
                if start < end {
                    let row = &text[start..end + 6];
                    let copies = row.repeat(1 + rng.below(3_000));
                    parts[sheet].1 =
                        format!("{}{}{}", &text[..start], copies, &text[end + 6..]).into_bytes();
                }
            }
        }
        7 => {
            // A shared-string index or count out of range.
            let text = String::from_utf8_lossy(&parts[sheet].1).into_owned();
            let values: Vec<usize> = text.match_indices("<v>").map(|(i, _)| i + 3).collect();
            if let Some(&at) = values.get(rng.below(values.len())) {
                let end = at + text[at..].find('<').unwrap();
                let to = rng.pick(&["999999999", "-5", "", "18446744073709551615", "x"]);
                parts[sheet].1 = format!("{}{}{}", &text[..at], to, &text[end..]).into_bytes();
            }
        }
        8 => {
            parts.remove(index);
        }
        _ => {
            let other = parts[rng.below(parts.len())].1.clone();
            parts[target].1 = if rng.below(2) == 0 { Vec::new() } else { other };
        }
    }
    rezip(&parts)
}

async fn table_counts(database_url: &str) -> Vec<i64> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(database_url).await.unwrap();
    let mut counts = Vec::new();
    for table in ["signing_events", "projects", "units", "fund_arrivals"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut conn)
            .await
            .unwrap();
        counts.push(n);
    }
    counts
}

#[tokio::test]
async fn a_corpus_of_broken_workbooks_gets_no_server_error_and_writes_nothing() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let fund_template = nx.get_raw("/api/funds/import/template").await;
    assert_eq!(fund_template.status(), StatusCode::OK);
    let bases: Vec<(&str, &str, usize, Vec<u8>)> = vec![
        (
            "/api/events/import/preview",
            "/api/events/import/commit",
            0,
            events_workbook(),
        ),
        (
            "/api/projects/import/preview",
            "/api/projects/import/commit",
            1,
            workbook(&[
                PROJECTS_HEADER,
                &[
                    "上传测试项目",
                    "湖南某某有限公司",
                    "省内",
                    "1000",
                    "2026-03-01",
                    "南县",
                    "已签约",
                ],
            ]),
        ),
        (
            "/api/units/import/preview",
            "/api/units/import/commit",
            2,
            workbook(&[
                UNIT_HEADER,
                &["上传测试单位", "项目落户地", "", "", "", "", ""],
            ]),
        ),
        (
            "/api/funds/import/preview",
            "/api/funds/import/commit",
            3,
            fund_template.bytes().await.unwrap().to_vec(),
        ),
    ];
    let mut expected = table_counts(&app.database_url).await;
    let mut rng = Rng(20_261_206);
    let mut sent = 0;
    let mut refused = 0;
    for (preview_path, commit_path, table, base) in &bases {
        for _ in 0..80 {
            let file = mutate(base, &mut rng);
            for path in [preview_path, commit_path] {
                let form = reqwest::multipart::Form::new()
                    .part(
                        "file",
                        reqwest::multipart::Part::bytes(file.clone()).file_name("fuzz.xlsx"),
                    )
                    .text("region_code", "430921");
                let res = nx
                    .client
                    .post(nx.url(path))
                    .multipart(form)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{path}: the server went away: {e}"));
                let (status, body) = json_of(res).await;
                assert!(
                    !status.is_server_error(),
                    "{path}: {status} {body} for mutant {sent}"
                );
                assert!(
                    status == StatusCode::OK || body["code"].is_string(),
                    "{path}: {status} without the error shape: {body}"
                );
                if path == commit_path && status == StatusCode::OK {
                    // A mutant that is still a valid sheet (a damaged part nobody reads)
                    // imports like any other; only refusals must leave nothing behind.
                    let written = body["inserted"].as_i64().or(body["entered"].as_i64());
                    expected[*table] += written.unwrap_or_else(|| panic!("{body}"));
                }
                refused += usize::from(status != StatusCode::OK);
            }
            sent += 1;
        }
    }
    assert!(sent >= 300, "{sent} mutants");
    assert!(
        refused > sent / 2,
        "most mutants are refused: {refused} of {}",
        sent * 2
    );
    assert_eq!(
        table_counts(&app.database_url).await,
        expected,
        "nothing written but what valid mutants imported"
    );
    // Still serving a good sheet.
    let (status, body) = preview(&nx, events_workbook()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
