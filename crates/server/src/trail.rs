//! What the audit trail learns from the HTTP layer, in one place: every request runs inside
//! an audit context carrying the client's address, so each entry written while serving it
//! records where it came from; an export leaving the server (a response marked
//! [`office::Exported`]) is recorded with its filter and row count; and a request refused for
//! want of permission or scope (`403 forbidden`) by a signed-in user is recorded as a denial.
//!
//! The client's address is the socket's peer, or — behind a reverse proxy — the last address
//! in the header named by `[server] trusted_proxy_header` (the one the proxy itself appended).
//! No header is trusted unless configured: a client could write any address into it.

use crate::error::{Answered, ApiError, ErrorCode};
use crate::office;
use crate::AppState;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use luodi_store::audit::context::{self, RequestContext};
use luodi_store::audit::Export;
use std::net::{IpAddr, SocketAddr};

/// The client's address as the audit trail records it.
pub fn client_addr(request: &Request, trusted_header: Option<&str>) -> Option<String> {
    let from_proxy = trusted_header
        .and_then(|name| request.headers().get(name))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').map(str::trim).find(|s| !s.is_empty()))
        .and_then(|v| v.parse::<IpAddr>().ok());
    from_proxy
        .or_else(|| {
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
        .map(|ip| ip.to_canonical().to_string())
}

pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let addr = client_addr(&request, state.settings.trusted_proxy_header.as_deref());
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let filter = Query::<Vec<(String, String)>>::try_from_uri(request.uri())
        .map(|q| q.0)
        .unwrap_or_default();
    let audit = RequestContext::new(addr);
    let response = context::within(audit.clone(), next.run(request)).await;
    let Some(actor) = audit.actor() else {
        return response;
    };
    let scoped = state.store.scoped(actor);
    if let Some(exported) = response.extensions().get::<office::Exported>() {
        if response.status().is_success() {
            let export = Export {
                file_name: &exported.file_name,
                path: &path,
                filter: &filter,
                rows: exported.rows,
            };
            // A list leaves the server only with its entry in the trail.
            let recorded =
                context::within(audit.clone(), scoped.audit().record_export(export)).await;
            if let Err(e) = recorded {
                return ApiError::internal(e).into_response();
            }
        }
    }
    if response.status() == StatusCode::FORBIDDEN {
        if let Some(refused) = response
            .extensions()
            .get::<Answered>()
            .filter(|a| a.code == ErrorCode::Forbidden)
        {
            let recorded = context::within(
                audit.clone(),
                scoped
                    .audit()
                    .record_refusal(&method, &path, &refused.message),
            )
            .await;
            if let Err(e) = recorded {
                tracing::warn!(error = %e, "recording a refused request failed");
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(forwarded: Option<&str>, peer: Option<&str>) -> Request {
        let mut r = Request::new(axum::body::Body::empty());
        if let Some(f) = forwarded {
            r.headers_mut()
                .insert("x-forwarded-for", f.parse().unwrap());
        }
        if let Some(p) = peer {
            r.extensions_mut()
                .insert(ConnectInfo(p.parse::<SocketAddr>().unwrap()));
        }
        r
    }

    #[test]
    fn the_header_counts_only_when_configured() {
        let r = request(Some("198.51.100.7, 203.0.113.9"), Some("10.0.0.2:51000"));
        assert_eq!(client_addr(&r, None).as_deref(), Some("10.0.0.2"));
        assert_eq!(
            client_addr(&r, Some("x-forwarded-for")).as_deref(),
            Some("203.0.113.9"),
            "the proxy's own entry is the last one"
        );
        let forged = request(Some("not an address"), Some("10.0.0.2:51000"));
        assert_eq!(
            client_addr(&forged, Some("x-forwarded-for")).as_deref(),
            Some("10.0.0.2")
        );
        let mapped = request(None, Some("[::ffff:192.0.2.1]:443"));
        assert_eq!(client_addr(&mapped, None).as_deref(), Some("192.0.2.1"));
        assert_eq!(client_addr(&request(None, None), None), None);
    }
}
