use crate::error::{ApiResult, Json, Path, Query};
use crate::office::UploadForm;
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use luodi_store::files::Attachment;
use luodi_store::funds::{FundArrival, FundInput, Review};
use luodi_store::projects::{
    DuplicateCandidate, DuplicateDecision, DuplicateFilter, Project, ProjectDetail, ProjectFilter,
    ProjectInput, ProjectUpdate, StageChangeInput,
};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project))
        .routes(routes!(change_project_stage))
        .routes(routes!(project_history))
        .routes(routes!(list_duplicate_candidates))
        .routes(routes!(decide_duplicate))
        .routes(routes!(list_project_funds, record_fund))
        .routes(routes!(fund_review_queue))
        .routes(routes!(review_fund))
        .routes(routes!(list_fund_evidence, upload_fund_evidence))
        .routes(routes!(download_attachment))
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

/// What was done to a project, newest first (at most 500 entries): entry, edits, stage
/// changes, its fund records and the decisions on its look-alike pairs, each with who, when,
/// before and after. Anyone who may see the project may read it.
#[utoipa::path(get, path = "/api/projects/{id}/history", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<luodi_store::audit::AuditEntry>), (status = 404, body = crate::ErrorBody)))]
async fn project_history(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<luodi_store::audit::AuditEntry>>> {
    Ok(Json(store.project_history(id).await?))
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
    Ok(Json(store.update_project(id, update).await?))
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

/// The duplicate review pool: projects that may have been entered (or signed) twice; the
/// pending pairs unless `status` asks for decided ones.
#[utoipa::path(get, path = "/api/duplicates", tag = "ledger", params(DuplicateFilter, PageRequest),
    responses((status = 200, body = Page<DuplicateCandidate>), (status = 422, body = crate::ErrorBody)))]
async fn list_duplicate_candidates(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<DuplicateFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<DuplicateCandidate>>> {
    Ok(Json(store.duplicate_candidates(&filter, page).await?))
}

/// Decides a pending pair: 确认重复 (`duplicate`) or 不是重复 (`not_duplicate`, with a
/// reason). A pair is decided once; a second decision answers 409.
#[utoipa::path(post, path = "/api/duplicates/{id}/decision", tag = "ledger",
    params(("id" = i64, Path)), request_body = DuplicateDecision,
    responses((status = 200, body = DuplicateCandidate), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn decide_duplicate(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(decision): Json<DuplicateDecision>,
) -> ApiResult<Json<DuplicateCandidate>> {
    Ok(Json(store.decide_duplicate(id, decision).await?))
}

/// The fund arrival records of a project, with their review state.
#[utoipa::path(get, path = "/api/projects/{id}/funds", tag = "funds", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<FundArrival>), (status = 404, body = crate::ErrorBody)))]
async fn list_project_funds(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<FundArrival>>> {
    Ok(Json(store.project_funds(id).await?))
}

/// Enters a fund arrival for review by the level above. Plausibility warnings answer 422 on
/// `override_reason` until a reason is given.
#[utoipa::path(post, path = "/api/projects/{id}/funds", tag = "funds", params(("id" = i64, Path)),
    request_body = FundInput,
    responses((status = 201, body = FundArrival), (status = 422, body = crate::ErrorBody)))]
async fn record_fund(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<FundInput>,
) -> ApiResult<(StatusCode, Json<FundArrival>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.record_fund(id, input).await?),
    ))
}

/// Fund records waiting for this user's review (entered in regions below theirs).
#[utoipa::path(get, path = "/api/funds/review", tag = "funds", params(PageRequest),
    responses((status = 200, body = Page<FundArrival>), (status = 403, body = crate::ErrorBody)))]
async fn fund_review_queue(
    ScopedStore(store): ScopedStore,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<FundArrival>>> {
    Ok(Json(store.review_queue(page).await?))
}

/// Confirms (确认) or returns (退回, with a reason) an entered fund record.
#[utoipa::path(post, path = "/api/funds/{id}/review", tag = "funds", params(("id" = i64, Path)),
    request_body = Review,
    responses((status = 200, body = FundArrival), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody)))]
async fn review_fund(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(review): Json<Review>,
) -> ApiResult<Json<FundArrival>> {
    Ok(Json(store.review_fund(id, review).await?))
}

/// The evidence files of a fund record.
#[utoipa::path(get, path = "/api/funds/{id}/evidence", tag = "funds", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Attachment>), (status = 404, body = crate::ErrorBody)))]
async fn list_fund_evidence(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Attachment>>> {
    Ok(Json(store.fund_evidence(id).await?))
}

/// The multipart form of an evidence upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct EvidenceForm {
    /// PDF, OFD, JPG, PNG, XLSX or DOCX, at most 20 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Attaches an evidence file (bank receipt, 验资报告 …) to a fund record.
#[utoipa::path(post, path = "/api/funds/{id}/evidence", tag = "funds", params(("id" = i64, Path)),
    request_body(content = EvidenceForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment), (status = 422, body = crate::ErrorBody)))]
async fn upload_fund_evidence(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    let (name, bytes) = UploadForm::read(multipart)
        .await?
        .file("请选择要上传的佐证材料")?;
    let attachment = store
        .attach_fund_evidence(state.files.as_ref(), id, &name, bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// Downloads an attachment; 404 for anything outside the user's scope.
#[utoipa::path(get, path = "/api/attachments/{id}", tag = "funds", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = crate::ErrorBody)))]
async fn download_attachment(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (attachment, bytes) = store.attachment_bytes(state.files.as_ref(), id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, attachment.content_type),
            (
                header::CONTENT_DISPOSITION,
                crate::office::content_disposition(&attachment.file_name, "evidence"),
            ),
        ],
        bytes,
    )
        .into_response())
}
