use crate::error::{ApiResult, Json};
use crate::session::ScopedStore;
use crate::AppState;
use luodi_store::dashboard::Dashboard;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_dashboard))
}

/// Headline figures of the user's scope for the home page.
#[utoipa::path(get, path = "/api/dashboard", tag = "dashboard",
    responses((status = 200, body = Dashboard)))]
async fn get_dashboard(ScopedStore(store): ScopedStore) -> ApiResult<Json<Dashboard>> {
    Ok(Json(store.dashboard().summary().await?))
}
