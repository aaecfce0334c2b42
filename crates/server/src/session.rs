//! Who is asking: the session cookie (or bearer token) resolved to a user, and the scoped
//! store handed to handlers.

use crate::error::ApiError;
use crate::error::ErrorCode;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use luodi_store::{Scoped, SessionUser};
use tower_http::request_id::RequestId;

pub const SESSION_COOKIE: &str = "luodi_session";

/// The signed-in user and the token they used (needed to sign out or keep this session).
pub struct CurrentUser {
    pub user: SessionUser,
    pub token: String,
}

fn token_from(parts: &Parts) -> Option<String> {
    if let Some(bearer) = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_owned());
    }
    CookieJar::from_headers(&parts.headers)
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
}

pub fn request_id(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .map(str::to_owned)
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token_from(parts).ok_or_else(ApiError::unauthenticated)?;
        let user = state
            .store
            .auth()
            .session(&token, request_id(parts))
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        Ok(Self { user, token })
    }
}

/// The store as the signed-in user may use it. Every data endpoint takes this, so no handler
/// can reach data outside the user's scope.
pub struct ScopedStore(pub Scoped);

impl FromRequestParts<AppState> for ScopedStore {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let current = CurrentUser::from_request_parts(parts, state).await?;
        if current.user.password_expired {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::PasswordExpired,
                format!(
                    "密码已超过{}天未修改，按规定须定期更换，请先修改密码",
                    state.store.settings().password_max_age_days
                ),
            ));
        }
        if current.user.must_change_password {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::PasswordChangeRequired,
                "首次登录或密码已被重置，请先修改密码",
            ));
        }
        Ok(Self(state.store.scoped(current.user.actor)))
    }
}
