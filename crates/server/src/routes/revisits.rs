//! Revisit registration forms (回访登记表): a project's forms and whether the tier rule asks for
//! one, recording a form, and each form as a Word document and an Excel sheet in the form's
//! layout (heading, the project's facts, then the six sections with the company's rating).

use crate::error::{ApiError, ApiResult, Json, Path};
use crate::office::{self, docx_response, OfficialDocument};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use luodi_domain::{Fen, UsdCents};
use luodi_store::problems::{Problem, ProblemRegistration};
use luodi_store::revisits::{ProjectRevisits, RevisitForm, RevisitInput};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(project_revisits))
        .routes(routes!(create_revisit))
        .routes(routes!(get_revisit))
        .routes(routes!(add_problem))
        .routes(routes!(revisit_docx))
        .routes(routes!(revisit_xlsx))
}

/// A project's revisit forms, latest first, and whether the tier rule requires one.
#[utoipa::path(get, path = "/api/projects/{id}/revisits", tag = "revisits",
    params(("id" = i64, Path)),
    responses((status = 200, body = ProjectRevisits), (status = 404, body = crate::ErrorBody)))]
async fn project_revisits(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<ProjectRevisits>> {
    Ok(Json(store.revisits().of_project(id).await?))
}

/// Records a revisit form of a project (a supervision group member or a bureau).
#[utoipa::path(post, path = "/api/revisits", tag = "revisits", request_body = RevisitInput,
    responses((status = 201, body = RevisitForm), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn create_revisit(
    ScopedStore(store): ScopedStore,
    Json(input): Json<RevisitInput>,
) -> ApiResult<(StatusCode, Json<RevisitForm>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.revisits().create(input).await?),
    ))
}

#[utoipa::path(get, path = "/api/revisits/{id}", tag = "revisits", params(("id" = i64, Path)),
    responses((status = 200, body = RevisitForm), (status = 404, body = crate::ErrorBody)))]
async fn get_revisit(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<RevisitForm>> {
    Ok(Json(store.revisits().get(id).await?))
}

/// Registers a problem the form brought up, about its project (a bureau); it is listed with
/// `GET /api/problems?revisit_id=`.
#[utoipa::path(post, path = "/api/revisits/{id}/problems", tag = "revisits",
    params(("id" = i64, Path)), request_body = ProblemRegistration,
    responses((status = 201, body = Problem), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn add_problem(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<ProblemRegistration>,
) -> ApiResult<(StatusCode, Json<Problem>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.revisits().add_problem(id, input).await?),
    ))
}

fn chinese_date(date: &str) -> String {
    let parts: Vec<u32> = date.split('-').filter_map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [y, m, d] => format!("{y}年{m}月{d}日"),
        _ => date.to_owned(),
    }
}

/// The contract amount as the form prints it: 万元 and/or 万美元.
fn contract(f: &RevisitForm) -> String {
    let mut parts = Vec::new();
    if f.contract_fen != 0 {
        parts.push(format!("{}万元", Fen(f.contract_fen).display_wan_yuan()));
    }
    if f.contract_cents != 0 {
        parts.push(format!(
            "{}万美元",
            UsdCents(f.contract_cents).display_wan_usd()
        ));
    }
    if parts.is_empty() {
        "未填".into()
    } else {
        parts.join("，")
    }
}

/// The form's facts, in its order.
fn facts(f: &RevisitForm) -> Vec<(&'static str, String)> {
    vec![
        ("项目名称", f.project_name.clone()),
        ("投资方", f.investor_name.clone()),
        ("落户地", f.region_name.clone()),
        ("合同金额", contract(f)),
        (
            "签约日期",
            f.signed_on.as_deref().map(chinese_date).unwrap_or_default(),
        ),
        ("回访日期", chinese_date(&f.visited_on)),
        ("回访人员", f.visitors.clone()),
        ("企业接待人", f.company_contact.clone().unwrap_or_default()),
    ]
}

fn file_name(f: &RevisitForm, ext: &str) -> String {
    format!("回访登记表_{}_{}.{ext}", f.project_name, f.visited_on)
}

/// The form as a Word document: title, the project's facts, then a table of the six sections.
#[utoipa::path(get, path = "/api/revisits/{id}/docx", tag = "revisits",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = crate::ErrorBody)))]
async fn revisit_docx(ScopedStore(store): ScopedStore, Path(id): Path<i64>) -> ApiResult<Response> {
    let form = store.revisits().get(id).await?;
    let mut doc = OfficialDocument::new().title("招商引资项目回访登记表");
    for (label, value) in facts(&form) {
        doc = doc.labelled(label, &value);
    }
    let rows: Vec<Vec<String>> = form
        .sections
        .iter()
        .map(|s| {
            vec![
                s.section.label().to_owned(),
                s.rating.map(|r| r.label().to_owned()).unwrap_or_default(),
                s.content.clone(),
            ]
        })
        .collect();
    let bytes = doc
        .table(&["回访事项", "企业评价", "情况说明"], &[3, 2, 9], &rows)
        .signature(&format!("登记人：{}", form.created_by_name))
        .into_bytes()
        .map_err(ApiError::internal)?;
    Ok(docx_response(&file_name(&form, "docx"), bytes))
}

/// The form as one Excel sheet in its layout: a merged title, the facts two by two, and the
/// six sections with their ratings.
fn workbook(f: &RevisitForm) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("回访登记表")?;
    let border = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let label = border.clone().set_bold().set_align(FormatAlign::Center);
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    for (col, width) in [(0, 14.0), (1, 12.0), (2, 30.0), (3, 14.0), (4, 30.0)] {
        sheet.set_column_width(col, width)?;
    }
    sheet.merge_range(0, 0, 0, 4, "招商引资项目回访登记表", &title)?;
    let mut row = 2;
    for pair in facts(f).chunks(2) {
        sheet.write_with_format(row, 0, pair[0].0, &label)?;
        sheet.merge_range(row, 1, row, 2, &pair[0].1, &border)?;
        if let Some((l, v)) = pair.get(1) {
            sheet.write_with_format(row, 3, *l, &label)?;
            sheet.write_with_format(row, 4, v, &border)?;
        }
        row += 1;
    }
    row += 1;
    sheet.write_with_format(row, 0, "回访事项", &label)?;
    sheet.write_with_format(row, 1, "企业评价", &label)?;
    sheet.merge_range(row, 2, row, 4, "情况说明", &label)?;
    for s in &f.sections {
        row += 1;
        sheet.set_row_height(row, 48)?;
        sheet.write_with_format(row, 0, s.section.label(), &label)?;
        sheet.write_with_format(row, 1, s.rating.map(|r| r.label()).unwrap_or("—"), &border)?;
        sheet.merge_range(row, 2, row, 4, &s.content, &border)?;
    }
    row += 2;
    sheet.write(row, 0, format!("登记人：{}", f.created_by_name))?;
    wb.save_to_buffer()
}

#[utoipa::path(get, path = "/api/revisits/{id}/xlsx", tag = "revisits",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = crate::ErrorBody)))]
async fn revisit_xlsx(ScopedStore(store): ScopedStore, Path(id): Path<i64>) -> ApiResult<Response> {
    let form = store.revisits().get(id).await?;
    let name = file_name(&form, "xlsx");
    let bytes = tokio::task::spawn_blocking(move || workbook(&form))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(office::export_download(&name, bytes, 1))
}
