//! `reelbyte-server`: a JSON REST API over the whole [`Marketplace`].
//!
//! Layout: [`error`] turns every failure into RFC 9457 problem documents,
//! [`context`] resolves the bearer session and request metadata into a
//! [`reelbyte_core::Ctx`], [`limit`] rate-limits logins and writes, and
//! `routes` holds one module of handlers per area of the service. The OpenAPI
//! document is generated from the handlers.

pub mod context;
pub mod error;
pub mod limit;
mod output;
mod routes;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use reelbyte_core::Marketplace;
use reelbyte_core::gateway::SimulatedGateway;
use reelbyte_core::service::{LoginInput, RegisterInput};
use reelbyte_core::store::{ChangeSet, Store};
use reelbyte_memory::MemStore;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use self::error::ApiError;
use self::limit::FixedWindow;

/// Start-up configuration: flags with environment fallbacks.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "reelbyte-server", about = "The ReelByte marketplace over HTTP")]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "REELBYTE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// PostgreSQL URL; without it the server keeps everything in memory.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Redis URL for the cache in front of PostgreSQL.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,
    /// Creates (or promotes) this account as the first staff member at start-up.
    #[arg(
        long,
        env = "REELBYTE_SEED_STAFF_EMAIL",
        requires = "seed_staff_password"
    )]
    pub seed_staff_email: Option<String>,
    /// The password of the seeded staff account.
    #[arg(long, env = "REELBYTE_SEED_STAFF_PASSWORD", hide_env_values = true)]
    pub seed_staff_password: Option<String>,
    /// Login attempts per client address per minute (0 disables the limit).
    #[arg(long, env = "REELBYTE_LOGIN_LIMIT", default_value_t = 10)]
    pub login_limit_per_minute: u32,
    /// Writes per caller (user or address) per minute (0 disables the limit).
    #[arg(long, env = "REELBYTE_WRITE_LIMIT", default_value_t = 300)]
    pub write_limit_per_minute: u32,
}

impl Config {
    /// The in-memory configuration with default limits, ignoring the
    /// environment (for tests).
    pub fn in_memory() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            redis_url: None,
            seed_staff_email: None,
            seed_staff_password: None,
            login_limit_per_minute: 10,
            write_limit_per_minute: 300,
        }
    }
}

/// Picks the storage backend for `config`.
///
/// The PostgreSQL and Redis adapters plug in here; until this binary is built
/// with them, asking for them is a start-up error rather than a silent
/// fallback to memory.
pub fn build_store(config: &Config) -> Result<Arc<dyn Store>, String> {
    if config.database_url.is_some() {
        return Err(
            "built without PostgreSQL support: remove --database-url/DATABASE_URL \
                    to run in memory"
                .into(),
        );
    }
    if config.redis_url.is_some() {
        return Err("built without Redis support (it needs PostgreSQL): remove \
                    --redis-url/REDIS_URL to run in memory"
            .into());
    }
    Ok(Arc::new(MemStore::new()))
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The service.
    pub market: Marketplace,
    limits: Arc<Limits>,
}

#[derive(Debug)]
struct Limits {
    login: FixedWindow,
    writes: FixedWindow,
}

impl AppState {
    /// State over `market` with the limits of `config`.
    pub fn new(market: Marketplace, config: &Config) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            market,
            limits: Arc::new(Limits {
                login: FixedWindow::new(config.login_limit_per_minute, minute),
                writes: FixedWindow::new(config.write_limit_per_minute, minute),
            }),
        }
    }
}

/// The OpenAPI document's root.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "ReelByte API",
        description = "Creator marketplace: gigs, jobs, contracts, escrow, reviews and more. \
                       Errors are RFC 9457 problem documents with a stable `code`."
    ),
    modifiers(&BearerAuth),
    components(schemas(error::Problem))
)]
struct ApiDoc;

#[derive(Debug)]
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes and their OpenAPI document.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let router = OpenApiRouter::with_openapi(ApiDoc::openapi());
    let router = routes::register(router);
    router.split_for_parts()
}

/// The OpenAPI document alone.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

/// The whole application: API, docs, health checks, middleware.
pub fn app(state: AppState) -> Router {
    let (api, doc) = api();
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(api)
        .route("/healthz", axum::routing::get(healthz))
        .route("/readyz", axum::routing::get(readyz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .with_state(state)
        .merge(SwaggerUi::new("/docs").url("/openapi.json", doc))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %request.method(), uri = %request.uri(), request_id = %id)
            })
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.market.list_fee_tiers().await?;
    Ok("ready")
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this route",
    )
}

/// Limits logins per address, and writes per user (or address when anonymous).
async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let parts_ip = request
        .extensions()
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".into());
    let method = request.method().clone();
    let is_write = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    if is_write {
        if request.uri().path() == "/api/v1/auth/login"
            && let Err(seconds) = state.limits.login.check(&parts_ip)
        {
            return ApiError::too_many_requests(seconds).into_response();
        }
        let key = match context::bearer_token(request.headers()) {
            Ok(Some(token)) => format!("token:{}", reelbyte_core::auth::token_hash(token)),
            _ => format!("ip:{parts_ip}"),
        };
        if let Err(seconds) = state.limits.writes.check(&key) {
            return ApiError::too_many_requests(seconds).into_response();
        }
    }
    next.run(request).await
}

/// A marketplace over the store `config` asks for and the simulated gateway.
pub fn build_market(config: &Config) -> Result<Marketplace, String> {
    let store = build_store(config)?;
    Ok(Marketplace::new(store, Arc::new(SimulatedGateway::new())))
}

/// Registers (or logs in) the seed staff account and makes it staff. The
/// service only lets staff grant staff rights, so the first one is written
/// to the store directly.
pub async fn seed_staff(market: &Marketplace, email: &str, password: &str) -> Result<(), String> {
    let input: RegisterInput = serde_json::from_value(serde_json::json!({
        "email": email,
        "password": password,
        "user_type": "both",
        "display_name": "Staff",
    }))
    .map_err(|e| format!("seed staff: {e}"))?;
    let ctx = reelbyte_core::Ctx::anonymous();
    let user = match market.register(&ctx, input).await {
        Ok(registered) => registered.user,
        Err(reelbyte_core::Error::AlreadyExists { .. }) => {
            let login = LoginInput {
                email: email.into(),
                password: password.into(),
            };
            market
                .login(&ctx, login)
                .await
                .map_err(|e| format!("seed staff: {e}"))?
                .user
        }
        Err(e) => return Err(format!("seed staff: {e}")),
    };
    if !user.is_staff {
        let mut staff = user;
        staff.is_staff = true;
        let mut changes = ChangeSet::new();
        changes.update(&staff);
        market
            .store()
            .apply(changes)
            .await
            .map_err(|e| format!("seed staff: {e}"))?;
    }
    Ok(())
}

/// Serves `config` until SIGTERM or Ctrl-C.
pub async fn serve(config: Config) -> Result<(), String> {
    let market = build_market(&config)?;
    if let (Some(email), Some(password)) = (&config.seed_staff_email, &config.seed_staff_password) {
        seed_staff(&market, email, password).await?;
        tracing::info!(email = %email, "seeded staff account");
    }
    let state = AppState::new(market, &config);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("bind {}: {e}", config.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%local, "listening; docs at /docs");
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
