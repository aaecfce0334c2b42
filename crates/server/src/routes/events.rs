use crate::error::{ApiResult, Json, Path, Query};
use crate::office::{
    self, Column, ExportColumns, Kind, SheetExport, SheetForm, Upload, Value, COUNT,
};
use crate::session::ScopedStore;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use luodi_domain::rates::Rate;
use luodi_store::events::sheet::{EventImportPreview, EventsSheet};
use luodi_store::events::{EventFilter, EventInput, EventUpdate, SigningEvent};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_events, create_event))
        .routes(routes!(get_event, update_event))
        .routes(routes!(export_events))
        .routes(routes!(events_template))
        .routes(routes!(preview_events_import))
        .routes(routes!(marked_events_import))
        .routes(routes!(commit_events_import))
}

/// The events import template, with dropdowns and an instructions sheet.
#[utoipa::path(get, path = "/api/events/import/template", tag = "events",
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn events_template(_store: ScopedStore) -> ApiResult<Response> {
    office::template_response::<EventsSheet>("签约活动导入模板.xlsx")
}

/// Checks an uploaded events sheet row by row; writes nothing.
#[utoipa::path(post, path = "/api/events/import/preview", tag = "events",
    request_body(content = SheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = EventImportPreview), (status = 403, body = crate::ErrorBody),
        (status = 400, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn preview_events_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<EventImportPreview>> {
    office::preview::<EventsSheet>(&store, &state, upload).await
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct EventImportResult {
    inserted: usize,
}

/// Imports an events sheet: all rows in one transaction, or none (422 `import_rejected`).
#[utoipa::path(post, path = "/api/events/import/commit", tag = "events",
    request_body(content = SheetForm, content_type = "multipart/form-data"),
    responses((status = 200, body = EventImportResult), (status = 403, body = crate::ErrorBody),
        (status = 400, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn commit_events_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Json<EventImportResult>> {
    let inserted = office::commit::<EventsSheet>(&store, &state, upload).await?;
    Ok(Json(EventImportResult { inserted }))
}

/// Corrects an event (name, level, date, host, organising region) at the version it was read;
/// only the organising region or a level above may, and not away from its signed projects.
#[utoipa::path(put, path = "/api/events/{id}", tag = "events", params(("id" = i64, Path)),
    request_body = EventUpdate,
    responses((status = 200, body = SigningEvent), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn update_event(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(update): Json<EventUpdate>,
) -> ApiResult<Json<SigningEvent>> {
    Ok(Json(store.events().update(id, update).await?))
}

impl SheetExport for EventsSheet {
    type Item = SigningEvent;
    const FILE_NAME: &'static str = "签约活动.xlsx";
    const DERIVED: &'static [Column] = &[
        Column::new("project_count", "签约项目数", 10.0).kind(COUNT),
        Column::new("contract_fen", "合同金额（万元）", 16.0).kind(Kind::Wan),
        Column::new("arrived_fen", "已确认到位（万元）", 16.0).kind(Kind::Wan),
        Column::new("arrival_rate", "资金到位率（人民币）", 12.0).kind(Kind::Rate),
        Column::new("contract_cents", "合同外资（万美元）", 16.0).kind(Kind::Wan),
        Column::new("arrived_cents", "已确认到位外资（万美元）", 16.0).kind(Kind::Wan),
        Column::new("arrival_rate_usd", "资金到位率（美元）", 12.0).kind(Kind::Rate),
    ];

    fn value(e: &SigningEvent, field: &str) -> Value {
        match field {
            "name" => e.name.as_str().into(),
            "level" => e.level.as_str().into(),
            "held_on" => e.held_on.as_str().into(),
            "host" => (&e.host).into(),
            "region" => e.region_name.as_str().into(),
            "project_count" => Value::Int(e.project_count),
            "contract_fen" => Value::Minor(e.contract_fen),
            "arrived_fen" => Value::Minor(e.arrived_fen),
            "arrival_rate" => Value::Rate(Rate::of(e.arrived_fen, e.contract_fen)),
            "contract_cents" => Value::Minor(e.contract_cents),
            "arrived_cents" => Value::Minor(e.arrived_cents),
            "arrival_rate_usd" => Value::Rate(Rate::of(e.arrived_cents, e.contract_cents)),
            _ => Value::Blank,
        }
    }
}

/// The events matching the filters with their fulfilment within the user's scope (a county
/// exports its own share of a provincial fair), in the import sheet's layout and then the
/// figures; or only the chosen columns.
#[utoipa::path(get, path = "/api/events/export", tag = "events", params(EventFilter, ExportColumns),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = crate::ErrorBody)))]
async fn export_events(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<EventFilter>,
    Query(chosen): Query<ExportColumns>,
) -> ApiResult<Response> {
    filter.year.map(super::tasks::known_year).transpose()?;
    let events = store.events().list_all(&filter).await?;
    office::export_response::<EventsSheet>(events, &chosen).await
}

/// Signing events organised in the user's scope or by the levels above it, newest first.
#[utoipa::path(get, path = "/api/events", tag = "events", params(EventFilter, PageRequest),
    responses((status = 200, body = Page<SigningEvent>)))]
async fn list_events(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<EventFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<SigningEvent>>> {
    filter.year.map(super::tasks::known_year).transpose()?;
    Ok(Json(store.events().list(&filter, page).await?))
}

/// Registers a signing event (e.g. 2019湖南—粤港澳大湾区投资贸易洽谈周).
#[utoipa::path(post, path = "/api/events", tag = "events", request_body = EventInput,
    responses((status = 201, body = SigningEvent), (status = 422, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody)))]
async fn create_event(
    ScopedStore(store): ScopedStore,
    Json(input): Json<EventInput>,
) -> ApiResult<(StatusCode, Json<SigningEvent>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.events().create(input).await?),
    ))
}

#[utoipa::path(get, path = "/api/events/{id}", tag = "events", params(("id" = i64, Path)),
    responses((status = 200, body = SigningEvent), (status = 404, body = crate::ErrorBody)))]
async fn get_event(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<SigningEvent>> {
    Ok(Json(store.events().get(id).await?))
}

/// The uploaded sheet handed back with its errors marked: bad cells red with the message as a
/// note, and a column "错误说明" naming each row's errors. Writes nothing.
#[utoipa::path(post, path = "/api/events/import/errors", tag = "events",
    request_body(content = SheetForm, content_type = "multipart/form-data"),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = crate::ErrorBody), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn marked_events_import(
    State(state): State<AppState>,
    ScopedStore(store): ScopedStore,
    upload: Upload,
) -> ApiResult<Response> {
    office::marked::<EventsSheet>(&store, &state, upload).await
}
