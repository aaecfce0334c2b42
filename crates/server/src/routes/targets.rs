//! Yearly targets (目标任务) handed down by the level above, and progress against them.

use crate::error::{ApiResult, Json, Query};
use crate::session::ScopedStore;
use crate::AppState;
use luodi_store::targets::{TargetInput, TargetProgress, TargetsQuery};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_targets, put_target))
}

/// Yearly targets (目标任务) of a region and its child regions, each with the figure reached.
#[utoipa::path(get, path = "/api/targets", tag = "rates", params(TargetsQuery),
    responses((status = 200, body = Vec<TargetProgress>), (status = 404, body = crate::ErrorBody)))]
async fn get_targets(
    ScopedStore(store): ScopedStore,
    Query(query): Query<TargetsQuery>,
) -> ApiResult<Json<Vec<TargetProgress>>> {
    Ok(Json(store.targets().list(&query).await?))
}

/// Sets or changes a target. Targets are handed down: for regions below the user's own
/// (administrators may also set their own region's).
#[utoipa::path(put, path = "/api/targets", tag = "rates", request_body = TargetInput,
    responses((status = 200, body = TargetProgress), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn put_target(
    ScopedStore(store): ScopedStore,
    Json(input): Json<TargetInput>,
) -> ApiResult<Json<TargetProgress>> {
    Ok(Json(store.targets().set(input).await?))
}
