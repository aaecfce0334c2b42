//! 我的待办 and the bell: the user's dated tasks with their lights, and in-app messages.

use crate::error::{ApiResult, Json};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use luodi_store::tasks::{Notifications, TaskView};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_tasks))
        .routes(routes!(notifications))
        .routes(routes!(mark_read))
}

/// The user's tasks (its region's bureau's, or its unit's), soonest due first, with lights.
#[utoipa::path(get, path = "/api/tasks/mine", tag = "tasks",
    responses((status = 200, body = Vec<TaskView>)))]
async fn my_tasks(ScopedStore(store): ScopedStore) -> ApiResult<Json<Vec<TaskView>>> {
    Ok(Json(store.tasks().mine().await?))
}

/// The bell: unread count and the latest messages.
#[utoipa::path(get, path = "/api/notifications", tag = "tasks",
    responses((status = 200, body = Notifications)))]
async fn notifications(ScopedStore(store): ScopedStore) -> ApiResult<Json<Notifications>> {
    Ok(Json(store.tasks().notifications().await?))
}

/// Marks every message read.
#[utoipa::path(post, path = "/api/notifications/read", tag = "tasks",
    responses((status = 204)))]
async fn mark_read(ScopedStore(store): ScopedStore) -> ApiResult<StatusCode> {
    store.tasks().mark_read().await?;
    Ok(StatusCode::NO_CONTENT)
}
