use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::office::{self, Cell, Column, SheetSpec, Upload};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use luodi_domain::Permission;
use luodi_store::units::{
    Unit, UnitFilter, UnitImportPreview, UnitInput, UnitSheetRow, UnitUpdate,
};
use luodi_store::{Page, PageRequest, StoreError};
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
        .routes(routes!(commit_units_import))
}

/// The units sheet, as exported and as imported (region comes from the import form).
pub const UNITS_SHEET: SheetSpec = SheetSpec {
    sheet_name: "单位名录",
    max_rows: 10_000,
    columns: &[
        Column {
            field: "name",
            header: "单位名称",
            required: true,
            choices: &[],
            width: 36.0,
            note: "单位全称，如“县商务局(县投资促进服务中心)”；同一行政区划内不得重复",
        },
        Column {
            field: "category",
            header: "单位类别",
            required: true,
            choices: &["责任招商单位", "项目落户地", "鼓励招商单位"],
            width: 16.0,
            note: "从下拉列表选择：责任招商单位、项目落户地、鼓励招商单位",
        },
        Column {
            field: "subcategory",
            header: "子类别",
            required: false,
            choices: &["综合协调单位", "产业招商单位"],
            width: 16.0,
            note: "责任招商单位必填（综合协调单位或产业招商单位），其他类别留空",
        },
        Column {
            field: "zone",
            header: "园区/乡镇",
            required: false,
            choices: &[],
            width: 20.0,
            note: "仅项目落户地填写：该单位对应的本县市区园区或乡镇的名称，如“南县经济开发区”“南洲镇”；\
                   填写后，该单位账号可查看落户在此的项目",
        },
        Column {
            field: "sort_order",
            header: "排序",
            required: false,
            choices: &[],
            width: 8.0,
            note: "类别内的官方排列顺序，非负整数；留空则按表中顺序",
        },
        Column {
            field: "contact_person",
            header: "联系人",
            required: false,
            choices: &[],
            width: 12.0,
            note: "选填，不超过50字",
        },
        Column {
            field: "contact_phone",
            header: "联系电话",
            required: false,
            choices: &[],
            width: 16.0,
            note: "选填",
        },
        Column {
            field: "note",
            header: "备注",
            required: false,
            choices: &[],
            width: 30.0,
            note: "选填，不超过500字",
        },
    ],
};

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
    Ok(office::xlsx_response(
        "单位名录导入模板.xlsx",
        office::template(&UNITS_SHEET)?,
    ))
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

async fn read_form(
    state: &AppState,
    upload: Upload,
) -> ApiResult<(
    Vec<UnitSheetRow>,
    std::collections::HashMap<&'static str, String>,
    Vec<luodi_store::RowError>,
    String,
)> {
    let mut form = upload.read().await?;
    let region = form.text("region_code", "请选择导入到哪个行政区划")?;
    let sheet = form.sheet(&UNITS_SHEET, &state.settings.sheets).await?;
    let rows = sheet
        .rows
        .into_iter()
        .map(|(row, mut cells)| {
            let mut take = |f: &str| cells.remove(f).unwrap_or_default();
            UnitSheetRow {
                row,
                name: take("name"),
                category: take("category"),
                subcategory: take("subcategory"),
                zone: take("zone"),
                sort_order: take("sort_order"),
                contact_person: take("contact_person"),
                contact_phone: take("contact_phone"),
                note: take("note"),
            }
        })
        .collect();
    Ok((rows, sheet.columns, sheet.cell_errors, region))
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
    // Refused before the upload is read: a read-only account cannot make the server parse.
    store.actor().require(Permission::ManageUnits)?;
    let (rows, columns, cell_errors, region) = read_form(&state, upload).await?;
    let mut preview = store
        .units()
        .preview_import(&region, &rows, &columns)
        .await?;
    preview.errors.extend(cell_errors);
    preview.errors.sort_by_key(|e| e.row);
    Ok(Json(preview))
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
    // Refused before the upload is read: a read-only account cannot make the server parse.
    store.actor().require(Permission::ManageUnits)?;
    let (rows, columns, cell_errors, region) = read_form(&state, upload).await?;
    if !cell_errors.is_empty() {
        return Err(StoreError::Rows(cell_errors).into());
    }
    let inserted = store
        .units()
        .commit_import(&region, &rows, &columns)
        .await?;
    Ok(Json(ImportResult { inserted }))
}
