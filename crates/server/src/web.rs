//! The built front end (`web/dist`), embedded in the binary so that one file runs offline.

use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;
use std::collections::BTreeSet;

#[derive(RustEmbed)]
// Relative to this crate's manifest directory.
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Assets;

/// The copies the build writes beside a text file (`web/vite.config.ts`), the smallest first:
/// the `Content-Encoding` each is sent with and its file-name suffix.
const PRECOMPRESSED: [(&str, &str); 2] = [("br", ".br"), ("gzip", ".gz")];

pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    // The compressed copies are reached only through the file they are a copy of, so that
    // `x.js` is always sent as JavaScript.
    let is_copy = PRECOMPRESSED
        .iter()
        .any(|(_, suffix)| path.ends_with(suffix));
    if let Some(file) = (!path.is_empty() && !is_copy)
        .then(|| Assets::get(path))
        .flatten()
    {
        // Vite puts a content hash in every file name under assets/, so those never change.
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        let mut response = (
            [
                (header::CONTENT_TYPE, file.metadata.mimetype().to_owned()),
                (header::CACHE_CONTROL, cache.to_owned()),
            ],
            file.data,
        )
            .into_response();
        let copies: Vec<_> = PRECOMPRESSED
            .iter()
            .filter_map(|(coding, suffix)| {
                Assets::get(&format!("{path}{suffix}")).map(|copy| (*coding, copy))
            })
            .collect();
        if copies.is_empty() {
            return response;
        }
        let accepted = accept_encoding(&headers);
        if let Some((coding, copy)) = copies
            .into_iter()
            .find(|(coding, _)| accepts(&accepted, coding))
        {
            *response.body_mut() = copy.data.into();
            response.headers_mut().insert(
                header::CONTENT_ENCODING,
                header::HeaderValue::from_static(coding),
            );
        }
        response.headers_mut().insert(
            header::VARY,
            header::HeaderValue::from_static("accept-encoding"),
        );
        return response;
    }
    // Client-side routes (/units, /audit, …) all load the single page.
    match Assets::get("index.html") {
        Some(index) => (
            [(header::CACHE_CONTROL, "no-cache")],
            Html(index.data),
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            Html("<p>前端尚未构建：请先运行 <code>npm --prefix web run build</code>，再重新编译。</p>"),
        )
            .into_response(),
    }
}

/// A boundary file of the investment map (`/maps/430900.json`) or their list
/// (`/maps/index.json`): the installation's own file from `[server] maps_dir` where it has
/// one, else the one bundled in `web/dist/maps` (written by `web/scripts/maps.mjs`). Any other
/// name is not found (never the single page, which would read as a map).
pub async fn map_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if map_code(&file).is_none() && file != "index.json" {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Some(dir) = state.settings.maps_dir.as_deref() {
        if file == "index.json" {
            let mut codes: BTreeSet<String> = Assets::get("maps/index.json")
                .and_then(|f| serde_json::from_slice::<Vec<String>>(&f.data).ok())
                .unwrap_or_default()
                .into_iter()
                .collect();
            codes.extend(own_maps(dir).await);
            return json_file(serde_json::to_vec(&codes).unwrap_or_default());
        }
        match tokio::fs::read(std::path::Path::new(dir).join(&file)).await {
            Ok(bytes) => return json_file(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::error!(error = %e, file, "cannot read the installation's map file");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    }
    if Assets::get(&format!("maps/{file}")).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    serve(uri, headers).await
}

/// The region codes of the boundary files in an installation's maps directory.
async fn own_maps(dir: &str) -> Vec<String> {
    let mut codes = Vec::new();
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        tracing::warn!(dir, "the maps directory cannot be read");
        return codes;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        if let Some(code) = map_code(&entry.file_name().to_string_lossy()) {
            codes.push(code.to_owned());
        }
    }
    codes
}

/// The region code a boundary file is named by (`430900.json` → `430900`).
fn map_code(file: &str) -> Option<&str> {
    file.strip_suffix(".json")
        .filter(|code| code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()))
}

fn json_file(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes,
    )
        .into_response()
}

/// Every `Accept-Encoding` value of the request, as one list.
fn accept_encoding(headers: &HeaderMap) -> String {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether an `Accept-Encoding` list allows `coding`: named, or covered by `*`, with a
/// quality above zero (`br;q=0` refuses it).
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    let mut wildcard = None;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let quality = parts
            .filter_map(|param| param.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case(coding) {
            return quality > 0.0;
        }
        if name == "*" {
            wildcard = Some(quality > 0.0);
        }
    }
    wildcard.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn accept_encoding_names_qualities_and_wildcards() {
        let chrome = "gzip, deflate, br, zstd";
        assert!(accepts(chrome, "br"));
        assert!(accepts(chrome, "gzip"));
        assert!(accepts("GZIP", "gzip"));
        assert!(!accepts("", "gzip"));
        assert!(!accepts("identity", "br"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(accepts("gzip, br;q=0", "gzip"));
        assert!(accepts("br ; q=0.5", "br"));
        assert!(accepts("*", "br"));
        assert!(!accepts("*;q=0", "br"));
        assert!(!accepts("br;q=0, *", "br"));
        assert!(accepts("*;q=0, gzip", "gzip"));
    }
}
