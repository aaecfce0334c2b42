//! 我的待办 and the bell: the user's dated tasks with their lights, and in-app messages.

use crate::error::Query;
use crate::error::{ApiResult, Json};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use luodi_store::tasks::{HolidayDay, HolidayInput, Notifications, TaskView};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_tasks))
        .routes(routes!(notifications))
        .routes(routes!(mark_read))
        .routes(routes!(get_holidays, load_holidays))
        .routes(routes!(due_day))
}

/// The user's tasks (its region's bureau's, or its unit's), soonest due first, with lights.
#[utoipa::path(get, path = "/api/tasks/mine", tag = "tasks",
    responses((status = 200, body = Vec<TaskView>)))]
async fn my_tasks(ScopedStore(store): ScopedStore) -> ApiResult<Json<Vec<TaskView>>> {
    Ok(Json(store.tasks().mine().await?))
}

/// The bell: unread count and the latest messages.
#[utoipa::path(get, path = "/api/notifications", tag = "tasks",
    responses((status = 200, body = Notifications)))]
async fn notifications(ScopedStore(store): ScopedStore) -> ApiResult<Json<Notifications>> {
    Ok(Json(store.tasks().notifications().await?))
}

/// Marks every message read.
#[utoipa::path(post, path = "/api/notifications/read", tag = "tasks",
    responses((status = 204)))]
async fn mark_read(ScopedStore(store): ScopedStore) -> ApiResult<StatusCode> {
    store.tasks().mark_read().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct YearQuery {
    #[param(minimum = 2000, maximum = 2100)]
    year: i32,
}

/// The holiday table of a year: official days off and 调休 working days.
#[utoipa::path(get, path = "/api/holidays", tag = "tasks", params(YearQuery),
    responses((status = 200, body = Vec<HolidayDay>)))]
async fn get_holidays(
    ScopedStore(store): ScopedStore,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<Vec<HolidayDay>>> {
    Ok(Json(store.tasks().holidays(known_year(q.year)?).await?))
}

/// Replaces a year of the holiday table: one day per line, `YYYY-MM-DD,休` or
/// `YYYY-MM-DD,班`; every bad line is named.
#[utoipa::path(put, path = "/api/holidays", tag = "tasks", request_body = HolidayInput,
    responses((status = 200, body = Vec<HolidayDay>), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn load_holidays(
    ScopedStore(store): ScopedStore,
    Json(input): Json<HolidayInput>,
) -> ApiResult<Json<Vec<HolidayDay>>> {
    Ok(Json(store.tasks().load_holidays(input).await?))
}

/// A year the tables can hold (as the holiday table is loaded), so that the year after it is
/// one too.
pub(crate) fn known_year(year: i32) -> ApiResult<i32> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(crate::error::ApiError::field(
            "year",
            "年份应在2000年至2100年之间",
        ))
    }
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DueQuery {
    /// YYYY-MM-DD
    #[param(format = Date, pattern = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    from: String,
    days: u32,
    /// `calendar` (default) or `working`.
    #[param(inline)]
    count: Option<luodi_domain::deadlines::DayCount>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct DueDay {
    due_on: String,
}

/// The day `days` days after `from`, in calendar days or in working days by the holiday
/// table (e.g. a problem list due "10个工作日内" after a visit).
#[utoipa::path(get, path = "/api/holidays/due", tag = "tasks", params(DueQuery),
    responses((status = 200, body = DueDay), (status = 422, body = crate::ErrorBody)))]
async fn due_day(
    ScopedStore(store): ScopedStore,
    Query(q): Query<DueQuery>,
) -> ApiResult<Json<DueDay>> {
    let from =
        luodi_domain::parse_date(&q.from).map_err(|m| crate::error::ApiError::field("from", m))?;
    let calendar = store.tasks().calendar().await?;
    let due = q
        .count
        .unwrap_or_default()
        .add(from, q.days.min(3650), &calendar);
    Ok(Json(DueDay {
        due_on: due.to_string(),
    }))
}
