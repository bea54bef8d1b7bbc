//! The HTTP API driven in process: the whole client-and-creator story, and
//! how errors are mapped to problem documents.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use reelbyte_core::Marketplace;
use reelbyte_core::gateway::SimulatedGateway;
use reelbyte_examples::server::{AppState, Config, app, build_backends, keep_projections};
use reelbyte_memory::{MemRealtime, MemStore};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The server as `serve` builds it without Redis: leaderboards, unread
/// counters and feeds in process.
fn server(config: &Config) -> Router {
    let market = keep_projections(
        Marketplace::new(MemStore::shared(), Arc::new(SimulatedGateway::new())),
        Arc::new(MemRealtime::default()),
    );
    app(AppState::new(market, config))
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

async fn call(
    app: &Router,
    method: Method,
    path: &str,
    token: Option<&str>,
    extra: &[(&str, &str)],
    body: Option<Value>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .expect("a request");
    let response = app.clone().oneshot(request).await.expect("a response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Reply {
        status,
        headers,
        body,
    }
}

fn problem(reply: &Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/problem+json",
        "{}",
        reply.body
    );
    assert_eq!(reply.body["code"], code, "{}", reply.body);
    assert_eq!(reply.body["status"], status.as_u16());
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_string()
}

/// Registers, confirms the email address and logs in; returns the token.
async fn sign_up(app: &Router, email: &str, user_type: &str, name: &str) -> String {
    let reply = call(
        app,
        Method::POST,
        "/api/v1/auth/register",
        None,
        &[],
        Some(json!({
            "email": email,
            "password": "correct horse battery",
            "user_type": user_type,
            "display_name": name,
        })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert!(reply.body["user"].get("password_hash").is_none());
    // Confirmed, as a real user would be: an unconfirmed creator's public
    // page (and leaderboard place) stays hidden.
    let token = reply.body["verification_token"].clone();
    let reply = call(
        app,
        Method::POST,
        "/api/v1/auth/verify-email",
        None,
        &[],
        Some(json!({ "token": token })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["status"], "active", "{}", reply.body);
    let reply = call(
        app,
        Method::POST,
        "/api/v1/auth/login",
        None,
        &[],
        Some(json!({ "email": email, "password": "correct horse battery" })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["token"].as_str().expect("a token").to_string()
}

fn gig_body() -> Value {
    json!({
        "title": "Punchy product reel",
        "description": "A vertical video for your product, scripted, shot and edited.",
        "category": "ugc",
        "basic": { "price": { "amount": "50.00", "currency": "USD" }, "delivery_days": 5, "revisions": 1 },
        "search_tags": ["ugc", "reels"]
    })
}

/// A creator with a published gig, and a client who ordered it.
struct Ordered {
    app: Router,
    creator: String,
    client: String,
    contract: String,
}

async fn ordered(config: &Config) -> Ordered {
    let app = server(config);
    let creator = sign_up(&app, "ada@example.com", "creator", "Ada Reels").await;
    let client = sign_up(&app, "brand@example.com", "client", "Brand Co").await;

    let reply = call(
        &app,
        Method::POST,
        "/api/v1/gigs",
        Some(&creator),
        &[],
        Some(gig_body()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let gig = id(&reply.body);
    let reply = call(
        &app,
        Method::POST,
        &format!("/api/v1/gigs/{gig}/publish"),
        Some(&creator),
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let reply = call(
        &app,
        Method::POST,
        "/api/v1/me/payment-methods",
        Some(&client),
        &[],
        Some(json!({
            "provider": "stripe", "provider_payment_method_id": "pm_card_visa", "type": "card",
            "last_four": "4242", "brand": "Visa", "expiry_month": 12, "expiry_year": 2035
        })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert!(reply.body.get("provider_payment_method_id").is_some());

    let reply = call(
        &app,
        Method::POST,
        &format!("/api/v1/gigs/{gig}/orders"),
        Some(&client),
        &[],
        Some(json!({ "tier": "basic", "requirements": "Our new sneaker, 30 seconds." })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let contract = id(&reply.body);
    Ordered {
        app,
        creator,
        client,
        contract,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_and_creator_story() {
    let Ordered {
        app,
        creator,
        client,
        contract,
    } = ordered(&Config::in_memory()).await;

    // Profiles: both sides have one from registration.
    let reply = call(
        &app,
        Method::GET,
        "/api/v1/me/creator-profile",
        Some(&creator),
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = call(
        &app,
        Method::PATCH,
        "/api/v1/me/client-profile",
        Some(&client),
        &[],
        Some(json!({ "industry": "Footwear" })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    // Fund with an idempotency key; the replay returns the same escrow.
    let fund = format!("/api/v1/contracts/{contract}/fund");
    let key = [("Idempotency-Key", "fund-1")];
    let first = call(
        &app,
        Method::POST,
        &fund,
        Some(&client),
        &key,
        Some(json!({})),
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let replay = call(
        &app,
        Method::POST,
        &fund,
        Some(&client),
        &key,
        Some(json!({})),
    )
    .await;
    assert_eq!(replay.status, StatusCode::OK, "{}", replay.body);
    assert_eq!(first.body, replay.body);

    let reply = call(
        &app,
        Method::POST,
        &format!("/api/v1/contracts/{contract}/accept"),
        Some(&creator),
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let reply = call(
        &app,
        Method::POST,
        &format!("/api/v1/contracts/{contract}/deliverables"),
        Some(&creator),
        &[],
        Some(json!({
            "title": "Final cut",
            "description": "Two hooks, one CTA.",
            "video_urls": ["https://cdn.example.com/final.mp4"],
            "file_urls": []
        })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);

    let reply = call(
        &app,
        Method::POST,
        &format!("/api/v1/contracts/{contract}/approve"),
        Some(&client),
        &[],
        Some(json!({ "feedback": "Great work" })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["status"], "completed", "{}", reply.body);

    let reply = call(
        &app,
        Method::POST,
        &format!("/api/v1/contracts/{contract}/reviews"),
        Some(&client),
        &[],
        Some(json!({ "overall_rating": 5, "comment": "Fast and sharp." })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);

    let reply = call(
        &app,
        Method::GET,
        &format!("/api/v1/contracts/{contract}"),
        Some(&creator),
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["contract"]["status"], "completed");

    // The leaderboards moved with the commands: one order, one completed
    // job, five stars, and this month's payout (the fee kept back).
    let board = |path: &'static str| {
        let app = app.clone();
        async move {
            let reply = call(&app, Method::GET, path, None, &[], None).await;
            assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
            let items = reply.body.as_array().expect("a list").clone();
            assert_eq!(items.len(), 1, "{path}: {}", reply.body);
            items[0].clone()
        }
    };
    let popular = board("/api/v1/rankings/gigs/popular").await;
    assert_eq!(popular["score"], 1.0);
    assert_eq!(popular["item"]["status"], "active");
    assert_eq!(
        board("/api/v1/rankings/creators/rating").await["score"],
        5.0
    );
    assert_eq!(
        board("/api/v1/rankings/creators/jobs-completed?limit=5").await["score"],
        1.0
    );
    let earner = board("/api/v1/rankings/creators/earners").await;
    assert_eq!(earner["item"]["display_name"], "Ada Reels");
    assert!(
        earner["score"]
            .as_f64()
            .is_some_and(|s| s > 0.0 && s < 50.0)
    );

    let reply = call(
        &app,
        Method::GET,
        "/api/v1/contracts?limit=1&offset=0",
        Some(&client),
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["total"], 1);
    assert_eq!(reply.body["items"].as_array().map(Vec::len), Some(1));

    let reply = call(
        &app,
        Method::GET,
        "/api/v1/notifications",
        Some(&creator),
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// Unread counts and the activity feed follow a contract discussion, and
/// a favorite is answered from the favorites sets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unread_counts_activity_and_favorites_follow_the_commands() {
    let Ordered {
        app,
        creator,
        client,
        contract,
    } = ordered(&Config::in_memory()).await;
    // One request that must answer `status`; its body.
    let expect = |method: Method, path: String, token: &str, body: Option<Value>, status| {
        let (app, token) = (app.clone(), token.to_string());
        async move {
            let reply = call(&app, method, &path, Some(&token), &[], body).await;
            assert_eq!(reply.status, status, "{path}: {}", reply.body);
            reply.body
        }
    };
    let counts = || {
        expect(
            Method::GET,
            "/api/v1/me/unread-counts".into(),
            &creator,
            None,
            StatusCode::OK,
        )
    };
    let before = counts().await;
    let conversation = expect(
        Method::POST,
        "/api/v1/conversations".into(),
        &client,
        Some(json!({ "type": "contract_discussion", "contract": contract })),
        StatusCode::OK,
    )
    .await["id"]
        .as_str()
        .expect("an id")
        .to_string();
    for text in ["Love the first cut", "Can we try a warmer grade?"] {
        expect(
            Method::POST,
            format!("/api/v1/conversations/{conversation}/messages"),
            &client,
            Some(json!({ "content": text })),
            StatusCode::CREATED,
        )
        .await;
    }
    let after = counts().await;
    assert_eq!(after["messages"], 2, "{after}");
    assert_eq!(
        after["notifications"].as_u64(),
        before["notifications"].as_u64().map(|n| n + 2),
        "{before} then {after}"
    );
    expect(
        Method::POST,
        format!("/api/v1/conversations/{conversation}/read"),
        &creator,
        None,
        StatusCode::OK,
    )
    .await;
    let refreshed = expect(
        Method::POST,
        "/api/v1/me/unread-counts/refresh".into(),
        &creator,
        None,
        StatusCode::OK,
    )
    .await;
    assert_eq!(refreshed["messages"], 0, "{refreshed}");
    assert_eq!(refreshed["notifications"], after["notifications"]);

    let feed = expect(
        Method::GET,
        "/api/v1/me/activity?limit=3".into(),
        &client,
        None,
        StatusCode::OK,
    )
    .await;
    let actions: Vec<(&str, &str)> = feed
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| {
            (
                a["entity_type"].as_str().unwrap_or_default(),
                a["action"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            ("message", "send"),
            ("message", "send"),
            ("conversation", "create")
        ]
    );
    expect(
        Method::GET,
        "/api/v1/me/activity?limit=0".into(),
        &client,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let reply = call(
        &app,
        Method::GET,
        "/api/v1/me/unread-counts",
        None,
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);

    // A favorite, answered from the favorites sets.
    let gig = expect(
        Method::GET,
        format!("/api/v1/contracts/{contract}"),
        &client,
        None,
        StatusCode::OK,
    )
    .await["contract"]["gig_id"]
        .as_str()
        .expect("a gig order")
        .to_string();
    let favorite = format!("/api/v1/favorites/gig/{gig}");
    let is_favorite = || expect(Method::GET, favorite.clone(), &client, None, StatusCode::OK);
    assert_eq!(is_favorite().await["favorite"], false);
    expect(Method::PUT, favorite.clone(), &client, None, StatusCode::OK).await;
    assert_eq!(is_favorite().await["favorite"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_problem_documents() {
    let Ordered {
        app,
        creator,
        client,
        contract,
    } = ordered(&Config::in_memory()).await;

    // 401: no token, and a made-up token.
    let reply = call(&app, Method::GET, "/api/v1/me", None, &[], None).await;
    problem(&reply, StatusCode::UNAUTHORIZED, "unauthenticated");
    let reply = call(
        &app,
        Method::GET,
        "/api/v1/me",
        Some("not-a-session"),
        &[],
        None,
    )
    .await;
    problem(&reply, StatusCode::UNAUTHORIZED, "unauthenticated");

    // 404: another user's contract looks like no contract at all.
    let stranger = sign_up(&app, "eve@example.com", "client", "Eve").await;
    let reply = call(
        &app,
        Method::GET,
        &format!("/api/v1/contracts/{contract}"),
        Some(&stranger),
        &[],
        None,
    )
    .await;
    problem(&reply, StatusCode::NOT_FOUND, "not_found");

    // Leaderboards: an unknown board is a bad path, a bad month or limit
    // is a validation error, and only staff rebuild.
    let reply = call(
        &app,
        Method::GET,
        "/api/v1/rankings/gigs/cheapest",
        None,
        &[],
        None,
    )
    .await;
    problem(&reply, StatusCode::BAD_REQUEST, "bad_request");
    for path in [
        "/api/v1/rankings/creators/earners?month=2026-13",
        "/api/v1/rankings/jobs/recent?limit=0",
        "/api/v1/rankings/jobs/recent?limit=101",
    ] {
        let reply = call(&app, Method::GET, path, None, &[], None).await;
        problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    }
    let reply = call(
        &app,
        Method::POST,
        "/api/v1/admin/rankings/rebuild",
        Some(&client),
        &[],
        None,
    )
    .await;
    problem(&reply, StatusCode::FORBIDDEN, "forbidden");

    // 409: approving work that was never delivered.
    let reply = call(
        &app,
        Method::POST,
        &format!("/api/v1/contracts/{contract}/approve"),
        Some(&client),
        &[],
        Some(json!({})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    // 409: accepting an already accepted contract.
    let reply = call(
        &app,
        Method::POST,
        &format!("/api/v1/contracts/{contract}/fund"),
        Some(&client),
        &[("Idempotency-Key", "fund-errors")],
        Some(json!({})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let accept = format!("/api/v1/contracts/{contract}/accept");
    let reply = call(&app, Method::POST, &accept, Some(&creator), &[], None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = call(&app, Method::POST, &accept, Some(&creator), &[], None).await;
    problem(&reply, StatusCode::CONFLICT, "invalid_transition");

    // 400: malformed JSON; 422: well-formed but invalid; 415: not JSON.
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .expect("a request");
    let response = app.clone().oneshot(request).await.expect("a response");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "application/problem+json"
    );
    let reply = call(
        &app,
        Method::POST,
        "/api/v1/auth/register",
        None,
        &[],
        Some(json!({ "email": "nope", "password": "x", "user_type": "alien", "display_name": "" })),
    )
    .await;
    problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let reply = call(
        &app,
        Method::POST,
        "/api/v1/gigs",
        Some(&creator),
        &[],
        Some(json!({ "title": 5 })),
    )
    .await;
    problem(&reply, StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .body(Body::from("email=a"))
        .expect("a request");
    let response = app.clone().oneshot(request).await.expect("a response");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // 400: a bad id in the path, a bad query, an unknown route.
    let reply = call(
        &app,
        Method::GET,
        "/api/v1/contracts/not-a-uuid",
        Some(&client),
        &[],
        None,
    )
    .await;
    problem(&reply, StatusCode::BAD_REQUEST, "bad_request");
    let reply = call(
        &app,
        Method::GET,
        "/api/v1/contracts?limit=abc",
        Some(&client),
        &[],
        None,
    )
    .await;
    problem(&reply, StatusCode::BAD_REQUEST, "bad_request");
    let reply = call(&app, Method::GET, "/api/v1/nowhere", None, &[], None).await;
    problem(&reply, StatusCode::NOT_FOUND, "not_found");

    // Money moves need an Idempotency-Key.
    let reply = call(
        &app,
        Method::POST,
        &format!("/api/v1/contracts/{contract}/fund"),
        Some(&client),
        &[],
        Some(json!({})),
    )
    .await;
    problem(&reply, StatusCode::BAD_REQUEST, "idempotency_key_required");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_and_writes_are_rate_limited() {
    let mut config = Config::in_memory();
    config.login_limit_per_minute = 2;
    config.write_limit_per_minute = 5;
    let app = server(&config);
    let wrong = json!({ "email": "nobody@example.com", "password": "wrong password" });
    for _ in 0..2 {
        let reply = call(
            &app,
            Method::POST,
            "/api/v1/auth/login",
            None,
            &[],
            Some(wrong.clone()),
        )
        .await;
        problem(&reply, StatusCode::UNAUTHORIZED, "unauthenticated");
    }
    let reply = call(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        None,
        &[],
        Some(wrong),
    )
    .await;
    problem(&reply, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let retry: u64 = reply.headers[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry));

    // Two writes were counted already (the refused login was not); three
    // more pass, the next is refused.
    for _ in 0..3 {
        let reply = call(
            &app,
            Method::POST,
            "/api/v1/gigs/00000000-0000-0000-0000-000000000000/views",
            None,
            &[],
            None,
        )
        .await;
        assert_ne!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    }
    let reply = call(
        &app,
        Method::POST,
        "/api/v1/gigs/00000000-0000-0000-0000-000000000000/views",
        None,
        &[],
        None,
    )
    .await;
    problem(&reply, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // Reads are not limited.
    let reply = call(&app, Method::GET, "/healthz", None, &[], None).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn serves_openapi_docs_and_health() {
    let app = server(&Config::in_memory());
    let reply = call(&app, Method::GET, "/openapi.json", None, &[], None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    let paths = reply.body["paths"].as_object().expect("paths");
    assert!(paths.contains_key("/api/v1/contracts/{contract}/fund"));
    assert!(paths.len() > 60, "{} paths", paths.len());
    let reply = call(&app, Method::GET, "/readyz", None, &[], None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let request = Request::builder()
        .uri("/docs/")
        .body(Body::empty())
        .expect("a request");
    let response = app.clone().oneshot(request).await.expect("a response");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("x-request-id"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_staff_administer_and_others_are_forbidden() {
    let market = keep_projections(
        Marketplace::new(MemStore::shared(), Arc::new(SimulatedGateway::new())),
        Arc::new(MemRealtime::default()),
    );
    reelbyte_examples::server::seed_staff(&market, "ops@example.com", "staff password 1")
        .await
        .expect("seeded");
    // Seeding again finds the same account.
    reelbyte_examples::server::seed_staff(&market, "ops@example.com", "staff password 1")
        .await
        .expect("seeded again");
    let app = app(AppState::new(market, &Config::in_memory()));
    let reply = call(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        None,
        &[],
        Some(json!({ "email": "ops@example.com", "password": "staff password 1" })),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["user"]["is_staff"], true);
    let staff = reply.body["token"].as_str().expect("a token").to_string();
    let user = sign_up(&app, "member@example.com", "client", "Member").await;

    let reply = call(
        &app,
        Method::GET,
        "/api/v1/admin/settings",
        Some(&staff),
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = call(
        &app,
        Method::POST,
        "/api/v1/admin/run-due",
        Some(&staff),
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let reply = call(
        &app,
        Method::GET,
        "/api/v1/admin/settings",
        Some(&user),
        &[],
        None,
    )
    .await;
    problem(&reply, StatusCode::FORBIDDEN, "forbidden");
    let reply = call(
        &app,
        Method::POST,
        "/api/v1/admin/run-due",
        Some(&user),
        &[],
        None,
    )
    .await;
    problem(&reply, StatusCode::FORBIDDEN, "forbidden");

    // Featured gigs are staff's choice.
    let creator = sign_up(&app, "maker@example.com", "creator", "Maker").await;
    let reply = call(
        &app,
        Method::POST,
        "/api/v1/gigs",
        Some(&creator),
        &[],
        Some(gig_body()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let gig = id(&reply.body);
    let publish = format!("/api/v1/gigs/{gig}/publish");
    let reply = call(&app, Method::POST, &publish, Some(&creator), &[], None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let feature = format!("/api/v1/admin/featured-gigs/{gig}");
    let score = Some(json!({ "score": 7.5 }));
    let reply = call(&app, Method::PUT, &feature, Some(&user), &[], score.clone()).await;
    problem(&reply, StatusCode::FORBIDDEN, "forbidden");
    let reply = call(&app, Method::PUT, &feature, Some(&staff), &[], score).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
    let featured = "/api/v1/rankings/gigs/featured";
    let reply = call(&app, Method::GET, featured, None, &[], None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body[0]["item"]["id"], gig.as_str(), "{}", reply.body);
    assert_eq!(reply.body[0]["score"], 7.5);
    let reply = call(&app, Method::DELETE, &feature, Some(&staff), &[], None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.body);
    let reply = call(&app, Method::GET, featured, None, &[], None).await;
    assert_eq!(reply.body, json!([]));
    let rebuild = "/api/v1/admin/rankings/rebuild";
    let reply = call(&app, Method::POST, rebuild, Some(&staff), &[], None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, json!({ "set": 0, "removed": 0 }));
}

#[tokio::test]
async fn an_unreachable_database_stops_the_start_up() {
    let mut config = Config::in_memory();
    assert!(build_backends(&config).await.is_ok());
    config.database_url = Some("postgres://postgres@127.0.0.1:1/reelbyte".into());
    let error = build_backends(&config).await.expect_err("refused");
    assert!(error.starts_with("PostgreSQL"), "{error}");
    let mut config = Config::in_memory();
    config.redis_url = Some("redis://127.0.0.1:1".into());
    let error = build_backends(&config).await.expect_err("refused");
    assert!(error.starts_with("Redis"), "{error}");
}

/// The server on PostgreSQL behind the Redis cache, as `--database-url` and
/// `--redis-url` build it: ready, and a user can register, log in and see
/// themself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_runs_on_postgres_behind_redis() {
    let integration = std::env::var("REELBYTE_TEST_INTEGRATION").as_deref() == Ok("1");
    let (Ok(pg), Ok(redis_url)) = (
        std::env::var("REELBYTE_TEST_PG_URL"),
        std::env::var("REELBYTE_TEST_REDIS_URL"),
    ) else {
        assert!(
            !integration,
            "REELBYTE_TEST_INTEGRATION=1 needs both server URLs"
        );
        println!("skipping: REELBYTE_TEST_PG_URL or REELBYTE_TEST_REDIS_URL unset");
        return;
    };
    use sqlx::Connection;
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // The shape of the test suites' database names, so that their sweep and
    // `.ci/run` drop it too if this test fails before it does.
    let name = format!(
        "reelbyte_test_{seconds}_{}_server",
        uuid::Uuid::new_v4().simple()
    );
    let mut admin = sqlx::PgConnection::connect(&pg)
        .await
        .expect("admin connection");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut admin)
        .await
        .expect("create database");
    let base = pg.rsplit_once('/').map(|(base, _)| base).unwrap_or(&pg);
    let mut config = Config::in_memory();
    config.database_url = Some(format!("{base}/{name}"));
    config.redis_url = Some(redis_url);
    // A prefix of this test's own, deleted at the end (the shape of the
    // Redis suites' prefixes, which their sweep also deletes when stale).
    config.redis_prefix = format!("reelbyte-test:{seconds}:{}", uuid::Uuid::new_v4().simple());
    let backends = build_backends(&config).await.expect("PostgreSQL and Redis");
    let redis = backends.redis.clone().expect("a Redis connection");
    let app = app(AppState::with_redis(
        reelbyte_examples::server::build_market(backends.store),
        &config,
        redis.clone(),
    ));
    let ready = call(&app, Method::GET, "/readyz", None, &[], None).await;
    assert_eq!(ready.status, StatusCode::OK);
    let email = format!("pg-{}@example.com", uuid::Uuid::new_v4().simple());
    let registered = call(
        &app,
        Method::POST,
        "/api/v1/auth/register",
        None,
        &[],
        Some(json!({
            "email": email,
            "password": "a long enough password",
            "user_type": "creator",
            "display_name": "Pat"
        })),
    )
    .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{:?}",
        registered.body
    );
    let login = call(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        None,
        &[],
        Some(json!({ "email": email, "password": "a long enough password" })),
    )
    .await;
    assert_eq!(login.status, StatusCode::OK, "{:?}", login.body);
    drop(app);
    // The cache and the rate limits wrote under the configured prefix.
    let forgotten = reelbyte_redis::forget_prefix(&mut redis.clone(), &config.redis_prefix)
        .await
        .expect("forget the test's keys");
    assert!(forgotten > 0, "nothing was written under the prefix");
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await;
}
