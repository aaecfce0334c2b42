//! Meetings (调度会 / 联席会议) and their decisions: recorded by the organising bureau, each
//! decision assigned with a deadline and tracked in the assignee's 我的待办; the minutes as a
//! Word document in the official layout.

use crate::error::{ApiError, ApiResult, Json, Path};
use crate::office::{docx_response, OfficialDocument, Upload};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use luodi_store::funds::evidence::Attachment;
use luodi_store::meetings::{
    Decision, DecisionInput, DecisionReport, Meeting, MeetingInput, MeetingSummary,
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_meetings, create_meeting))
        .routes(routes!(get_meeting, update_meeting))
        .routes(routes!(add_decision))
        .routes(routes!(complete_decision))
        .routes(routes!(send_back_decision))
        .routes(routes!(upload_attachment))
        .routes(routes!(download_meeting_attachment))
        .routes(routes!(minutes_docx))
}

/// The meetings the user sees: those its scope held, and those that gave it decisions.
#[utoipa::path(get, path = "/api/meetings", tag = "meetings",
    responses((status = 200, body = Vec<MeetingSummary>)))]
async fn list_meetings(ScopedStore(store): ScopedStore) -> ApiResult<Json<Vec<MeetingSummary>>> {
    Ok(Json(store.meetings().list().await?))
}

/// Records a meeting the user's bureau held, with its decisions; each decision becomes a task
/// of the unit or bureau answering for it.
#[utoipa::path(post, path = "/api/meetings", tag = "meetings", request_body = MeetingInput,
    responses((status = 201, body = Meeting), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn create_meeting(
    ScopedStore(store): ScopedStore,
    Json(input): Json<MeetingInput>,
) -> ApiResult<(StatusCode, Json<Meeting>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.meetings().create(input).await?),
    ))
}

/// One meeting: in full for the organiser's scope; the heading and the user's own decisions
/// for an assignee.
#[utoipa::path(get, path = "/api/meetings/{id}", tag = "meetings", params(("id" = i64, Path)),
    responses((status = 200, body = Meeting), (status = 404, body = crate::ErrorBody)))]
async fn get_meeting(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Meeting>> {
    Ok(Json(store.meetings().get(id).await?))
}

/// Edits a meeting's own fields (kind, title, date, place, chair, attendees, minutes) on the
/// version read.
#[utoipa::path(put, path = "/api/meetings/{id}", tag = "meetings", params(("id" = i64, Path)),
    request_body = MeetingInput,
    responses((status = 200, body = Meeting), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn update_meeting(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<MeetingInput>,
) -> ApiResult<Json<Meeting>> {
    Ok(Json(store.meetings().update(id, input).await?))
}

/// Adds a decision to a meeting the user's bureau held.
#[utoipa::path(post, path = "/api/meetings/{id}/decisions", tag = "meetings",
    params(("id" = i64, Path)), request_body = DecisionInput,
    responses((status = 201, body = Meeting), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn add_decision(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<DecisionInput>,
) -> ApiResult<(StatusCode, Json<Meeting>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.meetings().add_decision(id, input).await?),
    ))
}

/// The one answering for a decision reports its result (办结).
#[utoipa::path(post, path = "/api/meetings/decisions/{id}/complete", tag = "meetings",
    params(("id" = i64, Path)), request_body = DecisionReport,
    responses((status = 200, body = Decision), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn complete_decision(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(report): Json<DecisionReport>,
) -> ApiResult<Json<Decision>> {
    Ok(Json(store.meetings().complete(id, report).await?))
}

/// The organiser sends a reported result back (退回重办) with a reason.
#[utoipa::path(post, path = "/api/meetings/decisions/{id}/return", tag = "meetings",
    params(("id" = i64, Path)), request_body = DecisionReport,
    responses((status = 200, body = Decision), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn send_back_decision(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(report): Json<DecisionReport>,
) -> ApiResult<Json<Decision>> {
    Ok(Json(store.meetings().send_back(id, report).await?))
}

// The multipart form of a meeting attachment (no doc comment: it would become the schema's
// description).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct MeetingFileForm {
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Attaches a file (signed minutes, slides: PDF, OFD, JPG, PNG, XLSX or DOCX, at most 20 MB)
/// to a meeting the user's bureau held.
#[utoipa::path(post, path = "/api/meetings/{id}/attachments", tag = "meetings",
    params(("id" = i64, Path)),
    request_body(content = MeetingFileForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Attachment), (status = 400, body = crate::ErrorBody),
        (status = 403, body = crate::ErrorBody), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn upload_attachment(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    upload: Upload,
) -> ApiResult<(StatusCode, Json<Attachment>)> {
    // Only the organiser may attach: checked before the file is read.
    store.meetings().get(id).await.and_then(|m| {
        if m.summary.organised_by_me {
            Ok(())
        } else {
            Err(luodi_store::StoreError::forbidden(
                "只有组织会议的本级商务主管部门可以上传会议附件",
            ))
        }
    })?;
    let (name, bytes) = upload.read().await?.file("请选择要上传的会议附件")?;
    let attachment = store
        .meetings()
        .attach(state.files.as_ref(), id, &name, bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(attachment)))
}

/// Downloads a meeting's attachment; 404 outside the organiser's scope.
#[utoipa::path(get, path = "/api/meetings/{id}/attachments/{attachment}", tag = "meetings",
    params(("id" = i64, Path), ("attachment" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"),
        (status = 404, body = crate::ErrorBody)))]
async fn download_meeting_attachment(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    Path((id, attachment)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    let (a, bytes) = store
        .meetings()
        .attachment_bytes(state.files.as_ref(), id, attachment)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type),
            (
                header::CONTENT_DISPOSITION,
                crate::office::content_disposition(&a.file_name, "attachment"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The minutes (会议纪要) as a Word document in the official layout: the meeting's heading,
/// the minutes, and the decisions as a table of 事项 / 承办 / 时限 / 状态. An assignee's copy
/// holds only its own decisions.
#[utoipa::path(get, path = "/api/meetings/{id}/minutes", tag = "meetings",
    params(("id" = i64, Path)),
    responses((status = 200,
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = crate::ErrorBody)))]
async fn minutes_docx(ScopedStore(store): ScopedStore, Path(id): Path<i64>) -> ApiResult<Response> {
    let meeting = store.meetings().get(id).await?;
    let file = format!(
        "{}纪要_{}.docx",
        meeting.summary.title, meeting.summary.held_on
    );
    let bytes = tokio::task::spawn_blocking(move || minutes(&meeting))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(docx_response(&file, bytes))
}

/// 2026-12-06 → 2026年12月6日
fn chinese_date(date: &str) -> String {
    let parts: Vec<u32> = date.split('-').filter_map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [y, m, d] => format!("{y}年{m}月{d}日"),
        _ => date.to_owned(),
    }
}

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn minutes(m: &Meeting) -> Result<Vec<u8>, String> {
    let s = &m.summary;
    let mut doc = OfficialDocument::new()
        .title(&format!("{}纪要", s.title))
        .centred(&format!(
            "（{}　{}）",
            s.kind_label,
            chinese_date(&s.held_on)
        ));
    let mut facts = Vec::new();
    facts.push(("时间", chinese_date(&s.held_on)));
    if let Some(place) = m.place.as_deref().filter(|p| !p.trim().is_empty()) {
        facts.push(("地点", place.to_owned()));
    }
    if let Some(chair) = s.chair.as_deref().filter(|c| !c.trim().is_empty()) {
        facts.push(("主持", chair.to_owned()));
    }
    if let Some(who) = m.attendees.as_deref().filter(|a| !a.trim().is_empty()) {
        facts.push(("参会", who.replace('\n', "；")));
    }
    for (label, text) in &facts {
        doc = doc.labelled(label, text);
    }
    let mut section = 0;
    let mut next_heading = |doc: OfficialDocument, text: &str| {
        let numeral = NUMERALS.get(section).copied().unwrap_or("十");
        section += 1;
        doc.heading(&format!("{numeral}、{text}"))
    };
    if let Some(minutes) = m.minutes.as_deref().filter(|t| !t.trim().is_empty()) {
        doc = next_heading(doc, "会议内容");
        doc = doc.body(minutes);
    }
    if !m.decisions.is_empty() {
        doc = next_heading(doc, "议定事项");
        let rows: Vec<Vec<String>> = m
            .decisions
            .iter()
            .map(|d| {
                let content = match &d.project_name {
                    Some(p) => format!("{}（{p}）", d.content),
                    None => d.content.clone(),
                };
                vec![
                    d.seq.to_string(),
                    content,
                    d.assignee_name.clone(),
                    chinese_date(&d.due_on),
                    d.status_label.clone(),
                ]
            })
            .collect();
        doc = doc.table(
            &["序号", "议定事项", "承办单位", "办理时限", "状态"],
            &[8, 40, 20, 18, 14],
            &rows,
        );
    }
    doc = doc
        .signature(&format!("{}商务主管部门", s.region_name))
        .signature(&chinese_date(&s.held_on));
    doc.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::chinese_date;

    #[test]
    fn dates_read_as_official_documents_write_them() {
        assert_eq!(chinese_date("2026-12-06"), "2026年12月6日");
        assert_eq!(chinese_date("2026-01-20"), "2026年1月20日");
    }
}
