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
