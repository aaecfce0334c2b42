//! Campaigns (专项行动): set up by a bureau over its region, read by its region and the regions
//! above and below it, each reader seeing the campaign's projects within its own reach.

use crate::error::{ApiResult, Json, Path, Query};
use crate::session::ScopedStore;
use crate::AppState;
use axum::http::StatusCode;
use luodi_store::campaigns::{
    Campaign, CampaignInput, CampaignSummary, CampaignUpdate, PhaseReport,
};
use luodi_store::ledger::{Project, ProjectFilter};
use luodi_store::{Page, PageRequest};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_campaigns, create_campaign))
        .routes(routes!(get_campaign, update_campaign))
        .routes(routes!(campaign_projects))
        .routes(routes!(complete_phase))
}

/// The campaigns the user reads: its region's, those below it, and those of the regions above.
#[utoipa::path(get, path = "/api/campaigns", tag = "campaigns",
    responses((status = 200, body = Vec<CampaignSummary>)))]
async fn list_campaigns(ScopedStore(store): ScopedStore) -> ApiResult<Json<Vec<CampaignSummary>>> {
    Ok(Json(store.campaigns().list().await?))
}

/// Sets up a campaign over the user's region; each phase becomes a task of its bureau.
#[utoipa::path(post, path = "/api/campaigns", tag = "campaigns", request_body = CampaignInput,
    responses((status = 201, body = Campaign), (status = 403, body = crate::ErrorBody),
        (status = 409, body = crate::ErrorBody), (status = 422, body = crate::ErrorBody)))]
async fn create_campaign(
    ScopedStore(store): ScopedStore,
    Json(input): Json<CampaignInput>,
) -> ApiResult<(StatusCode, Json<Campaign>)> {
    Ok((
        StatusCode::CREATED,
        Json(store.campaigns().create(input).await?),
    ))
}

/// One campaign: rule, goals against its figures, phases, and the 三率 of its projects within
/// the user's reach, classified by the campaign's thresholds.
#[utoipa::path(get, path = "/api/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)),
    responses((status = 200, body = Campaign), (status = 404, body = crate::ErrorBody)))]
async fn get_campaign(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
) -> ApiResult<Json<Campaign>> {
    Ok(Json(store.campaigns().get(id).await?))
}

/// The organising bureau corrects its campaign (name, rule, goals, thresholds, phases) at the
/// version it read, otherwise 409 `stale_version`; a phase keeps its stored self by its `seq`.
#[utoipa::path(put, path = "/api/campaigns/{id}", tag = "campaigns", params(("id" = i64, Path)),
    request_body = CampaignUpdate,
    responses((status = 200, body = Campaign), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn update_campaign(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Json(update): Json<CampaignUpdate>,
) -> ApiResult<Json<Campaign>> {
    Ok(Json(store.campaigns().update(id, update).await?))
}

/// A page of the campaign's projects within the user's reach, with the ledger's filters and
/// each project's classification by the campaign's thresholds.
#[utoipa::path(get, path = "/api/campaigns/{id}/projects", tag = "campaigns",
    params(("id" = i64, Path), ProjectFilter, PageRequest),
    responses((status = 200, body = Page<Project>), (status = 404, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn campaign_projects(
    ScopedStore(store): ScopedStore,
    Path(id): Path<i64>,
    Query(filter): Query<ProjectFilter>,
    Query(page): Query<PageRequest>,
) -> ApiResult<Json<Page<Project>>> {
    Ok(Json(store.campaigns().projects(id, &filter, page).await?))
}

/// The organising bureau reports a phase's work done (its task in 我的待办 is closed).
#[utoipa::path(post, path = "/api/campaigns/{id}/phases/{seq}/complete", tag = "campaigns",
    params(("id" = i64, Path), ("seq" = i64, Path)), request_body = PhaseReport,
    responses((status = 200, body = Campaign), (status = 403, body = crate::ErrorBody),
        (status = 404, body = crate::ErrorBody), (status = 409, body = crate::ErrorBody),
        (status = 422, body = crate::ErrorBody)))]
async fn complete_phase(
    ScopedStore(store): ScopedStore,
    Path((id, seq)): Path<(i64, i64)>,
    Json(report): Json<PhaseReport>,
) -> ApiResult<Json<Campaign>> {
    Ok(Json(
        store.campaigns().complete_phase(id, seq, report).await?,
    ))
}
