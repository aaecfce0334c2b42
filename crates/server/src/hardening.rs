//! HTTP hardening for every answer: security headers, `Cache-Control: no-store` on the API, and
//! a same-origin check on requests that change something on the strength of the session cookie
//! (a page on another site could otherwise make the user's browser post an import with their
//! cookie).

use crate::error::{ApiError, ErrorCode};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// What the embedded front end needs and nothing more: its own scripts, styles (Element Plus
/// sets inline styles), images and fonts, and the API on the same origin; no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
    frame-ancestors 'none'";

/// Swagger UI (`/api/docs`) starts itself with an inline script.
const DOCS_CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self' 'unsafe-inline'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
    frame-ancestors 'none'";

/// Adds the security headers; HSTS only when the server is reached over HTTPS
/// (`cookie_secure`, set whenever the public URL is https). Every answer under `/api` — data,
/// errors, exports and evidence downloads — is `no-store`, so neither the browser nor a proxy
/// keeps a copy (ASVS V8.2.1); the front end's files keep the caching `web.rs` gives them.
pub async fn security_headers(https: bool, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let docs = path.starts_with("/api/docs");
    let api = path == "/api" || path.starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let csp = if docs {
        DOCS_CONTENT_SECURITY_POLICY
    } else {
        CONTENT_SECURITY_POLICY
    };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

/// Refuses a state-changing request that carries the session cookie but comes from another
/// origin (by `Origin`, or `Sec-Fetch-Site` where the browser sends it). Requests with a
/// bearer token, and clients that send neither header (scripts), are not affected: a browser
/// always sends `Origin` on a cross-origin POST.
pub async fn same_origin(request: Request, next: Next) -> Response {
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes && uses_session_cookie(request.headers()) && cross_origin(request.headers()) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::CrossOrigin,
            "拒绝来自其他网站的请求：请在本系统的页面中操作",
        )
        .into_response();
    }
    next.run(request).await
}

fn uses_session_cookie(headers: &HeaderMap) -> bool {
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(crate::session::SESSION_COOKIE));
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    cookie && !bearer
}

fn cross_origin(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        if site == "cross-site" || site == "same-site" {
            return true;
        }
    }
    match (text(header::ORIGIN), text(header::HOST)) {
        // An origin is scheme://host[:port]; it must name the host the request was sent to.
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_none_or(|(_, authority)| authority != host),
        (Some(_), None) => true,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn an_origin_must_name_the_host() {
        assert!(!cross_origin(&headers(&[("host", "luodi.example:8080")])));
        assert!(!cross_origin(&headers(&[
            ("host", "luodi.example:8080"),
            ("origin", "https://luodi.example:8080")
        ])));
        assert!(cross_origin(&headers(&[
            ("host", "luodi.example:8080"),
            ("origin", "https://evil.example")
        ])));
        assert!(cross_origin(&headers(&[
            ("host", "luodi.example"),
            ("origin", "null")
        ])));
        assert!(cross_origin(&headers(&[
            ("host", "luodi.example"),
            ("sec-fetch-site", "cross-site")
        ])));
    }
}
