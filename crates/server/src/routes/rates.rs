//! The 三率, classification counts and 同比 growth, and yearly targets with their progress.

use crate::error::{ApiError, ApiResult, Json, Query};
use crate::office::{self, Cell, Column, Report};
use crate::session::ScopedStore;
use crate::AppState;
use axum::response::Response;
use luodi_domain::rates::Rate;
use luodi_domain::{Fen, UsdCents};
use luodi_store::rates::{
    GrowthQuery, GrowthReport, MonthlyArrival, RateRow, RatesQuery, RatesReport,
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_rates))
        .routes(routes!(export_rates))
        .routes(routes!(get_growth))
        .routes(routes!(get_monthly))
}

/// The 三率 and classification counts of a region (or an event, zone, industry, origin), row
/// by row for its groups, for today or as at the end of a month, with the definitions every
/// screen prints.
#[utoipa::path(get, path = "/api/rates", tag = "rates", params(RatesQuery),
    responses((status = 200, body = RatesReport), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn get_rates(
    ScopedStore(store): ScopedStore,
    Query(query): Query<RatesQuery>,
) -> ApiResult<Json<RatesReport>> {
    Ok(Json(store.rates().report(&query).await?))
}

const fn column(header: &'static str, width: f64) -> Column {
    Column::new("", header, width)
}

/// The columns of the 三率 table after the group's name.
const RATE_COLUMNS: [Column; 16] = [
    column("签约项目数", 10.0),
    column("合同金额（万元）", 16.0),
    column("已确认到位（万元）", 16.0),
    column("资金到位率（人民币）", 12.0),
    column("合同外资（万美元）", 16.0),
    column("已确认到位外资（万美元）", 16.0),
    column("资金到位率（美元）", 12.0),
    column("已履约项目数", 12.0),
    column("履约率", 10.0),
    column("已开工项目数", 12.0),
    column("开工率", 10.0),
    column("优秀", 8.0),
    column("良好", 8.0),
    column("一般", 8.0),
    column("未履约", 8.0),
    column("合同金额未填", 12.0),
];

fn rate_cells(name: &str, r: &RateRow) -> Vec<Cell> {
    vec![
        Cell::text(name),
        Cell::Count(r.projects),
        Cell::wan_yuan(Fen(r.contract_fen)),
        Cell::wan_yuan(Fen(r.arrived_fen)),
        Cell::rate(Rate::of(r.arrived_fen, r.contract_fen)),
        Cell::wan_usd(UsdCents(r.contract_cents)),
        Cell::wan_usd(UsdCents(r.arrived_cents)),
        Cell::rate(Rate::of(r.arrived_cents, r.contract_cents)),
        Cell::Count(r.fulfilling),
        Cell::rate(Rate::of(r.fulfilling, r.projects)),
        Cell::Count(r.started),
        Cell::rate(Rate::of(r.started, r.projects)),
        Cell::Count(r.excellent),
        Cell::Count(r.good),
        Cell::Count(r.fair),
        Cell::Count(r.not_fulfilled),
        Cell::Count(r.missing_contract),
    ]
}

/// The 三率 table as an Excel report: the same rows and total as `/api/rates` with the same
/// filters, rates as percentages, amounts in 万元/万美元, and a 口径说明 sheet with the
/// definitions and the filters applied.
#[utoipa::path(get, path = "/api/rates/export", tag = "rates", params(RatesQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn export_rates(
    ScopedStore(store): ScopedStore,
    Query(query): Query<RatesQuery>,
) -> ApiResult<Response> {
    let report = store.rates().report(&query).await?;
    let group_header = match report.group_by.as_str() {
        "zone" => "园区/乡镇",
        "industry" => "行业门类",
        "origin" => "资金来源",
        "event" => "签约活动",
        _ => "地区",
    };
    let mut columns = vec![column(group_header, 24.0)];
    columns.extend(RATE_COLUMNS);
    let rows: Vec<Vec<Cell>> = report.rows.iter().map(|r| rate_cells(&r.name, r)).collect();
    let count = rows.len();
    let totals = vec![rate_cells("合计", &report.total)];
    let when = report
        .as_of
        .as_deref()
        .map(|m| format!("截至{m}月末"))
        .unwrap_or_else(|| "截至导出时".to_owned());
    let mut notes = vec![
        (
            "统计表".to_owned(),
            format!(
                "{}招商引资签约项目“三率”统计表（按{group_header}）",
                report.region_name
            ),
        ),
        ("统计时点".to_owned(), when.clone()),
    ];
    let given = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    let filters: Vec<String> = [
        given(&query.signed_from).map(|d| format!("签约日期不早于{d}")),
        given(&query.signed_to).map(|d| format!("签约日期不晚于{d}")),
        given(&query.origin).map(|o| format!("资金来源：{}", origin_label(&o))),
        given(&query.industry).map(|i| format!("行业：{i}")),
        query.event_id.map(|_| "限定签约活动".to_owned()),
        query.zone_id.map(|_| "限定园区/乡镇".to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !filters.is_empty() {
        notes.push(("筛选条件".to_owned(), filters.join("；")));
    }
    notes.extend(
        report
            .definitions
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("口径{}", i + 1), d.clone())),
    );
    let sheet_name = "三率统计";
    let bytes = tokio::task::spawn_blocking(move || {
        office::report(Report {
            sheet_name,
            columns: &columns,
            rows,
            totals,
            notes,
        })
    })
    .await
    .map_err(ApiError::internal)??;
    let file = format!("三率统计_{}_{when}.xlsx", report.region_name);
    Ok(office::export_download(&file, bytes, count))
}

fn origin_label(code: &str) -> String {
    luodi_domain::tiers::Origin::parse(code)
        .map(|o| o.label().to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// 同比 growth of confirmed arrival by origin: this year to the given month against the same
/// months last year, 元 and US dollars apart.
#[utoipa::path(get, path = "/api/rates/growth", tag = "rates", params(GrowthQuery),
    responses((status = 200, body = GrowthReport), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn get_growth(
    ScopedStore(store): ScopedStore,
    Query(query): Query<GrowthQuery>,
) -> ApiResult<Json<GrowthReport>> {
    Ok(Json(store.rates().growth(&query).await?))
}

/// Confirmed arrival month by month, this year to the given month against last year, 元 and
/// US dollars apart (the leaders' dashboard).
#[utoipa::path(get, path = "/api/rates/monthly", tag = "rates", params(GrowthQuery),
    responses((status = 200, body = MonthlyArrival), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn get_monthly(
    ScopedStore(store): ScopedStore,
    Query(query): Query<GrowthQuery>,
) -> ApiResult<Json<MonthlyArrival>> {
    Ok(Json(store.rates().monthly(&query).await?))
}
