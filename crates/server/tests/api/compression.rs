use crate::helpers::*;
use reqwest::{header, Response, StatusCode};
use serde_json::Value;
use std::io::Read;

const CHROME: &str = "gzip, deflate, br, zstd";

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .expect("a gzip stream");
    plain
}

fn encoding(res: &Response) -> Option<&str> {
    res.headers()
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap())
}

fn varies_on_encoding(res: &Response) -> bool {
    res.headers().get_all(header::VARY).iter().any(|v| {
        v.to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-encoding")
    })
}

#[tokio::test]
async fn api_answers_are_gzipped_when_asked_and_plain_otherwise() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let path = "/api/units?page_size=50";

    let plain = nx.get_raw(path).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(encoding(&plain), None);
    let expected: Value = plain.json().await.unwrap();
    assert!(!expected["items"].as_array().unwrap().is_empty());

    let res = nx
        .client
        .get(nx.url(path))
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(encoding(&res), Some("gzip"));
    assert!(varies_on_encoding(&res));
    assert!(res.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let bytes = res.bytes().await.unwrap();
    let json: Value = serde_json::from_slice(&gunzip(&bytes)).unwrap();
    assert_eq!(json, expected);
    assert!(
        bytes.len() * 3 < serde_json::to_vec(&expected).unwrap().len(),
        "{} bytes compressed",
        bytes.len()
    );

    // Errors too, in the same shape once unpacked.
    let res = nx
        .client
        .get(nx.url("/api/units/999999"))
        .header(header::ACCEPT_ENCODING, CHROME)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(encoding(&res), Some("gzip"));
    let body: Value = serde_json::from_slice(&gunzip(&res.bytes().await.unwrap())).unwrap();
    assert_error(&body, "not_found");
}

#[tokio::test]
async fn workbooks_are_sent_as_they_are() {
    let app = spawn_app().await;
    let nx = app.login("nx_bureau").await;
    let res = nx
        .client
        .get(nx.url("/api/units/import/template"))
        .header(header::ACCEPT_ENCODING, CHROME)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(encoding(&res), None, "an .xlsx is a zip archive already");
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an .xlsx comes as it is");
}

/// The built front end's files come precompressed, with their own content type; checked when
/// `web/dist` is built (scripts/test.sh builds it first).
#[tokio::test]
async fn front_end_files_are_sent_precompressed() {
    let dist = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/dist"));
    if !dist.join("index.html").exists() {
        return;
    }
    let app = spawn_app().await;
    let index = client()
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let script = index
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("index.html loads a script");
    assert!(
        script.starts_with("/assets/") && script.ends_with(".js"),
        "{script}"
    );
    let get = |accept: Option<&'static str>| {
        let mut request = client().get(app.url(script));
        if let Some(accept) = accept {
            request = request.header(header::ACCEPT_ENCODING, accept);
        }
        request.send()
    };

    let plain = get(None).await.unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(encoding(&plain), None);
    assert!(varies_on_encoding(&plain));
    let plain = plain.bytes().await.unwrap();

    for (accept, coding) in [(CHROME, "br"), ("gzip", "gzip"), ("gzip, br;q=0", "gzip")] {
        let res = get(Some(accept)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(encoding(&res), Some(coding), "{accept}");
        assert!(varies_on_encoding(&res));
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "text/javascript",
            "{accept}"
        );
        assert_eq!(
            res.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.len() < plain.len(), "{accept}");
        if coding == "gzip" {
            assert_eq!(gunzip(&bytes), plain, "compressed once, not twice");
        }
    }

    // The copies are not files of their own.
    let res = client()
        .get(app.url(&format!("{script}.br")))
        .send()
        .await
        .unwrap();
    assert!(res.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}
