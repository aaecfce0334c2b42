//! The 三率, classification counts and 同比 growth, and yearly targets with their progress.

use crate::error::{ApiResult, Json, Query};
use crate::session::ScopedStore;
use crate::AppState;
use luodi_store::rates::{GrowthQuery, GrowthReport, RatesQuery, RatesReport};
use luodi_store::targets::{TargetInput, TargetProgress, TargetsQuery};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_rates))
        .routes(routes!(get_growth))
        .routes(routes!(get_targets, put_target))
}

/// The 三率 and classification counts of a region (or an event, zone, industry, origin), row
/// by row for its groups, for today or as at the end of a month, with the definitions every
/// screen prints.
#[utoipa::path(get, path = "/api/rates", tag = "rates", params(RatesQuery),
    responses((status = 200, body = RatesReport), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn get_rates(
    ScopedStore(store): ScopedStore,
    Query(query): Query<RatesQuery>,
) -> ApiResult<Json<RatesReport>> {
    Ok(Json(store.rates(&query).await?))
}

/// 同比 growth of confirmed arrival by origin: this year to the given month against the same
/// months last year, 元 and US dollars apart.
#[utoipa::path(get, path = "/api/rates/growth", tag = "rates", params(GrowthQuery),
    responses((status = 200, body = GrowthReport), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn get_growth(
    ScopedStore(store): ScopedStore,
    Query(query): Query<GrowthQuery>,
) -> ApiResult<Json<GrowthReport>> {
    Ok(Json(store.growth(&query).await?))
}

/// Yearly targets (目标任务) of a region and its child regions, each with the figure reached.
#[utoipa::path(get, path = "/api/targets", tag = "rates", params(TargetsQuery),
    responses((status = 200, body = Vec<TargetProgress>), (status = 404, body = crate::ErrorBody)))]
async fn get_targets(
    ScopedStore(store): ScopedStore,
    Query(query): Query<TargetsQuery>,
) -> ApiResult<Json<Vec<TargetProgress>>> {
    Ok(Json(store.targets(&query).await?))
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
    Ok(Json(store.set_target(input).await?))
}
