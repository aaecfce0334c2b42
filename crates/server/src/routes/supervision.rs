//! Supervision (督导): groups with their members and regions, the quarterly quota's compliance
//! view, visits with their attachments, and each visit's problem list (its problems live in
//! the problems area).

use crate::error::{ApiResult, Json, Path, Query};
use crate::office::Upload;
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use luodi_store::funds::evidence::Attachment;
use luodi_store::problems::{Problem, ProblemRegistration};
use luodi_store::supervision::visits::{Visit, VisitFilter, VisitInput, VisitSummary};
use luodi_store::supervision::{
    GroupCompliance, QuarterQuery, SupervisionGroup, SupervisionGroupInput, VisitRules,
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(get_group, update_group))
        .routes(routes!(group_compliance))
        .routes(routes!(compliance))
        .routes(routes!(get_visit_rules, set_visit_rules))
        .routes(routes!(list_visits, record_visit))
        .routes(routes!(get_visit))
        .routes(routes!(add_visit_problem))
        .routes(routes!(submit_problem_list))
        .routes(routes!(upload_visit_attachment))
        .routes(routes!(download_visit_attachment))
}

/// The groups the user sees: a bureau those formed within its scope, a member its own.
#[utoipa::path(get, path = "/api/supervision/groups", tag = "supervision",
    responses((status = 200, body = Vec<SupervisionGroup>)))]
async fn list_groups(ScopedStore(store): ScopedStore) -> ApiResult<Json<Vec<SupervisionGroup>>> {
    Ok(Json(store.supervision().list().await?))
}

/// Forms a group over the bureau's region: leader, members (inspector accounts), regions
/// (分片负责) and the quarterly quota.
#[utoipa::path(post, path = "/api/supervision/groups", tag = "supervision",
    request_body = SupervisionGroupInput,
    responses((status = 201, body = SupervisionGroup), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn create_group(
    ScopedStore(store): ScopedStore,
    Json(input): Json<SupervisionGroupInput>,
) -> ApiResult<(StatusCode, Json<SupervisionGroup>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.supervision().create(input).await?),
    ))
}

#[utoipa::path(get, path = "/api/supervision/groups/{id}", tag = "supervision",
    params(("id" = i64, Path)),
    responses((status = 200, body = SupervisionGroup), (status = 404, body = crate::ErrorBody)))]
async fn get_group(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<SupervisionGroup>> {
    Ok(Json(store.supervision().get(id).await?))
}

/// Changes a group as a whole (with the version read).
#[utoipa::path(put, path = "/api/supervision/groups/{id}", tag = "supervision",
    params(("id" = i64, Path)), request_body = SupervisionGroupInput,
    responses((status = 200, body = SupervisionGroup), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn update_group(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<SupervisionGroupInput>,
) -> ApiResult<Json<SupervisionGroup>> {
    Ok(Json(store.supervision().update(id, input).await?))
}

/// Which of the group's regions were visited in the quarter as often as the quota asks.
#[utoipa::path(get, path = "/api/supervision/groups/{id}/compliance", tag = "supervision",
    params(("id" = i64, Path), QuarterQuery),
    responses((status = 200, body = GroupCompliance), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn group_compliance(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Query(q): Query<QuarterQuery>,
) -> ApiResult<Json<GroupCompliance>> {
    Ok(Json(
        store
            .supervision()
            .compliance(id, q.quarter.as_deref())
            .await?,
    ))
}

/// Every group the user sees against its quota in the quarter (default the current one).
#[utoipa::path(get, path = "/api/supervision/compliance", tag = "supervision",
    params(QuarterQuery),
    responses((status = 200, body = Vec<GroupCompliance>), (status = 422, body = crate::ErrorBody)))]
async fn compliance(
    ScopedStore(store): ScopedStore,
    Query(q): Query<QuarterQuery>,
) -> ApiResult<Json<Vec<GroupCompliance>>> {
    Ok(Json(
        store
            .supervision()
            .compliance_all(q.quarter.as_deref())
            .await?,
    ))
}

/// The visit rules: the days a visit's problem list is due in.
#[utoipa::path(get, path = "/api/supervision/rules", tag = "supervision",
    responses((status = 200, body = VisitRules)))]
async fn get_visit_rules(ScopedStore(store): ScopedStore) -> ApiResult<Json<VisitRules>> {
    Ok(Json(store.supervision().visit_rules().await?))
}

/// Changes the visit rules (a province's or the nation's administrator).
#[utoipa::path(put, path = "/api/supervision/rules", tag = "supervision",
    request_body = VisitRules,
    responses((status = 200, body = VisitRules), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn set_visit_rules(
    ScopedStore(store): ScopedStore,
    Json(input): Json<VisitRules>,
) -> ApiResult<Json<VisitRules>> {
    Ok(Json(store.supervision().set_visit_rules(input).await?))
}

/// The visits the user sees, latest first; `overdue=true` for those whose problem list is late.
#[utoipa::path(get, path = "/api/supervision/visits", tag = "supervision", params(VisitFilter),
    responses((status = 200, body = Vec<VisitSummary>)))]
async fn list_visits(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<VisitFilter>,
) -> ApiResult<Json<Vec<VisitSummary>>> {
    Ok(Json(store.supervision().visits(&filter).await?))
}

/// Records a visit of one of the member's groups; its problem list becomes the leader's task.
#[utoipa::path(post, path = "/api/supervision/visits", tag = "supervision",
    request_body = VisitInput,
    responses((status = 201, body = Visit), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn record_visit(
    ScopedStore(store): ScopedStore,
    Json(input): Json<VisitInput>,
) -> ApiResult<(StatusCode, Json<Visit>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.supervision().record_visit(input).await?),
    ))
}

/// One visit with the projects seen, its problem list and attachments.
#[utoipa::path(get, path = "/api/supervision/visits/{id}", tag = "supervision",
    params(("id" = i64, Path)),
    responses((status = 200, body = Visit), (status = 404, body = crate::ErrorBody)))]
async fn get_visit(ScopedStore(store): ScopedStore, Path(id): Path<i64>) -> ApiResult<Json<Visit>> {
    Ok(Json(store.supervision().visit(id).await?))
}

/// Registers a problem of the visit's list (in the problems area, `source = 'visit'`).
#[utoipa::path(post, path = "/api/supervision/visits/{id}/problems", tag = "supervision",
    params(("id" = i64, Path)), request_body = ProblemRegistration,
    responses((status = 201, body = Problem), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn add_visit_problem(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<ProblemRegistration>,
) -> ApiResult<(StatusCode, Json<Problem>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.supervision().add_problem(id, input).await?),
    ))
}

/// Submits the visit's problem list (报送问题清单); the leader's task is done.
#[utoipa::path(post, path = "/api/supervision/visits/{id}/problem-list", tag = "supervision",
    params(("id" = i64, Path)),
    responses((status = 200, body = Visit), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody)))]
async fn submit_problem_list(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Visit>> {
    Ok(Json(store.supervision().submit_problem_list(id).await?))
}

// The multipart form of a visit attachment (no doc comment: it would become the schema's
// description).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct VisitFileForm {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Attaches a file (photos, records: PDF, OFD, JPG, PNG, XLSX or DOCX, at most 20 MB) to a
/// visit of the member's group.
#[utoipa::path(post, path = "/api/supervision/visits/{id}/attachments", tag = "supervision",
    params(("id" = i64, Path)),
    request_body(content = VisitFileForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn upload_visit_attachment(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    upload: Upload,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    // Only a member may attach: checked before the file is read.
    let visit = store.supervision().visit(id).await?;
    if !visit.summary.is_member {
        return Err(luodi_store::StoreError::forbidden("只有本督导组成员可以上传督导附件").into());
    }
    let (name, bytes) = upload.read().await?.file("请选择要上传的督导附件")?;
    let attachment = store
        .supervision()
        .attach_to_visit(state.files.as_ref(), id, &name, bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// Downloads a visit's attachment; 404 for whoever does not see the visit.
#[utoipa::path(get, path = "/api/supervision/visits/{id}/attachments/{attachment}",
    tag = "supervision", params(("id" = i64, Path), ("attachment" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"),
        (status = 404, body = crate::ErrorBody)))]
async fn download_visit_attachment(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    Path((id, attachment)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    let (a, bytes) = store
        .supervision()
        .visit_attachment_bytes(state.files.as_ref(), id, attachment)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type),
            (
                header::CONTENT_DISPOSITION,
                crate::office::content_disposition(&a.file_name, "attachment"),
            ),
        ],
        bytes,
    )
        .into_response())
}
