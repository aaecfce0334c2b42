use crate::helpers::*;
use reqwest::StatusCode;

#[tokio::test]
async fn the_national_tree_is_browsable_level_by_level() {
    let app = spawn_app().await;
    let user = app.login("nx_unit").await;
    let (status, provinces) = user.get("/api/regions").await;
    assert_eq!(status, StatusCode::OK);
    let provinces = provinces.as_array().unwrap();
    assert_eq!(provinces.len(), 31);
    assert!(provinces
        .iter()
        .any(|p| p["code"] == "430000" && p["name"] == "湖南省"));

    let (_, cities) = user.get("/api/regions?parent=430000").await;
    let cities = cities.as_array().unwrap();
    assert_eq!(cities.len(), 14, "Hunan has 14 prefecture-level divisions");
    assert!(cities
        .iter()
        .all(|c| c["level"] == "prefecture" && c["has_children"] == true));

    let (_, counties) = user.get("/api/regions?parent=430900").await;
    assert!(counties
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["code"] == "430921" && c["name"] == "南县"));

    let (status, detail) = user.get("/api/regions/430921").await;
    assert_eq!(status, StatusCode::OK);
    let path: Vec<&str> = detail["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(path, ["湖南省", "益阳市", "南县"]);
    assert!(detail["zones"]
        .as_array()
        .unwrap()
        .iter()
        .any(|z| z["kind"] == "park"));

    let (status, body) = user.get("/api/regions/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    // The national list is public reference data.
    let (status, anonymous) = json_of(
        client()
            .get(app.url("/api/regions?parent=430900"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(anonymous, counties);
    let (status, body) = user.get("/api/regions?parent=43").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "validation_failed");
}

#[tokio::test]
async fn the_industry_dictionary_lists_sections_with_their_divisions() {
    let app = spawn_app().await;
    let res = client()
        .get(app.url("/api/industries"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        reqwest::StatusCode::OK,
        "reference data needs no sign-in"
    );
    let sections: serde_json::Value = res.json().await.unwrap();
    let sections = sections.as_array().unwrap();
    assert_eq!(sections.len(), 20, "GB/T 4754-2017 has sections A–T");
    let c = sections.iter().find(|s| s["code"] == "C").unwrap();
    assert_eq!(c["name"], "制造业");
    let divisions = c["divisions"].as_array().unwrap();
    assert_eq!(divisions.len(), 31, "manufacturing divisions 13–43");
    assert!(divisions.iter().any(|d| d["code"] == "39"));
}
