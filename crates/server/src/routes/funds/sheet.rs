//! The monthly fund-arrival sheet (资金到位填报表): a template listing the user's signed
//! projects, filled in offline, checked row by row and entered for review in one go.

use crate::error::{ApiError, ApiResult, Json, Query};
use crate::office::{self, Cell, Column, SheetSpec, Upload};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use luodi_domain::funds::Period;
use luodi_domain::ledger::Stage;
use luodi_domain::{Fen, Permission, UsdCents};
use luodi_store::funds::sheet::{FundImportPreview, FundSheetRow};
use luodi_store::ledger::ProjectFilter;
use luodi_store::{RowError, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(funds_template))
        .routes(routes!(preview_funds_import))
        .routes(routes!(commit_funds_import))
}

const CURRENCIES: &[&str] = &["人民币", "美元"];
const KINDS: &[&str] = &["固定资产投资", "注册资本实缴", "其他"];

const fn col(
    field: &'static str,
    header: &'static str,
    required: bool,
    width: f64,
    note: &'static str,
    choices: &'static [&'static str],
) -> Column {
    Column {
        field,
        header,
        required,
        choices,
        width,
        note,
    }
}

/// The sheet's columns; the project's figures are there to fill in by and are not read back.
pub const FUNDS_SHEET: SheetSpec = SheetSpec {
    sheet_name: "资金到位填报",
    max_rows: 20_000,
    columns: &[
        col(
            "project_id",
            "项目编号",
            false,
            10.0,
            "系统中的项目编号，请勿修改；自行添加的行可不填编号、只填项目全称",
            &[],
        ),
        col(
            "project_name",
            "项目名称",
            false,
            36.0,
            "与项目编号核对，防止错行；不一致时整表不予导入",
            &[],
        ),
        col("region", "县市区", false, 12.0, "仅供参考，不导入", &[]),
        col(
            "contract_fen",
            "合同金额（万元）",
            false,
            14.0,
            "仅供参考，不导入",
            &[],
        ),
        col(
            "arrived_fen",
            "已确认到位（万元）",
            false,
            16.0,
            "仅供参考，不导入",
            &[],
        ),
        col(
            "contract_cents",
            "合同外资（万美元）",
            false,
            16.0,
            "仅供参考，不导入",
            &[],
        ),
        col(
            "arrived_cents",
            "已确认到位外资（万美元）",
            false,
            20.0,
            "仅供参考，不导入",
            &[],
        ),
        col(
            "period",
            "到位月份",
            true,
            10.0,
            "YYYY-MM，资金实际到位的月份",
            &[],
        ),
        col(
            "currency",
            "币种",
            false,
            8.0,
            "人民币或美元；不填时按项目合同币种",
            CURRENCIES,
        ),
        col(
            "amount",
            "本次到位金额（万元/万美元）",
            false,
            20.0,
            "按币种以万元或万美元填写，最多6位小数；不填的行不导入（本月无到位）",
            &[],
        ),
        col(
            "kind",
            "资金类型",
            false,
            14.0,
            "固定资产投资、注册资本实缴或其他；填写金额时必填",
            KINDS,
        ),
        col(
            "note",
            "备注",
            false,
            24.0,
            "如资金来源账户、银行回单编号",
            &[],
        ),
        col(
            "override_reason",
            "超常说明",
            false,
            30.0,
            "累计超过合同金额、较以往月份激增、季末突击或月份在未来时必填，说明数字为何属实",
            &[],
        ),
    ],
};

/// The projects a template is filled with, and the month it is for.
#[derive(Debug, Default, Deserialize, IntoParams)]
struct TemplateQuery {
    /// The month the amounts are for (YYYY-MM); the month before this one when omitted.
    period: Option<String>,
}

/// The month before today's (reports are usually for the month just ended).
fn last_month() -> Period {
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date();
    let this = Period::of_date(today);
    match this.month() {
        1 => Period::new(this.year() - 1, 12),
        m => Period::new(this.year(), m - 1),
    }
    .unwrap_or(this)
}

/// The fund-arrival template, filled with the signed projects matching the ledger filters
/// (the user's own, within scope): number, name, county and figures so far, the month and
/// 固定资产投资 set, amounts blank to fill in.
#[utoipa::path(get, path = "/api/funds/import/template", tag = "funds",
    params(ProjectFilter, TemplateQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn funds_template(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<ProjectFilter>,
    Query(query): Query<TemplateQuery>,
) -> ApiResult<Response> {
    // The sheet is for those who enter figures (a province only reviews them).
    store.actor().require(Permission::EnterFunds)?;
    let period = match query.period.as_deref().map(str::trim) {
        None | Some("") => last_month(),
        Some(p) => Period::parse(p).map_err(|e| ApiError::field("period", e.to_string()))?,
    };
    let projects = store
        .ledger()
        .list_all(&filter, FUNDS_SHEET.max_rows as i64)
        .await?;
    let rows: Vec<Vec<Cell>> = projects
        .into_iter()
        .filter(|p| Stage::parse(&p.stage).is_some_and(Stage::is_signed))
        .map(|p| {
            let usd_only = p.contract_fen == 0 && p.contract_cents > 0;
            vec![
                Cell::Count(p.id),
                Cell::text(p.name),
                Cell::text(p.region_name),
                Cell::wan_yuan(Fen(p.contract_fen)),
                Cell::wan_yuan(Fen(p.arrived_fen)),
                Cell::wan_usd(UsdCents(p.contract_cents)),
                Cell::wan_usd(UsdCents(p.arrived_cents)),
                Cell::text(period.to_string()),
                Cell::text(if usd_only { "美元" } else { "人民币" }),
                Cell::Empty,
                Cell::text("固定资产投资"),
            ]
        })
        .collect();
    let bytes = tokio::task::spawn_blocking(move || office::template_filled(&FUNDS_SHEET, rows))
        .await
        .map_err(ApiError::internal)??;
    Ok(office::xlsx_response(
        &format!("资金到位填报表_{period}.xlsx"),
        bytes,
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
    Vec<FundSheetRow>,
    HashMap<&'static str, String>,
    Vec<RowError>,
)> {
    let sheet = upload.sheet(&FUNDS_SHEET, &state.settings.sheets).await?;
    let rows = sheet
        .rows
        .into_iter()
        .map(|(row, cells)| FundSheetRow { row, cells })
        .collect();
    Ok((rows, sheet.columns, sheet.cell_errors))
}

/// Checks a filled-in fund sheet row by row; writes nothing.
#[utoipa::path(post, path = "/api/funds/import/preview", tag = "funds",
    request_body(content = SheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = FundImportPreview), (status = 403, body = crate::ErrorBody),
        (status = 400, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn preview_funds_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<FundImportPreview>> {
    // Refused before the upload is read: a read-only account cannot make the server parse.
    store.actor().require(Permission::EnterFunds)?;
    let (rows, columns, cell_errors) = read_sheet(&state, upload).await?;
    let mut preview = store.funds().preview_import(&rows, &columns).await?;
    preview.errors.extend(cell_errors);
    preview.errors.sort_by_key(|e| e.row);
    Ok(Json(preview))
}

#[derive(Serialize, ToSchema)]
struct FundImportResult {
    /// Records entered, each waiting for review by the level above.
    entered: usize,
}

/// Enters every filled row of a fund sheet for review, in one transaction, or none (422
/// `import_rejected` with the rows' errors).
#[utoipa::path(post, path = "/api/funds/import/commit", tag = "funds",
    request_body(content = SheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = FundImportResult), (status = 403, body = crate::ErrorBody),
        (status = 400, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn commit_funds_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<FundImportResult>> {
    // Refused before the upload is read: a read-only account cannot make the server parse.
    store.actor().require(Permission::EnterFunds)?;
    let (rows, columns, cell_errors) = read_sheet(&state, upload).await?;
    if !cell_errors.is_empty() {
        return Err(StoreError::Rows(cell_errors).into());
    }
    let entered = store.funds().commit_import(&rows, &columns).await?;
    Ok(Json(FundImportResult { entered }))
}
