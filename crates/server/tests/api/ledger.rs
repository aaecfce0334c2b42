use crate::helpers::*;
use crate::scope::read_xlsx;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A 2亿元 project signed at an event, landing in 南县经济开发区.
/// A signed 2亿元 project in 南县经济开发区, the zone nx_unit's unit (县经济开发区) stands for,
/// so that account reads it.
pub(crate) async fn project_input(user: &User, name: &str) -> Value {
    let zone = zone_id(user, "430921", "南县经济开发区").await;
    json!({
        "name": name,
        "investor_name": "湖南华实农业科技有限公司",
        "investor_credit_code": "914403001922038216",
        "origin": "out_of_province",
        "industry_code": "13",
        "leading_industry": "稻虾米",
        "total_investment_fen": luodi_domain::Fen::from_yi_yuan(3).0,
        "contract_fen": luodi_domain::Fen::from_yi_yuan(2).0,
        "signed_on": "2026-03-18",
        "region_code": "430921",
        "zone_id": zone,
        "responsible_leader": "刘副县长",
        "stage": "signed",
        "key_project": true
    })
}

#[tokio::test]
async fn a_county_clerk_enters_a_project_and_moves_it_along() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, detail) = nx
        .post(
            "/api/projects",
            project_input(&nx, "稻虾米精深加工项目").await,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    let p = &detail["project"];
    assert_eq!(p["region_name"], "南县");
    assert_eq!(p["industry_name"], "农副食品加工业");
    let d = &p["derived"];
    assert_eq!(d["stage_label"], "已签约");
    assert_eq!(d["origin_label"], "省外境内");
    assert_eq!(d["arrival_rate"], "0.00%");
    assert_eq!(d["classification_label"], "未履约");
    let obligations: Vec<&str> = d["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["obligation"].as_str().unwrap())
        .collect();
    assert_eq!(
        obligations,
        ["city_ledger", "quarterly_bulletin"],
        "a 2亿元 project"
    );
    assert_eq!(d["obligations"][0]["met"], false, "no responsible unit yet");
    assert_eq!(detail["stages"][0]["stage"], "signed");

    let id = p["id"].as_i64().unwrap();
    let (status, moved) = nx
        .post(
            &format!("/api/projects/{id}/stage"),
            json!({ "stage": "land_supplied", "changed_on": "2026-05-07", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["project"]["land_supplied_on"], "2026-05-07");
    assert_eq!(
        moved["project"]["derived"]["chain_days"]["signed_to_land"],
        50
    );
    assert_eq!(moved["stages"].as_array().unwrap().len(), 2);
    let (status, body) = nx
        .post(
            &format!("/api/projects/{id}/stage"),
            json!({ "stage": "started", "changed_on": "2026-06-01", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "stale_version");

    let listed = nx
        .items("/api/projects?stage=land_supplied&industry=C&key_project=true")
        .await;
    assert_eq!(listed.len(), 1);
    assert!(nx.items("/api/projects?stage=started").await.is_empty());
}

#[tokio::test]
async fn bad_project_input_names_every_field() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let mut input = project_input(&nx, "").await;
    input["investor_credit_code"] = json!("914403001922038217");
    input["contract_fen"] = json!(-5);
    input["signed_on"] = json!("2026-02-30");
    input["region_code"] = json!("430900");
    input["industry_code"] = json!("99");
    let (status, body) = nx.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in [
        "name",
        "investor_credit_code",
        "contract_fen",
        "signed_on",
        "region_code",
        "industry_code",
    ] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    assert!(body["errors"]["investor_credit_code"][0]
        .as_str()
        .unwrap()
        .contains("校验位"));

    // A value outside an enumeration is refused before the checks, naming the field and what
    // it may be.
    let mut input = project_input(&nx, "外星项目").await;
    input["origin"] = json!("mars");
    let (status, body) = nx.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "validation_failed");
    let message = body["errors"]["origin"][0].as_str().unwrap();
    assert!(
        message.contains("mars") && message.contains("省外境内"),
        "{body}"
    );

    let mut input = project_input(&nx, "日期倒挂项目").await;
    input["started_on"] = json!("2026-01-01");
    let (status, body) = nx.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["started_on"][0]
        .as_str()
        .unwrap()
        .contains("不能早于签约日期"));
    assert!(
        nx.items("/api/projects").await.is_empty(),
        "nothing written"
    );
}

#[tokio::test]
async fn duplicates_are_queued_for_review_not_refused() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (status, _) = nx
        .post(
            "/api/projects",
            project_input(&nx, "华实稻虾米精深加工项目").await,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = nx
        .post(
            "/api/projects",
            project_input(&nx, "湖南华实稻虾米精深加工项目（一期）").await,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a possible duplicate is still entered"
    );
    assert_eq!(nx.items("/api/projects").await.len(), 2);
    let pool = nx.items("/api/duplicates").await;
    assert_eq!(pool.len(), 1, "{pool:?}");
    let reasons: Vec<&str> = pool[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"同一投资方统一社会信用代码"),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.starts_with("项目名称相似度")),
        "{reasons:?}"
    );
    assert!(reasons.contains(&"同一园区"), "{reasons:?}");
    // Another county does not see 南县's pool.
    assert!(app
        .login("yyx_bureau")
        .await
        .items("/api/duplicates")
        .await
        .is_empty());
}

#[tokio::test]
async fn another_county_cannot_see_or_move_the_project() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (_, detail) = nx
        .post(
            "/api/projects",
            project_input(&nx, "稻虾米精深加工项目").await,
        )
        .await;
    let id = detail["project"]["id"].as_i64().unwrap();
    let yj = app.login("yyx_bureau").await;
    assert!(yj.items("/api/projects").await.is_empty());
    assert!(yj.items("/api/projects?region=430921").await.is_empty());
    // A wider region than one's own narrows to one's own county, never beyond it.
    assert!(yj.items("/api/projects?region=430900").await.is_empty());
    assert!(yj.items("/api/projects?region=430000").await.is_empty());
    let own = nx.items("/api/projects?region=430000").await;
    assert!(own.iter().any(|p| p["id"].as_i64() == Some(id)), "{own:?}");
    assert!(yj
        .items("/api/projects?q=914403001922038216")
        .await
        .is_empty());
    let (status, _) = yj.get(&format!("/api/projects/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = yj
        .post(
            &format!("/api/projects/{id}/stage"),
            json!({ "stage": "started", "changed_on": "2026-06-01", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut input = project_input(&nx, "越权项目").await;
    input["zone_id"] = json!(null);
    let (status, body) = yj.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["region_code"].is_array());
    // The city above sees it.
    let yy = app.login("yy_bureau").await;
    assert_eq!(yy.items("/api/projects").await.len(), 1);
}

#[tokio::test]
async fn the_ledger_filters_on_every_field_and_exports_what_it_shows() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let (_, region) = nx.get("/api/regions/430921").await;
    let township = region["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["kind"] == "township")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let unit = nx.items("/api/units?region=430921").await[0]["id"]
        .as_i64()
        .unwrap();
    // A: a 世界500强 investor's 战略性新兴 project in foreign capital, in a township, with a
    // responsible unit; B: the plain one of project_input; C: 一事一议, 中国500强.
    let mut a = project_input(&nx, "外资新能源电池项目").await;
    a["investor_credit_code"] = Value::Null;
    a["credit_code_missing_reason"] = json!("境外投资者无统一社会信用代码");
    a["global500"] = json!(true);
    a["strategic_emerging"] = json!(true);
    a["leading_industry"] = json!("新能源");
    a["contract_fen"] = json!(0);
    a["contract_cents"] = json!(500_000_000_i64);
    a["origin"] = json!("foreign");
    a["zone_id"] = json!(township);
    a["responsible_unit_id"] = json!(unit);
    a["attracting_unit_id"] = json!(unit);
    a["responsible_leader"] = json!("王县长");
    let b = project_input(&nx, "稻虾米精深加工项目").await;
    let mut c = project_input(&nx, "羽绒服装产业园").await;
    c["investor_credit_code"] = Value::Null;
    c["credit_code_missing_reason"] = json!("投资主体尚未注册，注册后补填代码");
    c["case_by_case"] = json!(true);
    c["china500"] = json!(true);
    c["leading_industry"] = json!("羽绒服装");
    for input in [a, b, c] {
        let (status, body) = nx.post("/api/projects", input).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let names = |items: Vec<Value>| {
        let mut n: Vec<String> = items
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        n.sort();
        n
    };
    for (query, expected) in [
        ("global500=true", vec!["外资新能源电池项目"]),
        ("china500=true", vec!["羽绒服装产业园"]),
        ("private500=true", vec![]),
        ("strategic_emerging=true", vec!["外资新能源电池项目"]),
        ("case_by_case=true", vec!["羽绒服装产业园"]),
        ("leading_industry=羽绒服装", vec!["羽绒服装产业园"]),
        ("currency=USD", vec!["外资新能源电池项目"]),
        ("currency=CNY", vec!["稻虾米精深加工项目", "羽绒服装产业园"]),
        (&format!("zone_id={township}"), vec!["外资新能源电池项目"]),
        (
            &format!("responsible_unit_id={unit}"),
            vec!["外资新能源电池项目"],
        ),
        (
            &format!("attracting_unit_id={unit}"),
            vec!["外资新能源电池项目"],
        ),
        ("responsible_leader=王", vec!["外资新能源电池项目"]),
        // The user's % and _ are characters, not wildcards.
        ("responsible_leader=%25", vec![]),
        ("q=_", vec![]),
        (
            "global500=false&case_by_case=false",
            vec!["稻虾米精深加工项目"],
        ),
    ] {
        let got = names(nx.items(&format!("/api/projects?{query}")).await);
        assert_eq!(got, expected, "{query}");
    }
    let (status, body) = nx.get("/api/projects?currency=EUR").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"]["currency"][0], "币种应为 CNY 或 USD");

    // The export carries exactly the rows the same filter shows.
    let res = nx.get_raw("/api/projects/export?currency=CNY").await;
    let rows = read_xlsx(res.bytes().await.unwrap().to_vec());
    let mut exported: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    exported.sort();
    assert_eq!(exported, ["稻虾米精深加工项目", "羽绒服装产业园"]);
}

/// Every text a user types has a limit, and names cannot hide control characters or
/// bidirectional overrides (a name that reads differently from what it is).
#[tokio::test]
async fn long_texts_and_hidden_characters_are_refused_with_the_field_named() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let mut input = project_input(&nx, "超长文本项目").await;
    input["service_plan"] = json!("很".repeat(1_000_000));
    input["responsible_person"] = json!("李".repeat(51));
    input["investor_name"] = json!("某公司\u{202E}司公某");
    let (status, body) = nx.post("/api/projects", input).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "validation_failed");
    for field in ["service_plan", "responsible_person", "investor_name"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    assert!(body["errors"]["investor_name"][0]
        .as_str()
        .unwrap()
        .contains("控制"));
    assert!(nx.items("/api/projects").await.is_empty());

    let (status, body) = nx
        .post(
            "/api/events",
            json!({ "name": "活动\u{7}名称", "level": "county", "held_on": "2026-03-01",
                    "host": "主".repeat(101), "region_code": "430921" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["errors"]["name"].is_array() && body["errors"]["host"].is_array(),
        "{body}"
    );
}

#[tokio::test]
async fn a_signed_project_without_a_contract_amount_is_marked_not_counted_silently() {
    let app = spawn_app().await;
    let nx = app.login("tj_bureau").await;
    let (status, detail) = nx
        .post(
            "/api/projects",
            json!({
                "name": "桃江县未填金额项目", "investor_name": "某某实业有限公司",
                "origin": "in_province", "signed_on": "2026-01-10",
                "region_code": "430922", "stage": "signed", "investor_credit_code": credit_code()
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    assert_eq!(detail["project"]["derived"]["missing_contract"], true);
    let id = detail["project"]["id"].as_i64().unwrap();
    // Found with a filter, and counted apart in the rates.
    let found = nx.items("/api/projects?missing_contract=true").await;
    assert!(found.iter().any(|p| p["id"] == id), "{found:?}");
    assert!(found
        .iter()
        .all(|p| p["derived"]["missing_contract"] == true));
    let (_, rates) = nx.get("/api/rates?region=430922").await;
    assert!(
        rates["total"]["missing_contract"].as_i64().unwrap() >= 1,
        "{rates}"
    );
    assert!(rates["definitions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d.as_str().unwrap().starts_with("合同金额未填")));

    // The sheet imports such a row but warns about it, naming the project.
    let file = ledger_workbook(&[
        &[
            "项目名称",
            "投资方",
            "资金来源",
            "落户地",
            "项目阶段",
            "签约日期",
            "合同资金（万元）",
        ],
        &[
            "有金额项目",
            "甲公司",
            "省内",
            "桃江县",
            "已签约",
            "2026-01-02",
            "100",
        ],
        &[
            "无金额项目",
            "乙公司",
            "省内",
            "桃江县",
            "已签约",
            "2026-01-02",
            "",
        ],
        &["在谈无金额项目", "丙公司", "省内", "桃江县", "在谈", "", ""],
        // The stage's new name, and its old one from sheets exported before.
        &[
            "违约项目",
            "丁公司",
            "省内",
            "桃江县",
            "违约终止",
            "2025-01-02",
            "10",
        ],
        &[
            "旧表违约项目",
            "戊公司",
            "省内",
            "桃江县",
            "未履约",
            "2025-01-02",
            "10",
        ],
    ]);
    let (status, preview) = nx
        .upload_file("/api/projects/import/preview", file.clone(), "ledger.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["valid_rows"], 5, "{preview}");
    let warnings = preview["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{preview}");
    assert_eq!(warnings[0]["row"], 3);
    assert_eq!(warnings[0]["column"], "G");
    assert_eq!(warnings[0]["label"], "无金额项目");
    let (status, _) = nx
        .upload_file("/api/projects/import/commit", file, "ledger.xlsx")
        .await;
    assert_eq!(status, StatusCode::OK);
    let projects = nx.items("/api/projects?stage=defaulted").await;
    assert_eq!(projects.len(), 2, "{projects:?}");
    assert!(projects
        .iter()
        .all(|p| p["derived"]["stage_label"] == "违约终止"));
}
