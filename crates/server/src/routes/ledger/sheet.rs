//! The ledger in Excel: template, preview, import and export of the filtered list.

use crate::error::{ApiResult, Json, Query};
use crate::office::{self, Cell, Column, ExportColumns, SheetExport, SheetForm, Upload};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use luodi_domain::rates::ProjectFunds;
use luodi_domain::{Fen, UsdCents};
use luodi_store::ledger::sheet::{ProjectImportPreview, ProjectsSheet};
use luodi_store::ledger::{Project, ProjectFilter};
use luodi_store::sheets::SheetImport;
use serde::Serialize;
use utoipa::ToSchema;
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
    let projects = store
        .ledger()
        .list_all(&filter, ProjectsSheet::SPEC.max_rows as i64)
        .await?;
    office::export_response::<ProjectsSheet>(projects, &chosen).await
}

impl SheetExport for ProjectsSheet {
    type Item = Project;
    const FILE_NAME: &'static str = "项目台账.xlsx";
    const DERIVED: &'static [Column] = &[
        Column::new("arrived_fen", "已确认到位（万元）", 16.0),
        Column::new("arrived_cents", "已确认到位外资（万美元）", 18.0),
        Column::new("arrival_rate", "资金到位率", 12.0),
        Column::new("classification", "履约分类", 10.0),
    ];

    fn cell(p: &Project, field: &str) -> Cell {
        let text = |s: &str| Cell::text(s);
        let opt = |s: &Option<String>| Cell::opt_text(s.clone());
        let date = |s: &Option<String>| Cell::date(s.clone());
        match field {
            "name" => text(&p.name),
            "investor_name" => text(&p.investor_name),
            "investor_credit_code" => opt(&p.investor_credit_code),
            "investor_home" => opt(&p.investor_home),
            "origin" => text(&p.derived.origin_label),
            "global500" => Cell::yes_no(p.global500.0),
            "china500" => Cell::yes_no(p.china500.0),
            "private500" => Cell::yes_no(p.private500.0),
            "industry_code" => opt(&p.industry_code),
            "leading_industry" => opt(&p.leading_industry),
            "strategic_emerging" => Cell::yes_no(p.strategic_emerging.0),
            "total_investment_fen" => Cell::wan_yuan(Fen(p.total_investment_fen)),
            "contract_fen" => Cell::wan_yuan(Fen(p.contract_fen)),
            "contract_cents" => Cell::wan_usd(UsdCents(p.contract_cents)),
            "signed_on" => date(&p.signed_on),
            "event" => opt(&p.event_name),
            "region_code" => text(&p.region_name),
            "zone" => opt(&p.zone_name),
            "attracting_unit" => opt(&p.attracting_unit_name),
            "responsible_leader" => opt(&p.responsible_leader),
            "responsible_unit" => opt(&p.responsible_unit_name),
            "responsible_person" => opt(&p.responsible_person),
            "service_plan" => opt(&p.service_plan),
            "stage" => text(&p.derived.stage_label),
            "land_supplied_on" => date(&p.land_supplied_on),
            "certificate_on" => date(&p.certificate_on),
            "started_on" => date(&p.started_on),
            "completed_on" => date(&p.completed_on),
            "producing_on" => date(&p.producing_on),
            "case_by_case" => Cell::yes_no(p.case_by_case.0),
            "key_project" => Cell::yes_no(p.key_project.0),
            "arrived_fen" => Cell::wan_yuan(Fen(p.arrived_fen)),
            "arrived_cents" => Cell::wan_usd(UsdCents(p.arrived_cents)),
            "arrival_rate" => Cell::rate(
                ProjectFunds {
                    contract: Fen(p.contract_fen),
                    arrival: Fen(p.arrived_fen),
                    contract_usd: UsdCents(p.contract_cents),
                    arrival_usd: UsdCents(p.arrived_cents),
                }
                .arrival_rate(),
            ),
            "classification" => text(&p.derived.classification_label),
            _ => Cell::Empty,
        }
    }
}

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
