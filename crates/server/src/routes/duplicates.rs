//! The duplicate review pool (重复核查): look-alike pairs, their decisions and export.

use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::office::{self, Cell, Column, SheetSpec};
use crate::session::ScopedStore;
use crate::AppState;
use axum::response::Response;
use luodi_store::duplicates::{
    DuplicateCandidate, DuplicateDecision, DuplicateFilter, DuplicateReopen,
};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_duplicate_candidates))
        .routes(routes!(decide_duplicate))
        .routes(routes!(reopen_duplicate))
        .routes(routes!(export_duplicate_candidates))
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
    Ok(Json(store.duplicates().list(&filter, page).await?))
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
    Ok(Json(store.duplicates().decide(id, decision).await?))
}

/// Takes a decision back, with a reason: only the level that decided (or one above) may. The
/// pair waits in the pool again, and a copy it marked counts again until decided anew.
#[utoipa::path(post, path = "/api/duplicates/{id}/reopen", tag = "ledger",
    params(("id" = i64, Path)), request_body = DuplicateReopen,
    responses((status = 200, body = DuplicateCandidate), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn reopen_duplicate(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(reopen): Json<DuplicateReopen>,
) -> ApiResult<Json<DuplicateCandidate>> {
    Ok(Json(store.duplicates().reopen(id, reopen).await?))
}

/// Rows an export of the duplicate pool holds at most.
const EXPORT_LIMIT: i64 = 100_000;

const DUPLICATES_EXPORT: SheetSpec = SheetSpec {
    sheet_name: "疑似重复项目",
    max_rows: 0,
    columns: &[
        Column::new("project", "新录入项目", 36.0),
        Column::new("project_region", "所在县市区", 12.0),
        Column::new("other_project", "疑似重复的已有项目", 36.0),
        Column::new("other_region", "已有项目所在地", 12.0),
        Column::new("reasons", "疑似原因", 40.0),
        Column::new("status", "核查结果", 10.0),
        Column::new("decision_note", "核查说明", 30.0),
        Column::new("reviewed_by", "核查人", 10.0),
        Column::new("reviewed_at", "核查时间", 18.0),
        Column::new("created_at", "发现时间", 18.0),
    ],
};

/// How a pair's other project appears to a reader who may not see it.
const OTHER_OUT_OF_SCOPE: &str = "本级范围以外的项目（由共同上级核查）";

/// The duplicate pool as filtered (pending pairs unless `status` says otherwise), as an Excel
/// workbook.
#[utoipa::path(get, path = "/api/duplicates/export", tag = "ledger", params(DuplicateFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 422, body = crate::ErrorBody)))]
async fn export_duplicate_candidates(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<DuplicateFilter>,
) -> ApiResult<Response> {
    let pairs = store.duplicates().list_all(&filter, EXPORT_LIMIT).await?;
    let time = |t: Option<String>| {
        Cell::opt_text(t.map(|t| t.replace('T', " ").chars().take(19).collect()))
    };
    let rows: Vec<Vec<Cell>> = pairs
        .into_iter()
        .map(|d| {
            vec![
                Cell::text(d.project_name),
                Cell::text(d.project_region_name),
                Cell::text(if d.other_in_scope {
                    d.other_project_name
                } else {
                    OTHER_OUT_OF_SCOPE.to_owned()
                }),
                Cell::text(d.other_region_name),
                Cell::text(d.reasons.join("；")),
                Cell::text(d.status_label),
                Cell::opt_text(d.decision_note),
                Cell::opt_text(d.reviewed_by_name),
                time(d.reviewed_at),
                time(Some(d.created_at)),
            ]
        })
        .collect();
    let count = rows.len();
    let bytes = tokio::task::spawn_blocking(move || office::export(&DUPLICATES_EXPORT, rows))
        .await
        .map_err(ApiError::internal)??;
    Ok(office::export_download("疑似重复项目.xlsx", bytes, count))
}
