//! Fund arrival (资金到位): records entered per project, the review by the level above, the
//! review queue and its export; the monthly sheet is in `sheet`, evidence files in `evidence`.

pub mod evidence;
pub mod sheet;

use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::office::{self, Value};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use luodi_domain::funds::Currency;
use luodi_store::funds::{
    BatchOutcome, BatchReview, FundArrival, FundInput, PendingCorrection, Review, ReviewFilter,
    REVIEW_EXPORT,
};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_project_funds, record_fund))
        .routes(routes!(fund_review_queue))
        .routes(routes!(export_fund_review_queue))
        .routes(routes!(review_fund))
        .routes(routes!(review_funds_in_batch))
        .routes(routes!(correct_pending_fund, withdraw_fund))
        .merge(evidence::router())
        .merge(sheet::router())
}

/// The fund arrival records of a project, with their review state.
#[utoipa::path(get, path = "/api/projects/{id}/funds", tag = "funds", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<FundArrival>), (status = 404, body = crate::ErrorBody)))]
async fn list_project_funds(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<FundArrival>>> {
    Ok(Json(store.funds().of_project(id).await?))
}

/// Enters a fund arrival for review by the level above. Plausibility warnings answer 422 on
/// `override_reason` until a reason is given.
#[utoipa::path(post, path = "/api/projects/{id}/funds", tag = "funds", params(("id" = i64, Path)),
    request_body = FundInput,
    responses((status = 201, body = FundArrival), (status = 422, body = crate::ErrorBody)))]
async fn record_fund(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<FundInput>,
) -> ApiResult<(StatusCode, Json<FundArrival>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.funds().record(id, input).await?),
    ))
}

/// Fund records waiting for this user's review under the review rule (by default entered by
/// the level directly below; with `step_in`, those it may review only by stepping in),
/// filtered and sorted.
#[utoipa::path(get, path = "/api/funds/review", tag = "funds", params(ReviewFilter, PageRequest),
    responses((status = 200, body = Page<FundArrival>), (status = 403, body = crate::ErrorBody)))]
async fn fund_review_queue(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<ReviewFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<FundArrival>>> {
    Ok(Json(store.funds().review_queue(&filter, page).await?))
}

/// Rows an export of the review queue holds at most.
const EXPORT_LIMIT: i64 = 100_000;

/// The review queue as an Excel workbook (every record waiting, not one page), in the
/// queue's order, amounts in the record's own currency.
#[utoipa::path(get, path = "/api/funds/review/export", tag = "funds", params(ReviewFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = crate::ErrorBody)))]
async fn export_fund_review_queue(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<ReviewFilter>,
) -> ApiResult<Response> {
    let records = store
        .funds()
        .review_queue_all(&filter, EXPORT_LIMIT)
        .await?;
    let count = records.len();
    let bytes = tokio::task::spawn_blocking(move || {
        let rows = office::template_rows(&REVIEW_EXPORT, &records, review_value);
        office::export(&REVIEW_EXPORT, rows)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(office::export_download("待审核资金到位.xlsx", bytes, count))
}

/// A record's value in a column of [`REVIEW_EXPORT`]: the project's figures in the record's
/// currency, the entry time to the second.
fn review_value(f: &FundArrival, field: &str) -> Value {
    let usd = f.currency == Currency::Usd.as_str();
    match field {
        "region" => f.region_name.as_str().into(),
        "project" => f.project_name.as_str().into(),
        "period" => f.period.as_str().into(),
        "currency" => f.currency.as_str().into(),
        "amount" => Value::Minor(f.amount),
        "kind" => f.kind.as_str().into(),
        "contract" if usd => Value::Minor(f.project_contract_cents),
        "contract" => Value::Minor(f.project_contract_fen),
        "arrived" if usd => Value::Minor(f.project_arrived_cents),
        "arrived" => Value::Minor(f.project_arrived_fen),
        "warnings" => f.warnings.join("；").into(),
        "override_reason" => (&f.override_reason).into(),
        "note" => (&f.note).into(),
        "entered_by" => f.entered_by_name.as_str().into(),
        "entered_at" => f
            .entered_at
            .replace('T', " ")
            .chars()
            .take(19)
            .collect::<String>()
            .into(),
        _ => Value::Blank,
    }
}

/// Confirms (确认) or returns (退回, with a reason) an entered fund record.
#[utoipa::path(post, path = "/api/funds/{id}/review", tag = "funds", params(("id" = i64, Path)),
    request_body = Review,
    responses((status = 200, body = FundArrival), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody)))]
async fn review_fund(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(review): Json<Review>,
) -> ApiResult<Json<FundArrival>> {
    Ok(Json(store.funds().review(id, review).await?))
}

/// Confirms or returns many records with one decision — the ones chosen, or every record the
/// queue's filter matches (at most 2,000) — each reviewed, audited and refused on its own.
#[utoipa::path(post, path = "/api/funds/review/batch", tag = "funds", request_body = BatchReview,
    responses((status = 200, body = BatchOutcome), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn review_funds_in_batch(
    ScopedStore(store): ScopedStore,
    Json(batch): Json<BatchReview>,
) -> ApiResult<Json<BatchOutcome>> {
    Ok(Json(store.funds().review_batch(batch).await?))
}

/// Corrects a record waiting for review (待审核), by whoever entered it, with the checks of a
/// new entry.
#[utoipa::path(put, path = "/api/funds/{id}", tag = "funds", params(("id" = i64, Path)),
    request_body = PendingCorrection,
    responses((status = 200, body = FundArrival), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn correct_pending_fund(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(change): Json<PendingCorrection>,
) -> ApiResult<Json<FundArrival>> {
    Ok(Json(store.funds().correct_pending(id, change).await?))
}

/// The version of the record as the user saw it.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SeenVersion {
    version: i64,
}

/// Withdraws a record waiting for review (待审核), by whoever entered it.
#[utoipa::path(delete, path = "/api/funds/{id}", tag = "funds",
    params(("id" = i64, Path), SeenVersion),
    responses((status = 204), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody)))]
async fn withdraw_fund(
    axum::extract::State(state): axum::extract::State<AppState>,
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Query(seen): Query<SeenVersion>,
) -> ApiResult<StatusCode> {
    store
        .funds()
        .withdraw(state.files.as_ref(), id, seen.version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
