//! Luodi's HTTP side: the JSON API under `/api`, its OpenAPI document, and the web front end
//! embedded in the binary.
#![forbid(unsafe_code)]

pub mod error;
mod hardening;
pub mod office;
mod routes;
pub mod session;
pub mod trail;
mod web;

use axum::http::{HeaderName, StatusCode};
use axum::Router;
use luodi_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

pub use error::{ApiError, ErrorBody, ErrorCode};

/// Settings of the HTTP layer (the `[server]` table of luodi.toml).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default)]
pub struct ServerSettings {
    /// Mark the session cookie `Secure` and send HSTS (when served over HTTPS); implied by an
    /// https `public_url`.
    pub cookie_secure: bool,
    /// The address users reach the server at, e.g. `https://zs.example.gov.cn` behind a
    /// reverse proxy that terminates TLS.
    pub public_url: Option<String>,
    /// Largest accepted upload, in megabytes.
    pub max_upload_mb: usize,
    /// Directory of the local-disk object store for evidence files.
    pub files_dir: String,
    /// Directory of an installation's own boundary files for the investment map (招商地图),
    /// e.g. an approved 标准地图: `<region code>.json` GeoJSON files whose features carry the
    /// region codes of their parts as `id` (or `properties.adcode`). A file there replaces the
    /// bundled one of the same code; codes it lacks keep the bundled boundaries.
    pub maps_dir: Option<String>,
    /// Limits on uploaded workbooks (`[server.sheets]`).
    pub sheets: office::SheetLimits,
    /// Behind a reverse proxy: the header that carries the client's address (e.g.
    /// `X-Forwarded-For`, its last entry, or `X-Real-IP`), recorded in the audit trail. Unset:
    /// the socket's peer, and no header is believed.
    pub trusted_proxy_header: Option<String>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            cookie_secure: false,
            public_url: None,
            max_upload_mb: 50,
            files_dir: "luodi-files".into(),
            maps_dir: None,
            sheets: office::SheetLimits::default(),
            trusted_proxy_header: None,
        }
    }
}

impl ServerSettings {
    /// Whether users reach the server over HTTPS: the cookie is then `Secure` and HSTS sent.
    pub fn https(&self) -> bool {
        self.cookie_secure
            || self
                .public_url
                .as_deref()
                .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<ServerSettings>,
    /// Where attachment contents live (local disk by default).
    pub files: Arc<dyn luodi_store::ObjectStore>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "落地 Luodi API",
        description = "招商引资签约项目履约落地平台的 JSON API。登录后会话保存在 HttpOnly Cookie \
        `luodi_session` 中；脚本也可把登录返回的 `token` 作为 `Authorization: Bearer <token>` 使用。\
        所有错误都以 `{code, message, errors?, rows_errors?}` 返回。",
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "system", description = "健康检查"),
        (name = "auth", description = "登录与会话"),
        (name = "regions", description = "行政区划"),
        (name = "users", description = "用户与角色"),
        (name = "units", description = "单位名录"),
        (name = "audit", description = "审计日志"),
        (name = "dashboard", description = "工作台"),
        (name = "ledger", description = "项目台账"),
        (name = "events", description = "签约活动"),
        (name = "funds", description = "资金到位填报与审核"),
        (name = "rates", description = "三率与分类统计"),
        (name = "rules", description = "台账规则：分类标准与分级责任"),
        (name = "dispatch", description = "月度调度：轮次、报送情况、月度进展"),
        (name = "tasks", description = "我的待办与消息提醒"),
        (name = "meetings", description = "调度会、联席会议及议定事项交办"),
        (name = "problems", description = "问题清单：登记、交办、答复、督办、办结"),
        (name = "revisits", description = "回访登记表：按分级责任规则回访大项目，导出Word和Excel"),
        (name = "supervision", description = "督导：督导组、分片负责、督导调研、问题清单与季度督导完成情况"),
        (name = "channels", description = "通知渠道：地区群机器人与发送失败的消息"),
        (name = "bulletins", description = "月结与通报：冻结月末数字，起草、发布并导出通报"),
        (name = "map", description = "招商地图：项目与园区点位"),
        (name = "campaigns", description = "专项行动：项目范围、目标、分类与阶段"),
        (name = "assistance", description = "帮办清单：项目审批事项、责任单位与办理时限"),
    )
)]
struct ApiDoc;

fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::health::router())
        .merge(routes::auth::router())
        .merge(routes::regions::router())
        .merge(routes::users::router())
        .merge(routes::units::router())
        .merge(routes::audit::router())
        .merge(routes::dashboard::router())
        .merge(routes::ledger::router())
        .merge(routes::events::router())
        .merge(routes::funds::router())
        .merge(routes::duplicates::router())
        .merge(routes::rates::router())
        .merge(routes::targets::router())
        .merge(routes::rules::router())
        .merge(routes::dispatch::router())
        .merge(routes::tasks::router())
        .merge(routes::meetings::router())
        .merge(routes::problems::router())
        .merge(routes::supervision::router())
        .merge(routes::revisits::router())
        .merge(routes::channels::router())
        .merge(routes::bulletins::router())
        .merge(routes::map::router())
        .merge(routes::campaigns::router())
        .merge(routes::assistance::router())
        .merge(routes::two_factor::router())
        .split_for_parts();
    error::document_shared_errors(&mut doc);
    (router, doc)
}

/// The OpenAPI document of every endpoint (also served at `/api/openapi.json`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

/// The whole application: API, API docs and the web front end.
pub fn app(state: AppState) -> Router {
    let (api_router, doc) = api();
    let max_body = state.settings.max_upload_mb * 1024 * 1024;
    let https = state.settings.https();
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(api_router)
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .route("/maps/{file}", axum::routing::get(web::map_file))
        .fallback(web::serve)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            trail::track,
        ))
        .layer(axum::middleware::from_fn(hardening::same_origin))
        .layer(axum::middleware::from_fn(move |request, next| {
            hardening::security_headers(https, request, next)
        }))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(compression())
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Compresses every response the client accepts compressed. The front end's files come
/// precompressed (`web.rs`) and carry their `Content-Encoding`, which this layer never
/// compresses again.
fn compression() -> CompressionLayer<impl Predicate> {
    // Office files and OFD are zip archives, PDFs deflate their streams: compressing them
    // again costs time and saves nothing.
    let predicate = DefaultPredicate::new()
        .and(NotForContentType::const_new(
            "application/vnd.openxmlformats",
        ))
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::const_new("application/ofd"))
        .and(NotForContentType::const_new("application/pdf"));
    // The fastest level: an API answer is compressed on every request (a kept report is not
    // recomputed, but its JSON is), and level 1 keeps most of the saving at a fraction of the
    // default level's time.
    CompressionLayer::new()
        .quality(tower_http::CompressionLevel::Fastest)
        .compress_when(predicate)
}

async fn api_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::RouteNotFound,
        "接口不存在，请检查地址",
    )
}

/// Serves until Ctrl-C / SIGTERM, finishing requests in flight.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tokio::time::sleep(Duration::from_millis(10)).await;
}
