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
    /// The start of every Redis key the server writes (cache, rate limits,
    /// projections): deployments that share a Redis server keep apart by
    /// it, and `reelbyte_redis::forget_prefix` deletes one whole.
    #[arg(
        long,
        env = "REELBYTE_REDIS_PREFIX",
        default_value = "reelbyte",
        value_parser = clap::builder::NonEmptyStringValueParser::new()
    )]
    pub redis_prefix: String,
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
    /// Milliseconds a search may run on PostgreSQL before it is cancelled
    /// and answered with 503 (0: no limit).
    #[arg(long, env = "REELBYTE_SEARCH_TIMEOUT_MS", default_value_t = 5_000)]
    pub search_timeout_ms: u64,
}

impl Config {
    /// The in-memory configuration with default limits, ignoring the
    /// environment (for tests).
    pub fn in_memory() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            redis_url: None,
            redis_prefix: "reelbyte".into(),
            seed_staff_email: None,
            seed_staff_password: None,
            login_limit_per_minute: 10,
            write_limit_per_minute: 300,
            search_timeout_ms: 5_000,
        }
    }
}

/// The storage and the shared services `config` asks for.
#[derive(Clone)]
pub struct Backends {
    /// The store: memory, PostgreSQL, either behind the Redis cache.
    pub store: Arc<dyn Store>,
    /// Redis, when configured (shared rate limits and the readiness check).
    pub redis: Option<redis::aio::ConnectionManager>,
}

impl std::fmt::Debug for Backends {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backends")
            .field("redis", &self.redis.is_some())
            .finish_non_exhaustive()
    }
}

/// Picks the storage for `config`: PostgreSQL (migrated at start-up) with
/// `--database-url`, memory without; the Redis cache in front of either with
/// `--redis-url`. A server that cannot reach what it was asked for does not
/// start (no silent fallback to memory).
pub async fn build_backends(config: &Config) -> Result<Backends, String> {
    let store: Arc<dyn Store> = match &config.database_url {
        Some(url) => {
            let mut store = reelbyte_pg::PgStore::connect(url, 16)
                .await
                .map_err(|e| format!("PostgreSQL: {e}"))?;
            if config.search_timeout_ms > 0 {
                store = store.with_search_timeout(Duration::from_millis(config.search_timeout_ms));
            }
            store
                .migrate()
                .await
                .map_err(|e| format!("PostgreSQL migrations: {e}"))?;
            Arc::new(store)
        }
        None => Arc::new(MemStore::new()),
    };
    match &config.redis_url {
        Some(url) => {
            let conn = reelbyte_redis::connect(url)
                .await
                .map_err(|e| format!("Redis: {e}"))?;
            let cached = reelbyte_redis::CachedStore::new(
                store,
                conn.clone(),
                reelbyte_redis::CacheConfig::with_prefix(config.redis_prefix.as_str()),
            );
            Ok(Backends {
                store: Arc::new(cached),
                redis: Some(conn),
            })
        }
        None => Ok(Backends { store, redis: None }),
    }
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The service.
    pub market: Marketplace,
    limits: Arc<Limits>,
    redis: Option<redis::aio::ConnectionManager>,
}

/// Rate limits: in this process, or in Redis so that every instance of the
/// server shares them.
enum Limits {
    Local {
        login: FixedWindow,
        writes: FixedWindow,
    },
    Shared {
        limiter: Arc<dyn reelbyte_core::realtime::RateLimiter>,
        login: u32,
        writes: u32,
    },
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limits::Local { .. } => f.write_str("Limits::Local"),
            Limits::Shared { login, writes, .. } => f
                .debug_struct("Limits::Shared")
                .field("login", login)
                .field("writes", writes)
                .finish(),
        }
    }
}

impl Limits {
    /// `Ok(())`, or the seconds to wait.
    async fn check(&self, login: bool, key: &str) -> Result<(), u64> {
        match self {
            Limits::Local { login: l, writes } => {
                if login {
                    l.check(key)
                } else {
                    writes.check(key)
                }
            }
            Limits::Shared {
                limiter,
                login: l,
                writes,
            } => {
                let (limit, name) = if login {
                    (*l, "login")
                } else {
                    (*writes, "write")
                };
                if limit == 0 {
                    return Ok(());
                }
                match limiter
                    .hit_fixed_window(&format!("rate:{name}:{key}"), u64::from(limit), 60)
                    .await
                {
                    Ok(decision) if !decision.allowed => Err(60),
                    // The limiter decides what a Redis failure means (it
                    // fails open by default).
                    _ => Ok(()),
                }
            }
        }
    }
}

impl AppState {
    /// State over `market` with the limits of `config`.
    pub fn new(market: Marketplace, config: &Config) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            market,
            limits: Arc::new(Limits::Local {
                login: FixedWindow::new(config.login_limit_per_minute, minute),
                writes: FixedWindow::new(config.write_limit_per_minute, minute),
            }),
            redis: None,
        }
    }

    /// State over `market` whose rate limits live in `redis`, shared by
    /// every instance of the server.
    pub fn with_redis(
        market: Marketplace,
        config: &Config,
        redis: redis::aio::ConnectionManager,
    ) -> Self {
        let limiter =
            reelbyte_redis::RedisRealtime::new(redis.clone(), config.redis_prefix.as_str());
        Self {
            market,
            limits: Arc::new(Limits::Shared {
                limiter: Arc::new(limiter),
                login: config.login_limit_per_minute,
                writes: config.write_limit_per_minute,
            }),
            redis: Some(redis),
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

/// Ready when the store answers and, when configured, Redis answers PING.
async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.market.list_fee_tiers().await?;
    if let Some(redis) = &state.redis {
        let mut conn = redis.clone();
        let pong: Result<String, _> = redis::cmd("PING").query_async(&mut conn).await;
        if pong.is_err() {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "redis_unavailable",
                "Redis does not answer",
            ));
        }
    }
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
            && let Err(seconds) = state.limits.check(true, &parts_ip).await
        {
            return ApiError::too_many_requests(seconds).into_response();
        }
        let key = match context::bearer_token(request.headers()) {
            Ok(Some(token)) => format!("token:{}", reelbyte_core::auth::token_hash(token)),
            _ => format!("ip:{parts_ip}"),
        };
        if let Err(seconds) = state.limits.check(false, &key).await {
            return ApiError::too_many_requests(seconds).into_response();
        }
    }
    next.run(request).await
}

/// A marketplace over `store` and the simulated gateway.
pub fn build_market(store: Arc<dyn Store>) -> Marketplace {
    Marketplace::new(store, Arc::new(SimulatedGateway::new()))
}

/// `market` keeping its leaderboards, unread counters, activity feeds and
/// favorites sets in `realtime`.
pub fn keep_projections<R>(market: Marketplace, realtime: Arc<R>) -> Marketplace
where
    R: reelbyte_core::realtime::Rankings
        + reelbyte_core::realtime::UnreadCounters
        + reelbyte_core::realtime::ActivityFeeds
        + reelbyte_core::realtime::FavoriteSets
        + 'static,
{
    market
        .with_rankings(realtime.clone())
        .with_unread_counters(realtime.clone())
        .with_activity_feeds(realtime.clone())
        .with_favorite_sets(realtime)
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
    let backends = build_backends(&config).await?;
    // The leaderboards, unread counters, activity feeds and favorites sets
    // live beside the rate limits: in Redis, shared by every instance, when there is one;
    // in this process otherwise.
    let market = build_market(backends.store.clone());
    let market = match &backends.redis {
        Some(redis) => keep_projections(
            market,
            Arc::new(reelbyte_redis::RedisRealtime::new(
                redis.clone(),
                config.redis_prefix.as_str(),
            )),
        ),
        None => keep_projections(market, Arc::new(reelbyte_memory::MemRealtime::default())),
    };
    if let (Some(email), Some(password)) = (&config.seed_staff_email, &config.seed_staff_password) {
        seed_staff(&market, email, password).await?;
        tracing::info!(email = %email, "seeded staff account");
    }
    let state = match backends.redis {
        Some(redis) => AppState::with_redis(market, &config, redis),
        None => AppState::new(market, &config),
    };
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
