//! The assistance list (帮办清单): items listed per project by the bureau, each a task of its
//! responsible unit; the overdue ones reported in one list.

use crate::error::{ApiResult, Json, Path, Query};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use luodi_store::assistance::{
    AssistanceFilter, AssistanceInput, AssistanceItem, AssistanceReport,
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_items))
        .routes(routes!(project_items, add_item))
        .routes(routes!(complete_item))
}

/// The items the user reads (a unit account: its own unit's), soonest time limit first;
/// `overdue=true` gives the overdue list.
#[utoipa::path(get, path = "/api/assistance", tag = "assistance", params(AssistanceFilter),
    responses((status = 200, body = Vec<AssistanceItem>), (status = 422, body = crate::ErrorBody)))]
async fn list_items(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<AssistanceFilter>,
) -> ApiResult<Json<Vec<AssistanceItem>>> {
    Ok(Json(store.assistance().list(&filter).await?))
}

/// A project's assistance list, as its page shows it.
#[utoipa::path(get, path = "/api/projects/{id}/assistance", tag = "assistance",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AssistanceItem>), (status = 404, body = crate::ErrorBody)))]
async fn project_items(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<AssistanceItem>>> {
    Ok(Json(store.assistance().of_project(id).await?))
}

/// Lists an item on a project: it becomes a task of the responsible unit.
#[utoipa::path(post, path = "/api/projects/{id}/assistance", tag = "assistance",
    params(("id" = i64, Path)), request_body = AssistanceInput,
    responses((status = 201, body = AssistanceItem), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn add_item(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<AssistanceInput>,
) -> ApiResult<(StatusCode, Json<AssistanceItem>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.assistance().add(id, input).await?),
    ))
}

/// The responsible unit reports an item done (办结).
#[utoipa::path(post, path = "/api/assistance/{id}/complete", tag = "assistance",
    params(("id" = i64, Path)), request_body = AssistanceReport,
    responses((status = 200, body = AssistanceItem), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn complete_item(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(report): Json<AssistanceReport>,
) -> ApiResult<Json<AssistanceItem>> {
    Ok(Json(store.assistance().complete(id, report).await?))
}
