//! Stage changes of many projects at once through a sheet (阶段变更表): the template lists the
//! projects the ledger filters select with their current stage; the new stage and its date are
//! filled in, checked by the stage rules row by row, and written all together or not at all.

use crate::error::{ApiError, ApiResult, Json, Query};
use crate::office::{self, SheetForm, Upload, Value};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use luodi_store::ledger::stages::{StageImportPreview, StagesSheet};
use luodi_store::ledger::ProjectFilter;
use luodi_store::sheets::SheetImport;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stages_template))
        .routes(routes!(preview_stages_import))
        .routes(routes!(marked_stages_import))
        .routes(routes!(commit_stages_import))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The stage-change sheet, filled with the projects the ledger filters select (number, name,
/// current stage); the new stage and its date are left to fill in.
#[utoipa::path(get, path = "/api/projects/stages/import/template", tag = "ledger",
    params(ProjectFilter),
    responses((status = 200, content_type = XLSX), (status = 403, body = crate::ErrorBody)))]
async fn stages_template(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<ProjectFilter>,
) -> ApiResult<Response> {
    store.actor().require(StagesSheet::PERMISSION)?;
    let projects = store
        .ledger()
        .list_all(&filter, StagesSheet::SPEC.max_rows as i64)
        .await?;
    let rows = office::template_rows(StagesSheet::SPEC, &projects, |p, field| match field {
        "project_id" => Value::Int(p.id),
        "project_name" => p.name.as_str().into(),
        "current_stage" => p.stage.as_str().into(),
        _ => Value::Blank,
    });
    let count = rows.len();
    let bytes =
        tokio::task::spawn_blocking(move || office::template_filled(StagesSheet::SPEC, rows))
            .await
            .map_err(ApiError::internal)??;
    Ok(office::export_download("阶段变更表.xlsx", bytes, count))
}

/// Checks a filled-in stage-change sheet row by row; writes nothing.
#[utoipa::path(post, path = "/api/projects/stages/import/preview", tag = "ledger",
    request_body(content = SheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = StageImportPreview), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn preview_stages_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<StageImportPreview>> {
    office::preview::<StagesSheet>(&store, &state, upload).await
}

#[derive(Serialize, ToSchema)]
struct StagesResult {
    changed: usize,
}

/// Changes the stages of every filled row in one transaction, or none (422 `import_rejected`).
#[utoipa::path(post, path = "/api/projects/stages/import/commit", tag = "ledger",
    request_body(content = SheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = StagesResult), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn commit_stages_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<StagesResult>> {
    let changed = office::commit::<StagesSheet>(&store, &state, upload).await?;
    Ok(Json(StagesResult { changed }))
}

/// The uploaded sheet handed back with its errors marked. Writes nothing.
#[utoipa::path(post, path = "/api/projects/stages/import/errors", tag = "ledger",
    request_body(content = SheetForm, content_type = "multipart/form-data"),
    responses((status = 200, content_type = XLSX), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn marked_stages_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Response> {
    office::marked::<StagesSheet>(&store, &state, upload).await
}
