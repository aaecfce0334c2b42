use crate::error::{ApiResult, Json, Path, Query};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use luodi_store::events::{EventFilter, EventInput, SigningEvent};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_events, create_event))
        .routes(routes!(get_event))
}

/// Signing events organised in the user's scope or by the levels above it, newest first.
#[utoipa::path(get, path = "/api/events", tag = "ledger", params(EventFilter, PageRequest),
    responses((status = 200, body = Page<SigningEvent>)))]
async fn list_events(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<EventFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<SigningEvent>>> {
    Ok(Json(store.events(&filter, page).await?))
}

/// Registers a signing event (e.g. 2019湖南—粤港澳大湾区投资贸易洽谈周).
#[utoipa::path(post, path = "/api/events", tag = "ledger", request_body = EventInput,
    responses((status = 201, body = SigningEvent), (status = 422, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody)))]
async fn create_event(
    ScopedStore(store): ScopedStore,
    Json(input): Json<EventInput>,
) -> ApiResult<(StatusCode, Json<SigningEvent>)> {
    Ok((StatusCode::CREATED, Json(store.create_event(input).await?)))
}

#[utoipa::path(get, path = "/api/events/{id}", tag = "ledger", params(("id" = i64, Path)),
    responses((status = 200, body = SigningEvent), (status = 404, body = crate::ErrorBody)))]
async fn get_event(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<SigningEvent>> {
    Ok(Json(store.event(id).await?))
}
