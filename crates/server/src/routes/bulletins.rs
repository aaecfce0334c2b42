//! Month-end closes (月结) and bulletins (通报): a bureau closes a finished month, drafts a
//! bulletin from the closed figures, edits its prose and number, publishes it frozen, and
//! everyone in its region's subtree reads it and downloads it as a Word document in the
//! official layout and as a workbook with one sheet per table.

use crate::error::{ApiError, ApiResult, Json, Path};
use crate::office::{docx_response, xlsx_response, OfficialDocument};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use luodi_domain::{Fen, UsdCents};
use luodi_store::bulletins::close::{CloseInput, MonthClose};
use luodi_store::bulletins::{Bulletin, BulletinItem, DraftInput, EditInput, PublishInput};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_closes, close_month))
        .routes(routes!(list_bulletins, draft_bulletin))
        .routes(routes!(get_bulletin, edit_bulletin))
        .routes(routes!(publish_bulletin))
        .routes(routes!(bulletin_docx))
        .routes(routes!(bulletin_xlsx))
}

/// The month-end closes over the user's region, the regions above it and those below it.
#[utoipa::path(get, path = "/api/closes", tag = "bulletins",
    responses((status = 200, body = Vec<MonthClose>)))]
async fn list_closes(ScopedStore(store): ScopedStore) -> ApiResult<Json<Vec<MonthClose>>> {
    Ok(Json(store.bulletins().closes().await?))
}

/// Closes a finished month over the user's region (月结): each signed project's contract,
/// confirmed arrival, stage and start are kept as they stood at the month's end; rates for
/// that month read them from now on.
#[utoipa::path(post, path = "/api/closes", tag = "bulletins", request_body = CloseInput,
    responses((status = 201, body = MonthClose), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn close_month(
    ScopedStore(store): ScopedStore,
    Json(input): Json<CloseInput>,
) -> ApiResult<(StatusCode, Json<MonthClose>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.bulletins().close_month(input).await?),
    ))
}

/// The bulletins the user reads: published ones addressed to its region (its own, those of
/// the regions above) or issued within its scope, and its own region's drafts.
#[utoipa::path(get, path = "/api/bulletins", tag = "bulletins",
    responses((status = 200, body = Vec<BulletinItem>)))]
async fn list_bulletins(ScopedStore(store): ScopedStore) -> ApiResult<Json<Vec<BulletinItem>>> {
    Ok(Json(store.bulletins().list().await?))
}

/// Drafts a bulletin for a period from the closed figures of its last month, with prose
/// drafted from the numbers.
#[utoipa::path(post, path = "/api/bulletins", tag = "bulletins", request_body = DraftInput,
    responses((status = 201, body = Bulletin), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn draft_bulletin(
    ScopedStore(store): ScopedStore,
    Json(input): Json<DraftInput>,
) -> ApiResult<(StatusCode, Json<Bulletin>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.bulletins().draft(input).await?),
    ))
}

#[utoipa::path(get, path = "/api/bulletins/{id}", tag = "bulletins", params(("id" = i64, Path)),
    responses((status = 200, body = Bulletin), (status = 404, body = crate::ErrorBody)))]
async fn get_bulletin(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Bulletin>> {
    Ok(Json(store.bulletins().get(id).await?))
}

/// Edits a draft's title, document number and prose on the version read; the figures stay.
#[utoipa::path(put, path = "/api/bulletins/{id}", tag = "bulletins", params(("id" = i64, Path)),
    request_body = EditInput,
    responses((status = 200, body = Bulletin), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn edit_bulletin(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<EditInput>,
) -> ApiResult<Json<Bulletin>> {
    Ok(Json(store.bulletins().edit(id, input).await?))
}

/// Publishes a draft: frozen from now on and listed for the region's whole subtree.
#[utoipa::path(post, path = "/api/bulletins/{id}/publish", tag = "bulletins",
    params(("id" = i64, Path)), request_body = PublishInput,
    responses((status = 200, body = Bulletin), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn publish_bulletin(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<PublishInput>,
) -> ApiResult<Json<Bulletin>> {
    Ok(Json(store.bulletins().publish(id, input).await?))
}

/// The bulletin as a Word document in the official layout (GB/T 9704), with its tables.
#[utoipa::path(get, path = "/api/bulletins/{id}/docx", tag = "bulletins",
    params(("id" = i64, Path)),
    responses((status = 200,
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = crate::ErrorBody)))]
async fn bulletin_docx(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let b = store.bulletins().get(id).await?;
    let file = format!("{}.docx", b.title);
    let bytes = tokio::task::spawn_blocking(move || document(&b))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(docx_response(&file, bytes))
}

/// The bulletin's tables as a workbook, one sheet per table, with its prose and definitions.
#[utoipa::path(get, path = "/api/bulletins/{id}/xlsx", tag = "bulletins",
    params(("id" = i64, Path)),
    responses((status = 200,
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = crate::ErrorBody)))]
async fn bulletin_xlsx(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let b = store.bulletins().get(id).await?;
    let file = format!("{}.xlsx", b.title);
    let bytes = workbook(&b).map_err(ApiError::internal)?;
    Ok(xlsx_response(&file, bytes))
}

fn yi(fen: i64) -> String {
    Fen(fen).display_yi_yuan()
}

fn wan(fen: i64) -> String {
    Fen(fen).display_wan_yuan()
}

fn wan_usd(cents: i64) -> String {
    UsdCents(cents).display_wan_usd()
}

fn or_dash(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "—".into())
}

/// One table of a bulletin: its title, headers and rows of text.
type Table = (&'static str, Vec<&'static str>, Vec<Vec<String>>);

/// The tables a bulletin prints, shared by the document and the workbook so both say the
/// same numbers.
fn tables(b: &Bulletin) -> Vec<Table> {
    let f = &b.figures;
    let t = &f.total;
    let headline = vec![
        vec!["签约项目（个）".into(), t.projects.to_string()],
        vec!["合同资金（亿元）".into(), yi(t.contract_fen)],
        vec!["到位资金（亿元）".into(), yi(t.arrived_fen)],
        vec!["资金到位率".into(), or_dash(&t.arrival_rate)],
        vec!["合同外资（万美元）".into(), wan_usd(t.contract_cents)],
        vec!["到位外资（万美元）".into(), wan_usd(t.arrived_cents)],
        vec!["外资到位率".into(), or_dash(&t.arrival_rate_usd)],
        vec!["履约率".into(), or_dash(&t.fulfilment_rate)],
        vec!["开工率".into(), or_dash(&t.start_rate)],
        vec![
            "优秀 / 良好 / 一般 / 未履约（个）".into(),
            format!(
                "{} / {} / {} / {}",
                t.excellent, t.good, t.fair, t.not_fulfilled
            ),
        ],
    ];
    let ranking = f
        .ranking
        .iter()
        .map(|r| {
            vec![
                r.rank.to_string(),
                r.row.name.clone(),
                r.row.projects.to_string(),
                wan(r.row.contract_fen),
                wan(r.row.arrived_fen),
                or_dash(&r.row.arrival_rate),
                or_dash(&r.row.fulfilment_rate),
                or_dash(&r.row.start_rate),
            ]
        })
        .collect();
    let growth = f
        .growth
        .iter()
        .map(|g| {
            let amount = |v: i64| {
                if g.currency == "USD" {
                    wan_usd(v)
                } else {
                    wan(v)
                }
            };
            vec![
                g.origin_label.clone(),
                if g.currency == "USD" {
                    "万美元"
                } else {
                    "万元"
                }
                .into(),
                amount(g.this_year),
                amount(g.last_year),
                or_dash(&g.growth),
            ]
        })
        .collect();
    let lagging = f
        .lagging
        .iter()
        .enumerate()
        .map(|(i, p)| {
            vec![
                (i + 1).to_string(),
                p.name.clone(),
                p.region_name.clone(),
                p.signed_on.clone(),
                wan(p.contract_fen),
            ]
        })
        .collect();
    let late = f
        .late_reporters
        .iter()
        .map(|r| {
            vec![
                r.period.clone(),
                r.region_name.clone(),
                r.reporter_name.clone(),
                format!("{}/{}", r.submitted, r.projects),
                r.status.clone(),
            ]
        })
        .collect();
    let targets = f
        .targets
        .iter()
        .map(|t| {
            vec![
                t.region_name.clone(),
                t.indicator_label.clone(),
                t.target.clone(),
                or_dash(&t.actual),
                match t.reached {
                    Some(true) => "已完成",
                    Some(false) => "未完成",
                    None => "—",
                }
                .into(),
            ]
        })
        .collect();
    let events = f
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            vec![
                (i + 1).to_string(),
                e.name.clone(),
                e.projects.to_string(),
                wan(e.contract_fen),
                wan(e.arrived_fen),
                or_dash(&e.arrival_rate),
                or_dash(&e.fulfilment_rate),
                or_dash(&e.start_rate),
            ]
        })
        .collect();
    let problems = f
        .problems
        .iter()
        .map(|p| {
            vec![
                p.registered_in_period.to_string(),
                p.registered.to_string(),
                p.closed.to_string(),
                p.open.to_string(),
                p.overdue.to_string(),
                format!("{} / {}", p.answered_on_time, p.answered_late),
                or_dash(&p.closing_rate),
            ]
        })
        .collect();
    vec![
        ("主要指标", vec!["指标", "数值"], headline),
        (
            "各地排名",
            vec![
                "名次",
                "地区",
                "签约项目",
                "合同资金（万元）",
                "到位资金（万元）",
                "资金到位率",
                "履约率",
                "开工率",
            ],
            ranking,
        ),
        (
            "同比",
            vec!["资金来源", "单位", "本年累计", "上年同期", "同比"],
            growth,
        ),
        (
            "目标任务完成情况",
            vec!["地区", "指标", "年度目标", "期末", "完成情况"],
            targets,
        ),
        (
            "签约活动履约情况",
            vec![
                "序号",
                "签约活动",
                "签约项目",
                "合同资金（万元）",
                "到位资金（万元）",
                "资金到位率",
                "履约率",
                "开工率",
            ],
            events,
        ),
        (
            "滞后项目",
            vec!["序号", "项目名称", "所在地", "签约日期", "合同资金（万元）"],
            lagging,
        ),
        (
            "问题办理情况",
            vec![
                "本期登记",
                "累计登记",
                "已办结",
                "未办结",
                "逾期",
                "按期/逾期答复",
                "办结率",
            ],
            problems,
        ),
        (
            "未按时报送",
            vec!["月份", "地区", "报送单位", "已报/应报", "状态"],
            late,
        ),
    ]
}

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn document(b: &Bulletin) -> Result<Vec<u8>, String> {
    let f = &b.figures;
    let mut doc = OfficialDocument::new();
    if let Some(number) = &b.doc_number {
        doc = doc.centred(number);
    }
    doc = doc.title(&b.title);
    for p in &b.prose {
        doc = doc.body(p);
    }
    let widths: [&[usize]; 8] = [
        &[60, 40],
        &[6, 13, 9, 18, 17, 13, 12, 12],
        &[24, 12, 22, 22, 20],
        &[24, 28, 16, 16, 16],
        &[6, 25, 9, 16, 16, 10, 9, 9],
        &[7, 37, 14, 21, 21],
        &[13, 13, 13, 13, 11, 20, 17],
        &[14, 18, 36, 14, 18],
    ];
    let tables = tables(b);
    let count = tables.len();
    for (i, ((title, headers, rows), widths)) in tables.into_iter().zip(widths).enumerate() {
        doc = doc.heading(&format!("{}、{title}", NUMERALS[i]));
        if rows.is_empty() {
            doc = doc.body("无。");
        } else {
            doc = doc.table(&headers, widths, &rows);
        }
    }
    doc = doc.heading(&format!("{}、统计口径", NUMERALS[count]));
    doc = doc.body(&format!(
        "数据截止：{}月末，{}月结时冻结（{}）。",
        f.end, f.end, b.cut_off_at
    ));
    for d in &f.definitions {
        doc = doc.body(d);
    }
    doc = doc.signature(&format!("{}商务主管部门", f.region_name));
    if let Some(at) = &b.published_at {
        doc = doc.signature(&chinese_date(&at[..10]));
    }
    doc.into_bytes()
}

/// 2026-12-06 → 2026年12月6日
fn chinese_date(date: &str) -> String {
    let parts: Vec<u32> = date.split('-').filter_map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [y, m, d] => format!("{y}年{m}月{d}日"),
        _ => date.to_owned(),
    }
}

fn write_sheet(
    sheet: &mut Worksheet,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        sheet.set_column_width(c as u16, if c == 1 { 30 } else { 16 })?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v)?;
        }
    }
    Ok(())
}

fn workbook(b: &Bulletin) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let text = wb.add_worksheet();
    text.set_name("正文")?;
    let prose: Vec<Vec<String>> = [
        vec!["文号".to_owned(), b.doc_number.clone().unwrap_or_default()],
        vec!["标题".to_owned(), b.title.clone()],
        vec![
            "数据截止".to_owned(),
            format!("{}月末（{}月结）", b.figures.end, b.cut_off_at),
        ],
    ]
    .into_iter()
    .chain(b.prose.iter().map(|p| vec!["正文".to_owned(), p.clone()]))
    .collect();
    write_sheet(text, &["项目", "内容"], &prose)?;
    text.set_column_width(1, 100)?;
    for (title, headers, rows) in tables(b) {
        let sheet = wb.add_worksheet();
        sheet.set_name(title)?;
        write_sheet(sheet, &headers, &rows)?;
    }
    let notes = wb.add_worksheet();
    notes.set_name("口径说明")?;
    let defs: Vec<Vec<String>> = b
        .figures
        .definitions
        .iter()
        .enumerate()
        .map(|(i, d)| vec![(i + 1).to_string(), d.clone()])
        .collect();
    write_sheet(notes, &["序号", "口径"], &defs)?;
    notes.set_column_width(1, 100)?;
    wb.save_to_buffer()
}
