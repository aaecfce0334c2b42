//! Monthly dispatch (一月一调度): rounds, their board and projects, monthly updates, returns
//! and reminders.

use crate::error::{ApiResult, Json, Path, Query};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use luodi_store::dispatch::{
    Board, MonthlyUpdate, ReturnInput, Round, RoundInput, RoundProject, UpdateInput, UpdateView,
};
use luodi_store::ledger::ProjectFilter;
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
