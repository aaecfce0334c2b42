//! The monthly fund-arrival sheet (资金到位填报表): a template listing the user's signed
//! projects, filled in offline, checked row by row and entered for review in one go.

use crate::error::{ApiError, ApiResult, Json, Query};
use crate::office::{self, Upload, Value};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use luodi_domain::funds::{FundKind, Period};
use luodi_domain::ledger::Stage;
use luodi_domain::Permission;
use luodi_store::funds::sheet::{FundImportPreview, FundsSheet};
use luodi_store::ledger::ProjectFilter;
use luodi_store::sheets::SheetImport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(funds_template))
        .routes(routes!(preview_funds_import))
        .routes(routes!(marked_funds_import))
        .routes(routes!(commit_funds_import))
}

/// The projects a template is filled with, and the month it is for.
#[derive(Debug, Default, Deserialize, IntoParams)]
struct TemplateQuery {
    /// The month the amounts are for (YYYY-MM); the month before this one when omitted.
    #[param(pattern = r"^((20[0-9]{2}|2100)-(0[1-9]|1[0-2]))?$")]
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
        .list_all(&filter, FundsSheet::SPEC.max_rows as i64)
        .await?;
    let lines: Vec<_> = projects
        .into_iter()
        .filter(|p| Stage::parse(&p.stage).is_some_and(Stage::is_signed))
        .collect();
    let rows = office::template_rows(FundsSheet::SPEC, &lines, |p, field| match field {
        "project_id" => Value::Int(p.id),
        "project_name" => p.name.as_str().into(),
        "region" => p.region_name.as_str().into(),
        "contract_fen" => Value::Minor(p.contract_fen),
        "arrived_fen" => Value::Minor(p.arrived_fen),
        "contract_cents" => Value::Minor(p.contract_cents),
        "arrived_cents" => Value::Minor(p.arrived_cents),
        "period" => Value::Month(period),
        // A foreign-only contract is paid in dollars.
        "currency" if p.contract_fen == 0 && p.contract_cents > 0 => Value::Code("USD"),
        "currency" => Value::Code("CNY"),
        "kind" => Value::Code(FundKind::FixedAsset.as_str()),
        _ => Value::Blank,
    });
    let count = rows.len();
    let bytes =
        tokio::task::spawn_blocking(move || office::template_filled(FundsSheet::SPEC, rows))
            .await
            .map_err(ApiError::internal)??;
    Ok(office::export_download(
        &format!("资金到位填报表_{period}.xlsx"),
        bytes,
        count,
    ))
}

// The monthly sheet's form: the workbook, and its receipts (several files, or one .zip of
// them) named by the rows' 回单文件 cells.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct FundSheetForm {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    receipts: Vec<String>,
}

/// Checks a filled-in fund sheet row by row; writes nothing.
#[utoipa::path(post, path = "/api/funds/import/preview", tag = "funds",
    request_body(content = FundSheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = FundImportPreview), (status = 403, body = crate::ErrorBody),
        (status = 400, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn preview_funds_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<FundImportPreview>> {
    office::preview::<FundsSheet>(&store, &state, upload).await
}

#[derive(Serialize, ToSchema)]
struct FundImportResult {
    /// Records entered, each waiting for review by the level above.
    entered: usize,
}

/// Enters every filled row of a fund sheet for review, in one transaction, or none (422
/// `import_rejected` with the rows' errors).
#[utoipa::path(post, path = "/api/funds/import/commit", tag = "funds",
    request_body(content = FundSheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = FundImportResult), (status = 403, body = crate::ErrorBody),
        (status = 400, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn commit_funds_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<FundImportResult>> {
    let entered = office::commit::<FundsSheet>(&store, &state, upload).await?;
    Ok(Json(FundImportResult { entered }))
}

/// The uploaded sheet handed back with its errors marked: bad cells red with the message as a
/// note, and a column "错误说明" naming each row's errors. Writes nothing.
#[utoipa::path(post, path = "/api/funds/import/errors", tag = "funds",
    request_body(content = FundSheetForm, content_type = "multipart/form-data"),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = crate::ErrorBody), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn marked_funds_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Response> {
    office::marked::<FundsSheet>(&store, &state, upload).await
}
