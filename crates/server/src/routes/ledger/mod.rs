//! The project ledger (项目台账): projects entered, edited, moved through their stages, and
//! their history. The ledger's sheet (template, import, export) is in `sheet`.

pub mod sheet;
pub mod stages;

use crate::error::{ApiResult, Json, Path, Query};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use luodi_store::ledger::{
    Project, ProjectDetail, ProjectFilter, ProjectInput, ProjectUpdate, StageChangeInput,
};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project))
        .routes(routes!(change_project_stage))
        .routes(routes!(project_history))
        .merge(sheet::router())
        .merge(stages::router())
}

/// The ledger: projects in the user's scope, filtered and sorted, one page at a time.
#[utoipa::path(get, path = "/api/projects", tag = "ledger", params(ProjectFilter, PageRequest),
    responses((status = 200, body = Page<Project>), (status = 422, body = crate::ErrorBody)))]
async fn list_projects(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<ProjectFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<Project>>> {
    Ok(Json(store.ledger().list(&filter, page).await?))
}

/// Enters a project. Possible duplicates of earlier projects go to the review pool; nothing is
/// merged or refused for that reason.
#[utoipa::path(post, path = "/api/projects", tag = "ledger", request_body = ProjectInput,
    responses((status = 201, body = ProjectDetail), (status = 422, body = crate::ErrorBody)))]
async fn create_project(
    ScopedStore(store): ScopedStore,
    Json(input): Json<ProjectInput>,
) -> ApiResult<(StatusCode, Json<ProjectDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.ledger().create(input).await?),
    ))
}

/// A project with its stage history, milestone chain, rates and obligations.
#[utoipa::path(get, path = "/api/projects/{id}", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = ProjectDetail), (status = 404, body = crate::ErrorBody)))]
async fn get_project(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<ProjectDetail>> {
    Ok(Json(store.ledger().get(id).await?))
}

/// What was done to a project, newest first (at most 500 entries): entry, edits, stage
/// changes, its fund records and the decisions on its look-alike pairs, each with who, when,
/// before and after. Anyone who may see the project may read it.
#[utoipa::path(get, path = "/api/projects/{id}/history", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<luodi_store::audit::AuditEntry>), (status = 404, body = crate::ErrorBody)))]
async fn project_history(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<luodi_store::audit::AuditEntry>>> {
    Ok(Json(store.ledger().history(id).await?))
}

/// Changes a project's fields. The stage is not changed here: a `stage` other than the
/// current one is refused (422 on `stage`) — stage changes go through
/// `POST /api/projects/{id}/stage`, which dates them and keeps the history. A stale `version`
/// answers 409; a landing place outside the user's scope, 422.
#[utoipa::path(put, path = "/api/projects/{id}", tag = "ledger", params(("id" = i64, Path)),
    request_body = ProjectUpdate,
    responses((status = 200, body = ProjectDetail), (status = 404, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn update_project(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(update): Json<ProjectUpdate>,
) -> ApiResult<Json<ProjectDetail>> {
    Ok(Json(store.ledger().update(id, update).await?))
}

/// Moves a project to another stage on a date; the change is kept in its history.
#[utoipa::path(post, path = "/api/projects/{id}/stage", tag = "ledger", params(("id" = i64, Path)),
    request_body = StageChangeInput,
    responses((status = 200, body = ProjectDetail), (status = 409, body = crate::ErrorBody)))]
async fn change_project_stage(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<StageChangeInput>,
) -> ApiResult<Json<ProjectDetail>> {
    Ok(Json(store.ledger().change_stage(id, input).await?))
}
