use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::office::{self, Cell, Column, SheetSpec, Upload};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use luodi_store::units::sheet::{UnitImportPreview, UnitsSheet};
use luodi_store::units::{Unit, UnitFilter, UnitInput, UnitUpdate};
use luodi_store::{Page, PageRequest};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_units, create_unit))
        .routes(routes!(get_unit, update_unit))
        .routes(routes!(export_units))
        .routes(routes!(units_import_template))
        .routes(routes!(preview_units_import))
        .routes(routes!(marked_units_import))
        .routes(routes!(commit_units_import))
}

/// Export adds the region columns that the import takes from the form.
const UNITS_EXPORT: SheetSpec = SheetSpec {
    sheet_name: "单位名录",
    max_rows: 0,
    columns: &[
        Column {
            field: "region_code",
            header: "区划代码",
            required: false,
            choices: &[],
            width: 10.0,
            note: "",
        },
        Column {
            field: "region_name",
            header: "行政区划",
            required: false,
            choices: &[],
            width: 14.0,
            note: "",
        },
        Column {
            field: "name",
            header: "单位名称",
            required: false,
            choices: &[],
            width: 36.0,
            note: "",
        },
        Column {
            field: "category",
            header: "单位类别",
            required: false,
            choices: &[],
            width: 16.0,
            note: "",
        },
        Column {
            field: "subcategory",
            header: "子类别",
            required: false,
            choices: &[],
            width: 16.0,
            note: "",
        },
        Column {
            field: "zone",
            header: "园区/乡镇",
            required: false,
            choices: &[],
            width: 20.0,
            note: "",
        },
        Column {
            field: "sort_order",
            header: "排序",
            required: false,
            choices: &[],
            width: 8.0,
            note: "",
        },
        Column {
            field: "contact_person",
            header: "联系人",
            required: false,
            choices: &[],
            width: 12.0,
            note: "",
        },
        Column {
            field: "contact_phone",
            header: "联系电话",
            required: false,
            choices: &[],
            width: 16.0,
            note: "",
        },
        Column {
            field: "note",
            header: "备注",
            required: false,
            choices: &[],
            width: 30.0,
            note: "",
        },
        Column {
            field: "active",
            header: "状态",
            required: false,
            choices: &[],
            width: 8.0,
            note: "",
        },
    ],
};

/// Units in the user's scope, in official order.
#[utoipa::path(get, path = "/api/units", tag = "units", params(UnitFilter, PageRequest),
    responses((status = 200, body = Page<Unit>)))]
async fn list_units(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<UnitFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<Unit>>> {
    Ok(Json(store.units().list(&filter, page).await?))
}

#[utoipa::path(post, path = "/api/units", tag = "units", request_body = UnitInput,
    responses((status = 201, body = Unit), (status = 422, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody)))]
async fn create_unit(
    ScopedStore(store): ScopedStore,
    Json(input): Json<UnitInput>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.units().create(input).await?),
    ))
}

#[utoipa::path(get, path = "/api/units/{id}", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = Unit), (status = 404, body = crate::ErrorBody)))]
async fn get_unit(ScopedStore(store): ScopedStore, Path(id): Path<i64>) -> ApiResult<Json<Unit>> {
    Ok(Json(store.units().get(id).await?))
}

/// Updates a unit; `version` must be the one read, otherwise 409 `stale_version`.
#[utoipa::path(put, path = "/api/units/{id}", tag = "units", params(("id" = i64, Path)),
    request_body = UnitUpdate,
    responses((status = 200, body = Unit), (status = 409, body = crate::ErrorBody)))]
async fn update_unit(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<UnitUpdate>,
) -> ApiResult<Json<Unit>> {
    Ok(Json(store.units().update(id, input).await?))
}

/// The units matching the filters, as an Excel workbook.
#[utoipa::path(get, path = "/api/units/export", tag = "units", params(UnitFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_units(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<UnitFilter>,
) -> ApiResult<Response> {
    let units = store.units().list_all(&filter).await?;
    let rows = units.into_iter().map(|u| {
        vec![
            Cell::text(u.region_code),
            Cell::text(u.region_name),
            Cell::text(u.name),
            Cell::text(u.category_label),
            Cell::opt_text(u.subcategory_label),
            Cell::opt_text(u.zone_name),
            Cell::Count(u.sort_order),
            Cell::opt_text(u.contact_person),
            Cell::opt_text(u.contact_phone),
            Cell::opt_text(u.note),
            Cell::text(if u.active.0 { "在用" } else { "停用" }),
        ]
    });
    let rows: Vec<Vec<Cell>> = rows.collect();
    let bytes = tokio::task::spawn_blocking(move || office::export(&UNITS_EXPORT, rows))
        .await
        .map_err(ApiError::internal)??;
    Ok(office::xlsx_response("单位名录.xlsx", bytes))
}

/// The import template, with dropdowns and an instructions sheet.
#[utoipa::path(get, path = "/api/units/import/template", tag = "units",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn units_import_template(_store: ScopedStore) -> ApiResult<Response> {
    office::template_response::<UnitsSheet>("单位名录导入模板.xlsx")
}

/// The multipart form of an import: the workbook and the region it belongs to.
#[derive(ToSchema)]
#[allow(dead_code)]
struct ImportForm {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    /// Region whose directory the rows join.
    region_code: String,
}

/// Checks an uploaded sheet and shows what would be imported, row by row. Writes nothing.
#[utoipa::path(post, path = "/api/units/import/preview", tag = "units",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = UnitImportPreview), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn preview_units_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<UnitImportPreview>> {
    office::preview::<UnitsSheet>(&store, &state, upload).await
}

#[derive(Serialize, ToSchema)]
struct ImportResult {
    inserted: usize,
}

/// Imports an uploaded sheet: all rows in one transaction, or nothing if any row is wrong
/// (422 `import_rejected` with `rows_errors`).
#[utoipa::path(post, path = "/api/units/import/commit", tag = "units",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportResult), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn commit_units_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<ImportResult>> {
    let inserted = office::commit::<UnitsSheet>(&store, &state, upload).await?;
    Ok(Json(ImportResult { inserted }))
}

/// The uploaded sheet handed back with its errors marked: bad cells red with the message as a
/// note, and a column "错误说明" naming each row's errors. Writes nothing.
#[utoipa::path(post, path = "/api/units/import/errors", tag = "units",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = crate::ErrorBody), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn marked_units_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Response> {
    office::marked::<UnitsSheet>(&store, &state, upload).await
}
