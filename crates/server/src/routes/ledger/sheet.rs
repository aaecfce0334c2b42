//! The ledger in Excel: template, preview, import and export of the filtered list.

use crate::error::{ApiError, ApiResult, Json, Query};
use crate::office::{self, Cell, Column, SheetSpec, Upload};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use luodi_domain::rates::ProjectFunds;
use luodi_domain::Permission;
use luodi_domain::{Fen, UsdCents};
use luodi_store::ledger::sheet::{ProjectImportPreview, ProjectSheetRow};
use luodi_store::ledger::ProjectFilter;
use luodi_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(projects_template))
        .routes(routes!(preview_projects_import))
        .routes(routes!(commit_projects_import))
        .routes(routes!(export_projects))
}

const YES_NO: &[&str] = &["是", "否"];

macro_rules! col {
    ($field:literal, $header:literal, $required:literal, $width:literal, $note:literal) => {
        Column {
            field: $field,
            header: $header,
            required: $required,
            choices: &[],
            width: $width,
            note: $note,
        }
    };
    ($field:literal, $header:literal, $required:literal, $width:literal, $note:literal, $choices:expr) => {
        Column {
            field: $field,
            header: $header,
            required: $required,
            choices: $choices,
            width: $width,
            note: $note,
        }
    };
}

/// The ledger sheet; field names are those of `ProjectInput` (names instead of ids for
/// events, zones and units), so errors land on the right column.
pub const PROJECTS_SHEET: SheetSpec = SheetSpec {
    sheet_name: "项目台账",
    max_rows: 100_000,
    columns: &[
        col!("name", "项目名称", true, 36.0, "项目全称，不超过200字"),
        col!("investor_name", "投资方", true, 30.0, "投资企业全称"),
        col!(
            "investor_credit_code",
            "统一社会信用代码",
            false,
            22.0,
            "18位，按GB 32100校验"
        ),
        col!(
            "investor_home",
            "投资方来源地",
            false,
            14.0,
            "国家或省份，如“广东省”“新加坡”"
        ),
        col!(
            "origin",
            "资金来源",
            true,
            12.0,
            "境外、省外境内或省内",
            &["境外", "省外境内", "省内"]
        ),
        col!("global500", "世界500强", false, 10.0, "是/否", YES_NO),
        col!("china500", "中国企业500强", false, 12.0, "是/否", YES_NO),
        col!(
            "private500",
            "中国民营企业500强",
            false,
            14.0,
            "是/否",
            YES_NO
        ),
        col!(
            "industry_code",
            "行业代码",
            false,
            10.0,
            "GB/T 4754-2017大类代码，如“39”"
        ),
        col!(
            "leading_industry",
            "主导产业",
            false,
            14.0,
            "本地主导产业标签"
        ),
        col!(
            "strategic_emerging",
            "战略性新兴产业",
            false,
            12.0,
            "是/否",
            YES_NO
        ),
        col!(
            "total_investment_fen",
            "总投资（万元）",
            false,
            14.0,
            "数字，最多6位小数"
        ),
        col!(
            "contract_fen",
            "合同资金（万元）",
            false,
            14.0,
            "内资合同金额，数字"
        ),
        col!(
            "contract_cents",
            "合同外资（万美元）",
            false,
            14.0,
            "外资合同金额，数字；与人民币分开统计"
        ),
        col!(
            "signed_on",
            "签约日期",
            false,
            12.0,
            "YYYY-MM-DD；已签约及其后阶段必填"
        ),
        col!("event", "签约活动", false, 30.0, "须与签约活动名称一致"),
        col!(
            "region_code",
            "落户地",
            true,
            12.0,
            "县级区划名称（如“南县”）或6位代码"
        ),
        col!(
            "zone",
            "园区/乡镇",
            false,
            20.0,
            "须为落户地的园区或乡镇名称"
        ),
        col!(
            "attracting_unit",
            "招商单位",
            false,
            24.0,
            "单位名录中的名称"
        ),
        col!("responsible_leader", "责任领导", false, 12.0, ""),
        col!(
            "responsible_unit",
            "责任单位",
            false,
            24.0,
            "单位名录中的名称"
        ),
        col!("responsible_person", "责任人", false, 12.0, ""),
        col!("service_plan", "服务方案", false, 30.0, ""),
        col!(
            "stage",
            "项目阶段",
            true,
            10.0,
            "线索、意向、在谈、已签约、已供地、已开工、已竣工、已投产、终止、未履约",
            &[
                "线索",
                "意向",
                "在谈",
                "已签约",
                "已供地",
                "已开工",
                "已竣工",
                "已投产",
                "终止",
                "未履约"
            ]
        ),
        col!(
            "land_supplied_on",
            "供地日期",
            false,
            12.0,
            "YYYY-MM-DD，不早于签约日期；已供地及其后阶段填写，已供地必填"
        ),
        col!(
            "certificate_on",
            "交证日期",
            false,
            12.0,
            "YYYY-MM-DD，不早于供地日期；已供地及其后阶段填写"
        ),
        col!(
            "started_on",
            "开工日期",
            false,
            12.0,
            "YYYY-MM-DD，不早于交证日期；已开工、已竣工、已投产必填"
        ),
        col!(
            "completed_on",
            "竣工日期",
            false,
            12.0,
            "YYYY-MM-DD，不早于开工日期；已竣工及其后阶段填写，已竣工必填"
        ),
        col!(
            "producing_on",
            "投产日期",
            false,
            12.0,
            "YYYY-MM-DD，不早于竣工日期；已投产必填"
        ),
        col!("case_by_case", "一事一议", false, 10.0, "是/否", YES_NO),
        col!("key_project", "重点项目", false, 10.0, "是/否", YES_NO),
    ],
};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The ledger import template, with dropdowns and an instructions sheet.
#[utoipa::path(get, path = "/api/projects/import/template", tag = "ledger",
    responses((status = 200, content_type = XLSX)))]
async fn projects_template(_store: ScopedStore) -> ApiResult<Response> {
    Ok(office::xlsx_response(
        "项目台账导入模板.xlsx",
        office::template(&PROJECTS_SHEET)?,
    ))
}

#[derive(ToSchema)]
#[allow(dead_code)]
struct SheetForm {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

async fn read_sheet(
    state: &AppState,
    upload: Upload,
) -> ApiResult<(
    Vec<ProjectSheetRow>,
    std::collections::HashMap<&'static str, String>,
    Vec<luodi_store::RowError>,
)> {
    let started = std::time::Instant::now();
    let sheet = upload
        .sheet(&PROJECTS_SHEET, &state.settings.sheets)
        .await?;
    tracing::info!(
        rows = sheet.rows.len(),
        read_ms = started.elapsed().as_millis() as u64,
        "ledger sheet read"
    );
    let rows = sheet
        .rows
        .into_iter()
        .map(|(row, cells)| ProjectSheetRow { row, cells })
        .collect();
    Ok((rows, sheet.columns, sheet.cell_errors))
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
    // Refused before the upload is read: a read-only account cannot make the server parse.
    store.actor().require(Permission::ManageLedger)?;
    let (rows, columns, cell_errors) = read_sheet(&state, upload).await?;
    let mut preview = store.ledger().preview_import(&rows, &columns).await?;
    preview.errors.extend(cell_errors);
    preview.errors.sort_by_key(|e| e.row);
    Ok(Json(preview))
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
    // Refused before the upload is read: a read-only account cannot make the server parse.
    store.actor().require(Permission::ManageLedger)?;
    let (rows, columns, cell_errors) = read_sheet(&state, upload).await?;
    if !cell_errors.is_empty() {
        return Err(StoreError::Rows(cell_errors).into());
    }
    let inserted = store.ledger().commit_import(&rows, &columns).await?;
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
                        "bad_query",
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
        .list_all(&filter, PROJECTS_SHEET.max_rows as i64)
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
    let mut columns: Vec<Column> = PROJECTS_SHEET
        .columns
        .iter()
        .map(|c| Column {
            field: c.field,
            header: c.header,
            required: false,
            choices: &[],
            width: c.width,
            note: "",
        })
        .collect();
    columns.extend([
        col!("arrived_fen", "已确认到位（万元）", false, 16.0, ""),
        col!("arrived_cents", "已确认到位外资（万美元）", false, 18.0, ""),
        col!("arrival_rate", "资金到位率", false, 12.0, ""),
        col!("classification", "履约分类", false, 10.0, ""),
    ]);
    SheetSpec {
        sheet_name: "项目台账",
        max_rows: 0,
        columns: Vec::leak(columns),
    }
});
