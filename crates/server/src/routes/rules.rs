//! The ledger's rules: classification thresholds and the tier table (domain §5, §7).

use crate::error::{ApiResult, Json};
use crate::session::ScopedStore;
use crate::AppState;
use luodi_store::rules::{RulesUpdate, RulesView};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_rules, update_rules))
}

/// The rules in force (the seed defaults until an administrator saves a change), with how
/// each class is defined and whether the signed-in user may change them.
#[utoipa::path(get, path = "/api/rules", tag = "rules",
    responses((status = 200, body = RulesView), (status = 401, body = crate::ErrorBody)))]
async fn get_rules(ScopedStore(store): ScopedStore) -> ApiResult<Json<RulesView>> {
    Ok(Json(store.rules().get().await?))
}

/// Replaces the thresholds and the tier table as a whole. Only administrators whose scope is
/// a province or the whole country may, since the rules govern every project; `version` is
/// the one read (0 while the defaults apply).
#[utoipa::path(put, path = "/api/rules", tag = "rules", request_body = RulesUpdate,
    responses((status = 200, body = RulesView), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn update_rules(
    ScopedStore(store): ScopedStore,
    Json(update): Json<RulesUpdate>,
) -> ApiResult<Json<RulesView>> {
    Ok(Json(store.rules().update(update).await?))
}
