use crate::helpers::*;
use crate::scope::read_xlsx;
use reqwest::StatusCode;
use serde_json::json;

const EXAMPLE_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/nanxian-units.csv"
);
const EXAMPLE_XLSX: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/nanxian-units.xlsx"
);

fn example_rows() -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(EXAMPLE_CSV).unwrap();
    let mut rows = vec![reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect()];
    rows.extend(
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect()),
    );
    rows
}

/// The shipped example workbook holds exactly the annex of 南政发〔2022〕6号 (the CSV beside
/// it). `LUODI_WRITE_EXAMPLES=1` regenerates it from the CSV.
#[test]
fn the_example_workbook_matches_the_annex() {
    let rows = example_rows();
    if std::env::var("LUODI_WRITE_EXAMPLES").is_ok() {
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
        std::fs::write(EXAMPLE_XLSX, workbook(&slices)).unwrap();
    }
    let sheet = read_xlsx(std::fs::read(EXAMPLE_XLSX).expect("examples/nanxian-units.xlsx"));
    assert_eq!(sheet, rows);
    assert_eq!(rows.len(), 1 + 22 + 14 + 33);
}

#[tokio::test]
async fn the_nan_county_list_imports_into_a_county_in_one_go() {
    let app = spawn_app().await;
    let yy = app.login("yy_bureau").await;
    let before = yy.items("/api/units?region=430981").await.len();
    let encouraged_before = yy
        .items("/api/units?region=430981&category=encouraged")
        .await
        .len();
    let file = std::fs::read(EXAMPLE_XLSX).unwrap();

    let (status, preview) = yy
        .upload("/api/units/import/preview", file.clone(), "430981")
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["total_rows"], 69);
    assert_eq!(preview["valid_rows"], 69, "{}", preview["errors"]);
    assert_eq!(preview["rows"][0]["name"], "县商务局(县投资促进服务中心)");
    assert_eq!(preview["rows"][0]["subcategory"], "coordinating");
    // A preview writes nothing.
    assert_eq!(yy.items("/api/units?region=430981").await.len(), before);

    let (status, result) = yy
        .upload("/api/units/import/commit", file.clone(), "430981")
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["inserted"], 69);
    let units = yy
        .items("/api/units?region=430981&category=encouraged")
        .await;
    assert_eq!(units.len(), encouraged_before + 33);
    assert!(units.iter().any(|u| u["name"] == "县委办"));

    // A second import of the same sheet is refused row by row, and writes nothing.
    let (status, body) = yy.upload("/api/units/import/commit", file, "430981").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "import_rejected");
    let errors = body["rows_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 69);
    assert_eq!(errors[0]["row"], 2);
    assert_eq!(errors[0]["column"], "A");
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("已在该行政区划的名录中"));
    assert_eq!(
        yy.items("/api/units?region=430981").await.len(),
        before + 69
    );

    let audit = app
        .login("hn_auditor")
        .await
        .items("/api/audit?entity=unit&action=import")
        .await;
    assert_eq!(audit.len(), 69);
    assert_eq!(audit[0]["actor_name"], "yy_bureau");
}

#[tokio::test]
async fn a_sheet_with_bad_rows_is_refused_whole_with_row_and_column() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let before = nx.items("/api/units").await.len();
    let file = workbook(&[
        UNIT_HEADER,
        &[
            "南县新设招商专班",
            "责任招商单位",
            "综合协调单位",
            "23",
            "",
            "",
            "",
        ],
        &["", "项目落户地", "", "", "张三", "", ""],
        &["南县新设招商专班", "项目落户地", "", "", "", "", ""],
        &["某产业园", "落户地", "", "x", "", "", ""],
        &["某镇", "项目落户地", "产业招商单位", "", "", "", ""],
        &["县委办", "鼓励招商单位", "", "", "", "", ""],
    ]);
    let (status, preview) = nx
        .upload("/api/units/import/preview", file.clone(), "430921")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preview["total_rows"], 6);
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
    assert!(at(3, "A").contains("不能为空"));
    assert!(at(4, "A").contains("与第2行重复"));
    assert!(at(5, "B").contains("单位类别应为"));
    assert!(at(5, "D").contains("排序应为非负整数"));
    assert!(at(6, "C").contains("只有责任招商单位"));
    assert!(at(7, "A").contains("已在该行政区划的名录中"));

    let (status, body) = nx.upload("/api/units/import/commit", file, "430921").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "import_rejected");
    assert_eq!(
        nx.items("/api/units").await.len(),
        before,
        "nothing written"
    );
}

#[tokio::test]
async fn files_that_are_not_the_template_are_refused_clearly() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, body) = nx
        .upload(
            "/api/units/import/preview",
            b"name,category\nfoo,bar\n".to_vec(),
            "430921",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "invalid_file");

    let mut truncated = workbook(&[UNIT_HEADER, &["某单位", "项目落户地", "", "", "", "", ""]]);
    truncated.truncate(truncated.len() / 2);
    let (status, body) = nx
        .upload("/api/units/import/commit", truncated, "430921")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "invalid_file");

    let (status, body) = nx
        .upload(
            "/api/units/import/preview",
            workbook(&[&["名称", "类型"], &["a", "b"]]),
            "430921",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "invalid_template");
    assert!(body["message"].as_str().unwrap().contains("单位名称"));

    let (status, body) = nx
        .upload(
            "/api/units/import/preview",
            workbook(&[UNIT_HEADER]),
            "430921",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("没有数据行"));
}

#[tokio::test]
async fn template_and_export_are_real_workbooks() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let res = nx.get_raw("/api/units/import/template").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("filename*=UTF-8''"));
    let template = read_xlsx(res.bytes().await.unwrap().to_vec());
    assert_eq!(template[0][0], "*单位名称");
    assert_eq!(template[0][1], "*单位类别");

    let res = nx.get_raw("/api/units/export?category=landing").await;
    let rows = read_xlsx(res.bytes().await.unwrap().to_vec());
    assert_eq!(rows[0][0], "单位名称");
    assert_eq!(rows[0][9], "行政区划");
    assert_eq!(rows.len(), 1 + 14);
    assert!(rows[1..]
        .iter()
        .all(|r| r[1] == "项目落户地" && r[9] == "南县"));
}

#[tokio::test]
async fn units_are_created_and_edited_with_checks() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, body) = nx
        .post(
            "/api/units",
            json!({ "name": "县招商专班", "category": "investment", "region_code": "430921" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["subcategory"][0]
        .as_str()
        .unwrap()
        .contains("子类别"));

    let (status, unit) = nx
        .post(
            "/api/units",
            json!({ "name": " 县招商 专班 ", "category": "investment", "subcategory": "industry",
                    "region_code": "430921", "contact_person": "李四" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{unit}");
    assert_eq!(unit["name"], "县招商专班");
    assert_eq!(unit["category_label"], "责任招商单位");
    assert_eq!(unit["subcategory_label"], "产业招商单位");

    let (status, body) = nx
        .post(
            "/api/units",
            json!({ "name": "县招商专班", "category": "landing", "region_code": "430921" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["errors"]["name"][0], "该行政区划下已有同名单位");

    let id = unit["id"].as_i64().unwrap();
    let update = |version: i64| {
        json!({ "name": "县招商专班（产业链）", "category": "investment", "subcategory": "industry",
                "region_code": "430921", "sort_order": 30, "active": true, "version": version })
    };
    let (status, updated) = nx.put(&format!("/api/units/{id}"), update(1)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["version"], 2);
    let (status, body) = nx.put(&format!("/api/units/{id}"), update(1)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "stale_version");
}

#[tokio::test]
async fn a_landing_unit_stands_for_a_zone_of_its_own_county() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    // The demo links 南县's landing units to their zones by name.
    let landing = nx.items("/api/units?region=430921&category=landing").await;
    let kaifaqu = landing
        .iter()
        .find(|u| u["name"] == "县经济开发区")
        .unwrap();
    assert_eq!(kaifaqu["zone_name"], "南县经济开发区");
    let nanzhou = landing.iter().find(|u| u["name"] == "南洲镇").unwrap();
    assert_eq!(nanzhou["zone_name"], "南洲镇");

    let wuzui = zone_id(&nx, "430921", "乌嘴乡").await;
    let yuanjiang_park = zone_id(&nx, "430981", "沅江高新技术产业园区").await;
    let unit = |category: &str, zone: i64| {
        json!({ "name": "乌嘴乡产业园服务中心", "category": category,
                "subcategory": if category == "investment" { json!("industry") } else { json!(null) },
                "region_code": "430921", "zone_id": zone })
    };
    // A zone of another county, a unit that is not a landing place, a zone that does not exist.
    let (status, body) = nx.post("/api/units", unit("landing", yuanjiang_park)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = body["errors"]["zone_id"][0].as_str().unwrap();
    assert!(
        message.contains("沅江高新技术产业园区") && message.contains("不在南县"),
        "{body}"
    );
    let (status, body) = nx.post("/api/units", unit("investment", wuzui)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"]["zone_id"][0],
        "只有“项目落户地”类别的单位可以关联园区/乡镇"
    );
    let (status, body) = nx.post("/api/units", unit("landing", 999_999)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"]["zone_id"][0], "所选园区/乡镇不存在");

    let (status, created) = nx.post("/api/units", unit("landing", wuzui)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["zone_name"], "乌嘴乡");
    let id = created["id"].as_i64().unwrap();
    // Moving it to another county's zone is refused the same way; clearing it is fine.
    let mut update = unit("landing", yuanjiang_park);
    update["active"] = json!(true);
    update["version"] = created["version"].clone();
    let (status, body) = nx.put(&format!("/api/units/{id}"), update.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["zone_id"].is_array(), "{body}");
    update["zone_id"] = json!(null);
    let (status, updated) = nx.put(&format!("/api/units/{id}"), update).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert!(updated["zone_id"].is_null());

    // Audited like other unit edits, the zone before and after.
    let audit = app
        .login("nx_auditor")
        .await
        .items("/api/audit?entity=unit&action=update")
        .await;
    assert_eq!(audit[0]["before"]["zone_id"], wuzui, "{:?}", audit[0]);
    assert!(audit[0]["after"]["zone_id"].is_null());

    // The sheet carries the zone by name: checked on import, written on export.
    let mut header = UNIT_HEADER.to_vec();
    header.push("园区/乡镇");
    let sheet = workbook(&[
        &header,
        &[
            "厂窖镇招商服务站",
            "项目落户地",
            "",
            "",
            "",
            "",
            "",
            "厂窖镇",
        ],
        &[
            "茅草街镇招商服务站",
            "项目落户地",
            "",
            "",
            "",
            "",
            "",
            "沅江高新技术产业园区",
        ],
        &[
            "县招商服务专班",
            "责任招商单位",
            "产业招商单位",
            "",
            "",
            "",
            "",
            "厂窖镇",
        ],
    ]);
    let (status, preview) = nx
        .upload("/api/units/import/preview", sheet, "430921")
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 1, "{preview}");
    assert_eq!(preview["rows"][0]["zone_name"], "厂窖镇");
    let errors = preview["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{preview}");
    assert_eq!(
        (errors[0]["row"].as_i64(), errors[0]["column"].as_str()),
        (Some(3), Some("H"))
    );
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("不是该行政区划的园区/乡镇"));
    assert_eq!(errors[1]["row"], 4);
    assert_eq!(
        errors[1]["message"],
        "只有“项目落户地”类别的单位可以关联园区/乡镇"
    );

    let res = nx.get_raw("/api/units/export?category=landing").await;
    let rows = read_xlsx(res.bytes().await.unwrap().to_vec());
    let zone_column = rows[0].iter().position(|h| h == "园区/乡镇").unwrap();
    let kaifaqu = rows.iter().find(|r| r[0] == "县经济开发区").unwrap();
    assert_eq!(kaifaqu[zone_column], "南县经济开发区");
}
