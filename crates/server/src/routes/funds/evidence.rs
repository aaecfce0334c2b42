//! Evidence files behind a fund record (银行回单、验资报告…), and attachment downloads.

use crate::error::{ApiResult, Json, Path};
use crate::office::Upload;
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use luodi_domain::Permission;
use luodi_store::funds::evidence::Attachment;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_fund_evidence, upload_fund_evidence))
        .routes(routes!(download_attachment))
}

/// The evidence files of a fund record.
#[utoipa::path(get, path = "/api/funds/{id}/evidence", tag = "funds", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Attachment>), (status = 404, body = crate::ErrorBody)))]
async fn list_fund_evidence(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Attachment>>> {
    Ok(Json(store.funds().evidence(id).await?))
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
    responses((status = 201, body = Attachment), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn upload_fund_evidence(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    upload: Upload,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    store.actor().require(Permission::EnterFunds)?;
    let (name, bytes) = upload.read().await?.file("请选择要上传的佐证材料")?;
    let attachment = store
        .funds()
        .attach_evidence(state.files.as_ref(), id, &name, bytes)
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
    let (attachment, bytes) = store
        .funds()
        .attachment_bytes(state.files.as_ref(), id)
        .await?;
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
