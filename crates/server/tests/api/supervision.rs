//! Supervision: the province's bureau forms a group (hn_inspector1 leading, hn_inspector2) over
//! 益阳市 and 常德市; its members read those regions' projects, problems and visits and nothing
//! else, while an inspector of no group reads nothing and other counties read none of the
//! group's work. A member records a visit to 南县, whose problem list becomes the leader's task
//! due ten days later; two problems go into the problems area, handled by the province; the
//! list goes overdue on the store's clock, is flagged, and is submitted late. The compliance
//! view counts each assigned region's visits in the quarter against the quota.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Today in Beijing, as the store's clock tells it before a test moves it.
fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}

fn days_ago(n: i64) -> String {
    (today() - time::Duration::days(n)).to_string()
}

async fn project(user: &User, region: &str, name: &str) -> i64 {
    let (status, d) = user
        .post(
            "/api/projects",
            json!({
                "name": name, "investor_name": "某某实业有限公司",
                "origin": "in_province", "contract_fen": 100_000_000, "signed_on": "2026-01-10",
                "region_code": region, "stage": "signed", "investor_credit_code": credit_code()
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    d["project"]["id"].as_i64().unwrap()
}

async fn user_id(admin: &User, username: &str) -> i64 {
    let (status, page) = admin
        .get(&format!("/api/users?q={username}&page_size=50"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap_or_else(|| panic!("{username} in {page}"))["id"]
        .as_i64()
        .unwrap()
}

/// The province forms 第一督导组 over 益阳市 and 常德市, led by hn_inspector1.
async fn form_group(hn: &User, leader: i64, member: i64) -> Value {
    let (status, g) = hn
        .post(
            "/api/supervision/groups",
            json!({
                "name": "第一督导组", "leader_id": leader, "member_ids": [member],
                "region_codes": ["430900", "430700"]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{g}");
    g
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_group_member_reads_the_groups_regions_and_nothing_else() {
    let app = spawn_app().await;
    let hn = app.login("hn_bureau").await;
    let admin = app.login("admin").await;
    let nx = app.login("nx_bureau").await;
    let csx = app.login("csx_bureau").await;
    let leader = user_id(&admin, "hn_inspector1").await;
    let member = user_id(&admin, "hn_inspector2").await;
    let nanxian = project(&nx, "430921", "南县督导测试项目").await;
    let changsha = project(&csx, "430121", "长沙县督导测试项目").await;

    // Every field at fault named: a bureau account is no member, a region must lie in scope.
    let bureau2 = user_id(&admin, "hn_bureau2").await;
    let (status, body) = hn
        .post(
            "/api/supervision/groups",
            json!({
                "name": " ", "leader_id": leader, "member_ids": [bureau2],
                "region_codes": ["110000"], "visits_per_quarter": 0
            }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for field in ["name", "member_ids", "region_codes", "visits_per_quarter"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    // Only a bureau forms groups; a county bureau cannot take the province's inspectors.
    let inspector = app.login("hn_inspector1").await;
    let (status, _) = inspector
        .post(
            "/api/supervision/groups",
            json!({ "name": "x", "leader_id": leader, "region_codes": ["430900"] }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = nx
        .post(
            "/api/supervision/groups",
            json!({ "name": "南县督导组", "leader_id": leader, "region_codes": ["430921"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["leader_id"].is_array(), "{body}");

    // Before any group, an inspector reads no project at all.
    let (status, page) = inspector.get("/api/projects?page_size=100").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 0, "{page}");

    let group = form_group(&hn, leader, member).await;
    let gid = group["id"].as_i64().unwrap();
    assert_eq!(group["members"].as_array().unwrap().len(), 2, "{group}");
    assert_eq!(group["visits_per_quarter"], 1);
    assert!(group["can_manage"].as_bool().unwrap());
    // The same name twice in one region: a conflict on the name.
    let (status, body) = hn
        .post(
            "/api/supervision/groups",
            json!({ "name": "第一督导组", "leader_id": leader, "region_codes": ["430100"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // A member reads 益阳's and 常德's projects, never 长沙县's, by any path.
    for who in ["hn_inspector1", "hn_inspector2"] {
        let m = app.login(who).await;
        let (_, page) = m.get("/api/projects?page_size=100").await;
        let listed = ids(&page["items"]);
        assert!(listed.contains(&nanxian), "{who}: {page}");
        assert!(!listed.contains(&changsha), "{who}: {page}");
        assert!(page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["region_code"].as_str().unwrap().starts_with("4309")
                || p["region_code"].as_str().unwrap().starts_with("4307")));
        let (status, _) = m.get(&format!("/api/projects/{changsha}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = m.get(&format!("/api/projects/{nanxian}")).await;
        assert_eq!(status, StatusCode::OK);
        let (_, groups) = m.get("/api/supervision/groups").await;
        assert_eq!(ids(&groups), vec![gid]);
        let (status, _) = m.get("/api/rates?region=430100").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = m.get("/api/rates?region=430900").await;
        assert_eq!(status, StatusCode::OK);
        // The 三率 over the whole reach are headed with the group's regions, not 全国.
        for path in ["/api/rates", "/api/rates/monthly", "/api/rates/growth"] {
            let (status, report) = m.get(path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {report}");
            let name = report["region_name"].as_str().unwrap();
            assert!(
                name == "益阳市、常德市" || name == "常德市、益阳市",
                "{who} {path}: {name}"
            );
        }
    }
    // An inspector of no group, and 益阳's own inspector outside the group, read nothing.
    for who in ["hn_inspector3", "yy_inspector"] {
        let m = app.login(who).await;
        let (_, page) = m.get("/api/projects?page_size=100").await;
        assert_eq!(page["total"], 0, "{who}: {page}");
        let (_, groups) = m.get("/api/supervision/groups").await;
        assert_eq!(groups, json!([]), "{who}");
        let (status, _) = m.get(&format!("/api/supervision/groups/{gid}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, report) = m.get("/api/rates").await;
        assert_ne!(report["region_name"], "全国", "{who}: {report}");
    }
    // A county reads none of the province's groups.
    let (_, groups) = nx.get("/api/supervision/groups").await;
    assert_eq!(groups, json!([]));
    let (status, _) = nx.get(&format!("/api/supervision/groups/{gid}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Taking 益阳市 off the group takes its projects from the members at once.
    let (status, g) = hn
        .put(
            &format!("/api/supervision/groups/{gid}"),
            json!({
                "name": "第一督导组", "leader_id": leader, "member_ids": [member],
                "region_codes": ["430700"], "version": group["version"]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{g}");
    let (_, page) = inspector.get("/api/projects?page_size=100").await;
    assert!(!ids(&page["items"]).contains(&nanxian), "{page}");
    // A stale version is refused.
    let (status, _) = hn
        .put(
            &format!("/api/supervision/groups/{gid}"),
            json!({
                "name": "第一督导组", "leader_id": leader, "region_codes": ["430900"],
                "version": group["version"]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The change is in the trail.
    let auditor = app.login("hn_auditor").await;
    let (_, trail) = auditor.get("/api/audit?entity=supervision_group").await;
    assert!(
        trail.to_string().contains("修改督导组“第一督导组”"),
        "{trail}"
    );
}

#[tokio::test]
async fn a_visits_problem_list_is_the_leaders_task_and_goes_overdue() {
    let (app, store) = spawn_app_with_store(Default::default(), Default::default()).await;
    let hn = app.login("hn_bureau").await;
    let admin = app.login("admin").await;
    let nx = app.login("nx_bureau").await;
    let csx = app.login("csx_bureau").await;
    let leader_id = user_id(&admin, "hn_inspector1").await;
    let member_id = user_id(&admin, "hn_inspector2").await;
    let nanxian = project(&nx, "430921", "南县督导走访项目").await;
    let changsha = project(&csx, "430121", "长沙县走访项目").await;
    let group = form_group(&hn, leader_id, member_id).await;
    let gid = group["id"].as_i64().unwrap();
    let leader = app.login("hn_inspector1").await;
    let member = app.login("hn_inspector2").await;
    let outsider = app.login("hn_inspector3").await;

    // Every field at fault named: a place outside the group's regions, a date to come, a
    // project the group does not reach, no findings.
    let (status, body) = member
        .post(
            "/api/supervision/visits",
            json!({
                "group_id": gid, "visited_on": (today() + time::Duration::days(1)).to_string(),
                "method": "on_site", "place_codes": ["430121"], "project_ids": [changsha],
                "findings": " "
            }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    for field in ["visited_on", "place_codes", "project_ids", "findings"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    // Only a member records the group's visits; a bureau records none.
    let visit = json!({
        "group_id": gid, "visited_on": days_ago(1), "method": "on_site",
        "place_codes": ["430921"], "project_ids": [nanxian],
        "findings": "南县督导走访项目二期用地报批滞后，企业反映融资难"
    });
    let (status, body) = outsider
        .post("/api/supervision/visits", visit.clone())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["errors"]["group_id"].is_array(), "{body}");
    let (status, _) = hn.post("/api/supervision/visits", visit.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, v) = member.post("/api/supervision/visits", visit).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let vid = v["id"].as_i64().unwrap();
    let due = (today() + time::Duration::days(9)).to_string();
    assert_eq!(v["problem_list_due"], due, "{v}");
    assert_eq!(v["problem_list_status"], "pending");
    assert_eq!(v["method_label"], "现场调研");
    assert_eq!(v["places"][0]["name"], "南县");
    assert_eq!(ids(&v["projects"]), vec![nanxian]);

    // The list is the leader's task, not the other member's nor the province bureau's.
    let (_, tasks) = leader.get("/api/tasks/mine").await;
    let task = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "visit_problem_list" && t["source_id"] == vid)
        .unwrap_or_else(|| panic!("{tasks}"))
        .clone();
    assert_eq!(task["due_on"], due);
    assert_eq!(task["status"], "open");
    for other in [&member, &hn] {
        let (_, tasks) = other.get("/api/tasks/mine").await;
        assert!(!tasks.to_string().contains("visit_problem_list"), "{tasks}");
    }

    // Two problems on the list: one of the project, one common.
    let (status, body) = member
        .post(
            &format!("/api/supervision/visits/{vid}/problems"),
            json!({ "description": "x", "category": "land", "project_id": changsha }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, land) = member
        .post(
            &format!("/api/supervision/visits/{vid}/problems"),
            json!({
                "description": "项目二期用地报批滞后", "category": "land", "project_id": nanxian
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{land}");
    assert_eq!(land["source"], "visit");
    assert_eq!(land["region_code"], "430921");
    let (status, common) = member
        .post(
            &format!("/api/supervision/visits/{vid}/problems"),
            json!({
                "description": "多家企业反映融资难", "category": "financing", "common": true
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{common}");
    assert_eq!(common["region_code"], "430921");
    let (status, _) = outsider
        .post(
            &format!("/api/supervision/visits/{vid}/problems"),
            json!({ "description": "x", "category": "land", "common": true }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The province handles them: it assigns; the member only reads.
    let (_, page) = hn.get(&format!("/api/problems?visit_id={vid}")).await;
    assert_eq!(page["total"], 2, "{page}");
    assert!(page["items"][0]["actions"]
        .as_array()
        .unwrap()
        .contains(&json!("assign")));
    let (_, page) = member.get(&format!("/api/problems?visit_id={vid}")).await;
    assert_eq!(page["total"], 2, "{page}");
    assert_eq!(page["items"][0]["actions"], json!([]));
    let (_, v) = member.get(&format!("/api/supervision/visits/{vid}")).await;
    assert_eq!(v["problem_count"], 2);
    assert_eq!(v["problems"].as_array().unwrap().len(), 2, "{v}");

    // Other regions read neither the visit nor its problems.
    for who in [&csx, &app.login("yyx_bureau").await, &outsider] {
        let (_, visits) = who.get("/api/supervision/visits").await;
        assert_eq!(visits, json!([]));
        let (status, _) = who.get(&format!("/api/supervision/visits/{vid}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (_, page) = csx.get(&format!("/api/problems?visit_id={vid}")).await;
    assert_eq!(page["total"], 0);

    // Ten days on, the list is overdue: flagged in the lists and the compliance view.
    store.clock().advance(time::Duration::days(10));
    let (_, overdue) = hn.get("/api/supervision/visits?overdue=true").await;
    assert_eq!(ids(&overdue), vec![vid]);
    assert_eq!(overdue[0]["problem_list_status"], "overdue");
    assert_eq!(overdue[0]["light"], "red");
    let (_, c) = hn
        .get(&format!(
            "/api/supervision/groups/{gid}/compliance?quarter={}",
            quarter_of(today())
        ))
        .await;
    assert_eq!(c["overdue_lists"], 1, "{c}");

    // Submitted late; the task is done and the list closed to new problems.
    let (status, v) = leader
        .post(
            &format!("/api/supervision/visits/{vid}/problem-list"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["problem_list_status"], "submitted_late");
    let (_, tasks) = leader.get("/api/tasks/mine").await;
    let task = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["source_id"] == vid && t["kind"] == "visit_problem_list")
        .unwrap()
        .clone();
    assert_eq!(task["status"], "done");
    let (status, _) = member
        .post(
            &format!("/api/supervision/visits/{vid}/problems"),
            json!({ "description": "补充问题", "category": "other", "common": true }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = member
        .post(
            &format!("/api/supervision/visits/{vid}/problem-list"),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, overdue) = hn.get("/api/supervision/visits?overdue=true").await;
    assert_eq!(overdue, json!([]));
}

fn quarter_of(day: time::Date) -> String {
    format!("{}-Q{}", day.year(), (u8::from(day.month()) - 1) / 3 + 1)
}

#[tokio::test]
async fn compliance_counts_each_assigned_regions_visits_in_the_quarter() {
    let app = spawn_app().await;
    let hn = app.login("hn_bureau").await;
    let admin = app.login("admin").await;
    let leader_id = user_id(&admin, "hn_inspector1").await;
    let member_id = user_id(&admin, "hn_inspector2").await;
    let group = form_group(&hn, leader_id, member_id).await;
    let gid = group["id"].as_i64().unwrap();
    let member = app.login("hn_inspector2").await;
    let quarter = quarter_of(today());

    let standing = |c: &Value, code: &str| {
        c["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{c}"))
    };
    let (status, c) = hn
        .get(&format!(
            "/api/supervision/groups/{gid}/compliance?quarter={quarter}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!((c["met"].as_i64(), c["total"].as_i64()), (Some(0), Some(2)));

    // A visit to 南县 and 沅江市 counts once for 益阳市, none for 常德市.
    let (status, v) = member
        .post(
            "/api/supervision/visits",
            json!({
                "group_id": gid, "visited_on": today().to_string(), "method": "symposium",
                "place_codes": ["430921", "430981"], "findings": "座谈了解项目推进情况"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (_, c) = hn
        .get(&format!(
            "/api/supervision/groups/{gid}/compliance?quarter={quarter}"
        ))
        .await;
    assert_eq!(standing(&c, "430900")["visits"], 1);
    assert_eq!(standing(&c, "430900")["met"], true);
    assert_eq!(standing(&c, "430900")["last_visit"], today().to_string());
    assert_eq!(standing(&c, "430700")["visits"], 0);
    assert_eq!(standing(&c, "430700")["met"], false);
    assert_eq!(c["met"], 1);
    // The member sees the same view; the default quarter is the current one.
    let (_, all) = member.get("/api/supervision/compliance").await;
    assert_eq!(all[0]["quarter"], quarter);
    assert_eq!(all[0]["met"], 1);
    // Another quarter has no visits.
    let (_, c) = hn
        .get(&format!(
            "/api/supervision/groups/{gid}/compliance?quarter=2025-Q1"
        ))
        .await;
    assert_eq!(c["met"], 0);
    let (status, body) = hn
        .get(&format!(
            "/api/supervision/groups/{gid}/compliance?quarter=2025-Q5"
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // A quota of two: one visit no longer meets it.
    let (status, g) = hn
        .put(
            &format!("/api/supervision/groups/{gid}"),
            json!({
                "name": "第一督导组", "leader_id": leader_id, "member_ids": [member_id],
                "region_codes": ["430900", "430700"], "visits_per_quarter": 2,
                "version": group["version"]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{g}");
    let (_, c) = hn
        .get(&format!(
            "/api/supervision/groups/{gid}/compliance?quarter={quarter}"
        ))
        .await;
    assert_eq!(standing(&c, "430900")["met"], false);
    assert_eq!(c["required"], 2);

    // The problem list's days are a rule setting: the province's administrator sets 15, a
    // county's may not.
    let (status, _) = app
        .login("nx_admin")
        .await
        .put("/api/supervision/rules", json!({ "problem_list_days": 15 }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = admin
        .put("/api/supervision/rules", json!({ "problem_list_days": 0 }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, rules) = admin
        .put("/api/supervision/rules", json!({ "problem_list_days": 15 }))
        .await;
    assert_eq!(status, StatusCode::OK, "{rules}");
    let (_, v) = member
        .post(
            "/api/supervision/visits",
            json!({
                "group_id": gid, "visited_on": today().to_string(), "method": "documents",
                "place_codes": ["430700"], "findings": "查阅常德市项目台账"
            }),
        )
        .await;
    assert_eq!(
        v["problem_list_due"],
        (today() + time::Duration::days(15)).to_string(),
        "{v}"
    );
}
