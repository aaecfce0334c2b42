use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::office::{self, Cell, Column, SheetSpec, Upload};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use luodi_domain::Permission;
use luodi_domain::{Fen, UsdCents};
use luodi_store::files::Attachment;
use luodi_store::funds::{FundArrival, FundInput, Review};
use luodi_store::projects::{
    DuplicateCandidate, DuplicateDecision, DuplicateFilter, Project, ProjectDetail, ProjectFilter,
    ProjectInput, ProjectUpdate, StageChangeInput,
};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project))
        .routes(routes!(change_project_stage))
        .routes(routes!(project_history))
        .routes(routes!(list_duplicate_candidates))
        .routes(routes!(decide_duplicate))
        .routes(routes!(list_project_funds, record_fund))
        .routes(routes!(fund_review_queue))
        .routes(routes!(export_fund_review_queue))
        .routes(routes!(export_duplicate_candidates))
        .routes(routes!(review_fund))
        .routes(routes!(list_fund_evidence, upload_fund_evidence))
        .routes(routes!(download_attachment))
}

/// The ledger: projects in the user's scope, filtered and sorted, one page at a time.
#[utoipa::path(get, path = "/api/projects", tag = "ledger", params(ProjectFilter, PageRequest),
    responses((status = 200, body = Page<Project>), (status = 422, body = crate::ErrorBody)))]
async fn list_projects(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<ProjectFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<Project>>> {
    Ok(Json(store.projects(&filter, page).await?))
}

/// Enters a project. Possible duplicates of earlier projects go to the review pool; nothing is
/// merged or refused for that reason.
#[utoipa::path(post, path = "/api/projects", tag = "ledger", request_body = ProjectInput,
    responses((status = 201, body = ProjectDetail), (status = 422, body = crate::ErrorBody)))]
async fn create_project(
    ScopedStore(store): ScopedStore,
    Json(input): Json<ProjectInput>,
) -> ApiResult<(StatusCode, Json<ProjectDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.create_project(input).await?),
    ))
}

/// A project with its stage history, milestone chain, rates and obligations.
#[utoipa::path(get, path = "/api/projects/{id}", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = ProjectDetail), (status = 404, body = crate::ErrorBody)))]
async fn get_project(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<ProjectDetail>> {
    Ok(Json(store.project(id).await?))
}

/// What was done to a project, newest first (at most 500 entries): entry, edits, stage
/// changes, its fund records and the decisions on its look-alike pairs, each with who, when,
/// before and after. Anyone who may see the project may read it.
#[utoipa::path(get, path = "/api/projects/{id}/history", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<luodi_store::audit::AuditEntry>), (status = 404, body = crate::ErrorBody)))]
async fn project_history(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<luodi_store::audit::AuditEntry>>> {
    Ok(Json(store.project_history(id).await?))
}

/// Changes a project's fields. The stage is not changed here: a `stage` other than the
/// current one is refused (422 on `stage`) — stage changes go through
/// `POST /api/projects/{id}/stage`, which dates them and keeps the history. A stale `version`
/// answers 409; a landing place outside the user's scope, 422.
#[utoipa::path(put, path = "/api/projects/{id}", tag = "ledger", params(("id" = i64, Path)),
    request_body = ProjectUpdate,
    responses((status = 200, body = ProjectDetail), (status = 404, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn update_project(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(update): Json<ProjectUpdate>,
) -> ApiResult<Json<ProjectDetail>> {
    Ok(Json(store.update_project(id, update).await?))
}

/// Moves a project to another stage on a date; the change is kept in its history.
#[utoipa::path(post, path = "/api/projects/{id}/stage", tag = "ledger", params(("id" = i64, Path)),
    request_body = StageChangeInput,
    responses((status = 200, body = ProjectDetail), (status = 409, body = crate::ErrorBody)))]
async fn change_project_stage(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<StageChangeInput>,
) -> ApiResult<Json<ProjectDetail>> {
    Ok(Json(store.change_stage(id, input).await?))
}

/// The duplicate review pool: projects that may have been entered (or signed) twice; the
/// pending pairs unless `status` asks for decided ones.
#[utoipa::path(get, path = "/api/duplicates", tag = "ledger", params(DuplicateFilter, PageRequest),
    responses((status = 200, body = Page<DuplicateCandidate>), (status = 422, body = crate::ErrorBody)))]
async fn list_duplicate_candidates(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<DuplicateFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<DuplicateCandidate>>> {
    Ok(Json(store.duplicate_candidates(&filter, page).await?))
}

/// Decides a pending pair: 确认重复 (`duplicate`) or 不是重复 (`not_duplicate`, with a
/// reason). A pair is decided once; a second decision answers 409.
#[utoipa::path(post, path = "/api/duplicates/{id}/decision", tag = "ledger",
    params(("id" = i64, Path)), request_body = DuplicateDecision,
    responses((status = 200, body = DuplicateCandidate), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn decide_duplicate(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(decision): Json<DuplicateDecision>,
) -> ApiResult<Json<DuplicateCandidate>> {
    Ok(Json(store.decide_duplicate(id, decision).await?))
}

/// The fund arrival records of a project, with their review state.
#[utoipa::path(get, path = "/api/projects/{id}/funds", tag = "funds", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<FundArrival>), (status = 404, body = crate::ErrorBody)))]
async fn list_project_funds(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<FundArrival>>> {
    Ok(Json(store.project_funds(id).await?))
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
        Json(store.record_fund(id, input).await?),
    ))
}

/// Fund records waiting for this user's review (entered in regions below theirs).
#[utoipa::path(get, path = "/api/funds/review", tag = "funds", params(PageRequest),
    responses((status = 200, body = Page<FundArrival>), (status = 403, body = crate::ErrorBody)))]
async fn fund_review_queue(
    ScopedStore(store): ScopedStore,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<FundArrival>>> {
    Ok(Json(store.review_queue(page).await?))
}

/// Rows an export of the review queue or the duplicate pool holds at most.
const EXPORT_LIMIT: i64 = 100_000;

const fn column(field: &'static str, header: &'static str, width: f64) -> Column {
    Column {
        field,
        header,
        required: false,
        choices: &[],
        width,
        note: "",
    }
}

const REVIEW_EXPORT: SheetSpec = SheetSpec {
    sheet_name: "待审核资金到位",
    max_rows: 0,
    columns: &[
        column("region", "县市区", 12.0),
        column("project", "项目名称", 36.0),
        column("period", "到位月份", 10.0),
        column("currency", "币种", 8.0),
        column("amount", "本次到位（万元/万美元）", 18.0),
        column("kind", "资金类型", 14.0),
        column("contract", "项目合同金额（万元/万美元）", 20.0),
        column("arrived", "项目已确认到位（万元/万美元）", 22.0),
        column("warnings", "合理性提示", 30.0),
        column("override_reason", "填报说明", 30.0),
        column("note", "备注", 24.0),
        column("entered_by", "填报人", 10.0),
        column("entered_at", "填报时间", 18.0),
    ],
};

/// The review queue as an Excel workbook (every record waiting, not one page), in the
/// queue's order, amounts in the record's own currency.
#[utoipa::path(get, path = "/api/funds/review/export", tag = "funds",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = crate::ErrorBody)))]
async fn export_fund_review_queue(ScopedStore(store): ScopedStore) -> ApiResult<Response> {
    let records = store.review_queue_all(EXPORT_LIMIT).await?;
    let rows: Vec<Vec<Cell>> = records
        .into_iter()
        .map(|f| {
            let usd = f.currency == "USD";
            let money = |minor: i64| {
                if usd {
                    Cell::wan_usd(UsdCents(minor))
                } else {
                    Cell::wan_yuan(Fen(minor))
                }
            };
            let (contract, arrived) = if usd {
                (f.project_contract_cents, f.project_arrived_cents)
            } else {
                (f.project_contract_fen, f.project_arrived_fen)
            };
            vec![
                Cell::text(f.region_name),
                Cell::text(f.project_name),
                Cell::text(f.period),
                Cell::text(if usd { "美元" } else { "人民币" }),
                money(f.amount),
                Cell::text(f.kind_label),
                money(contract),
                money(arrived),
                Cell::text(f.warnings.join("；")),
                Cell::opt_text(f.override_reason),
                Cell::opt_text(f.note),
                Cell::text(f.entered_by_name),
                Cell::text(
                    f.entered_at
                        .replace('T', " ")
                        .chars()
                        .take(19)
                        .collect::<String>(),
                ),
            ]
        })
        .collect();
    let bytes = tokio::task::spawn_blocking(move || office::export(&REVIEW_EXPORT, rows))
        .await
        .map_err(ApiError::internal)??;
    Ok(office::xlsx_response("待审核资金到位.xlsx", bytes))
}

const DUPLICATES_EXPORT: SheetSpec = SheetSpec {
    sheet_name: "疑似重复项目",
    max_rows: 0,
    columns: &[
        column("project", "新录入项目", 36.0),
        column("project_region", "所在县市区", 12.0),
        column("other_project", "疑似重复的已有项目", 36.0),
        column("other_region", "已有项目所在地", 12.0),
        column("reasons", "疑似原因", 40.0),
        column("status", "核查结果", 10.0),
        column("decision_note", "核查说明", 30.0),
        column("reviewed_by", "核查人", 10.0),
        column("reviewed_at", "核查时间", 18.0),
        column("created_at", "发现时间", 18.0),
    ],
};

/// How a pair's other project appears to a reader who may not see it.
const OTHER_OUT_OF_SCOPE: &str = "本级范围以外的项目（由共同上级核查）";

/// The duplicate pool as filtered (pending pairs unless `status` says otherwise), as an Excel
/// workbook.
#[utoipa::path(get, path = "/api/duplicates/export", tag = "ledger", params(DuplicateFilter),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 422, body = crate::ErrorBody)))]
async fn export_duplicate_candidates(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<DuplicateFilter>,
) -> ApiResult<Response> {
    let pairs = store
        .duplicate_candidates_all(&filter, EXPORT_LIMIT)
        .await?;
    let time = |t: Option<String>| {
        Cell::opt_text(t.map(|t| t.replace('T', " ").chars().take(19).collect()))
    };
    let rows: Vec<Vec<Cell>> = pairs
        .into_iter()
        .map(|d| {
            vec![
                Cell::text(d.project_name),
                Cell::text(d.project_region_name),
                Cell::text(if d.other_in_scope {
                    d.other_project_name
                } else {
                    OTHER_OUT_OF_SCOPE.to_owned()
                }),
                Cell::text(d.other_region_name),
                Cell::text(d.reasons.join("；")),
                Cell::text(d.status_label),
                Cell::opt_text(d.decision_note),
                Cell::opt_text(d.reviewed_by_name),
                time(d.reviewed_at),
                time(Some(d.created_at)),
            ]
        })
        .collect();
    let bytes = tokio::task::spawn_blocking(move || office::export(&DUPLICATES_EXPORT, rows))
        .await
        .map_err(ApiError::internal)??;
    Ok(office::xlsx_response("疑似重复项目.xlsx", bytes))
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
    Ok(Json(store.review_fund(id, review).await?))
}

/// The evidence files of a fund record.
#[utoipa::path(get, path = "/api/funds/{id}/evidence", tag = "funds", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Attachment>), (status = 404, body = crate::ErrorBody)))]
async fn list_fund_evidence(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Attachment>>> {
    Ok(Json(store.fund_evidence(id).await?))
}

/// The multipart form of an evidence upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct EvidenceForm {
    /// PDF, OFD, JPG, PNG, XLSX or DOCX, at most 20 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Attaches an evidence file (bank receipt, 验资报告 …) to a fund record.
#[utoipa::path(post, path = "/api/funds/{id}/evidence", tag = "funds", params(("id" = i64, Path)),
    request_body(content = EvidenceForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn upload_fund_evidence(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    upload: Upload,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    store.actor().require(Permission::EnterFunds)?;
    let (name, bytes) = upload.read().await?.file("请选择要上传的佐证材料")?;
    let attachment = store
        .attach_fund_evidence(state.files.as_ref(), id, &name, bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// Downloads an attachment; 404 for anything outside the user's scope.
#[utoipa::path(get, path = "/api/attachments/{id}", tag = "funds", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 404, body = crate::ErrorBody)))]
async fn download_attachment(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (attachment, bytes) = store.attachment_bytes(state.files.as_ref(), id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, attachment.content_type),
            (
                header::CONTENT_DISPOSITION,
                crate::office::content_disposition(&attachment.file_name, "evidence"),
            ),
        ],
        bytes,
    )
        .into_response())
}
