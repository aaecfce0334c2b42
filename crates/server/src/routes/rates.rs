use crate::error::{ApiResult, Json, Query};
use crate::session::ScopedStore;
use crate::AppState;
use luodi_store::rates::{RatesQuery, RatesReport};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_rates))
}

/// The 三率 and classification counts of a region, row by row for its child regions, with
/// the definitions every screen prints.
#[utoipa::path(get, path = "/api/rates", tag = "rates", params(RatesQuery),
    responses((status = 200, body = RatesReport), (status = 404, body = crate::ErrorBody)))]
async fn get_rates(
    ScopedStore(store): ScopedStore,
    Query(query): Query<RatesQuery>,
) -> ApiResult<Json<RatesReport>> {
    Ok(Json(store.rates(&query).await?))
}
