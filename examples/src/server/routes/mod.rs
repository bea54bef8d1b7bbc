//! Handlers, one module per area of the service, each with a `register`
//! that adds its routes (and their OpenAPI operations) to the router.

mod accounts;
mod admin;
mod community;
mod contracts;
mod discovery;
mod gigs;
mod jobs;
mod profiles;
mod rankings;

use utoipa_axum::router::OpenApiRouter;

use super::AppState;

/// Adds every route of the API.
pub fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    let router = accounts::register(router);
    let router = profiles::register(router);
    let router = gigs::register(router);
    let router = jobs::register(router);
    let router = contracts::register(router);
    let router = community::register(router);
    let router = discovery::register(router);
    let router = rankings::register(router);
    admin::register(router)
}

/// What every handler module uses.
mod prelude {
    pub use axum::extract::State;
    pub use serde::Deserialize;
    pub use serde_json::Value;
    pub use utoipa::{IntoParams, ToSchema};
    pub use utoipa_axum::router::OpenApiRouter;
    pub use utoipa_axum::routes;

    pub use crate::server::AppState;
    pub use crate::server::context::{Auth, Caller, Idempotency};
    pub use crate::server::error::{ApiJson, ApiPath, ApiQuery, Problems};
    pub use crate::server::output::{
        ApiResult, PageQuery, Paged, created, no_content, off_async, ok, page, page_cut,
    };
}
