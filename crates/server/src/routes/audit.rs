use crate::error::{ApiResult, Json, Query};
use crate::session::ScopedStore;
use crate::AppState;
use luodi_store::audit::{AuditEntry, AuditFilter};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit_entries))
}

/// The audit trail of records in the user's scope, newest first. Read-only: no endpoint
/// changes or deletes an entry, and the database refuses to.
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditFilter, PageRequest),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = crate::ErrorBody)))]
async fn list_audit_entries(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<AuditFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<AuditEntry>>> {
    Ok(Json(store.audit().list(&filter, page).await?))
}
