//! The HTTP server's requests per second: the server of
//! `reelbyte_examples::server` started in this process on 127.0.0.1:0, on
//! the memory store and on PostgreSQL, driven by concurrent HTTP/1.1 clients
//! over keep-alive connections for a fixed time per case.

use super::*;

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::http::{Method, Request, header};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use reelbyte_core::service::{LoginInput, RegisterInput};
use reelbyte_examples::server::{AppState, Config, app};

/// The endpoints of the section, in report order.
pub(crate) const HTTP_ENDPOINTS: [&str; 2] = [
    "read: GET /api/v1/gigs/{gig}",
    "write: PUT+DELETE /api/v1/favorites/gig/{gig}",
];

/// One endpoint at one client count.
#[derive(Debug, Clone)]
pub(crate) struct HttpResult {
    pub(crate) store: &'static str,
    pub(crate) endpoint: &'static str,
    pub(crate) clients: usize,
    pub(crate) requests: usize,
    pub(crate) non_2xx: usize,
    pub(crate) elapsed: Duration,
    pub(crate) p50: f64,
    pub(crate) p99: f64,
}

impl HttpResult {
    pub(crate) fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Generated data behind the server: enough gigs that reads spread.
const HTTP_SCALE: Scale = Scale {
    creators: 100,
    clients: 10,
    gigs: 1_000,
    jobs: 0,
    messages: 0,
};

/// What the clients need: gig ids to read, and one signed-in caller (token)
/// per client with a gig of its own to favorite and unfavorite.
struct World {
    gigs: Vec<GigId>,
    tokens: Vec<String>,
}

async fn world(market: &Marketplace, clients: usize) -> Outcome<World> {
    let generated = generate(market.store(), HTTP_SCALE, 42, 1_000, &|_, _, _| {}).await?;
    let mut tokens = Vec::new();
    for n in 0..clients {
        let email = format!("bench-http-{n}@example.com");
        let input: RegisterInput = serde_json::from_value(serde_json::json!({
            "email": email,
            "password": "correct horse battery",
            "user_type": "client",
            "display_name": format!("Bench client {n}"),
        }))?;
        let anonymous = Ctx::anonymous();
        market.register(&anonymous, input).await?;
        let login = LoginInput {
            email,
            password: "correct horse battery".into(),
        };
        let session = market.login(&anonymous, login).await?;
        tokens.push(session.token.expose().to_owned());
    }
    Ok(World {
        gigs: generated.gigs,
        tokens,
    })
}

/// The request number `n` of client `c` for `endpoint`.
fn request(endpoint: &str, world: &World, c: usize, n: usize) -> Outcome<Request<Full<Bytes>>> {
    let builder = Request::builder().header(header::HOST, "127.0.0.1");
    let request = if endpoint == HTTP_ENDPOINTS[0] {
        let gig = world.gigs[(c * 37 + n) % world.gigs.len()];
        builder
            .method(Method::GET)
            .uri(format!("/api/v1/gigs/{gig}"))
    } else {
        // Each client toggles its own favorite, so every PUT finds it absent
        // and every DELETE finds it present: the write repeats forever.
        let gig = world.gigs[c % world.gigs.len()];
        let method = if n.is_multiple_of(2) {
            Method::PUT
        } else {
            Method::DELETE
        };
        builder
            .method(method)
            .uri(format!("/api/v1/favorites/gig/{gig}"))
            .header(header::AUTHORIZATION, format!("Bearer {}", world.tokens[c]))
    };
    Ok(request.body(Full::new(Bytes::new()))?)
}

/// `clients` connections sending `endpoint` requests back to back for
/// `duration`; a client ends on an even request count, so the write case
/// leaves no favorite behind.
async fn drive(
    addr: SocketAddr,
    world: &Arc<World>,
    endpoint: &'static str,
    clients: usize,
    duration: Duration,
) -> Outcome<(usize, usize, Duration, Vec<Duration>)> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let world = world.clone();
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            let driver = tokio::spawn(connection);
            let (mut lat, mut non_2xx) = (Vec::new(), 0usize);
            let mut n: usize = 0;
            while !n.is_multiple_of(2) || Instant::now() < deadline {
                let req = request(endpoint, &world, c, n)?;
                let sent = Instant::now();
                sender.ready().await?;
                let response = sender.send_request(req).await?;
                let status = response.status();
                // Read the whole body: the request is done when it arrived.
                response.into_body().collect().await?;
                lat.push(sent.elapsed());
                if !status.is_success() {
                    non_2xx += 1;
                }
                n += 1;
            }
            drop(sender);
            driver.abort();
            Outcome::Ok((lat, non_2xx))
        }));
    }
    let (mut all, mut non_2xx) = (Vec::new(), 0);
    for task in tasks {
        let (mut lat, bad) = task.await??;
        all.append(&mut lat);
        non_2xx += bad;
    }
    let elapsed = started.elapsed();
    all.sort();
    Ok((all.len(), non_2xx, elapsed, all))
}

/// Starts the server over `store` and runs every endpoint at 1 and 8 clients.
async fn http_on(
    name: &'static str,
    store: Arc<dyn Store>,
    duration: Duration,
) -> Outcome<Vec<HttpResult>> {
    let market = Marketplace::new(store, Arc::new(SimulatedGateway::new()));
    let world = Arc::new(world(&market, 8).await?);
    // The rate limits would answer 429 within a second of writes: off.
    let config = Config {
        login_limit_per_minute: 0,
        write_limit_per_minute: 0,
        ..Config::in_memory()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let service =
        app(AppState::new(market, &config)).into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, service).await });
    let mut out = Vec::new();
    for endpoint in HTTP_ENDPOINTS {
        // Warm-up, untimed: connections, caches, the favorite's first insert.
        drive(addr, &world, endpoint, 8, Duration::from_millis(300)).await?;
        for clients in [1, 8] {
            let (requests, non_2xx, elapsed, lat) =
                drive(addr, &world, endpoint, clients, duration).await?;
            let r = HttpResult {
                store: name,
                endpoint,
                clients,
                requests,
                non_2xx,
                elapsed,
                p50: ms(quantile(&lat, 0.50)),
                p99: ms(quantile(&lat, 0.99)),
            };
            eprintln!(
                "http, {name}, {endpoint}, {clients} client(s): {:.0} requests/s, {non_2xx} non-2xx",
                r.per_second()
            );
            out.push(r);
        }
    }
    server.abort();
    Ok(out)
}

/// The server on the memory store and, with an admin URL, on PostgreSQL
/// (database `reelbyte_bench_http`, 16 connections as `reelbyte-server`).
pub(crate) async fn http_section(admin: Option<&str>, seconds: f64) -> Outcome<Vec<HttpResult>> {
    let duration = Duration::from_secs_f64(seconds.max(0.1));
    let mut out = http_on(
        "memory store",
        Arc::new(reelbyte_memory::MemStore::new()),
        duration,
    )
    .await?;
    if let Some(admin) = admin {
        let url = fresh_database(admin, "reelbyte_bench_http").await?;
        let pg = reelbyte_pg::PgStore::connect(&url, 16).await?;
        pg.migrate().await?;
        out.extend(http_on("PostgreSQL", Arc::new(pg), duration).await?);
    }
    Ok(out)
}
