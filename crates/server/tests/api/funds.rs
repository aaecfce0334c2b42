use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const WAN: i64 = 10_000 * 100;

/// A 2亿元 (20,000万元) project signed in 南县, entered by the county bureau, with nx_unit's
/// unit (县经济开发区) responsible for it.
async fn signed_project(app: &TestApp) -> i64 {
    let nx = app.login("nx_bureau").await;
    let unit = unit_id(&nx, "430921", "县经济开发区").await;
    let (status, detail) = nx
        .post(
            "/api/projects",
            json!({
                "name": "南县羽绒服装产业园项目", "investor_name": "浙江某服饰有限公司",
                "origin": "out_of_province", "contract_fen": 20_000 * WAN,
                "signed_on": "2026-01-10", "region_code": "430921", "stage": "signed", "investor_credit_code": credit_code(),
                "responsible_unit_id": unit
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    detail["project"]["id"].as_i64().unwrap()
}

fn arrival(period: &str, wan: i64) -> Value {
    json!({ "period": period, "amount": wan * WAN, "currency": "CNY", "kind": "fixed_asset" })
}

async fn project_rate(user: &User, id: i64) -> (String, String) {
    let (_, d) = user.get(&format!("/api/projects/{id}")).await;
    let derived = &d["project"]["derived"];
    (
        derived["arrival_rate"].as_str().unwrap().to_owned(),
        derived["classification_label"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn the_review_queue_exports_every_waiting_record_for_the_reviewer_only() {
    let app = spawn_app().await;
    let id = signed_project(&app).await;
    let unit = app.login("nx_unit").await;
    for (period, wan) in [("2026-02", 5_000), ("2026-03", 1_234)] {
        let (status, r) = unit
            .post(&format!("/api/projects/{id}/funds"), arrival(period, wan))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
    }
    let yy = app.login("yy_bureau").await;
    let rows = xlsx_rows(&yy, "/api/funds/review/export").await;
    assert_eq!(rows.len(), 3, "header + both records: {rows:?}");
    assert_eq!(rows[0][0], "县市区");
    assert_eq!(
        rows[1][..6],
        [
            "南县",
            "南县羽绒服装产业园项目",
            "2026-02",
            "人民币",
            "5000",
            "固定资产投资"
        ]
    );
    assert_eq!(rows[2][4], "1234");
    assert_eq!(rows[1][6], "20000", "the project's contract, same currency");
    let nx = app.login("nx_bureau").await;
    let (status, body) = nx.get("/api/funds/review/export").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a county does not review: {body}"
    );
    let cs = app.login("cs_bureau").await;
    assert_eq!(
        xlsx_rows(&cs, "/api/funds/review/export").await.len(),
        1,
        "another city's queue holds none of 益阳's records"
    );
}

#[tokio::test]
async fn money_counts_only_after_the_level_above_confirms_it() {
    let app = spawn_app().await;
    let id = signed_project(&app).await;
    let unit = app.login("nx_unit").await;
    let (status, record) = unit
        .post(
            &format!("/api/projects/{id}/funds"),
            arrival("2026-02", 5_000),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{record}");
    assert_eq!(record["status"], "entered");
    assert_eq!(record["status_label"], "待审核");
    let nx = app.login("nx_bureau").await;
    assert_eq!(
        project_rate(&nx, id).await,
        ("0.00%".into(), "未履约".into()),
        "not yet confirmed"
    );

    // The county cannot confirm its own figures.
    let (status, body) = nx
        .post(
            &format!("/api/funds/{}/review", record["id"]),
            json!({ "decision": "confirm", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"].as_str().unwrap().contains("上级"));
    let (status, queue) = nx.get("/api/funds/review").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a county has nothing below it to review: {queue}"
    );
    let (_, me) = nx.get("/api/auth/me").await;
    let permissions = me["permissions"].as_array().unwrap();
    assert!(permissions.contains(&json!("enter_funds")));
    assert!(!permissions.contains(&json!("review_funds")), "{me}");

    // The city can.
    let yy = app.login("yy_bureau").await;
    let queue = yy.items("/api/funds/review").await;
    assert_eq!(queue.len(), 1);
    // The reviewer sees where it is and what the project was promised and has so far.
    assert_eq!(queue[0]["region_name"], "南县");
    assert!(
        queue[0]["project_contract_fen"].as_i64().unwrap() > 0,
        "{}",
        queue[0]
    );
    assert_eq!(queue[0]["project_arrived_fen"], 0);
    let (status, confirmed) = yy
        .post(
            &format!("/api/funds/{}/review", record["id"]),
            json!({ "decision": "confirm", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(
        project_rate(&nx, id).await,
        ("25.00%".into(), "良好".into())
    );
    let (status, _) = yy
        .post(
            &format!("/api/funds/{}/review", record["id"]),
            json!({ "decision": "return", "reason": "x", "version": 2 }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a confirmed record is not reviewed again"
    );
}

#[tokio::test]
async fn a_city_s_own_entries_go_to_the_province_not_to_the_city() {
    let app = spawn_app().await;
    let id = signed_project(&app).await;
    // The city bureau enters the county project's figure itself (e.g. from its own survey).
    let yy = app.login("yy_bureau").await;
    let (status, record) = yy
        .post(
            &format!("/api/projects/{id}/funds"),
            arrival("2026-02", 5_000),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{record}");
    assert!(
        yy.items("/api/funds/review").await.is_empty(),
        "the city does not review what it entered itself"
    );
    let (status, body) = yy
        .post(
            &format!("/api/funds/{}/review", record["id"]),
            json!({ "decision": "confirm", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("本人填报"),
        "{body}"
    );

    // The province sees it in its queue and confirms it.
    let hn = app.login("hn_bureau").await;
    let queue = hn.items("/api/funds/review").await;
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["id"], record["id"]);
    let (status, confirmed) = hn
        .post(
            &format!("/api/funds/{}/review", record["id"]),
            json!({ "decision": "confirm", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(
        project_rate(&yy, id).await,
        ("25.00%".into(), "良好".into())
    );

    // The province reviews and does not enter: nobody would stand above it to confirm.
    let (status, body) = hn
        .post(
            &format!("/api/projects/{id}/funds"),
            arrival("2026-03", 100),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("省级只审核"),
        "{body}"
    );
    let (_, me) = hn.get("/api/auth/me").await;
    let permissions = me["permissions"].as_array().unwrap();
    assert!(permissions.contains(&json!("review_funds")), "{me}");
    assert!(!permissions.contains(&json!("enter_funds")), "{me}");
    let (status, _) = hn.get("/api/funds/import/template").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no fund sheet either");
}

#[tokio::test]
async fn implausible_figures_need_a_reason_and_returns_need_one_too() {
    let app = spawn_app().await;
    let id = signed_project(&app).await;
    let unit = app.login("nx_unit").await;
    let (status, body) = unit
        .post(
            &format!("/api/projects/{id}/funds"),
            arrival("2026-02", 25_000),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"]["override_reason"][0]
            .as_str()
            .unwrap()
            .contains("超过合同金额"),
        "{body}"
    );
    // A month to come is refused outright, not merely warned about: with a reason or without.
    let mut future = arrival("2099-01", 25_000);
    future["override_reason"] = json!("预计下月到位");
    let (status, body) = unit
        .post(&format!("/api/projects/{id}/funds"), future)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let said = body["errors"]["period"][0].as_str().unwrap();
    assert!(
        said.contains("2099-01") && said.contains("不能填报尚未到来的月份"),
        "{body}"
    );

    let mut input = arrival("2026-02", 25_000);
    input["override_reason"] = json!("含增资扩股，合同金额待变更");
    let (status, record) = unit.post(&format!("/api/projects/{id}/funds"), input).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(record["warnings"][0], "累计到位资金将超过合同金额");

    let yy = app.login("yy_bureau").await;
    let path = format!("/api/funds/{}/review", record["id"]);
    let (status, body) = yy
        .post(&path, json!({ "decision": "return", "version": 1 }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["reason"].is_array());
    let (status, returned) = yy
        .post(
            &path,
            json!({ "decision": "return", "reason": "缺少银行回单", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(returned["status_label"], "已退回");
    assert_eq!(returned["return_reason"], "缺少银行回单");
    assert_eq!(project_rate(&yy, id).await.0, "0.00%");

    for bad in [
        json!({ "period": "2026-13", "amount": 5, "currency": "CNY", "kind": "fixed_asset" }),
        json!({ "period": "2026-01", "amount": -5, "currency": "CNY", "kind": "fixed_asset" }),
        json!({ "period": "2026-01", "amount": 5, "currency": "EUR", "kind": "fixed_asset" }),
        json!({ "period": "2026-01", "amount": "五万", "currency": "CNY", "kind": "fixed_asset" }),
    ] {
        let (status, body) = unit
            .post(&format!("/api/projects/{id}/funds"), bad.clone())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
}

#[tokio::test]
async fn a_correction_replaces_the_old_figure_only_once_confirmed() {
    let app = spawn_app().await;
    let id = signed_project(&app).await;
    let unit = app.login("nx_unit").await;
    let yy = app.login("yy_bureau").await;
    let (_, first) = unit
        .post(
            &format!("/api/projects/{id}/funds"),
            arrival("2026-02", 5_000),
        )
        .await;
    yy.post(
        &format!("/api/funds/{}/review", first["id"]),
        json!({ "decision": "confirm", "version": 1 }),
    )
    .await;

    let mut fix = arrival("2026-02", 4_000);
    fix["corrects_id"] = first["id"].clone();
    let (status, body) = unit
        .post(&format!("/api/projects/{id}/funds"), fix.clone())
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a correction needs a reason"
    );
    assert!(body["errors"]["note"].is_array());
    fix["note"] = json!("银行回单金额为4000万元，原填报有误");
    let (status, correction) = unit.post(&format!("/api/projects/{id}/funds"), fix).await;
    assert_eq!(status, StatusCode::CREATED, "{correction}");
    assert_eq!(
        project_rate(&yy, id).await.0,
        "25.00%",
        "the old figure stands until review"
    );

    yy.post(
        &format!("/api/funds/{}/review", correction["id"]),
        json!({ "decision": "confirm", "version": 1 }),
    )
    .await;
    // Exactly 20% is 良好 (seed 000).
    assert_eq!(
        project_rate(&yy, id).await,
        ("20.00%".into(), "良好".into())
    );
    // Rates at a month's end count the correction in place of the figure it replaced.
    let arrived = |report: serde_json::Value| report["total"]["arrived_fen"].clone();
    let now = arrived(yy.get("/api/rates").await.1);
    assert_eq!(arrived(yy.get("/api/rates?as_of=2026-02").await.1), now);
    assert_eq!(arrived(yy.get("/api/rates?as_of=2026-01").await.1), 0);
    let records = yy.get(&format!("/api/projects/{id}/funds")).await.1;
    let statuses: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["superseded", "confirmed"],
        "nothing is overwritten"
    );
}

#[tokio::test]
async fn another_county_cannot_read_enter_or_review_funds() {
    let app = spawn_app().await;
    let id = signed_project(&app).await;
    let unit = app.login("nx_unit").await;
    let (_, record) = unit
        .post(
            &format!("/api/projects/{id}/funds"),
            arrival("2026-02", 100),
        )
        .await;
    let other = app.login("yyx_bureau").await;
    let (status, _) = other.get(&format!("/api/projects/{id}/funds")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = other
        .post(
            &format!("/api/projects/{id}/funds"),
            arrival("2026-03", 100),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = other
        .post(
            &format!("/api/funds/{}/review", record["id"]),
            json!({ "decision": "confirm", "version": 1 }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a county reviews nothing, whoever's record it is"
    );
    let (status, _) = other.get("/api/funds/review").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let leader = app.login("nx_leader").await;
    let (status, _) = leader
        .post(
            &format!("/api/projects/{id}/funds"),
            arrival("2026-03", 100),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn evidence_is_stored_and_only_readable_in_scope() {
    let app = spawn_app().await;
    let id = signed_project(&app).await;
    let unit = app.login("nx_unit").await;
    let (_, record) = unit
        .post(
            &format!("/api/projects/{id}/funds"),
            arrival("2026-02", 100),
        )
        .await;
    let fund = record["id"].as_i64().unwrap();
    let receipt = b"%PDF-1.4 bank receipt 2026-02".to_vec();
    let (status, attachment) = unit
        .upload_file(
            &format!("/api/funds/{fund}/evidence"),
            receipt.clone(),
            "银行回单.pdf",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attachment}");
    assert_eq!(attachment["file_name"], "银行回单.pdf");
    assert_eq!(attachment["content_type"], "application/pdf");
    let (status, body) = unit
        .upload_file(
            &format!("/api/funds/{fund}/evidence"),
            b"MZ".to_vec(),
            "setup.exe",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["file"][0].as_str().unwrap().contains("PDF"));
    // Named like a receipt, but not one: refused for what it holds.
    let (status, body) = unit
        .upload_file(
            &format!("/api/funds/{fund}/evidence"),
            b"MZ\x90\x00\x03 not a pdf".to_vec(),
            "银行回单2.pdf",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["file"][0]
        .as_str()
        .unwrap()
        .contains("内容与扩展名不符"));

    let yy = app.login("yy_bureau").await;
    let (_, list) = yy.get(&format!("/api/funds/{fund}/evidence")).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let res = yy
        .get_raw(&format!("/api/attachments/{}", attachment["id"]))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("filename*=UTF-8''"));
    assert_eq!(res.bytes().await.unwrap().to_vec(), receipt);

    let other = app.login("yyx_bureau").await;
    let res = other
        .get_raw(&format!("/api/attachments/{}", attachment["id"]))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (status, _) = other.get(&format!("/api/funds/{fund}/evidence")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = other
        .upload_file(&format!("/api/funds/{fund}/evidence"), receipt, "伪造.pdf")
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another county's record does not exist for it"
    );
}

#[tokio::test]
async fn a_project_s_history_shows_who_did_what_to_it_and_to_its_funds() {
    let app = spawn_app().await;
    let id = signed_project(&app).await;
    let unit = app.login("nx_unit").await;
    let (status, record) = unit
        .post(
            &format!("/api/projects/{id}/funds"),
            arrival("2026-02", 5_000),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{record}");
    let yy = app.login("yy_bureau").await;
    let (status, body) = yy
        .post(
            &format!("/api/funds/{}/review", record["id"]),
            json!({ "decision": "confirm", "version": 1 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let nx = app.login("nx_bureau").await;
    let (_, detail) = nx.get(&format!("/api/projects/{id}")).await;
    let (status, body) = nx
        .post(
            &format!("/api/projects/{id}/stage"),
            json!({ "stage": "land_supplied", "changed_on": "2026-03-01",
                    "version": detail["project"]["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Newest first: the stage change, the city's confirmation, the unit's entry, the entry
    // of the project — each with its author; readable by the responsible unit too, which
    // holds no right to the audit log.
    for reader in [&nx, &unit, &yy] {
        let (status, history) = reader.get(&format!("/api/projects/{id}/history")).await;
        assert_eq!(status, StatusCode::OK, "{history}");
        let rows: Vec<(String, String)> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["entity"].as_str().unwrap().to_owned(),
                    e["action"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("project".to_owned(), "stage_change".to_owned()),
                ("fund_arrival".to_owned(), "confirm".to_owned()),
                ("fund_arrival".to_owned(), "create".to_owned()),
                ("project".to_owned(), "create".to_owned()),
            ],
            "{history}"
        );
        let stage = &history[0];
        assert_eq!(stage["before"]["stage"], "signed");
        assert_eq!(stage["after"]["stage"], "land_supplied");
        assert!(!history[2]["actor_name"].as_str().unwrap().is_empty());
    }
    // Another county cannot read it.
    let yj = app.login("yyx_bureau").await;
    let (status, _) = yj.get(&format!("/api/projects/{id}/history")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Enters `input` on project `id` as `user`; the status and body.
async fn enter(user: &User, id: i64, input: Value) -> (StatusCode, Value) {
    user.post(&format!("/api/projects/{id}/funds"), input).await
}

fn with_reason(mut input: Value, reason: &str) -> Value {
    input["override_reason"] = json!(reason);
    input
}

/// Each plausibility check at its boundary, through the API: a first entry above half the
/// contract, a month's total split over records, money in a currency the contract lacks, the
/// quarter's last month whenever it is entered; a reason must be a sentence, and a warned
/// record is confirmed only with evidence.
#[tokio::test]
async fn each_fund_check_warns_at_its_boundary_and_a_warned_record_needs_a_sentence_and_evidence() {
    let app = spawn_app().await;
    let id = signed_project(&app).await; // 20,000万元, 元 only
    let unit = app.login("nx_unit").await;
    let yy = app.login("yy_bureau").await;

    // First entry: exactly half the contract passes, one 分 more is warned.
    let mut half = arrival("2025-01", 10_000);
    half["amount"] = json!(10_000 * WAN + 1);
    let (status, body) = enter(&unit, id, half.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["errors"]["override_reason"][0]
            .as_str()
            .unwrap()
            .contains("首次填报"),
        "{body}"
    );
    for said in ["1", ".", "好好好好好好好好"] {
        let (status, body) = enter(&unit, id, with_reason(half.clone(), said)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{said}: {body}");
        assert!(
            body["errors"]["override_reason"][0]
                .as_str()
                .unwrap()
                .contains("一句话"),
            "{body}"
        );
    }
    let (status, first) = enter(&unit, id, arrival("2025-01", 10_000)).await;
    assert_eq!(status, StatusCode::CREATED, "exactly 50%: {first}");
    assert_eq!(first["warnings"], json!([]));

    // A month split into records: the month's total against the median month.
    let (status, r) = enter(&unit, id, arrival("2025-02", 100)).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    let (status, r) = enter(&unit, id, arrival("2025-04", 100)).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    // Median month of (10,000, 100, 100) is 100: 500 in May is exactly 5×, fine…
    let (status, r) = enter(&unit, id, arrival("2025-05", 500)).await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    assert_eq!(r["warnings"], json!([]));
    // …and the next record of May makes the month 600: a jump, though the record is small.
    let (status, body) = enter(&unit, id, arrival("2025-05", 100)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["override_reason"][0]
        .as_str()
        .unwrap()
        .contains("中位数"));

    // The quarter's last month, entered long after: its total above all before it.
    let (status, body) = enter(&unit, id, arrival("2025-06", 10_701)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("季度末"),
        "10,700 before June, 10,701 is above it: {body}"
    );

    // USD on a 元-only project.
    let usd = json!({ "period": "2025-07", "amount": 10 * WAN, "currency": "USD", "kind": "fixed_asset" });
    let (status, body) = enter(&unit, id, usd.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("币种与合同不符"), "{body}");
    let (status, warned) = enter(
        &unit,
        id,
        with_reason(usd, "外方股东以美元增资，合同补充协议待签"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{warned}");
    assert_eq!(
        warned["warnings"][0],
        "合同中没有该币种的金额，到位资金币种与合同不符"
    );

    // A warned record waits for its evidence.
    let path = format!("/api/funds/{}/review", warned["id"]);
    let (status, body) = yy
        .post(
            &path,
            json!({ "decision": "confirm", "version": warned["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("佐证材料"),
        "{body}"
    );
    let (status, body) = unit
        .upload_file(
            &format!("/api/funds/{}/evidence", warned["id"]),
            b"%PDF-1.4 bank receipt USD".to_vec(),
            "银行回单.pdf",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = yy
        .post(
            &path,
            json!({ "decision": "confirm", "version": warned["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // An unwarned one is confirmed as before.
    let (status, body) = yy
        .post(
            &format!("/api/funds/{}/review", first["id"]),
            json!({ "decision": "confirm", "version": first["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The thresholds are rule settings: a stricter first-entry share warns what passed before,
/// and a value out of range is refused naming the field.
#[tokio::test]
async fn the_fund_checks_thresholds_are_rule_settings() {
    let app = spawn_app().await;
    let id = signed_project(&app).await;
    let admin = app.login("admin").await;
    let (_, rules) = admin.get("/api/rules").await;
    assert_eq!(rules["fund_checks"]["first_entry_share_bp"], 5000);
    assert_eq!(rules["fund_checks"]["jump_factor"], 5);
    let update = |checks: Value, version: &Value| {
        json!({
            "thresholds": rules["thresholds"],
            "tiers": rules["tiers"].as_array().unwrap().iter()
                .map(|t| json!({ "any_of": t["any_of"], "obligation": t["obligation"] }))
                .collect::<Vec<_>>(),
            "review_by": rules["review_by"],
            "date_grace_days": rules["date_grace_days"],
            "fund_checks": checks,
            "version": version,
        })
    };
    let mut checks = rules["fund_checks"].clone();
    checks["jump_factor"] = json!(1);
    let (status, body) = admin
        .put("/api/rules", update(checks, &rules["version"]))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["errors"]["fund_checks.jump_factor"].is_array(),
        "{body}"
    );
    let mut checks = rules["fund_checks"].clone();
    checks["first_entry_share_bp"] = json!(3000);
    let (status, saved) = admin
        .put("/api/rules", update(checks, &rules["version"]))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["fund_checks"]["first_entry_share_bp"], 3000);

    let unit = app.login("nx_unit").await;
    let (status, body) = enter(&unit, id, arrival("2025-01", 8_000)).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "40% > 30%: {body}"
    );
    let (status, body) = enter(&unit, id, arrival("2025-01", 6_000)).await;
    assert_eq!(status, StatusCode::CREATED, "exactly 30%: {body}");
    // Left out of a later change, the thresholds stay as they are.
    let mut later = update(json!(null), &saved["version"]);
    later.as_object_mut().unwrap().remove("fund_checks");
    let (status, kept) = admin.put("/api/rules", later).await;
    assert_eq!(status, StatusCode::OK, "{kept}");
    assert_eq!(kept["fund_checks"]["first_entry_share_bp"], 3000);
}
