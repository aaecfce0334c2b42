use crate::error::{ApiResult, Json, Path, Query};
use crate::session::{CurrentUser, ScopedStore};
use crate::AppState;
use axum::http::StatusCode;
use luodi_domain::{Permission, Role};
use luodi_store::users::{NewUser, User, UserFilter, UserUpdate};
use luodi_store::{Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(reset_user_password))
        .routes(routes!(unlock_user))
        .routes(routes!(list_roles))
}

/// Users in the administrator's scope.
#[utoipa::path(get, path = "/api/users", tag = "users", params(UserFilter, PageRequest),
    responses((status = 200, body = Page<User>), (status = 403, body = crate::ErrorBody)))]
async fn list_users(
    ScopedStore(store): ScopedStore,
    Query(filter): Query<UserFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<User>>> {
    Ok(Json(store.users().list(&filter, page).await?))
}

/// Creates an account inside the administrator's scope; the user must change the password at
/// first sign-in.
#[utoipa::path(post, path = "/api/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = User), (status = 422, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 503, body = crate::ErrorBody)))]
async fn create_user(
    ScopedStore(store): ScopedStore,
    Json(input): Json<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.users().create(input).await?),
    ))
}

#[utoipa::path(get, path = "/api/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = crate::ErrorBody)))]
async fn get_user(ScopedStore(store): ScopedStore, Path(id): Path<i64>) -> ApiResult<Json<User>> {
    Ok(Json(store.users().get(id).await?))
}

/// Updates an account. `version` must be the one read; otherwise 409 `stale_version`.
#[utoipa::path(put, path = "/api/users/{id}", tag = "users", params(("id" = i64, Path)),
    request_body = UserUpdate,
    responses((status = 200, body = User), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn update_user(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<UserUpdate>,
) -> ApiResult<Json<User>> {
    Ok(Json(store.users().update(id, input).await?))
}

#[derive(Deserialize, ToSchema)]
struct PasswordReset {
    #[schema(value_type = String)]
    password: zeroize::Zeroizing<String>,
}

/// Sets a new password for another user (who must change it at next sign-in); one's own
/// password is changed at `POST /api/auth/password`, with the current one.
#[utoipa::path(post, path = "/api/users/{id}/password", tag = "users", params(("id" = i64, Path)),
    request_body = PasswordReset,
    responses((status = 204), (status = 403, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody), (status = 503, body = crate::ErrorBody)))]
async fn reset_user_password(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(input): Json<PasswordReset>,
) -> ApiResult<StatusCode> {
    store.users().reset_password(id, &input.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts a lockout caused by repeated failed sign-ins.
#[utoipa::path(post, path = "/api/users/{id}/unlock", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User)))]
async fn unlock_user(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<User>> {
    Ok(Json(store.users().unlock(id).await?))
}

#[derive(Serialize, ToSchema)]
struct PermissionInfo {
    code: Permission,
    label: &'static str,
}

#[derive(Serialize, ToSchema)]
struct RoleInfo {
    code: Role,
    label: &'static str,
    description: &'static str,
    permissions: Vec<PermissionInfo>,
}

/// The roles of the system and what each may do.
#[utoipa::path(get, path = "/api/roles", tag = "users", responses((status = 200, body = Vec<RoleInfo>)))]
async fn list_roles(_user: CurrentUser) -> Json<Vec<RoleInfo>> {
    Json(
        Role::ALL
            .into_iter()
            .map(|role| RoleInfo {
                code: role,
                label: role.label(),
                description: role.description(),
                permissions: role
                    .permissions()
                    .iter()
                    .map(|&p| PermissionInfo {
                        code: p,
                        label: p.label(),
                    })
                    .collect(),
            })
            .collect(),
    )
}
