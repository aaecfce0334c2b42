//! Monthly dispatch (一月一调度): rounds, their board and projects, monthly updates, returns,
//! reminders, the round's close, the board's export and the month in one sheet.

use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::office::{self, Cell, Column, Report, Upload, Value};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use luodi_store::dispatch::sheet::{MonthImportPreview, MonthSheet};
use luodi_store::dispatch::{
    Board, BoardRow, MonthlyUpdate, ReturnInput, Round, RoundInput, RoundProject, UpdateInput,
    UpdateView,
};
use luodi_store::ledger::ProjectFilter;
use luodi_store::sheets::SheetImport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_rounds, open_round))
        .routes(routes!(get_board))
        .routes(routes!(round_projects))
        .routes(routes!(remind_round))
        .routes(routes!(get_update, save_update))
        .routes(routes!(return_update))
        .routes(routes!(close_round))
        .routes(routes!(export_board))
        .routes(routes!(month_sheet))
        .routes(routes!(preview_month_sheet))
        .routes(routes!(commit_month_sheet))
        .routes(routes!(marked_month_sheet))
}

/// The rounds asking about projects within the user's reach, newest month first.
#[utoipa::path(get, path = "/api/dispatch/rounds", tag = "dispatch",
    responses((status = 200, body = Vec<Round>)))]
async fn list_rounds(ScopedStore(store): ScopedStore) -> ApiResult<Json<Vec<Round>>> {
    Ok(Json(store.dispatch().rounds().await?))
}

/// Opens a round for a month (default: the month just ended, due on the 5th of the next)
/// over the projects of the user's scope the ledger filters select: signed projects not yet
/// producing, and key projects. Each reporter gets a task.
#[utoipa::path(post, path = "/api/dispatch/rounds", tag = "dispatch", params(ProjectFilter),
    request_body = RoundInput,
    responses((status = 201, body = Round), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn open_round(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<ProjectFilter>,
    Json(input): Json<RoundInput>,
) -> ApiResult<(StatusCode, Json<Round>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.dispatch().open_round(&filter, input).await?),
    ))
}

/// Who has reported (报送情况): per reporter and per county, within the user's scope.
#[utoipa::path(get, path = "/api/dispatch/rounds/{id}/board", tag = "dispatch",
    params(("id" = i64, Path)),
    responses((status = 200, body = Board), (status = 404, body = crate::ErrorBody)))]
async fn get_board(ScopedStore(store): ScopedStore, Path(id): Path<i64>) -> ApiResult<Json<Board>> {
    Ok(Json(store.dispatch().board(id).await?))
}

/// The round's projects within the user's reach, with their update for the month.
#[utoipa::path(get, path = "/api/dispatch/rounds/{id}/projects", tag = "dispatch",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RoundProject>), (status = 404, body = crate::ErrorBody)))]
async fn round_projects(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<RoundProject>>> {
    Ok(Json(store.dispatch().round_projects(id).await?))
}

#[derive(Serialize, ToSchema)]
struct Reminded {
    /// Reporters reminded (those that have not reported every project).
    reporters: usize,
}

/// 催报: reminds every reporter that has not reported all its projects, in one click.
#[utoipa::path(post, path = "/api/dispatch/rounds/{id}/remind", tag = "dispatch",
    params(("id" = i64, Path)),
    responses((status = 200, body = Reminded), (status = 403, body = crate::ErrorBody)))]
async fn remind_round(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Reminded>> {
    Ok(Json(Reminded {
        reporters: store.dispatch().remind(id).await?,
    }))
}

/// Which update: a project and a month.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UpdateKey {
    project_id: i64,
    /// YYYY-MM
    #[param(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")]
    period: String,
}

/// A project's update for a month, and last month's (to carry forward).
#[utoipa::path(get, path = "/api/dispatch/updates", tag = "dispatch", params(UpdateKey),
    responses((status = 200, body = UpdateView), (status = 404, body = crate::ErrorBody)))]
async fn get_update(
    ScopedStore(store): ScopedStore,
    Query(key): Query<UpdateKey>,
) -> ApiResult<Json<UpdateView>> {
    Ok(Json(
        store
            .dispatch()
            .update_of(key.project_id, &key.period)
            .await?,
    ))
}

/// Saves a project's monthly update as a draft, or submits it (marked late after the
/// deadline); 本月无变化 carries last month's forward.
#[utoipa::path(put, path = "/api/dispatch/updates", tag = "dispatch", request_body = UpdateInput,
    responses((status = 200, body = MonthlyUpdate), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn save_update(
    ScopedStore(store): ScopedStore,
    Json(input): Json<UpdateInput>,
) -> ApiResult<Json<MonthlyUpdate>> {
    Ok(Json(store.dispatch().save_update(input).await?))
}

/// Returns a submitted update with a reason; its reporter is told, corrects and resubmits.
#[utoipa::path(post, path = "/api/dispatch/updates/{id}/return", tag = "dispatch",
    params(("id" = i64, Path)), request_body = ReturnInput,
    responses((status = 200, body = MonthlyUpdate), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody)))]
async fn return_update(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<ReturnInput>,
) -> ApiResult<Json<MonthlyUpdate>> {
    Ok(Json(store.dispatch().return_update(id, input).await?))
}

/// Ends a round (its organiser only): nothing more can be reported to it; the reporters'
/// open tasks are withdrawn and the board keeps who did not report.
#[utoipa::path(post, path = "/api/dispatch/rounds/{id}/close", tag = "dispatch",
    params(("id" = i64, Path)),
    responses((status = 200, body = Round), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody)))]
async fn close_round(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Round>> {
    Ok(Json(store.dispatch().close_round(id).await?))
}

const BOARD_COLUMNS: &[Column] = &[
    Column::new("city", "所属市州", 12.0),
    Column::new("region", "县市区", 12.0),
    Column::new("reporter", "报送单位", 28.0),
    Column::new("projects", "项目数", 8.0),
    Column::new("submitted", "已报", 8.0),
    Column::new("late", "其中逾期报送", 12.0),
    Column::new("draft", "草稿", 8.0),
    Column::new("returned", "退回", 8.0),
    Column::new("not_started", "未开始", 8.0),
    Column::new("status", "报送状态", 14.0),
];

fn board_cells(r: &BoardRow) -> Vec<Cell> {
    vec![
        Cell::opt_text(r.city_name.clone()),
        Cell::text(r.region_name.clone()),
        Cell::text(r.reporter_name.clone()),
        Cell::Count(r.projects),
        Cell::Count(r.submitted),
        Cell::Count(r.late),
        Cell::Count(r.draft),
        Cell::Count(r.returned),
        Cell::Count(r.not_started),
        Cell::text(r.status.clone()),
    ]
}

/// The board (报送情况) as a workbook: a row per reporter, the total beneath, and the round's
/// month, deadline and status in the notes.
#[utoipa::path(get, path = "/api/dispatch/rounds/{id}/board/export", tag = "dispatch",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 404, body = crate::ErrorBody)))]
async fn export_board(ScopedStore(store): ScopedStore, Path(id): Path<i64>) -> ApiResult<Response> {
    let board = store.dispatch().board(id).await?;
    let sum = |f: fn(&BoardRow) -> i64| board.rows.iter().map(f).sum::<i64>();
    let totals = vec![vec![
        Cell::text("合计"),
        Cell::Empty,
        Cell::text(format!("{}个报送单位", board.rows.len())),
        Cell::Count(sum(|r| r.projects)),
        Cell::Count(sum(|r| r.submitted)),
        Cell::Count(sum(|r| r.late)),
        Cell::Count(sum(|r| r.draft)),
        Cell::Count(sum(|r| r.returned)),
        Cell::Count(sum(|r| r.not_started)),
        Cell::Empty,
    ]];
    let round = &board.round;
    let notes = vec![
        ("调度轮次".to_owned(), round.title.clone()),
        ("调度月份".to_owned(), round.period.clone()),
        ("截止日期".to_owned(), round.due_on.clone()),
        (
            "状态".to_owned(),
            if round.status == "closed" { "已结束" } else { "进行中" }.to_owned(),
        ),
        ("组织单位".to_owned(), round.region_name.clone()),
        (
            "口径".to_owned(),
            "每个项目每月报送一次，报送后计入覆盖该月的各级调度轮次；截止日期后报送的计为逾期报送。"
                .to_owned(),
        ),
    ];
    let rows: Vec<Vec<Cell>> = board.rows.iter().map(board_cells).collect();
    let file_name = format!("{}_报送情况.xlsx", round.title);
    let bytes = tokio::task::spawn_blocking(move || {
        office::report(Report {
            sheet_name: "报送情况",
            columns: BOARD_COLUMNS,
            rows,
            totals,
            notes,
        })
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(office::xlsx_response(&file_name, bytes))
}

/// The month's dispatch sheet of a round (月度调度表): the projects the user reports in it,
/// this month's status and last month's progress and plan, to fill in offline.
#[utoipa::path(get, path = "/api/dispatch/rounds/{id}/sheet", tag = "dispatch",
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody)))]
async fn month_sheet(ScopedStore(store): ScopedStore, Path(id): Path<i64>) -> ApiResult<Response> {
    let round = store.dispatch().round(id).await?;
    let lines = store.dispatch().sheet_lines(id).await?;
    let rows = office::template_rows(MonthSheet::SPEC, &lines, |l, field| match field {
        "project_id" => Value::Int(l.project_id),
        "project_name" => l.name.as_str().into(),
        "region" => l.region_name.as_str().into(),
        "current_stage" => l.stage_label.as_str().into(),
        "report_status" => l.report_status.as_str().into(),
        "last_progress" => (&l.last_progress).into(),
        "last_plan" => (&l.last_plan).into(),
        _ => Value::Blank,
    });
    let bytes =
        tokio::task::spawn_blocking(move || office::template_filled(MonthSheet::SPEC, rows))
            .await
            .map_err(ApiError::internal)??;
    Ok(office::xlsx_response(
        &format!("月度调度表_{}.xlsx", round.period),
        bytes,
    ))
}

// The month sheet's form: the workbook, the round it answers, and its receipts (several
// files, or one .zip of them) named by the rows' 回单文件 cells.
#[derive(ToSchema)]
#[allow(dead_code)]
struct MonthSheetForm {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    round_id: i64,
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    receipts: Vec<String>,
}

/// Checks a filled-in month sheet row by row (stage rules, money as single entries); writes
/// nothing.
#[utoipa::path(post, path = "/api/dispatch/sheet/preview", tag = "dispatch",
    request_body(content = MonthSheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = MonthImportPreview), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn preview_month_sheet(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<MonthImportPreview>> {
    office::preview::<MonthSheet>(&store, &state, upload).await
}

#[derive(Serialize, ToSchema)]
struct MonthSheetResult {
    /// Projects whose update was submitted.
    submitted: usize,
}

/// Submits every filled row of a month sheet — updates, stage changes and money (entered for
/// review) — in one transaction, or none (422 `import_rejected` with every row's errors).
#[utoipa::path(post, path = "/api/dispatch/sheet/commit", tag = "dispatch",
    request_body(content = MonthSheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = MonthSheetResult), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn commit_month_sheet(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<MonthSheetResult>> {
    let submitted = office::commit::<MonthSheet>(&store, &state, upload).await?;
    Ok(Json(MonthSheetResult { submitted }))
}

/// The uploaded month sheet handed back with its errors marked. Writes nothing.
#[utoipa::path(post, path = "/api/dispatch/sheet/errors", tag = "dispatch",
    request_body(content = MonthSheetForm, content_type = "multipart/form-data"),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = crate::ErrorBody), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn marked_month_sheet(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Response> {
    office::marked::<MonthSheet>(&store, &state, upload).await
}
