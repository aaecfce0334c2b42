//! Notification channels: the group robots a region's bureau connects (企业微信 / 钉钉), and
//! the messages that could not be delivered, with 重新发送.

use crate::error::{ApiResult, Json, Path, Query};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use luodi_store::channels::{
    FailedDelivery, FailuresQuery, RobotInput, RobotTestResult, RobotView, RobotsQuery,
};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_robots, add_robot))
        .routes(routes!(update_robot, remove_robot))
        .routes(routes!(test_robot))
        .routes(routes!(list_failures))
        .routes(routes!(resend))
}

/// The group robots of regions in the user's scope; URLs masked, secrets never shown.
#[utoipa::path(get, path = "/api/channels/robots", tag = "channels", params(RobotsQuery),
    responses((status = 200, body = Vec<RobotView>), (status = 403, body = crate::ErrorBody)))]
async fn list_robots(
    ScopedStore(store): ScopedStore,
    Query(query): Query<RobotsQuery>,
) -> ApiResult<Json<Vec<RobotView>>> {
    Ok(Json(store.channels().robots(&query).await?))
}

/// Connects a group robot for a region in scope.
#[utoipa::path(post, path = "/api/channels/robots", tag = "channels", request_body = RobotInput,
    responses((status = 201, body = RobotView), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn add_robot(
    ScopedStore(store): ScopedStore,
    Json(input): Json<RobotInput>,
) -> ApiResult<(StatusCode, Json<RobotView>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.channels().add_robot(input).await?),
    ))
}

/// Changes a robot; a URL or secret left out is kept, an empty secret removes it.
#[utoipa::path(put, path = "/api/channels/robots/{id}", tag = "channels",
    params(("id" = i64, Path)), request_body = RobotInput,
    responses((status = 200, body = RobotView), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn update_robot(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<RobotInput>,
) -> ApiResult<Json<RobotView>> {
    Ok(Json(store.channels().update_robot(id, input).await?))
}

/// Removes a robot, with its messages still waiting or given up.
#[utoipa::path(delete, path = "/api/channels/robots/{id}", tag = "channels",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::ErrorBody)))]
async fn remove_robot(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    store.channels().remove_robot(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 发送测试消息: posts a test message now and says whether the robot took it.
#[utoipa::path(post, path = "/api/channels/robots/{id}/test", tag = "channels",
    params(("id" = i64, Path)),
    responses((status = 200, body = RobotTestResult), (status = 404, body = crate::ErrorBody)))]
async fn test_robot(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<RobotTestResult>> {
    Ok(Json(store.channels().test_robot(id).await?))
}

/// Messages given up after their last attempt, about regions in the administrator's scope.
#[utoipa::path(get, path = "/api/channels/failures", tag = "channels",
    params(FailuresQuery, PageRequest),
    responses((status = 200, body = Page<FailedDelivery>), (status = 403, body = crate::ErrorBody)))]
async fn list_failures(
    ScopedStore(store): ScopedStore,
    Query(query): Query<FailuresQuery>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<FailedDelivery>>> {
    Ok(Json(store.channels().failures(&query, page).await?))
}

/// 重新发送: puts a given-up message back in the queue with its attempts reset.
#[utoipa::path(post, path = "/api/channels/failures/{id}/resend", tag = "channels",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::ErrorBody)))]
async fn resend(ScopedStore(store): ScopedStore, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    store.channels().resend(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
