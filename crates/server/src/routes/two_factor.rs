//! 账号安全: the signed-in user's two-factor sign-in (enrol with a QR code, recovery codes,
//! turn off), an administrator's reset of another account's, and which roles require it. The
//! sign-in steps themselves are in `auth.rs`.

use crate::error::{ApiResult, Json, Path};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use luodi_store::two_factor::{Enrolment, RecoveryCodes, TwoFactorPolicy, TwoFactorStatus};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(start))
        .routes(routes!(confirm))
        .routes(routes!(disable))
        .routes(routes!(reset))
        .routes(routes!(policy, set_policy))
}

/// The signed-in user's two-factor sign-in.
#[utoipa::path(get, path = "/api/auth/two-factor", tag = "auth",
    responses((status = 200, body = TwoFactorStatus), (status = 401, body = crate::ErrorBody)))]
async fn status(ScopedStore(store): ScopedStore) -> ApiResult<Json<TwoFactorStatus>> {
    Ok(Json(store.two_factor().status().await?))
}

/// Starts enrolment: a new secret for an authenticator app (QR code of `otpauth_url`),
/// active once confirmed with a code from it.
#[utoipa::path(post, path = "/api/auth/two-factor/start", tag = "auth",
    responses((status = 200, body = Enrolment), (status = 409, body = crate::ErrorBody,
        description = "already enabled: turn it off first")))]
async fn start(ScopedStore(store): ScopedStore) -> ApiResult<Json<Enrolment>> {
    Ok(Json(store.two_factor().start().await?))
}

#[derive(Deserialize, ToSchema)]
struct Code {
    /// The 6 digits the authenticator app shows.
    code: String,
}

/// Confirms enrolment with the code the app shows now; answers ten recovery codes, shown
/// this once.
#[utoipa::path(post, path = "/api/auth/two-factor/confirm", tag = "auth", request_body = Code,
    responses((status = 200, body = RecoveryCodes), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody, description = "wrong code (field `code`)")))]
async fn confirm(
    ScopedStore(store): ScopedStore,
    Json(input): Json<Code>,
) -> ApiResult<Json<RecoveryCodes>> {
    Ok(Json(store.two_factor().confirm(&input.code).await?))
}

#[derive(Deserialize, ToSchema)]
struct Disable {
    #[schema(value_type = String)]
    password: zeroize::Zeroizing<String>,
    /// A code from the app, or a recovery code.
    code: String,
}

/// Turns the signed-in user's two-factor sign-in off, with the password and a code. Refused
/// (403) while the user's role requires it.
#[utoipa::path(post, path = "/api/auth/two-factor/disable", tag = "auth", request_body = Disable,
    responses((status = 204), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody),
        (status = 503, body = crate::ErrorBody)))]
async fn disable(
    ScopedStore(store): ScopedStore,
    Json(input): Json<Disable>,
) -> ApiResult<StatusCode> {
    store
        .two_factor()
        .disable(&input.password, &input.code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes another account's two-factor sign-in (a lost phone); audited. The account enrols
/// again at its next sign-in if its role requires it.
#[utoipa::path(post, path = "/api/users/{id}/two-factor/reset", tag = "users",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody)))]
async fn reset(ScopedStore(store): ScopedStore, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    store.two_factor().reset(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which roles must sign in with a second factor (without a setting: 系统管理员).
#[utoipa::path(get, path = "/api/settings/two-factor", tag = "users",
    responses((status = 200, body = TwoFactorPolicy), (status = 403, body = crate::ErrorBody)))]
async fn policy(ScopedStore(store): ScopedStore) -> ApiResult<Json<TwoFactorPolicy>> {
    Ok(Json(store.two_factor().policy().await?))
}

/// Sets which roles must sign in with a second factor; national or provincial
/// administrators only; audited.
#[utoipa::path(put, path = "/api/settings/two-factor", tag = "users", request_body = TwoFactorPolicy,
    responses((status = 200, body = TwoFactorPolicy), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn set_policy(
    ScopedStore(store): ScopedStore,
    Json(input): Json<TwoFactorPolicy>,
) -> ApiResult<Json<TwoFactorPolicy>> {
    Ok(Json(store.two_factor().set_policy(input).await?))
}
