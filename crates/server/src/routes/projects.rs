use crate::error::{ApiResult, Json, Path, Query};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use luodi_store::projects::{
    DuplicateCandidate, Project, ProjectDetail, ProjectFilter, ProjectInput, StageChangeInput,
};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project))
        .routes(routes!(change_project_stage))
        .routes(routes!(list_duplicate_candidates))
}

/// The ledger: projects in the user's scope, filtered and sorted, one page at a time.
#[utoipa::path(get, path = "/api/projects", tag = "ledger", params(ProjectFilter, PageRequest),
    responses((status = 200, body = Page<Project>), (status = 422, body = crate::ErrorBody)))]
async fn list_projects(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<ProjectFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<Project>>> {
    Ok(Json(store.projects(&filter, page).await?))
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
        Json(store.create_project(input).await?),
    ))
}

/// A project with its stage history, milestone chain, rates and obligations.
#[utoipa::path(get, path = "/api/projects/{id}", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = ProjectDetail), (status = 404, body = crate::ErrorBody)))]
async fn get_project(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<ProjectDetail>> {
    Ok(Json(store.project(id).await?))
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
    Ok(Json(store.change_stage(id, input).await?))
}

/// The duplicate review pool: projects that may have been entered (or signed) twice.
#[utoipa::path(get, path = "/api/duplicates", tag = "ledger", params(PageRequest),
    responses((status = 200, body = Page<DuplicateCandidate>)))]
async fn list_duplicate_candidates(
    ScopedStore(store): ScopedStore,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<DuplicateCandidate>>> {
    Ok(Json(store.duplicate_candidates(page).await?))
}
