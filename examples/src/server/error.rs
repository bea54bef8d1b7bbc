//! RFC 9457 problem details for every error the API returns.

use axum::Json;
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{IntoResponses, ToSchema};

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type (`about:blank` plus `code`).
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub problem_type: String,
    /// A short summary of the status.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for people.
    pub detail: String,
    /// A stable, machine-readable code (`not_found`, `invalid_transition`, ...).
    pub code: String,
}

/// The error side of every handler.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    detail: String,
    retry_after: Option<u64>,
}

impl ApiError {
    /// An error with an explicit status and code.
    pub fn new(status: StatusCode, code: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// 429 with a `Retry-After` of `seconds`.
    pub fn too_many_requests(seconds: u64) -> Self {
        Self {
            retry_after: Some(seconds),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests; retry later",
            )
        }
    }

    /// 401 for a missing or rejected bearer token.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "a valid bearer token is required",
        )
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

/// The HTTP status for a domain error.
fn status_of(error: &reelbyte_core::Error) -> StatusCode {
    use reelbyte_core::Error as E;
    match error {
        E::NotFound { .. } => StatusCode::NOT_FOUND,
        E::AlreadyExists { .. } | E::Conflict { .. } | E::InvalidTransition(_) => {
            StatusCode::CONFLICT
        }
        E::Rule { .. } => StatusCode::CONFLICT,
        E::Validation { .. } | E::Fees(_) | E::IdempotencyKeyReused => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        E::Forbidden { .. } => StatusCode::FORBIDDEN,
        E::Unauthenticated => StatusCode::UNAUTHORIZED,
        E::Payment { .. } => StatusCode::PAYMENT_REQUIRED,
        E::TimedOut { .. } => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<reelbyte_core::Error> for ApiError {
    fn from(error: reelbyte_core::Error) -> Self {
        let status = status_of(&error);
        // A timed-out search says so; other server errors say nothing.
        let detail = if status == StatusCode::INTERNAL_SERVER_ERROR {
            // The source may name internals; the log keeps it.
            tracing::error!(error = ?error, "request failed");
            "internal error".to_string()
        } else {
            error.to_string()
        };
        Self::new(status, error.code(), detail)
    }
}

/// Maps an extractor rejection to a problem with the rejection's status.
fn rejection(status: StatusCode, detail: String) -> ApiError {
    let code = match status {
        StatusCode::UNPROCESSABLE_ENTITY => "validation",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        _ => "bad_request",
    };
    // Rejections are always the client's fault.
    let status = if status.is_server_error() {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    ApiError::new(status, code, detail)
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        rejection(r.status(), r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        rejection(StatusCode::BAD_REQUEST, r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        rejection(StatusCode::BAD_REQUEST, r.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let title = self
            .status
            .canonical_reason()
            .unwrap_or("Error")
            .to_string();
        let problem = Problem {
            problem_type: format!("about:blank#{}", self.code),
            title,
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code,
        };
        let mut response = (self.status, Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// `Json` whose rejections are problem documents.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `Path` whose rejections are problem documents.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// `Query` whose rejections are problem documents.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The error responses every operation may give (documentation only).
#[derive(Debug, IntoResponses)]
pub enum Problems {
    /// Malformed request: bad JSON, path or query.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// Missing or rejected bearer token.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The payment provider declined.
    #[response(status = 402, content_type = "application/problem+json")]
    PaymentRequired(Problem),
    /// The actor may not do this.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such object, or another user's private object.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Illegal state transition, uniqueness or concurrency conflict.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The body is not JSON.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// Well-formed input that fails validation.
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
    /// Rate limited; see `Retry-After`.
    #[response(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Problem),
    /// A search ran past its time limit; narrow it or retry later.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timed_out_search_is_503_and_says_so() {
        let timed_out = ApiError::from(reelbyte_core::Error::TimedOut { what: "search" });
        assert_eq!(timed_out.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(timed_out.code, "timed_out");
        assert_eq!(
            timed_out.detail,
            "the search took longer than its time limit"
        );
        // Other server errors keep their internals to the log.
        let failed = ApiError::from(reelbyte_core::Error::backend(
            "postgres",
            std::io::Error::other("connection to 10.0.0.7 refused"),
        ));
        assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(failed.detail, "internal error");
    }
}
