//! The ledger in Excel: template, preview, import and export of the filtered list.

use crate::error::{ApiError, ApiResult, Json, Query};
use crate::office::{self, Column, SheetSpec, UploadForm};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::Multipart;
use axum::response::Response;
use luodi_domain::{Fen, UsdCents};
use luodi_store::project_import::{ProjectImportPreview, ProjectSheetRow};
use luodi_store::projects::ProjectFilter;
use luodi_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;
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
    multipart: Multipart,
) -> ApiResult<(
    Vec<ProjectSheetRow>,
    std::collections::HashMap<&'static str, String>,
    Vec<luodi_store::RowError>,
)> {
    let (_, bytes) = UploadForm::read(multipart)
        .await?
        .file("请选择要导入的Excel文件")?;
    let started = std::time::Instant::now();
    let sheet = office::read_off_thread(&PROJECTS_SHEET, bytes).await?;
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
    responses((status = 200, body = ProjectImportPreview), (status = 422, body = crate::ErrorBody)))]
async fn preview_projects_import(
    ScopedStore(store): ScopedStore,
    multipart: Multipart,
) -> ApiResult<Json<ProjectImportPreview>> {
    let (rows, columns, cell_errors) = read_sheet(multipart).await?;
    let mut preview = store.preview_project_import(&rows, &columns).await?;
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
    responses((status = 200, body = ImportResult), (status = 422, body = crate::ErrorBody)))]
async fn commit_projects_import(
    ScopedStore(store): ScopedStore,
    multipart: Multipart,
) -> ApiResult<Json<ImportResult>> {
    let (rows, columns, cell_errors) = read_sheet(multipart).await?;
    if !cell_errors.is_empty() {
        return Err(StoreError::Rows(cell_errors).into());
    }
    let inserted = store.commit_project_import(&rows, &columns).await?;
    Ok(Json(ImportResult { inserted }))
}

fn yes(b: bool) -> String {
    if b { "是" } else { "否" }.to_owned()
}

/// The ledger rows matching the filters, in the template's layout (so an export can be edited
/// and imported elsewhere), plus the figures the system derives.
#[utoipa::path(get, path = "/api/projects/export", tag = "ledger", params(ProjectFilter),
    responses((status = 200, content_type = XLSX)))]
async fn export_projects(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<ProjectFilter>,
) -> ApiResult<Response> {
    let projects = store
        .projects_all(&filter, PROJECTS_SHEET.max_rows as i64)
        .await?;
    let rows: Vec<Vec<String>> = projects
        .into_iter()
        .map(|p| {
            let o = |s: Option<String>| s.unwrap_or_default();
            vec![
                p.name,
                p.investor_name,
                o(p.investor_credit_code),
                o(p.investor_home),
                p.derived.origin_label.clone(),
                yes(p.global500.0),
                yes(p.china500.0),
                yes(p.private500.0),
                o(p.industry_code),
                o(p.leading_industry),
                yes(p.strategic_emerging.0),
                Fen(p.total_investment_fen).exact_wan_yuan(),
                Fen(p.contract_fen).exact_wan_yuan(),
                UsdCents(p.contract_cents).exact_wan_usd(),
                o(p.signed_on),
                o(p.event_name),
                p.region_name,
                o(p.zone_name),
                o(p.attracting_unit_name),
                o(p.responsible_leader),
                o(p.responsible_unit_name),
                o(p.responsible_person),
                o(p.service_plan),
                p.derived.stage_label.clone(),
                o(p.land_supplied_on),
                o(p.certificate_on),
                o(p.started_on),
                o(p.completed_on),
                o(p.producing_on),
                yes(p.case_by_case.0),
                yes(p.key_project.0),
                Fen(p.arrived_fen).exact_wan_yuan(),
                UsdCents(p.arrived_cents).exact_wan_usd(),
                p.derived.arrival_rate.clone().unwrap_or_default(),
                p.derived.classification_label.clone(),
            ]
        })
        .collect();
    let bytes = tokio::task::spawn_blocking(move || office::export(&PROJECTS_EXPORT, rows))
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
