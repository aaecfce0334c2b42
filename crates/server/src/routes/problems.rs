//! Problems (问题清单): registered by a bureau or from monthly updates, assigned with a numbered
//! 交办函, answered by the unit, sent back or closed (never without an answer), extended on
//! request, supervised with a numbered 督办函; the letters as Word documents in the official
//! layout; per-unit handling figures.

use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::office::{self, docx_response, Cell, Column, OfficialDocument, SheetSpec};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use axum::response::Response;
use luodi_store::problems::summary::{OverviewQuery, ProblemsOverview};
use luodi_store::problems::{
    AssignInput, ExtensionDecision, ExtensionInput, Imported, Problem, ProblemFilter,
    ProblemLetter, ProblemRegistration, ProblemSummary, ProblemText, SuperviseInput, UnitFigures,
};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_problems, create_problem))
        .routes(routes!(export_problems))
        .routes(routes!(import_from_updates))
        .routes(routes!(unit_figures))
        .routes(routes!(overview))
        .routes(routes!(get_problem))
        .routes(routes!(assign_problem))
        .routes(routes!(accept_problem))
        .routes(routes!(answer_problem))
        .routes(routes!(send_back_problem))
        .routes(routes!(close_problem))
        .routes(routes!(request_extension))
        .routes(routes!(decide_extension))
        .routes(routes!(supervise_problem))
        .routes(routes!(letter_docx))
}

/// One page of the problems the user reaches (a unit: those given to it), narrowed by
/// status, category, overdue, without an answer, project, words; latest first.
#[utoipa::path(get, path = "/api/problems", tag = "problems", params(ProblemFilter, PageRequest),
    responses((status = 200, body = Page<ProblemSummary>), (status = 400, body = crate::ErrorBody)))]
async fn list_problems(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<ProblemFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<ProblemSummary>>> {
    Ok(Json(store.problems().list(&filter, page).await?))
}

/// Rows an export of the problem list holds at most.
const EXPORT_LIMIT: i64 = 100_000;

const PROBLEMS_EXPORT: SheetSpec = SheetSpec {
    sheet_name: "问题清单",
    max_rows: 0,
    columns: &[
        Column::new("id", "编号", 8.0),
        Column::new("region", "县市区", 12.0),
        Column::new("project", "项目", 30.0),
        Column::new("common", "共性问题", 8.0),
        Column::new("category", "类别", 10.0),
        Column::new("description", "问题描述", 48.0),
        Column::new("source", "来源", 10.0),
        Column::new("routing", "办理方式", 14.0),
        Column::new("status", "状态", 8.0),
        Column::new("leader", "责任领导", 10.0),
        Column::new("unit", "责任单位", 20.0),
        Column::new("person", "责任人", 10.0),
        Column::new("due_on", "办理时限", 12.0),
        Column::new("overdue", "超期", 6.0),
        Column::new("answer", "答复", 40.0),
        Column::new("answered_at", "答复时间", 18.0),
        Column::new("returned", "退办次数", 8.0),
        Column::new("supervised", "督办次数", 8.0),
        Column::new("created_at", "登记时间", 18.0),
        Column::new("closed_at", "办结时间", 18.0),
    ],
};

fn source_label(source: &str) -> &'static str {
    match source {
        "update" => "月度调度",
        "visit" => "督导走访",
        "revisit" => "回访登记",
        _ => "直接登记",
    }
}

/// The problem list as filtered (the same filters and reach as the list), as an Excel
/// workbook.
#[utoipa::path(get, path = "/api/problems/export", tag = "problems", params(ProblemFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = crate::ErrorBody)))]
async fn export_problems(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<ProblemFilter>,
) -> ApiResult<Response> {
    let problems = store.problems().list_all(&filter, EXPORT_LIMIT).await?;
    let time = |t: Option<String>| {
        Cell::opt_text(t.map(|t| t.replace('T', " ").chars().take(19).collect()))
    };
    let rows: Vec<Vec<Cell>> = problems
        .into_iter()
        .map(|p| {
            vec![
                Cell::Count(p.id),
                Cell::text(p.region_name),
                Cell::opt_text(p.project_name),
                Cell::yes_no(p.common.0),
                Cell::text(p.category_label),
                Cell::text(p.description),
                Cell::text(source_label(&p.source)),
                Cell::text(p.routing_label),
                Cell::text(p.status_label),
                Cell::opt_text(p.leader),
                Cell::opt_text(p.unit_name),
                Cell::opt_text(p.person),
                Cell::date(p.due_on),
                Cell::yes_no(p.overdue),
                Cell::opt_text(p.answer),
                time(p.answered_at),
                Cell::Count(p.returned_count),
                Cell::Count(p.supervised_count),
                time(Some(p.created_at)),
                time(p.closed_at),
            ]
        })
        .collect();
    let count = rows.len();
    let bytes = tokio::task::spawn_blocking(move || office::export(&PROBLEMS_EXPORT, rows))
        .await
        .map_err(ApiError::internal)??;
    Ok(office::export_download("问题清单.xlsx", bytes, count))
}

/// Registers a problem of a project, or a common one; its route follows the seed's rule.
#[utoipa::path(post, path = "/api/problems", tag = "problems", request_body = ProblemRegistration,
    responses((status = 201, body = Problem), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn create_problem(
    ScopedStore(store): ScopedStore,
    Json(input): Json<ProblemRegistration>,
) -> ApiResult<(StatusCode, Json<Problem>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.problems().create(input).await?),
    ))
}

/// Registers the problems reported in the submitted monthly updates of the bureau's scope
/// that are not registered yet.
#[utoipa::path(post, path = "/api/problems/from-updates", tag = "problems",
    responses((status = 200, body = Imported), (status = 403, body = crate::ErrorBody)))]
async fn import_from_updates(ScopedStore(store): ScopedStore) -> ApiResult<Json<Imported>> {
    Ok(Json(store.problems().import_updates().await?))
}

/// Each unit's handling record: assigned, answered on time or late, overdue, sent back,
/// supervised.
#[utoipa::path(get, path = "/api/problems/units", tag = "problems",
    responses((status = 200, body = Vec<UnitFigures>)))]
async fn unit_figures(ScopedStore(store): ScopedStore) -> ApiResult<Json<Vec<UnitFigures>>> {
    Ok(Json(store.problems().unit_figures().await?))
}

/// The leaders' dashboard's card: open, overdue, closed in the year, answered on time and
/// late, 办结率 of the problems the user reaches (a unit: those given to it), and the overdue
/// 帮办 items; each the length of the list its filter gives.
#[utoipa::path(get, path = "/api/problems/summary", tag = "problems", params(OverviewQuery),
    responses((status = 200, body = ProblemsOverview), (status = 422, body = crate::ErrorBody)))]
async fn overview(
    ScopedStore(store): ScopedStore,
    Query(query): Query<OverviewQuery>,
) -> ApiResult<Json<ProblemsOverview>> {
    Ok(Json(store.problems().overview(&query).await?))
}

/// One problem with its timeline, letters and the actions open to the user.
#[utoipa::path(get, path = "/api/problems/{id}", tag = "problems", params(("id" = i64, Path)),
    responses((status = 200, body = Problem), (status = 404, body = crate::ErrorBody)))]
async fn get_problem(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Problem>> {
    Ok(Json(store.problems().get(id).await?))
}

/// 交办: to a unit with a leader, a person and a deadline; issues the numbered 交办函.
#[utoipa::path(post, path = "/api/problems/{id}/assign", tag = "problems",
    params(("id" = i64, Path)), request_body = AssignInput,
    responses((status = 200, body = Problem), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn assign_problem(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<AssignInput>,
) -> ApiResult<Json<Problem>> {
    Ok(Json(store.problems().assign(id, input).await?))
}

/// 签收: the unit starts on an assigned problem.
#[utoipa::path(post, path = "/api/problems/{id}/accept", tag = "problems",
    params(("id" = i64, Path)),
    responses((status = 200, body = Problem), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody)))]
async fn accept_problem(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Problem>> {
    Ok(Json(store.problems().accept(id).await?))
}

/// 答复: the unit's answer (or the bureau's, on the spot).
#[utoipa::path(post, path = "/api/problems/{id}/answer", tag = "problems",
    params(("id" = i64, Path)), request_body = ProblemText,
    responses((status = 200, body = Problem), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn answer_problem(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<ProblemText>,
) -> ApiResult<Json<Problem>> {
    Ok(Json(store.problems().answer(id, input).await?))
}

/// 退办: the answer is sent back with a reason.
#[utoipa::path(post, path = "/api/problems/{id}/send-back", tag = "problems",
    params(("id" = i64, Path)), request_body = ProblemText,
    responses((status = 200, body = Problem), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn send_back_problem(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<ProblemText>,
) -> ApiResult<Json<Problem>> {
    Ok(Json(store.problems().send_back(id, input).await?))
}

/// 办结: only an answered problem.
#[utoipa::path(post, path = "/api/problems/{id}/close", tag = "problems",
    params(("id" = i64, Path)),
    responses((status = 200, body = Problem), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody)))]
async fn close_problem(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Problem>> {
    Ok(Json(store.problems().close(id).await?))
}

/// 延期申请.
#[utoipa::path(post, path = "/api/problems/{id}/extension", tag = "problems",
    params(("id" = i64, Path)), request_body = ExtensionInput,
    responses((status = 200, body = Problem), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn request_extension(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<ExtensionInput>,
) -> ApiResult<Json<Problem>> {
    Ok(Json(store.problems().request_extension(id, input).await?))
}

/// The extension request approved (the deadline moves) or refused.
#[utoipa::path(post, path = "/api/problems/{id}/extension/decision", tag = "problems",
    params(("id" = i64, Path)), request_body = ExtensionDecision,
    responses((status = 200, body = Problem), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn decide_extension(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<ExtensionDecision>,
) -> ApiResult<Json<Problem>> {
    Ok(Json(store.problems().decide_extension(id, input).await?))
}

/// 督办: an overdue or sent-back problem gets a numbered 督办函 and a new deadline.
#[utoipa::path(post, path = "/api/problems/{id}/supervise", tag = "problems",
    params(("id" = i64, Path)), request_body = SuperviseInput,
    responses((status = 200, body = Problem), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn supervise_problem(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<SuperviseInput>,
) -> ApiResult<Json<Problem>> {
    Ok(Json(store.problems().supervise(id, input).await?))
}

/// A 交办函 or 督办函 as a Word document in the official layout.
#[utoipa::path(get, path = "/api/problems/{id}/letters/{letter}", tag = "problems",
    params(("id" = i64, Path), ("letter" = i64, Path)),
    responses((status = 200,
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = crate::ErrorBody)))]
async fn letter_docx(
    ScopedStore(store): ScopedStore,
    Path((id, letter)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    let (problem, letter) = store.problems().letter(id, letter).await?;
    let file = format!("{}.docx", letter.number);
    let bytes = tokio::task::spawn_blocking(move || letter_document(&problem, &letter))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(docx_response(&file, bytes))
}

/// 2026-12-06 → 2026年12月6日
fn chinese_date(date: &str) -> String {
    let parts: Vec<u32> = date
        .get(..10)
        .unwrap_or(date)
        .split('-')
        .filter_map(|p| p.parse().ok())
        .collect();
    match parts.as_slice() {
        [y, m, d] => format!("{y}年{m}月{d}日"),
        _ => date.to_owned(),
    }
}

fn letter_document(problem: &Problem, letter: &ProblemLetter) -> Result<Vec<u8>, String> {
    let p = &problem.summary;
    let supervise = letter.kind == "supervise";
    let issuer = format!("{}商务主管部门", letter.issuer_name);
    let unit = p.unit_name.clone().unwrap_or_default();
    let about = match &p.project_name {
        Some(name) => format!("“{name}”项目"),
        None => "多个项目反映的共性问题".into(),
    };
    let due = chinese_date(&letter.due_on);
    let mut doc = OfficialDocument::new()
        .title(if supervise {
            "问题督办函"
        } else {
            "问题交办函"
        })
        .centred(&letter.number)
        .plain(&format!("{unit}："));
    doc = if supervise {
        doc.body(&format!(
            "我局于{}交你单位办理的{about}存在的问题，{}。现予督办，请高度重视，于{due}前办结并书面答复{issuer}。",
            chinese_date(
                problem
                    .letters
                    .iter()
                    .find(|l| l.kind == "assign")
                    .map_or(&p.created_at, |l| &l.issued_at)
            ),
            letter.reason.as_deref().unwrap_or("尚未按时办结"),
        ))
    } else {
        doc.body(&format!(
            "经调度了解，{about}存在以下问题，需你单位协调解决。现交你单位办理，请于{due}前将办理情况书面答复{issuer}。"
        ))
    };
    let mut facts = vec![
        ("问题类别", p.category_label.clone()),
        ("问题描述", p.description.clone()),
        ("办理方式", p.routing_label.clone()),
    ];
    if let Some(leader) = p.leader.as_deref() {
        facts.push(("责任领导", leader.to_owned()));
    }
    facts.push(("责任单位", unit.clone()));
    if let Some(person) = p.person.as_deref() {
        facts.push(("责任人", person.to_owned()));
    }
    facts.push(("办理时限", due.clone()));
    for (label, text) in &facts {
        doc = doc.labelled(label, text);
    }
    doc.body("事事有回音，件件有落实。逾期未办结的，将予以督办并纳入年度考核。")
        .signature(&issuer)
        .signature(&chinese_date(&letter.issued_at))
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::chinese_date;

    #[test]
    fn dates_and_timestamps_read_as_official_documents_write_them() {
        assert_eq!(chinese_date("2026-12-06"), "2026年12月6日");
        assert_eq!(chinese_date("2026-01-20T03:04:05.000Z"), "2026年1月20日");
    }
}
