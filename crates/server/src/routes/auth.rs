use crate::error::ErrorCode;
use crate::error::{ApiError, ApiResult, Json};
use crate::session::{request_id, CurrentUser, SESSION_COOKIE};
use crate::AppState;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use luodi_domain::Permission;
use luodi_store::regions::Region;
use luodi_store::{LoginOutcome, SessionUser, Store};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
}

#[derive(Deserialize, ToSchema)]
struct LoginRequest {
    username: String,
    password: String,
}

/// The signed-in user as the front end needs it.
#[derive(Serialize, ToSchema)]
pub struct Me {
    id: i64,
    username: String,
    display_name: String,
    #[schema(value_type = luodi_domain::Role)]
    role: String,
    role_label: String,
    /// The region the account is scoped to; null for national administrators.
    region: Option<Region>,
    unit_id: Option<i64>,
    unit_name: Option<String>,
    /// Until changed, every other endpoint answers 403 `password_change_required`.
    must_change_password: bool,
    permissions: Vec<Permission>,
}

#[derive(Serialize, ToSchema)]
struct LoginResponse {
    /// Session token; also set as the HttpOnly cookie `luodi_session`.
    token: String,
    user: Me,
}

async fn me_of(store: &Store, user: &SessionUser) -> ApiResult<Me> {
    let actor = &user.actor;
    let region = match &actor.region_code {
        Some(code) => store.regions().get(code).await?,
        None => None,
    };
    let unit_name = match actor.unit_id {
        Some(id) => store
            .scoped(actor.clone())
            .units()
            .get(id)
            .await
            .ok()
            .map(|u| u.name),
        None => None,
    };
    Ok(Me {
        id: actor.user_id,
        username: actor.username.clone(),
        display_name: actor.display_name.clone(),
        role: actor.role.as_str().to_owned(),
        role_label: actor.role.label().to_owned(),
        region,
        unit_id: actor.unit_id,
        unit_name,
        must_change_password: user.must_change_password,
        permissions: actor.role.permissions_at(&actor.scope),
    })
}

struct RequestMeta(Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestMeta {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(request_id(parts)))
    }
}

/// Signs in with username and password.
///
/// Repeated failures lock the account for a while (423 `account_locked`).
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, body = crate::ErrorBody, description = "invalid_credentials"),
        (status = 423, body = crate::ErrorBody, description = "account_locked"),
        (status = 503, body = crate::ErrorBody,
            description = "busy: too many sign-ins waiting; retry after the Retry-After seconds"),
    ))]
async fn login(
    State(state): State<AppState>,
    RequestMeta(request_id): RequestMeta,
    jar: CookieJar,
    Json(req): Json<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    if req.username.trim().is_empty() || req.password.is_empty() {
        return Err(ApiError::field("username", "请输入用户名和密码"));
    }
    match state
        .store
        .auth()
        .login(&req.username, &req.password, request_id.as_deref())
        .await?
    {
        LoginOutcome::Success { token, user } => {
            let cookie = Cookie::build((SESSION_COOKIE, token.clone()))
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(state.settings.cookie_secure)
                .path("/")
                .build();
            let me = me_of(&state.store, &user).await?;
            Ok((jar.add(cookie), Json(LoginResponse { token, user: me })))
        }
        LoginOutcome::InvalidCredentials => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "用户名或密码错误",
        )),
        LoginOutcome::Locked { until } => Err(ApiError::new(
            StatusCode::LOCKED,
            ErrorCode::AccountLocked,
            format!(
                "密码连续错误次数过多，账号已锁定至 {}（北京时间），请稍后再试或联系管理员解锁",
                beijing_time(&until)
            ),
        )),
    }
}

/// Signs out: the session is deleted on the server.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", responses((status = 204)))]
async fn logout(
    State(state): State<AppState>,
    current: CurrentUser,
    jar: CookieJar,
) -> ApiResult<impl IntoResponse> {
    state
        .store
        .auth()
        .logout(&current.token, &current.user.actor)
        .await?;
    Ok((
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        StatusCode::NO_CONTENT,
    ))
}

/// The signed-in user, their scope and permissions.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = crate::ErrorBody)))]
async fn me(State(state): State<AppState>, current: CurrentUser) -> ApiResult<Json<Me>> {
    Ok(Json(me_of(&state.store, &current.user).await?))
}

#[derive(Deserialize, ToSchema)]
struct PasswordChange {
    old_password: String,
    new_password: String,
}

/// Changes the signed-in user's password; their other sessions are closed.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = crate::ErrorBody),
        (status = 503, body = crate::ErrorBody)))]
async fn change_password(
    State(state): State<AppState>,
    current: CurrentUser,
    Json(req): Json<PasswordChange>,
) -> ApiResult<StatusCode> {
    state
        .store
        .auth()
        .change_password(
            &current.user.actor,
            &current.token,
            &req.old_password,
            &req.new_password,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A stored UTC timestamp (`2026-11-23T07:15:00.000Z`) as users read it: `2026-11-23 15:15`.
fn beijing_time(utc: &str) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    match time::PrimitiveDateTime::parse(utc, format) {
        Ok(t) => {
            let t = t.assume_utc().to_offset(time::macros::offset!(+8));
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute()
            )
        }
        Err(_) => utc.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lockout_times_are_shown_in_beijing_time() {
        assert_eq!(
            super::beijing_time("2026-11-23T23:15:00.000Z"),
            "2026-11-24 07:15"
        );
    }
}
