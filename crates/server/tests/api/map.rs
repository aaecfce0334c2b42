//! The investment map's boundary files: an installation's own (an approved 标准地图) replace
//! the bundled ones code by code, and nothing but a boundary file is served under /maps.

use crate::helpers::*;
use luodi_server::ServerSettings;
use luodi_store::AuthSettings;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn an_installation_s_own_boundary_files_replace_the_bundled_ones() {
    let dir = std::env::temp_dir().join(format!("luodi-maps-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let own = json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "id": "430921",
            "properties": { "name": "南县" },
            "geometry": { "type": "Polygon", "coordinates": [[[112.3, 29.3], [112.5, 29.3], [112.4, 29.5], [112.3, 29.3]]] }
        }]
    });
    std::fs::write(dir.join("430900.json"), own.to_string()).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a map").unwrap();
    std::fs::write(dir.join("990000.json.bak"), "{}").unwrap();
    let app = spawn_app_configured(
        AuthSettings::default(),
        ServerSettings {
            maps_dir: Some(dir.display().to_string()),
            ..ServerSettings::default()
        },
    )
    .await;
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{}{path}", app.base)).send();

    let answer = get("/maps/430900.json").await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "application/json");
    assert_eq!(answer.json::<Value>().await.unwrap(), own);

    let index: Vec<String> = get("/maps/index.json").await.unwrap().json().await.unwrap();
    assert!(index.contains(&"430900".to_owned()), "{index:?}");
    assert!(!index.iter().any(|c| c.starts_with("99")), "{index:?}");

    for path in [
        "/maps/notes.txt",
        "/maps/990000.json.bak",
        "/maps/..%2F..%2FCargo.toml",
        "/maps/999999.json",
    ] {
        assert_eq!(
            get(path).await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{path} is not a boundary file"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

const WAN: i64 = 10_000 * 100;

async fn project_in(user: &User, region: &str, name: &str, contract_wan: i64) -> i64 {
    let (status, detail) = user
        .post(
            "/api/projects",
            json!({
                "name": name, "investor_name": format!("{name}投资有限公司"),
                "origin": "out_of_province", "contract_fen": contract_wan * WAN,
                "signed_on": "2026-03-10", "region_code": region, "stage": "signed", "investor_credit_code": credit_code()
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{detail}");
    detail["project"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_county_places_its_projects_and_zones_and_the_city_sees_them_but_no_other_county_does() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let yyx = app.login("yyx_bureau").await;
    let yy = app.login("yy_bureau").await;
    let cs = app.login("cs_bureau").await;
    let nx_unit = app.login("nx_unit").await;

    let placed = project_in(&nx, "430921", "南县稻虾米深加工项目", 30_000).await;
    let unplaced = project_in(&nx, "430921", "南县农机装备制造项目", 8_000).await;
    let yuanjiang = project_in(&yyx, "430981", "沅江船舶配件项目", 12_000).await;

    // Placing: inside the country's bounds, to the millionth of a degree.
    let (status, body) = nx
        .put(
            &format!("/api/projects/{placed}/location"),
            json!({ "location": { "lng": 112.3964, "lat": 29.3619 } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = nx
        .put(
            &format!("/api/projects/{unplaced}/location"),
            json!({ "location": { "lng": 2.35, "lat": 91.0 } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["errors"]["location.lng"][0], "经度应在东经73°至136°之间",
        "{body}"
    );
    assert_eq!(
        body["errors"]["location.lat"][0], "纬度应在北纬3°至54°之间",
        "{body}"
    );

    // Another county cannot place (nor learn of) 南县's project; a unit account cannot place.
    let (status, _) = yyx
        .put(
            &format!("/api/projects/{placed}/location"),
            json!({ "location": { "lng": 112.0, "lat": 29.0 } }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = nx_unit
        .put(
            &format!("/api/projects/{placed}/location"),
            json!({ "location": { "lng": 112.0, "lat": 29.0 } }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    yyx.put(
        &format!("/api/projects/{yuanjiang}/location"),
        json!({ "location": { "lng": 112.36, "lat": 28.84 } }),
    )
    .await;

    let zone = zone_id(&nx, "430921", "南县经济开发区").await;
    let (status, body) = nx
        .put(
            &format!("/api/zones/{zone}/location"),
            json!({ "location": { "lng": 112.41, "lat": 29.37 } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = yyx
        .put(
            &format!("/api/zones/{zone}/location"),
            json!({ "location": { "lng": 112.41, "lat": 29.37 } }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another county's zone");

    // 南县 sees its own point, zone and the one project not placed.
    let (status, m) = nx.get("/api/map/markers").await;
    assert_eq!(status, StatusCode::OK, "{m}");
    let ids: Vec<i64> = m["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [placed]);
    assert_eq!(m["projects"][0]["lng"], json!(112.3964));
    assert_eq!(m["projects"][0]["lat"], json!(29.3619));
    assert_eq!(m["placed"], 1);
    assert_eq!(m["unplaced"], 1);
    assert_eq!(m["zones"][0]["name"], "南县经济开发区");
    assert_eq!(m["zones"][0]["projects"], 0);

    // The city sees both counties' points, the largest contract first; 沅江 only its own.
    let (_, m) = yy.get("/api/map/markers").await;
    let ids: Vec<i64> = m["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [placed, yuanjiang]);
    let (_, m) = yyx.get("/api/map/markers").await;
    assert_eq!(m["projects"].as_array().unwrap().len(), 1);
    assert_eq!(m["projects"][0]["id"], yuanjiang);
    assert!(m["zones"].as_array().unwrap().is_empty());
    let (status, _) = yyx.get("/api/map/markers?region=430921").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "沅江 asks for 南县's map");
    let (_, m) = cs.get("/api/map/markers").await;
    assert!(m["projects"].as_array().unwrap().is_empty());
    assert_eq!(m["placed"], 0);

    // Clearing takes the point off, audited both times with the point before and after.
    let (status, _) = nx
        .put(
            &format!("/api/projects/{placed}/location"),
            json!({ "location": null }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, m) = nx.get("/api/map/markers").await;
    assert_eq!(m["placed"], 0);
    assert_eq!(m["unplaced"], 2);
    let (_, history) = nx.get(&format!("/api/projects/{placed}/history")).await;
    let located: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "locate")
        .collect();
    assert_eq!(located.len(), 2, "{history}");
    assert_eq!(located[0]["before"]["lng"], json!(112.3964));
    assert!(located[0]["after"].is_null());
}
