//! Success responses: JSON without secrets, and offset pagination.

use std::future::Future;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use reelbyte_core::Marketplace;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::error::ApiError;

/// What every handler returns.
pub type ApiResult = Result<Response, ApiError>;

/// Fields that never leave the server, whatever object carries them.
const SECRET_FIELDS: [&str; 2] = ["password_hash", "token_hash"];

fn scrub(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for field in SECRET_FIELDS {
                map.remove(field);
            }
            map.values_mut().for_each(scrub);
        }
        Value::Array(items) => items.iter_mut().for_each(scrub),
        _ => {}
    }
}

/// `value` as JSON, secrets removed.
pub fn to_json<T: Serialize>(value: &T) -> Result<Value, ApiError> {
    let mut json = serde_json::to_value(value).map_err(|e| {
        tracing::error!(error = %e, "response serialisation failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error",
        )
    })?;
    scrub(&mut json);
    Ok(json)
}

/// 200 with `value`.
pub fn ok<T: Serialize>(value: &T) -> ApiResult {
    Ok(Json(to_json(value)?).into_response())
}

/// 201 with `value`.
pub fn created<T: Serialize>(value: &T) -> ApiResult {
    Ok((StatusCode::CREATED, Json(to_json(value)?)).into_response())
}

/// 204.
pub fn no_content() -> ApiResult {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `limit` and `offset` of a list.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Items to skip (default 0).
    #[param(minimum = 0)]
    pub offset: Option<u32>,
}

impl PageQuery {
    /// The page for the core's queries.
    pub fn page(&self) -> reelbyte_core::store::Page {
        reelbyte_core::store::Page::new(self.limit(), self.offset())
    }

    fn limit(&self) -> u32 {
        self.limit.unwrap_or(20).clamp(1, 100)
    }

    fn offset(&self) -> u32 {
        self.offset.unwrap_or(0)
    }
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Page)]
pub struct Paged {
    /// The items of this page.
    pub items: Vec<Value>,
    /// Items per page.
    pub limit: u32,
    /// Items skipped.
    pub offset: u32,
    /// Items in the whole list.
    pub total: u64,
}

/// 200 with the page `query` asks for out of `items`.
pub fn page<T: Serialize>(items: Vec<T>, query: PageQuery) -> ApiResult {
    let total = items.len() as u64;
    let (limit, offset) = (query.limit(), query.offset());
    let items = items
        .iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(to_json)
        .collect::<Result<Vec<_>, _>>()?;
    ok(&Paged {
        items,
        limit,
        offset,
        total,
    })
}

/// 200 with a page that the store already cut (its total is unknown).
pub fn page_cut<T: Serialize>(items: Vec<T>, query: PageQuery) -> ApiResult {
    let items = items.iter().map(to_json).collect::<Result<Vec<_>, _>>()?;
    let (limit, offset) = (query.limit(), query.offset());
    let total = u64::from(offset) + items.len() as u64;
    ok(&Paged {
        items,
        limit,
        offset,
        total,
    })
}

/// Runs a command that hashes passwords (argon2id) on a blocking thread, so
/// that it does not stall the async workers.
pub async fn off_async<T, F, Fut>(market: &Marketplace, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(Marketplace) -> Fut + Send + 'static,
    Fut: Future<Output = reelbyte_core::Result<T>>,
{
    let handle = tokio::runtime::Handle::current();
    let market = market.clone();
    tokio::task::spawn_blocking(move || handle.block_on(f(market)))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
            )
        })?
        .map_err(ApiError::from)
}
