//! The ledger in Excel: template, preview, import and export of the filtered list.

use crate::error::{ApiResult, Json, Query};
use crate::office::{self, Column, ExportColumns, Kind, SheetExport, SheetForm, Upload, Value};
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
struct ProjectImportResult {
    inserted: usize,
    /// Of those, the projects whose look-alike matching runs after the import, in the
    /// background (a sheet above `look_alike_background_rows`; 0 otherwise): their fund
    /// records cannot be confirmed until it is done, seconds to minutes later.
    waiting_for_matching: usize,
}

/// Imports a ledger sheet: all rows in one transaction, or none (422 `import_rejected`).
#[utoipa::path(post, path = "/api/projects/import/commit", tag = "ledger",
    request_body(content = SheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ProjectImportResult), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn commit_projects_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<ProjectImportResult>> {
    let inserted = office::commit::<ProjectsSheet>(&store, &state, upload).await?;
    let waiting_for_matching = if store.ledger().matched_after_import(inserted) {
        inserted
    } else {
        0
    };
    Ok(Json(ProjectImportResult {
        inserted,
        waiting_for_matching,
    }))
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
        Column::new("arrived_fen", "已确认到位（万元）", 16.0).kind(Kind::Wan),
        Column::new("arrived_cents", "已确认到位外资（万美元）", 18.0).kind(Kind::Wan),
        Column::new("arrival_rate", "资金到位率", 12.0).kind(Kind::Rate),
        Column::new("classification", "履约分类", 10.0),
    ];

    fn value(p: &Project, field: &str) -> Value {
        match field {
            "name" => p.name.as_str().into(),
            "investor_name" => p.investor_name.as_str().into(),
            "investor_credit_code" => (&p.investor_credit_code).into(),
            "credit_code_missing_reason" => (&p.credit_code_missing_reason).into(),
            "investor_home" => (&p.investor_home).into(),
            "origin" => p.origin.as_str().into(),
            "global500" => Value::Bool(p.global500.0),
            "china500" => Value::Bool(p.china500.0),
            "private500" => Value::Bool(p.private500.0),
            "industry_code" => (&p.industry_code).into(),
            "leading_industry" => (&p.leading_industry).into(),
            "strategic_emerging" => Value::Bool(p.strategic_emerging.0),
            "total_investment_fen" => Value::Minor(p.total_investment_fen),
            "contract_fen" => Value::Minor(p.contract_fen),
            "contract_cents" => Value::Minor(p.contract_cents),
            "signed_on" => (&p.signed_on).into(),
            "event" => (&p.event_name).into(),
            "region_code" => p.region_name.as_str().into(),
            "zone" => (&p.zone_name).into(),
            "attracting_unit" => (&p.attracting_unit_name).into(),
            "responsible_leader" => (&p.responsible_leader).into(),
            "responsible_unit" => (&p.responsible_unit_name).into(),
            "responsible_person" => (&p.responsible_person).into(),
            "service_plan" => (&p.service_plan).into(),
            "stage" => p.stage.as_str().into(),
            "land_supplied_on" => (&p.land_supplied_on).into(),
            "certificate_on" => (&p.certificate_on).into(),
            "started_on" => (&p.started_on).into(),
            "completed_on" => (&p.completed_on).into(),
            "producing_on" => (&p.producing_on).into(),
            "case_by_case" => Value::Bool(p.case_by_case.0),
            "key_project" => Value::Bool(p.key_project.0),
            "arrived_fen" => Value::Minor(p.arrived_fen),
            "arrived_cents" => Value::Minor(p.arrived_cents),
            "arrival_rate" => Value::Rate(
                ProjectFunds {
                    contract: Fen(p.contract_fen),
                    arrival: Fen(p.arrived_fen),
                    contract_usd: UsdCents(p.contract_cents),
                    arrival_usd: UsdCents(p.arrived_cents),
                }
                .arrival_rate(),
            ),
            "classification" => p.derived.classification_label.as_str().into(),
            _ => Value::Blank,
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
