use crate::error::{ApiResult, Json, Path, Query};
use crate::office::{self, Column, ExportColumns, SheetExport, Upload, Value};
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
impl SheetExport for UnitsSheet {
    type Item = Unit;
    const FILE_NAME: &'static str = "单位名录.xlsx";
    const DERIVED: &'static [Column] = &[
        Column::new("region_code", "区划代码", 10.0),
        Column::new("region_name", "行政区划", 14.0),
        Column::new("active", "状态", 8.0),
    ];

    fn value(u: &Unit, field: &str) -> Value {
        match field {
            "name" => u.name.as_str().into(),
            "category" => u.category.as_str().into(),
            "subcategory" => (&u.subcategory).into(),
            "zone" => (&u.zone_name).into(),
            "sort_order" => Value::Int(u.sort_order),
            "contact_person" => (&u.contact_person).into(),
            "contact_phone" => (&u.contact_phone).into(),
            "note" => (&u.note).into(),
            "region_code" => u.region_code.as_str().into(),
            "region_name" => u.region_name.as_str().into(),
            "active" => if u.active.0 { "在用" } else { "停用" }.into(),
            _ => Value::Blank,
        }
    }
}

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

/// The units matching the filters, in the import sheet's layout (an export of one region
/// edited in Excel imports back into it), then region and status; or only the chosen columns.
#[utoipa::path(get, path = "/api/units/export", tag = "units", params(UnitFilter, ExportColumns),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = crate::ErrorBody)))]
async fn export_units(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<UnitFilter>,
    Query(chosen): Query<ExportColumns>,
) -> ApiResult<Response> {
    let units = store.units().list_all(&filter).await?;
    office::export_response::<UnitsSheet>(units, &chosen).await
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
