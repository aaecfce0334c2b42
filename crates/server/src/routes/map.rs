//! 招商地图: markers of placed projects and zones, and placing them by a click on the map.

use crate::error::{ApiResult, Json, Path, Query};
use crate::session::ScopedStore;
use crate::AppState;
use luodi_store::map::{LocationInput, Markers, MarkersQuery};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_markers))
        .routes(routes!(put_project_location))
        .routes(routes!(put_zone_location))
}

/// The placed projects (largest contracts first, up to 3,000) and zones of a region within the
/// user's reach, and how many of its signed projects have no place on the map yet.
#[utoipa::path(get, path = "/api/map/markers", tag = "map", params(MarkersQuery),
    responses((status = 200, body = Markers), (status = 404, body = crate::ErrorBody)))]
async fn get_markers(
    ScopedStore(store): ScopedStore,
    Query(query): Query<MarkersQuery>,
) -> ApiResult<Json<Markers>> {
    Ok(Json(store.map().markers(&query).await?))
}

/// Places a project on the map, or clears its place (`location: null`). Audited.
#[utoipa::path(put, path = "/api/projects/{id}/location", tag = "map",
    params(("id" = i64, Path)), request_body = LocationInput,
    responses((status = 200, body = LocationInput), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn put_project_location(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<LocationInput>,
) -> ApiResult<Json<LocationInput>> {
    let location = store.map().set_project(id, input).await?;
    Ok(Json(LocationInput { location }))
}

/// Places a zone (园区、乡镇) on the map, or clears its place. Audited.
#[utoipa::path(put, path = "/api/zones/{id}/location", tag = "map",
    params(("id" = i64, Path)), request_body = LocationInput,
    responses((status = 200, body = LocationInput), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn put_zone_location(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<LocationInput>,
) -> ApiResult<Json<LocationInput>> {
    let location = store.map().set_zone(id, input).await?;
    Ok(Json(LocationInput { location }))
}
