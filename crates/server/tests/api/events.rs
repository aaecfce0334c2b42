use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

fn event(name: &str, level: &str, region: &str) -> serde_json::Value {
    json!({ "name": name, "level": level, "held_on": "2019-05-28", "host": "湖南省人民政府", "region_code": region })
}

#[tokio::test]
async fn provincial_events_are_seen_below_and_county_events_stay_in_their_county() {
    let app = spawn_app().await;
    let province = app.login("hn_bureau").await;
    let (status, fair) = province
        .post(
            "/api/events",
            event("2019湖南—粤港澳大湾区投资贸易洽谈周", "province", "430000"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{fair}");
    assert_eq!(fair["level_label"], "省级");

    let nx = app.login("nx_bureau").await;
    let (status, local) = nx
        .post(
            "/api/events",
            event("2019南县稻虾产业招商推介会", "county", "430921"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let yj = app.login("yyx_bureau").await;
    let names: Vec<String> = yj
        .items("/api/events")
        .await
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        names.contains(&"2019湖南—粤港澳大湾区投资贸易洽谈周".to_owned()),
        "a county sees the provincial fair"
    );
    assert!(
        !names.iter().any(|n| n.contains("南县")),
        "…but not another county's event: {names:?}"
    );
    let (status, _) = yj.get(&format!("/api/events/{}", local["id"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = nx.get(&format!("/api/events/{}", local["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(province.items("/api/events?year=2019").await.len(), 2);
    assert!(province.items("/api/events?year=2020").await.is_empty());

    // Projects signed at the fair by two counties: each county counts its own share, the
    // province both.
    for (user, region, wan) in [(&nx, "430921", 1_000), (&yj, "430981", 3_000)] {
        let (status, p) = user
            .post(
                "/api/projects",
                serde_json::json!({
                    "name": format!("{region}洽谈周签约项目"), "investor_name": "某投资有限公司",
                    "origin": "out_of_province", "contract_fen": wan * 1_000_000i64,
                    "signed_on": "2019-05-30", "event_id": fair["id"], "region_code": region,
                    "stage": "signed", "investor_credit_code": credit_code()
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{p}");
    }
    let fair_as = |events: Vec<serde_json::Value>| {
        events.into_iter().find(|e| e["id"] == fair["id"]).unwrap()
    };
    let county_view = fair_as(nx.items("/api/events").await);
    assert_eq!(county_view["project_count"], 1);
    assert_eq!(county_view["contract_fen"], 1_000_000_000i64);
    let province_view = fair_as(province.items("/api/events").await);
    assert_eq!(province_view["project_count"], 2);
    assert_eq!(province_view["contract_fen"], 4_000_000_000i64);
    assert_eq!(province_view["arrival_rate"], "0.00%");
    let (_, one) = yj.get(&format!("/api/events/{}", fair["id"])).await;
    assert_eq!(one["project_count"], 1);

    // The export holds the same figures, in the exporter's own scope.
    let rows = xlsx_rows(&province, "/api/events/export?year=2019").await;
    assert_eq!(rows[0][0], "活动名称");
    assert_eq!(rows.len(), 3, "header + two events");
    let fair_row = rows.iter().find(|r| r[0].contains("洽谈周")).unwrap();
    assert_eq!(
        (fair_row[1].as_str(), fair_row[2].as_str()),
        ("省级", "2019-05-28")
    );
    assert_eq!(fair_row[5], "2");
    assert_eq!(fair_row[6], "4000", "万元, as a number");
    assert_eq!(fair_row[8], "0", "0.00% as a percentage cell");
    let county_rows = xlsx_rows(&yj, "/api/events/export").await;
    assert!(
        county_rows.iter().all(|r| !r[0].contains("南县")),
        "another county's event is not exported: {county_rows:?}"
    );
    let fair_row = county_rows
        .iter()
        .find(|r| r[0].contains("洽谈周"))
        .unwrap();
    assert_eq!(fair_row[5], "1", "沅江's own share of the fair");
}

#[tokio::test]
async fn event_input_is_checked() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, body) = nx
        .post("/api/events", json!({ "name": "", "level": "national", "held_on": "2019-02-30", "region_code": "430981" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "level", "held_on", "region_code"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    nx.post("/api/events", event("南县招商推介会", "county", "430921"))
        .await;
    let (status, body) = nx
        .post("/api/events", event("南县招商推介会", "county", "430921"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["errors"]["name"][0], "该组织地区已有同名的签约活动");
    // A name is one region's: another county holds an event of the same name, and is not
    // told that 南县 has one.
    let common = event("2019年一季度重大项目集中签约活动", "county", "430921");
    let (status, _) = nx.post("/api/events", common.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let mut theirs = common.clone();
    theirs["region_code"] = json!("430981");
    let (status, body) = app
        .login("yyx_bureau")
        .await
        .post("/api/events", theirs)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = nx.post("/api/events", common).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let unit = app.login("nx_unit").await;
    let (status, _) = unit
        .post("/api/events", event("私设活动", "county", "430921"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn events_are_corrected_by_their_organisers_at_the_version_read() {
    let app = spawn_app().await;
    let province = app.login("hn_bureau").await;
    let nx = app.login("nx_bureau").await;
    let (_, fair) = province
        .post(
            "/api/events",
            event("2019湖南—粤港澳大湾区投资贸易洽谈周", "province", "430000"),
        )
        .await;
    let (_, local) = nx
        .post(
            "/api/events",
            event("2019南县稻虾推介会", "county", "430921"),
        )
        .await;
    let path = format!("/api/events/{}", local["id"]);
    let fix = |name: &str, version: &serde_json::Value| {
        json!({ "name": name, "level": "county", "held_on": "2019/6/2", "host": "南县人民政府",
                "region_code": "430921", "version": version })
    };
    let (status, fixed) = nx
        .put(&path, fix("2019南县稻虾产业招商推介会", &local["version"]))
        .await;
    assert_eq!(status, StatusCode::OK, "{fixed}");
    assert_eq!(fixed["name"], "2019南县稻虾产业招商推介会");
    assert_eq!(fixed["held_on"], "2019-06-02");
    assert_eq!(fixed["host"], "南县人民政府");
    // A second edit made from the same stale copy is refused, not silently applied.
    let (status, body) = nx.put(&path, fix("又一个名字", &local["version"])).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, now) = nx.get(&path).await;
    assert_eq!(now["name"], "2019南县稻虾产业招商推介会");
    // Audited with before and after.
    let auditor = app.login("hn_auditor").await;
    let entries = auditor.items("/api/audit?entity=signing_event").await;
    let entry = entries
        .iter()
        .find(|e| e["action"] == "update")
        .unwrap_or_else(|| panic!("{entries:?}"));
    assert_eq!(entry["before"]["name"], "2019南县稻虾推介会");
    assert_eq!(entry["after"]["name"], "2019南县稻虾产业招商推介会");

    // A county sees the provincial fair but may not edit it; another county cannot see 南县's.
    let (status, _) = nx
        .put(
            &format!("/api/events/{}", fair["id"]),
            json!({ "name": "改名", "level": "province", "held_on": "2019-05-28",
                    "region_code": "430000", "version": fair["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let yj = app.login("yyx_bureau").await;
    let (status, _) = yj.put(&path, fix("沅江改的名", &now["version"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The province may move its fair to 益阳 only while no project elsewhere was signed at it.
    let (status, p) = app
        .login("cs_bureau")
        .await
        .post(
            "/api/projects",
            json!({ "name": "长沙洽谈周签约项目", "investor_name": "某公司", "origin": "out_of_province",
                    "contract_fen": 1_000_000_000i64, "signed_on": "2019-05-30",
                    "event_id": fair["id"], "region_code": "430181", "stage": "signed", "investor_credit_code": credit_code() }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let (status, body) = province
        .put(
            &format!("/api/events/{}", fair["id"]),
            json!({ "name": fair["name"], "level": "prefecture", "held_on": "2019-05-28",
                    "region_code": "430900", "version": fair["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["region_code"][0]
        .as_str()
        .unwrap()
        .contains("以外的签约项目"));
}

#[tokio::test]
async fn an_events_sheet_imports_all_rows_or_none() {
    let app = spawn_app().await;
    let yy = app.login("yy_bureau").await;
    let res = yy.get_raw("/api/events/import/template").await;
    assert_eq!(res.status(), StatusCode::OK);
    let template = crate::scope::read_xlsx(res.bytes().await.unwrap().to_vec());
    assert_eq!(
        template[0],
        ["*活动名称", "*级别", "*举办日期", "主办单位", "*组织地区"]
    );
    yy.post(
        "/api/events",
        event("2026益阳市重点项目集中签约", "prefecture", "430900"),
    )
    .await;
    let header = ["活动名称", "级别", "举办日期", "主办单位", "组织地区"];
    let bad: &[&[&str]] = &[
        &header,
        &[
            "2026益阳（深圳）招商推介会",
            "市级",
            "2026-04-16",
            "益阳市人民政府",
            "益阳市",
        ],
        &["2026南县稻虾节签约", "县级", "2026/6/8", "", "430921"],
        &[
            "2026益阳市重点项目集中签约",
            "市级",
            "2026-03-01",
            "",
            "益阳市",
        ], // row 4: exists
        &["2026南县稻虾节签约", "县级", "2026-06-08", "", "南县"], // row 5: twice in the sheet
        &["2026沅江船舶展", "国家级", "2026-13-01", "", "长沙县"], // row 6: three problems
    ];
    let (status, preview) = yy
        .upload_file("/api/events/import/preview", workbook(bad), "events.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 2, "{preview}");
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
    assert!(errors.contains(&(
        4,
        "A".into(),
        "益阳市已有名为“2026益阳市重点项目集中签约”的签约活动".into()
    )));
    assert!(errors.contains(&(5, "A".into(), "与第3行的活动同名且组织地区相同".into())));
    let row6: Vec<&str> = errors
        .iter()
        .filter(|e| e.0 == 6)
        .map(|e| e.1.as_str())
        .collect();
    assert_eq!(
        row6,
        ["B", "C", "E"],
        "level, date, a county of another city: {errors:?}"
    );
    let (status, body) = yy
        .upload_file("/api/events/import/commit", workbook(bad), "events.xlsx")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(yy.items("/api/events").await.len(), 1, "nothing written");

    let (status, result) = yy
        .upload_file(
            "/api/events/import/commit",
            workbook(&bad[..3]),
            "events.xlsx",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["inserted"], 2);
    let events = yy.items("/api/events?year=2026").await;
    let nanxian = events
        .iter()
        .find(|e| e["name"] == "2026南县稻虾节签约")
        .unwrap();
    assert_eq!(
        (nanxian["region_name"].as_str(), nanxian["held_on"].as_str()),
        (Some("南县"), Some("2026-06-08"))
    );
    // A county cannot import events organised by its city.
    let nx = app.login("nx_bureau").await;
    let (status, preview) = nx
        .upload_file(
            "/api/events/import/preview",
            workbook(&[
                &header,
                &["2026益阳另一个推介会", "市级", "2026-05-01", "", "益阳市"],
            ]),
            "events.xlsx",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(preview["errors"][0]["column"], "E", "{preview}");
}

#[tokio::test]
async fn a_project_signs_only_at_an_event_organised_over_its_county() {
    let app = spawn_app().await;
    let yj = app.login("yyx_bureau").await;
    let (status, local) = yj
        .post(
            "/api/events",
            event("2019沅江市芦苇产业招商推介会", "county", "430981"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{local}");
    let project = |name: &str, region: &str| {
        json!({ "name": name, "investor_name": "某投资有限公司", "origin": "in_province",
                "contract_fen": 500_000_000i64, "signed_on": "2019-05-30",
                "event_id": local["id"], "region_code": region, "stage": "signed", "investor_credit_code": credit_code() })
    };

    // The city sees both its counties and 沅江's fair, but a 南县 project was not signed there:
    // were it filed so, 南县 would read the name of an event it may not see.
    let city = app.login("yy_bureau").await;
    let (status, body) = city
        .post("/api/projects", project("南县误挂项目", "430921"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = body["errors"]["event_id"][0].as_str().unwrap();
    assert!(
        message.contains("430981") && message.contains("落户地"),
        "{message}"
    );

    // A 沅江 project signs there, and cannot then be moved to 南县 with the event kept.
    let (status, p) = city
        .post("/api/projects", project("沅江推介会签约项目", "430981"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let mut moved = project("沅江推介会签约项目", "430921");
    moved["version"] = p["project"]["version"].clone();
    let (status, body) = city
        .put(&format!("/api/projects/{}", p["project"]["id"]), moved)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["event_id"][0]
        .as_str()
        .unwrap()
        .contains("落户地"));

    // Nor through a sheet: the error names the row and the 签约活动 column.
    const HEADER: [&str; 8] = [
        "项目名称",
        "投资方",
        "资金来源",
        "合同资金（万元）",
        "签约日期",
        "落户地",
        "项目阶段",
        "签约活动",
    ];
    let row = |name: &'static str, county: &'static str| -> [&'static str; 8] {
        [
            name,
            "某投资有限公司",
            "省内",
            "500",
            "2019-05-30",
            county,
            "已签约",
            "2019沅江市芦苇产业招商推介会",
        ]
    };
    // The preview of a sheet of these rows: its count of valid rows and its first error.
    let preview = |rows: Vec<[&'static str; 8]>| {
        let city = &city;
        async move {
            let mut all: Vec<&[&str]> = vec![&HEADER];
            all.extend(rows.iter().map(|r| r.as_slice()));
            let (status, preview) = city
                .upload_file(
                    "/api/projects/import/preview",
                    ledger_workbook(&all),
                    "ledger.xlsx",
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{preview}");
            let error = &preview["errors"][0];
            (
                preview["valid_rows"].as_i64(),
                error["row"].as_i64(),
                error["column"].as_str().map(str::to_owned),
                error["message"].as_str().unwrap_or_default().to_owned(),
            )
        }
    };
    let (valid, row_no, column, message) = preview(vec![row("南县表格项目", "南县")]).await;
    assert_eq!(
        (valid, row_no, column.as_deref()),
        (Some(0), Some(2), Some("H"))
    );
    assert!(message.contains("落户地"), "{message}");

    // Once the city holds an event of the same name, a 南县 row can only mean the city's;
    // a 沅江 row could mean either and is refused rather than guessed.
    let (status, body) = city
        .post(
            "/api/events",
            event("2019沅江市芦苇产业招商推介会", "prefecture", "430900"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (valid, row_no, column, message) = preview(vec![
        row("南县表格项目", "南县"),
        row("沅江表格项目", "沅江市"),
    ])
    .await;
    assert_eq!(
        (valid, row_no, column.as_deref()),
        (Some(1), Some(3), Some("H"))
    );
    assert!(message.contains("无法确定"), "{message}");
    let nx = app.login("nx_bureau").await;
    assert!(
        nx.items("/api/projects").await.is_empty(),
        "nothing filed in 南县"
    );
}
