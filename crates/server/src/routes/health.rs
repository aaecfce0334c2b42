use crate::error::Json;
use crate::AppState;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

#[derive(Serialize, ToSchema)]
struct Health {
    /// `ok`, or `degraded` when the database does not answer.
    status: &'static str,
    version: &'static str,
    /// `sqlite` or `postgres`.
    database: &'static str,
}

/// Liveness and readiness of this instance.
#[utoipa::path(get, path = "/api/health", tag = "system", responses((status = 200, body = Health)))]
async fn health(State(state): State<AppState>) -> Json<Health> {
    let ok = state.store.ping().await.is_ok();
    Json(Health {
        status: if ok { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        database: state.store.backend().as_str(),
    })
}
