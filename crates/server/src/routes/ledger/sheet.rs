//! The ledger in Excel: template, preview, import and export of the filtered list.

use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult, Json, Query};
use crate::office::{self, Cell, Column, SheetForm, SheetSpec, Upload};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use luodi_domain::rates::ProjectFunds;
use luodi_domain::{Fen, UsdCents};
use luodi_store::ledger::sheet::{ProjectImportPreview, ProjectsSheet};
use luodi_store::ledger::ProjectFilter;
use luodi_store::sheets::SheetImport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(projects_template))
        .routes(routes!(preview_projects_import))
        .routes(routes!(marked_projects_import))
        .routes(routes!(commit_projects_import))
        .routes(routes!(export_projects))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The ledger import template, with dropdowns and an instructions sheet.
#[utoipa::path(get, path = "/api/projects/import/template", tag = "ledger",
    responses((status = 200, content_type = XLSX)))]
async fn projects_template(_store: ScopedStore) -> ApiResult<Response> {
    office::template_response::<ProjectsSheet>("项目台账导入模板.xlsx")
}

/// Checks an uploaded ledger sheet row by row; writes nothing.
#[utoipa::path(post, path = "/api/projects/import/preview", tag = "ledger",
    request_body(content = SheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ProjectImportPreview), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn preview_projects_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<ProjectImportPreview>> {
    office::preview::<ProjectsSheet>(&store, &state, upload).await
}

#[derive(Serialize, ToSchema)]
struct ImportResult {
    inserted: usize,
}

/// Imports a ledger sheet: all rows in one transaction, or none (422 `import_rejected`).
#[utoipa::path(post, path = "/api/projects/import/commit", tag = "ledger",
    request_body(content = SheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportResult), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn commit_projects_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<ImportResult>> {
    let inserted = office::commit::<ProjectsSheet>(&store, &state, upload).await?;
    Ok(Json(ImportResult { inserted }))
}

/// Which columns an export holds: all of them when not given.
#[derive(Debug, Default, Deserialize, IntoParams)]
struct ExportColumns {
    /// Comma-separated field names of the export's columns (e.g. the columns shown in the
    /// ledger list), in the order wanted; the project name always comes first.
    columns: Option<String>,
}

impl ExportColumns {
    /// Indices into `spec`'s columns, or a 400 naming the unknown field.
    fn pick(&self, spec: &SheetSpec) -> Result<Vec<usize>, ApiError> {
        let Some(list) = self.columns.as_deref().filter(|s| !s.trim().is_empty()) else {
            return Ok((0..spec.columns.len()).collect());
        };
        let mut picked = vec![0];
        for field in list.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            let i = spec
                .columns
                .iter()
                .position(|c| c.field == field)
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::BadQuery,
                        format!("导出列“{field}”不存在"),
                    )
                })?;
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        Ok(picked)
    }
}

/// The ledger rows matching the filters, in the template's layout (so an export can be edited
/// and imported elsewhere), plus the figures the system derives; or only the chosen columns.
/// Amounts are numbers in 万元/万美元, rates percentages, dates dates.
#[utoipa::path(get, path = "/api/projects/export", tag = "ledger", params(ProjectFilter, ExportColumns),
    responses((status = 200, content_type = XLSX), (status = 400, body = crate::ErrorBody)))]
async fn export_projects(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<ProjectFilter>,
    Query(chosen): Query<ExportColumns>,
) -> ApiResult<Response> {
    let picked = chosen.pick(&PROJECTS_EXPORT)?;
    let projects = store
        .ledger()
        .list_all(&filter, ProjectsSheet::SPEC.max_rows as i64)
        .await?;
    let rows: Vec<Vec<Cell>> = projects
        .into_iter()
        .map(|p| {
            let rate = ProjectFunds {
                contract: Fen(p.contract_fen),
                arrival: Fen(p.arrived_fen),
                contract_usd: UsdCents(p.contract_cents),
                arrival_usd: UsdCents(p.arrived_cents),
            }
            .arrival_rate();
            let mut all = vec![
                Cell::text(p.name),
                Cell::text(p.investor_name),
                Cell::opt_text(p.investor_credit_code),
                Cell::opt_text(p.investor_home),
                Cell::text(p.derived.origin_label.clone()),
                Cell::yes_no(p.global500.0),
                Cell::yes_no(p.china500.0),
                Cell::yes_no(p.private500.0),
                Cell::opt_text(p.industry_code),
                Cell::opt_text(p.leading_industry),
                Cell::yes_no(p.strategic_emerging.0),
                Cell::wan_yuan(Fen(p.total_investment_fen)),
                Cell::wan_yuan(Fen(p.contract_fen)),
                Cell::wan_usd(UsdCents(p.contract_cents)),
                Cell::date(p.signed_on),
                Cell::opt_text(p.event_name),
                Cell::text(p.region_name),
                Cell::opt_text(p.zone_name),
                Cell::opt_text(p.attracting_unit_name),
                Cell::opt_text(p.responsible_leader),
                Cell::opt_text(p.responsible_unit_name),
                Cell::opt_text(p.responsible_person),
                Cell::opt_text(p.service_plan),
                Cell::text(p.derived.stage_label.clone()),
                Cell::date(p.land_supplied_on),
                Cell::date(p.certificate_on),
                Cell::date(p.started_on),
                Cell::date(p.completed_on),
                Cell::date(p.producing_on),
                Cell::yes_no(p.case_by_case.0),
                Cell::yes_no(p.key_project.0),
                Cell::wan_yuan(Fen(p.arrived_fen)),
                Cell::wan_usd(UsdCents(p.arrived_cents)),
                Cell::rate(rate),
                Cell::text(p.derived.classification_label.clone()),
            ];
            picked
                .iter()
                .map(|&i| std::mem::replace(&mut all[i], Cell::Empty))
                .collect()
        })
        .collect();
    let bytes = tokio::task::spawn_blocking(move || {
        let columns: Vec<&Column> = picked
            .iter()
            .map(|&i| &PROJECTS_EXPORT.columns[i])
            .collect();
        office::export_columns(PROJECTS_EXPORT.sheet_name, &columns, rows)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(office::xlsx_response("项目台账.xlsx", bytes))
}

/// The template's columns followed by the derived figures.
static PROJECTS_EXPORT: std::sync::LazyLock<SheetSpec> = std::sync::LazyLock::new(|| {
    let mut columns: Vec<Column> = ProjectsSheet::SPEC
        .columns
        .iter()
        .map(|c| Column::new(c.field, c.header, c.width))
        .collect();
    columns.extend([
        Column::new("arrived_fen", "已确认到位（万元）", 16.0),
        Column::new("arrived_cents", "已确认到位外资（万美元）", 18.0),
        Column::new("arrival_rate", "资金到位率", 12.0),
        Column::new("classification", "履约分类", 10.0),
    ]);
    SheetSpec {
        sheet_name: "项目台账",
        max_rows: 0,
        columns: Vec::leak(columns),
    }
});

/// The uploaded sheet handed back with its errors marked: bad cells red with the message as a
/// note, and a column "错误说明" naming each row's errors. Writes nothing.
#[utoipa::path(post, path = "/api/projects/import/errors", tag = "ledger",
    request_body(content = SheetForm, content_type = "multipart/form-data"),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = crate::ErrorBody), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn marked_projects_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Response> {
    office::marked::<ProjectsSheet>(&store, &state, upload).await
}
