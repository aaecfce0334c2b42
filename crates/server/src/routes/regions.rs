use crate::error::{ApiError, ApiResult, Json, Path, Query};
use crate::session::{CurrentUser, ScopedStore};
use crate::AppState;
use axum::extract::State;
use luodi_domain::RegionCode;
use luodi_store::regions::{IndustrySection, Region, RegionDetail};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_regions))
        .routes(routes!(scope_regions))
        .routes(routes!(get_region))
        .routes(routes!(list_industries))
}

/// The industry dictionary (国民经济行业分类 GB/T 4754-2017): sections with their divisions.
/// Public reference data, like the regions.
#[utoipa::path(get, path = "/api/industries", tag = "regions",
    responses((status = 200, body = Vec<IndustrySection>)))]
async fn list_industries(State(state): State<AppState>) -> ApiResult<Json<Vec<IndustrySection>>> {
    Ok(Json(state.store.regions().industries().await?))
}

#[derive(Deserialize, IntoParams)]
struct ChildrenQuery {
    /// Parent region code; omit for the provinces.
    #[param(pattern = r"^((0[1-9]|[1-9][0-9])[0-9]{4})?$")]
    parent: Option<String>,
}

fn parse_code(field: &str, s: &str) -> ApiResult<RegionCode> {
    RegionCode::parse(s).map_err(|e| ApiError::field(field, e.to_string()))
}

/// Children of a region in the national tree. Public reference data (GB/T 2260), the same for
/// every user, so it needs no sign-in.
#[utoipa::path(get, path = "/api/regions", tag = "regions", params(ChildrenQuery),
    responses((status = 200, body = Vec<Region>)))]
async fn list_regions(
    State(state): State<AppState>,
    Query(q): Query<ChildrenQuery>,
) -> ApiResult<Json<Vec<Region>>> {
    let parent = q
        .parent
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| parse_code("parent", s))
        .transpose()?;
    Ok(Json(state.store.regions().children(parent.as_ref()).await?))
}

/// The regions the signed-in user may pick as the top of a region selector.
#[utoipa::path(get, path = "/api/regions/scope", tag = "regions",
    responses((status = 200, body = Vec<Region>)))]
async fn scope_regions(ScopedStore(store): ScopedStore) -> ApiResult<Json<Vec<Region>>> {
    Ok(Json(store.regions().scope_roots().await?))
}

/// A region with its ancestors and its zones (园区、乡镇).
#[utoipa::path(get, path = "/api/regions/{code}", tag = "regions",
    params(("code" = String, Path, description = "6-digit region code",
        pattern = r"^(0[1-9]|[1-9][0-9])[0-9]{4}$")),
    responses((status = 200, body = RegionDetail), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody, description = "not a region code")))]
async fn get_region(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(code): Path<String>,
) -> ApiResult<Json<RegionDetail>> {
    let code = parse_code("code", &code)?;
    Ok(Json(state.store.regions().detail(&code).await?))
}
