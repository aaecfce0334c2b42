//! The duplicate review pool and its decisions: `POST /api/duplicates/{id}/decision`.

use crate::helpers::*;
use crate::projects::project_input;
use reqwest::StatusCode;
use serde_json::json;

/// Two look-alike projects in 南县; returns the id of the pending pair.
async fn pair(app: &TestApp) -> i64 {
    let nx = app.login("nx_bureau").await;
    for name in [
        "华实稻虾米精深加工项目",
        "湖南华实稻虾米精深加工项目（一期）",
    ] {
        let (status, body) = nx
            .post("/api/projects", project_input(&nx, name).await)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let pool = nx.items("/api/duplicates").await;
    assert_eq!(pool.len(), 1, "{pool:?}");
    assert_eq!(pool[0]["status"], "pending");
    assert_eq!(pool[0]["status_label"], "待核查");
    pool[0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_decided_pair_leaves_the_pending_list_and_is_decided_once() {
    let app = spawn_app().await;
    let id = pair(&app).await;
    let nx = app.login("nx_bureau").await;
    let url = format!("/api/duplicates/{id}/decision");
    let (status, decided) = nx
        .post(
            &url,
            json!({ "status": "duplicate", "note": "同一项目在两次签约活动中重复签约" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "duplicate");
    assert_eq!(decided["status_label"], "确认重复");
    assert_eq!(decided["decision_note"], "同一项目在两次签约活动中重复签约");
    assert_eq!(decided["reviewed_by_name"], "蒋文杰（南县商务局）");
    assert!(decided["reviewed_at"].is_string());

    assert!(nx.items("/api/duplicates").await.is_empty());
    assert!(nx.items("/api/duplicates?status=pending").await.is_empty());
    assert_eq!(nx.items("/api/duplicates?status=duplicate").await.len(), 1);
    assert!(nx
        .items("/api/duplicates?status=not_duplicate")
        .await
        .is_empty());
    assert_eq!(nx.items("/api/duplicates?status=all").await.len(), 1);
    // The export follows the same filter and shows the decision.
    assert_eq!(
        xlsx_rows(&nx, "/api/duplicates/export").await.len(),
        1,
        "header only"
    );
    let rows = xlsx_rows(&nx, "/api/duplicates/export?status=all").await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], "湖南华实稻虾米精深加工项目（一期）");
    assert_eq!(rows[1][5], "确认重复");
    assert_eq!(rows[1][6], "同一项目在两次签约活动中重复签约");
    assert!(rows[1][4].contains("名称"), "the reasons: {:?}", rows[1]);
    let yj = app.login("yyx_bureau").await;
    assert_eq!(
        xlsx_rows(&yj, "/api/duplicates/export?status=all")
            .await
            .len(),
        1,
        "another county's pairs are not exported"
    );
    let (status, _) = nx.get("/api/duplicates/export?status=maybe").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = nx.get("/api/duplicates?status=maybe").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["status"][0]
        .as_str()
        .unwrap()
        .contains("待核查"));

    let (status, body) = nx
        .post(
            &url,
            json!({ "status": "not_duplicate", "note": "再看一次" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error(&body, "conflict");
    assert!(body["message"].as_str().unwrap().contains("已由"), "{body}");

    let audit = app.login("nx_admin").await;
    let entries = audit
        .items("/api/audit?entity=duplicate_candidate&action=decide")
        .await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["entity_id"], id.to_string());
    assert_eq!(entries[0]["action_label"], "核查");
    assert_eq!(entries[0]["entity_label_zh"], "疑似重复");
    assert_eq!(entries[0]["before"]["status"], "pending");
    assert_eq!(entries[0]["after"]["status"], "duplicate");
    assert!(entries[0]["summary"]
        .as_str()
        .unwrap()
        .contains("结论：确认重复"));
}

#[tokio::test]
async fn a_decision_needs_a_known_outcome_and_a_reason_to_clear_a_suspicion() {
    let app = spawn_app().await;
    let id = pair(&app).await;
    let nx = app.login("nx_bureau").await;
    let url = format!("/api/duplicates/{id}/decision");
    let (status, body) = nx.post(&url, json!({ "status": "merged" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "validation_failed");
    assert!(body["errors"]["status"][0]
        .as_str()
        .unwrap()
        .contains("不是重复"));
    let (status, body) = nx
        .post(&url, json!({ "status": "not_duplicate", "note": "  " }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["note"][0].as_str().unwrap().contains("理由"));
    let (status, body) = nx
        .post(
            &url,
            json!({ "status": "not_duplicate", "note": "理".repeat(501) }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["note"].is_array());
    assert_eq!(nx.items("/api/duplicates").await.len(), 1, "still pending");

    let (status, decided) = nx
        .post(
            &url,
            json!({ "status": "not_duplicate", "note": "同一投资方的两个不同项目" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status_label"], "不是重复");
}

#[tokio::test]
async fn only_the_ledger_keepers_of_the_candidates_region_decide() {
    let app = spawn_app().await;
    let id = pair(&app).await;
    let url = format!("/api/duplicates/{id}/decision");
    let body = json!({ "status": "duplicate" });

    // Another county: the pair does not exist for it.
    let yyx = app.login("yyx_bureau").await;
    assert!(yyx.items("/api/duplicates?status=all").await.is_empty());
    let (status, res) = yyx.post(&url, body.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&res, "not_found");
    // Same county, but no ledger permission.
    for user in ["nx_unit", "nx_leader", "nx_admin"] {
        let (status, res) = app.login(user).await.post(&url, body.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
        assert_error(&res, "forbidden");
    }
    let (status, _) = app
        .login("nx_bureau")
        .await
        .post("/api/duplicates/999999/decision", body.clone())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The city above covers 南县 and may decide.
    let yy = app.login("yy_bureau").await;
    let (status, decided) = yy.post(&url, body).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["reviewed_by_name"], "徐红梅（益阳市商务局）");
}
