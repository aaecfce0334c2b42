//! Revisit forms: a large out-of-province project of 南县 must have a revisit form by the tier
//! rule; a member of the province's group over 益阳市 records one with the six sections; it is
//! exported as .docx and .xlsx in the form's layout; another county and an inspector of no
//! group read nothing of it.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Read;

fn sections() -> Value {
    json!([
        { "section": "policy", "rating": "satisfied", "content": "招商引资奖补政策已兑现首期设备补助" },
        { "section": "commitments", "rating": "fair", "content": "承诺的配套道路尚在施工" },
        { "section": "factors", "rating": "unsatisfied", "content": "二期用地指标未落实，用电增容未批复" },
        { "section": "environment", "rating": "satisfied", "content": "周边治安良好，企业无投诉" },
        { "section": "service", "rating": "satisfied", "content": "园区专班每月上门服务" },
        { "section": "difficulties", "content": "希望协调二期用地指标和银行贷款" }
    ])
}

fn zip_part(bytes: &[u8], part: &str) -> String {
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an office file is a zip");
    let mut xml = String::new();
    zip.by_name(part)
        .unwrap_or_else(|_| panic!("{part}"))
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

/// The revisit-form obligation of a project as its page and the ledger list show it (the same).
async fn revisit_obligation(user: &User, id: i64) -> Value {
    let pick = |p: &Value| {
        let o = p["derived"]["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["obligation"] == "revisit_form")
            .cloned()
            .unwrap_or_else(|| panic!("no revisit_form obligation: {p}"));
        json!({ "met": o["met"], "gap": o["gap"] })
    };
    let (status, page) = user.get(&format!("/api/projects/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let on_page = pick(if page["project"].is_object() {
        &page["project"]
    } else {
        &page
    });
    let listed = user
        .items("/api/projects?q=南县回访电子信息产业园项目")
        .await;
    let row = listed.iter().find(|p| p["id"] == id).expect("listed");
    assert_eq!(pick(row), on_page);
    on_page
}

#[tokio::test]
async fn a_large_projects_revisit_form_is_recorded_and_exported_in_the_forms_layout() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let hn = app.login("hn_bureau").await;
    let admin = app.login("admin").await;
    // 3亿元 from outside the province: the tier rule asks for a revisit form; 1亿元 does not.
    let project = |name: &str, fen: i64| {
        json!({
            "name": name, "investor_name": "广东某某电子有限公司", "origin": "out_of_province",
            "contract_fen": fen, "signed_on": "2026-01-10", "region_code": "430921",
            "stage": "signed", "investor_credit_code": credit_code()
        })
    };
    let (status, large) = nx
        .post(
            "/api/projects",
            project("南县回访电子信息产业园项目", 30_000_000_000),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{large}");
    let large = large["project"]["id"].as_i64().unwrap();
    let (_, small) = nx
        .post("/api/projects", project("南县回访小型项目", 10_000_000_000))
        .await;
    let small = small["project"]["id"].as_i64().unwrap();
    let (_, r) = nx.get(&format!("/api/projects/{large}/revisits")).await;
    assert_eq!(
        (r["required"].as_bool(), r["missing"].as_bool()),
        (Some(true), Some(true)),
        "{r}"
    );
    let (_, r) = nx.get(&format!("/api/projects/{small}/revisits")).await;
    assert_eq!(r["required"], false, "{r}");
    // The ledger shows the obligation unmet, on the project's page and in the list, until a
    // form is on file.
    assert_eq!(
        revisit_obligation(&nx, large).await,
        json!({ "met": false, "gap": "尚未填写回访登记表" })
    );

    // The province's group over 益阳市; its member records the form.
    let id_of = |page: &Value, name: &str| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (_, users) = admin.get("/api/users?role=inspector&page_size=50").await;
    let (status, g) = hn
        .post(
            "/api/supervision/groups",
            json!({
                "name": "回访组", "leader_id": id_of(&users, "hn_inspector1"),
                "region_codes": ["430900"]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{g}");
    let inspector = app.login("hn_inspector1").await;

    // Every section at fault named; a date to come refused.
    let (status, body) = inspector
        .post(
            "/api/revisits",
            json!({
                "project_id": large, "visited_on": "2099-01-01", "visitors": " ",
                "sections": [{ "section": "policy", "content": "x" }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for field in [
        "visited_on",
        "visitors",
        "sections.policy",
        "sections.difficulties",
    ] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let (status, form) = inspector
        .post(
            "/api/revisits",
            json!({
                "project_id": large, "visited_on": "2026-11-20", "visitors": "蒋平、郭思远",
                "company_contact": "王总（总经理）", "sections": sections()
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{form}");
    let fid = form["id"].as_i64().unwrap();
    assert_eq!(form["sections"].as_array().unwrap().len(), 6);
    assert_eq!(form["sections"][2]["rating"], "unsatisfied");
    let (_, r) = nx.get(&format!("/api/projects/{large}/revisits")).await;
    assert_eq!(r["missing"], false, "{r}");
    assert_eq!(
        revisit_obligation(&nx, large).await,
        json!({ "met": true, "gap": null })
    );
    assert_eq!(ids(&r["forms"]), vec![fid]);

    // The bureau registers the problems the form brought up, about the form's project; they
    // are listed by the form. The inspector who filled it in, and another county, cannot.
    let path = format!("/api/revisits/{fid}/problems");
    let (status, body) = nx
        .post(&path, json!({ "description": " ", "category": "land" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["description"].is_array(), "{body}");
    let (status, problem) = nx
        .post(
            &path,
            json!({ "description": "二期用地指标未落实，用电增容未批复", "category": "factors",
                    "common": true, "other_departments": true }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{problem}");
    assert_eq!(
        (
            &problem["source"],
            &problem["project_id"],
            &problem["common"],
            &problem["region_code"],
            &problem["routing"],
        ),
        (
            &json!("revisit"),
            &json!(large),
            &json!(false),
            &json!("430921"),
            &json!("leading_group")
        ),
        "{problem}"
    );
    let (status, _) = inspector
        .post(&path, json!({ "description": "x", "category": "land" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let yyx = app.login("yyx_bureau").await;
    let (status, _) = yyx
        .post(&path, json!({ "description": "x", "category": "land" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = nx.get(&format!("/api/problems?revisit_id={fid}")).await;
    assert_eq!(listed["total"], 1, "{listed}");
    assert_eq!(listed["items"][0]["id"], problem["id"]);
    let (_, other) = nx.get("/api/problems?revisit_id=999999").await;
    assert_eq!(other["total"], 0);

    // The .docx and the .xlsx carry the form's facts and its six sections.
    let res = nx.get_raw(&format!("/api/revisits/{fid}/docx")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let xml = zip_part(&res.bytes().await.unwrap(), "word/document.xml");
    for text in [
        "招商引资项目回访登记表",
        "南县回访电子信息产业园项目",
        "30,000.00万元",
        "存在的困难和问题",
        "不满意",
        "二期用地指标未落实",
    ] {
        assert!(xml.contains(text), "{text} not in the docx");
    }
    let res = nx.get_raw(&format!("/api/revisits/{fid}/xlsx")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let strings = zip_part(&res.bytes().await.unwrap(), "xl/sharedStrings.xml");
    for text in [
        "招商引资项目回访登记表",
        "政策落实",
        "基本满意",
        "蒋平、郭思远",
    ] {
        assert!(strings.contains(text), "{text} not in the xlsx");
    }

    // Another county, and an inspector of no group, read nothing of it.
    for who in ["csx_bureau", "hn_inspector3"] {
        let user = app.login(who).await;
        let (status, _) = user.get(&format!("/api/revisits/{fid}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
        let res = user.get_raw(&format!("/api/revisits/{fid}/docx")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{who}");
        let (status, _) = user.get(&format!("/api/projects/{large}/revisits")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
    }
    // A unit records no form.
    let (status, _) = app
        .login("nx_unit")
        .await
        .post(
            "/api/revisits",
            json!({
                "project_id": large, "visited_on": "2026-11-20", "visitors": "x",
                "sections": sections()
            }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}
