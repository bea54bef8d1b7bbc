//! Request context: who is calling (bearer session), from where, and the
//! idempotency key of money-moving requests.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use reelbyte_core::Ctx;
use reelbyte_core::idempotency::IdempotencyKey;
use reelbyte_core::ids::UserId;

use super::AppState;
use super::error::ApiError;

/// The `Idempotency-Key` request header.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The client's address: the socket peer when served over TCP.
pub fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(500).collect())
}

/// The bearer token of the request, if it sent one.
pub fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| ApiError::unauthenticated())?;
    match text.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() => {
            Ok(Some(token.trim()))
        }
        _ => Err(ApiError::unauthenticated()),
    }
}

fn anonymous_ctx(parts: &Parts) -> Ctx {
    Ctx::anonymous()
        .with_client(
            client_ip(parts),
            header_text(&parts.headers, header::USER_AGENT),
        )
        .with_referrer(header_text(&parts.headers, header::REFERER))
}

async fn resolve(parts: &Parts, state: &AppState) -> Result<Option<(UserId, String)>, ApiError> {
    let Some(token) = bearer_token(&parts.headers)? else {
        return Ok(None);
    };
    let user = state.market.authenticate(token).await?;
    Ok(Some((user.id, token.to_string())))
}

/// An authenticated caller: requests without a valid bearer token get 401.
#[derive(Debug, Clone)]
pub struct Auth {
    /// The context to pass to the service.
    pub ctx: Ctx,
    /// The caller's user id.
    pub user: UserId,
    /// The presented session token (for logout).
    pub token: String,
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (user, token) = resolve(parts, state)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        let mut ctx = anonymous_ctx(parts);
        ctx.actor = Some(user);
        Ok(Self { ctx, user, token })
    }
}

/// A caller who may or may not be signed in; a token that is sent must be
/// valid.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The context to pass to the service.
    pub ctx: Ctx,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let mut ctx = anonymous_ctx(parts);
        ctx.actor = resolve(parts, state).await?.map(|(user, _)| user);
        Ok(Self { ctx })
    }
}

/// The required `Idempotency-Key` header of a money-moving request.
#[derive(Debug, Clone)]
pub struct Idempotency(pub IdempotencyKey);

impl<S: Send + Sync> FromRequestParts<S> for Idempotency {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let value = parts.headers.get(IDEMPOTENCY_KEY).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "idempotency_key_required",
                "money-moving requests need an Idempotency-Key header",
            )
        })?;
        let text = value.to_str().map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "the Idempotency-Key header must be visible ASCII",
            )
        })?;
        Ok(Self(IdempotencyKey::parse(text)?))
    }
}
