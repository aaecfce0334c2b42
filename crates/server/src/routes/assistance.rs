//! The assistance list (帮办清单): items listed per project by the bureau, each a task of its
//! responsible unit; the overdue ones reported in one list.

use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::office::{self, Cell, Column, SheetSpec};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use luodi_store::assistance::{
    AssistanceFilter, AssistanceInput, AssistanceItem, AssistanceReport,
};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_items))
        .routes(routes!(export_items))
        .routes(routes!(project_items, add_item))
        .routes(routes!(complete_item))
}

/// One page of the items the user reads (a unit account: its own unit's), soonest time limit
/// first; `overdue=true` gives the overdue list.
#[utoipa::path(get, path = "/api/assistance", tag = "assistance",
    params(AssistanceFilter, PageRequest),
    responses((status = 200, body = Page<AssistanceItem>), (status = 422, body = crate::ErrorBody)))]
async fn list_items(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<AssistanceFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<AssistanceItem>>> {
    Ok(Json(store.assistance().list(&filter, page).await?))
}

/// Rows an export of the assistance list holds at most.
const EXPORT_LIMIT: i64 = 100_000;

const ASSISTANCE_EXPORT: SheetSpec = SheetSpec {
    sheet_name: "帮办清单",
    max_rows: 0,
    columns: &[
        Column::new("id", "编号", 8.0),
        Column::new("region", "县市区", 12.0),
        Column::new("project", "项目", 30.0),
        Column::new("step", "事项", 14.0),
        Column::new("content", "帮办内容", 40.0),
        Column::new("unit", "责任单位", 20.0),
        Column::new("person", "责任人", 10.0),
        Column::new("due_on", "办理时限", 12.0),
        Column::new("status", "状态", 8.0),
        Column::new("overdue", "逾期", 6.0),
        Column::new("days_left", "剩余天数", 10.0),
        Column::new("result", "办理结果", 40.0),
        Column::new("done_at", "办结时间", 18.0),
    ],
};

/// The assistance list as filtered (the same filters and reach as the list, every page), as
/// an Excel workbook.
#[utoipa::path(get, path = "/api/assistance/export", tag = "assistance", params(AssistanceFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 422, body = crate::ErrorBody)))]
async fn export_items(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<AssistanceFilter>,
) -> ApiResult<Response> {
    let items = store.assistance().list_all(&filter, EXPORT_LIMIT).await?;
    let rows: Vec<Vec<Cell>> = items
        .into_iter()
        .map(|i| {
            let done = i.status == "done";
            vec![
                Cell::Count(i.id),
                Cell::text(i.region_name),
                Cell::text(i.project_name),
                Cell::text(i.step_label),
                Cell::text(i.content),
                Cell::text(i.unit_name),
                Cell::text(i.person),
                Cell::date(Some(i.due_on)),
                Cell::text(if done { "已办结" } else { "办理中" }),
                Cell::yes_no(i.overdue),
                if done {
                    Cell::Empty
                } else {
                    Cell::Count(i.days_left)
                },
                Cell::opt_text(i.result),
                Cell::opt_text(
                    i.done_at
                        .map(|t| t.replace('T', " ").chars().take(19).collect()),
                ),
            ]
        })
        .collect();
    let count = rows.len();
    let bytes = tokio::task::spawn_blocking(move || office::export(&ASSISTANCE_EXPORT, rows))
        .await
        .map_err(ApiError::internal)??;
    Ok(office::export_download("帮办清单.xlsx", bytes, count))
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
