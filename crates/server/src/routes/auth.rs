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
use luodi_store::{LoginOutcome, SecondStepOutcome, SessionUser, Store};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use zeroize::Zeroizing;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(login_code))
        .routes(routes!(login_enrol))
        .routes(routes!(login_enrol_confirm))
}

#[derive(Deserialize, ToSchema)]
struct LoginRequest {
    username: String,
    /// Cleared from memory once the request is done.
    #[schema(value_type = String)]
    password: Zeroizing<String>,
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
    /// Until changed, every other endpoint answers 403 `password_change_required` (or
    /// `password_expired`).
    must_change_password: bool,
    /// The password is older than the installation's maximum age (`[auth]
    /// password_max_age_days`) and must be changed before anything else.
    password_expired: bool,
    permissions: Vec<Permission>,
}

/// A finished sign-in has `token` and `user`; one that owes a second step has `two_factor`
/// instead.
#[derive(Serialize, ToSchema)]
struct LoginResponse {
    /// Session token; also set as the HttpOnly cookie `luodi_session`.
    token: Option<String>,
    user: Option<Me>,
    /// The password was right: finish with `/api/auth/login/code` (step `verify`) or enrol
    /// first with `/api/auth/login/enrol` (step `enrol`).
    two_factor: Option<luodi_store::Challenge>,
    /// After enrolling during sign-in: the recovery codes, shown this once.
    recovery_codes: Option<Vec<String>>,
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
        password_expired: user.password_expired,
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
/// Repeated failures lock the account for a while (423 `account_locked`). When the account
/// signs in with a second factor, or its role requires one, the answer carries `two_factor`
/// instead of a session.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, body = crate::ErrorBody, description = "invalid_credentials"),
        (status = 423, body = crate::ErrorBody, description = "account_locked"),
        (status = 429, body = crate::ErrorBody, description = "too_many_requests: too many \
            failed sign-ins from this client address; retry after the Retry-After seconds"),
        (status = 503, body = crate::ErrorBody,
            description = "busy: too many sign-ins waiting; retry after the Retry-After seconds"),
    ))]
async fn login(
    State(state): State<AppState>,
    RequestMeta(request_id): RequestMeta,
    jar: CookieJar,
    Json(req): Json<LoginRequest>,
) -> ApiResult<axum::response::Response> {
    if req.username.trim().is_empty() || req.password.is_empty() {
        return Err(ApiError::field("username", "请输入用户名和密码"));
    }
    match state
        .store
        .auth()
        .login(&req.username, &req.password, request_id.as_deref())
        .await?
    {
        LoginOutcome::Success { token, user } => signed_in(&state, jar, token, &user, None).await,
        LoginOutcome::SecondFactor(challenge) => Ok((
            jar,
            Json(LoginResponse {
                token: None,
                user: None,
                two_factor: Some(challenge),
                recovery_codes: None,
            }),
        )),
        LoginOutcome::InvalidCredentials => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "用户名或密码错误",
        )),
        LoginOutcome::Locked { until } => Err(locked(&until)),
        LoginOutcome::Throttled { until } => {
            let wait = seconds_until(&until).max(1);
            return Ok((
                [(axum::http::header::RETRY_AFTER, wait.to_string())],
                ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::TooManyRequests,
                    format!(
                        "从您所在网络登录失败的次数过多，请于 {}（北京时间）后再试",
                        beijing_time(&until)
                    ),
                ),
            )
                .into_response());
        }
    }
    .map(IntoResponse::into_response)
}

fn locked(until: &str) -> ApiError {
    ApiError::new(
        StatusCode::LOCKED,
        ErrorCode::AccountLocked,
        format!(
            "密码或验证码连续错误次数过多，账号已锁定至 {}（北京时间），请稍后再试或联系管理员解锁",
            beijing_time(until)
        ),
    )
}

/// The answer to a finished sign-in: the session cookie and the user.
async fn signed_in(
    state: &AppState,
    jar: CookieJar,
    token: String,
    user: &SessionUser,
    recovery_codes: Option<Vec<String>>,
) -> ApiResult<(CookieJar, Json<LoginResponse>)> {
    let cookie = Cookie::build((SESSION_COOKIE, token.clone()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.https())
        .path("/")
        .build();
    let me = me_of(&state.store, user).await?;
    Ok((
        jar.add(cookie),
        Json(LoginResponse {
            token: Some(token),
            user: Some(me),
            two_factor: None,
            recovery_codes,
        }),
    ))
}

async fn second_step_answer(
    state: &AppState,
    jar: CookieJar,
    outcome: SecondStepOutcome,
) -> ApiResult<(CookieJar, Json<LoginResponse>)> {
    match outcome {
        SecondStepOutcome::Success {
            token,
            user,
            recovery_codes,
        } => signed_in(state, jar, token, &user, recovery_codes).await,
        SecondStepOutcome::InvalidCode => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCode,
            "验证码不正确或已使用过，请输入验证器应用中当前显示的6位数字，或一个未用过的恢复码",
        )),
        SecondStepOutcome::Expired => Err(challenge_expired()),
        SecondStepOutcome::Locked { until } => Err(locked(&until)),
    }
}

fn challenge_expired() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::ChallengeExpired,
        "登录验证已过期，请重新输入用户名和密码",
    )
}

#[derive(Deserialize, ToSchema)]
struct CodeRequest {
    /// From the password step's `two_factor.challenge`.
    challenge: String,
    /// The 6 digits the authenticator app shows, or a recovery code.
    code: String,
}

/// Second sign-in step: a code from the authenticator app, or a recovery code (each works
/// once). Wrong codes count towards the account's lock like wrong passwords.
#[utoipa::path(post, path = "/api/auth/login/code", tag = "auth", request_body = CodeRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, body = crate::ErrorBody, description = "invalid_code, challenge_expired"),
        (status = 423, body = crate::ErrorBody, description = "account_locked"),
    ))]
async fn login_code(
    State(state): State<AppState>,
    RequestMeta(request_id): RequestMeta,
    jar: CookieJar,
    Json(req): Json<CodeRequest>,
) -> ApiResult<impl IntoResponse> {
    let outcome = state
        .store
        .auth()
        .verify_code(&req.challenge, &req.code, request_id.as_deref())
        .await?;
    second_step_answer(&state, jar, outcome).await
}

#[derive(Deserialize, ToSchema)]
struct EnrolRequest {
    /// From the password step's `two_factor.challenge` (step `enrol`).
    challenge: String,
}

/// Sign-in of an account whose role requires two-factor sign-in and that has none: the
/// secret to add to an authenticator app (QR code of `otpauth_url`).
#[utoipa::path(post, path = "/api/auth/login/enrol", tag = "auth", request_body = EnrolRequest,
    responses(
        (status = 200, body = luodi_store::two_factor::Enrolment),
        (status = 401, body = crate::ErrorBody, description = "challenge_expired"),
    ))]
async fn login_enrol(
    State(state): State<AppState>,
    RequestMeta(request_id): RequestMeta,
    Json(req): Json<EnrolRequest>,
) -> ApiResult<Json<luodi_store::two_factor::Enrolment>> {
    state
        .store
        .auth()
        .enrol_start(&req.challenge, request_id.as_deref())
        .await?
        .map(Json)
        .ok_or_else(challenge_expired)
}

/// Finishes an enrolling sign-in with a current code from the new secret: signed in, with
/// the recovery codes in `recovery_codes` (shown this once).
#[utoipa::path(post, path = "/api/auth/login/enrol/confirm", tag = "auth", request_body = CodeRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, body = crate::ErrorBody, description = "invalid_code, challenge_expired"),
        (status = 422, body = crate::ErrorBody),
        (status = 423, body = crate::ErrorBody, description = "account_locked"),
    ))]
async fn login_enrol_confirm(
    State(state): State<AppState>,
    RequestMeta(request_id): RequestMeta,
    jar: CookieJar,
    Json(req): Json<CodeRequest>,
) -> ApiResult<impl IntoResponse> {
    let outcome = state
        .store
        .auth()
        .enrol_confirm(&req.challenge, &req.code, request_id.as_deref())
        .await?;
    second_step_answer(&state, jar, outcome).await
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
    #[schema(value_type = String)]
    old_password: Zeroizing<String>,
    #[schema(value_type = String)]
    new_password: Zeroizing<String>,
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

const STORED: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
);

/// Whole seconds from now until a stored UTC timestamp, rounded up (0 when past).
fn seconds_until(utc: &str) -> i64 {
    time::PrimitiveDateTime::parse(utc, STORED)
        .map(|t| {
            let left = t.assume_utc() - time::OffsetDateTime::now_utc();
            (left.whole_milliseconds() as i64 + 999) / 1000
        })
        .unwrap_or(60)
        .max(0)
}

/// A stored UTC timestamp (`2026-11-23T07:15:00.000Z`) as users read it: `2026-11-23 15:15`.
fn beijing_time(utc: &str) -> String {
    match time::PrimitiveDateTime::parse(utc, STORED) {
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
