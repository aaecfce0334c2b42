//! Meetings: a city records its joint meeting with decisions for 南县's bureau, for a unit with
//! an account, for a unit without one and for 沅江; each decision is a task in the right
//! 我的待办, each assignee sees only its own, results are reported and sent back, the minutes
//! come out as a Word document, attachments stay with the organiser's scope.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Read;

fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}

fn in_days(n: i64) -> String {
    (today() + time::Duration::days(n)).to_string()
}

fn decisions(meeting: &Value) -> Vec<Value> {
    meeting["decisions"].as_array().cloned().unwrap_or_default()
}

fn decision<'a>(meeting: &'a Value, assignee: &str) -> &'a Value {
    meeting["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["assignee_name"].as_str().unwrap().contains(assignee))
        .unwrap_or_else(|| panic!("{assignee}: {meeting}"))
}

async fn meeting_tasks(user: &User) -> Vec<Value> {
    let (status, tasks) = user.get("/api/tasks/mine").await;
    assert_eq!(status, StatusCode::OK, "{tasks}");
    tasks
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "meeting_decision")
        .cloned()
        .collect()
}

async fn meetings_of(user: &User) -> Vec<Value> {
    let (status, list) = user.get("/api/meetings").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().cloned().unwrap()
}

async fn messages(user: &User) -> String {
    let (_, n) = user.get("/api/notifications").await;
    n["items"].to_string()
}

/// The text of a .docx's body.
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

#[tokio::test]
async fn a_city_s_meeting_gives_each_assignee_its_own_decisions_to_close() {
    let app = spawn_app().await;
    let yy = app.login("yy_bureau").await;
    let nx = app.login("nx_bureau").await;
    let nx_unit = app.login("nx_unit").await;
    let yyx = app.login("yyx_bureau").await;
    let cs = app.login("cs_bureau").await;
    let zone_unit = unit_id(&nx, "430921", "县经济开发区").await;
    let drc = unit_id(&nx, "430921", "县教育局").await;

    // Bad input: every field at fault named at once, nothing written.
    let (status, body) = yy
        .post(
            "/api/meetings",
            json!({
                "kind": "joint", "title": "", "held_on": in_days(1),
                "decisions": [
                    { "content": "两个承办方", "unit_id": zone_unit, "region_code": "430921",
                      "due_on": in_days(5) },
                    { "content": "", "region_code": "430921", "due_on": "2026-13-01" },
                    { "content": "长沙的事", "region_code": "430102", "due_on": in_days(5) },
                ]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields = &body["errors"];
    for f in [
        "title",
        "held_on",
        "decisions[0].unit_id",
        "decisions[1].content",
        "decisions[1].due_on",
        "decisions[2].region_code",
    ] {
        assert!(fields.get(f).is_some(), "{f} not named: {body}");
    }
    assert!(meetings_of(&yy).await.is_empty());

    // A county bureau holds no city meeting; a unit holds none.
    let (status, body) = nx_unit
        .post(
            "/api/meetings",
            json!({ "kind": "dispatch", "title": "x", "held_on": in_days(0) }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let held = in_days(0);
    let (status, meeting) = yy
        .post(
            "/api/meetings",
            json!({
                "kind": "joint", "title": "益阳市招商引资项目联席会议", "held_on": held,
                "place": "市政府三楼会议室", "chair": "市政府副市长",
                "attendees": "市商务局、市发改委、市自然资源局\n各区县（市）政府分管负责人",
                "minutes": "会议听取了各区县招商引资项目推进情况汇报。\n会议研究了重点项目用地、环评等问题。",
                "decisions": [
                    { "content": "协调南县重点项目用地报批，按月报送进度", "region_code": "430921",
                      "due_on": in_days(10) },
                    { "content": "县经济开发区完成标准厂房交付", "unit_id": zone_unit,
                      "due_on": in_days(5) },
                    { "content": "县教育局完成职业学校校企合作对接", "unit_id": drc, "due_on": in_days(7) },
                    { "content": "沅江市落实项目环评批复", "region_code": "430981",
                      "due_on": in_days(7) },
                ]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{meeting}");
    let id = meeting["id"].as_i64().unwrap();
    assert_eq!(meeting["kind_label"], "联席会议");
    assert_eq!(meeting["organised_by_me"], true);
    assert_eq!(decisions(&meeting).len(), 4);
    assert_eq!(meeting["decisions"][0]["seq"], 1);
    assert_eq!(decision(&meeting, "县教育局")["status_label"], "办理中");

    // Each assignee sees the heading and its own decisions; the minutes stay with the city.
    let (status, seen) = nx.get(&format!("/api/meetings/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["full"], false);
    assert!(seen["minutes"].is_null(), "{seen}");
    assert!(seen["attendees"].is_null(), "{seen}");
    let names: Vec<String> = decisions(&seen)
        .iter()
        .map(|d| d["assignee_name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(!seen.to_string().contains("沅江"), "{seen}");
    let (_, seen) = nx_unit.get(&format!("/api/meetings/{id}")).await;
    assert_eq!(decisions(&seen).len(), 1, "{seen}");
    assert_eq!(decisions(&seen)[0]["unit_name"], "县经济开发区");
    assert_eq!(decisions(&seen)[0]["mine"], true);
    let (_, seen) = yyx.get(&format!("/api/meetings/{id}")).await;
    assert_eq!(decisions(&seen).len(), 1, "{seen}");
    assert!(!seen.to_string().contains("南县"), "{seen}");
    let listed = meetings_of(&nx).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["decision_count"], 3);
    assert_eq!(listed[0]["open_count"], 3);
    assert_eq!(listed[0]["overdue_count"], 0);
    // Another city's bureau sees nothing of it, by any path.
    assert!(meetings_of(&cs).await.is_empty());
    let (status, _) = cs.get(&format!("/api/meetings/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = cs.get_raw(&format!("/api/meetings/{id}/minutes")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // 我的待办: the unit with an account holds its own; the bureau holds its own and the one
    // of its unit without an account (县教育局); 沅江 its own.
    let nx_tasks = meeting_tasks(&nx).await;
    assert_eq!(nx_tasks.len(), 2, "{nx_tasks:?}");
    assert!(nx_tasks.iter().all(|t| t["source_id"] == id));
    let unit_tasks = meeting_tasks(&nx_unit).await;
    assert_eq!(unit_tasks.len(), 1, "{unit_tasks:?}");
    assert_eq!(unit_tasks[0]["due_on"], in_days(5));
    assert_eq!(unit_tasks[0]["light"], "green");
    assert_eq!(meeting_tasks(&yyx).await.len(), 1);
    assert!(messages(&nx).await.contains("督促县教育局"));

    // Reporting a result: only the one answering for it, with the result written.
    let zone_decision = decision(&meeting, "县经济开发区")["id"].as_i64().unwrap();
    let yyx_decision = decision(&meeting, "沅江")["id"].as_i64().unwrap();
    let drc_decision = decision(&meeting, "县教育局")["id"].as_i64().unwrap();
    let complete = |d: i64| format!("/api/meetings/decisions/{d}/complete");
    let (status, body) = nx
        .post(&complete(yyx_decision), json!({ "text": "代办" }))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = nx_unit
        .post(&complete(zone_decision), json!({ "text": "  " }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["text"].is_array(), "{body}");
    let (status, done) = nx_unit
        .post(
            &complete(zone_decision),
            json!({ "text": "标准厂房已于本周交付企业使用" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "done");
    assert_eq!(done["status_label"], "已办结");
    assert_eq!(
        done["done_by_name"].as_str().map(|s| !s.is_empty()),
        Some(true)
    );
    let (status, body) = nx_unit
        .post(&complete(zone_decision), json!({ "text": "again" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(meeting_tasks(&nx_unit).await[0]["status"] == "done");
    assert!(messages(&yy).await.contains("已办结议定事项"));
    // The county bureau closes the one it holds for its unit without an account.
    let (status, body) = nx
        .post(
            &complete(drc_decision),
            json!({ "text": "校企合作协议已签订" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The city sends one back; it is open again on the unit's list, and the unit is told.
    let send_back = format!("/api/meetings/decisions/{zone_decision}/return");
    let (status, body) = nx.post(&send_back, json!({ "text": "不是组织方" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, back) = yy
        .post(&send_back, json!({ "text": "请附交付验收单" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{back}");
    assert_eq!(back["status"], "open");
    assert_eq!(back["status_label"], "退回重办");
    assert!(back["result"].as_str().unwrap().contains("请附交付验收单"));
    assert_eq!(meeting_tasks(&nx_unit).await[0]["status"], "open");
    assert!(messages(&nx_unit).await.contains("退回重办"));

    // Editing: the organiser only, on the version read.
    let edit = json!({
        "kind": "joint", "title": "益阳市招商引资项目联席会议（第四季度）", "held_on": held,
        "chair": "市政府副市长", "minutes": "会议听取了汇报。", "version": 1
    });
    let (status, _) = nx.put(&format!("/api/meetings/{id}"), edit.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, edited) = yy.put(&format!("/api/meetings/{id}"), edit.clone()).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["version"], 2);
    let (status, body) = yy.put(&format!("/api/meetings/{id}"), edit).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // A decision added later takes the next number and lands in 沅江's list.
    let (status, more) = yy
        .post(
            &format!("/api/meetings/{id}/decisions"),
            json!({ "content": "沅江市报送项目开工计划", "region_code": "430981",
                    "due_on": in_days(14) }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{more}");
    assert_eq!(decisions(&more).len(), 5);
    assert_eq!(decisions(&more)[4]["seq"], 5);
    assert_eq!(meeting_tasks(&yyx).await.len(), 2);

    // The minutes as Word: the organiser's copy holds every decision; an assignee's its own.
    let res = yy.get_raw(&format!("/api/meetings/{id}/minutes")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("wordprocessingml"));
    let xml = docx_text(&res.bytes().await.unwrap());
    for text in [
        "益阳市招商引资项目联席会议（第四季度）纪要",
        "议定事项",
        "县经济开发区",
        "沅江市",
        "退回重办",
        "仿宋_GB2312",
        "会议听取了汇报。",
    ] {
        assert!(xml.contains(text), "{text} missing from the minutes");
    }
    let res = nx.get_raw(&format!("/api/meetings/{id}/minutes")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let xml = docx_text(&res.bytes().await.unwrap());
    assert!(xml.contains("县教育局") && !xml.contains("沅江"));

    // Attachments: the organiser uploads; an assignee can neither upload nor read them.
    let pdf = b"%PDF-1.4\n% signed minutes\n".to_vec();
    let (status, body) = nx
        .upload_file(
            &format!("/api/meetings/{id}/attachments"),
            pdf.clone(),
            "纪要.pdf",
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, file) = yy
        .upload_file(
            &format!("/api/meetings/{id}/attachments"),
            pdf.clone(),
            "纪要.pdf",
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    let file_url = format!("/api/meetings/{id}/attachments/{}", file["id"]);
    let res = yy.get_raw(&file_url).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    assert_eq!(nx.get_raw(&file_url).await.status(), StatusCode::NOT_FOUND);
    // Nor does the evidence download hand a meeting's file out.
    let res = yy
        .get_raw(&format!("/api/attachments/{}", file["id"]))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Audited: the meeting, each result, the return.
    let auditor = app.login("hn_auditor").await;
    let trail = auditor.items("/api/audit?entity=meeting").await;
    assert!(trail.iter().any(|e| e["action"] == "create"), "{trail:?}");
    assert!(trail.iter().any(|e| e["action"] == "update"));
    assert!(trail.iter().any(|e| e["action"] == "attach"));
    let trail = auditor.items("/api/audit?entity=meeting_decision").await;
    for action in ["complete", "return", "create"] {
        assert!(trail.iter().any(|e| e["action"] == action), "{action}");
    }
}

#[tokio::test]
async fn a_decision_due_before_its_meeting_or_after_a_year_is_refused() {
    let app = spawn_app().await;
    let yy = app.login("yy_bureau").await;
    let (status, body) = yy
        .post(
            "/api/meetings",
            json!({
                "kind": "dispatch", "title": "月度项目调度会", "held_on": in_days(-3),
                "decisions": [
                    { "content": "a", "region_code": "430921", "due_on": in_days(-4) },
                    { "content": "b", "region_code": "430921", "due_on": in_days(400) },
                ]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["decisions[0].due_on"][0]
        .as_str()
        .unwrap()
        .contains("不能早于会议日期"));
    assert!(body["errors"]["decisions[1].due_on"][0]
        .as_str()
        .unwrap()
        .contains("一年"));
    assert!(meetings_of(&yy).await.is_empty());
}
