//! Gigs: listing, browsing, views and orders.

use chrono::{DateTime, Utc};
use reelbyte_core::ids::GigId;
use reelbyte_core::service::{CreateGigInput, OrderGigInput, UpdateGigInput};
use reelbyte_core::store::GigQuery;

use super::prelude::*;

pub fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(browse_gigs, create_gig))
        .routes(routes!(get_gig, update_gig, delete_gig))
        .routes(routes!(get_gig_by_slug))
        .routes(routes!(list_my_gigs))
        .routes(routes!(publish_gig))
        .routes(routes!(pause_gig))
        .routes(routes!(resume_gig))
        .routes(routes!(record_gig_view))
        .routes(routes!(gig_view_count))
        .routes(routes!(order_gig))
}

/// Filters for browsing active gigs.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GigFilter {
    /// Free text matched against title, description and tags.
    text: Option<String>,
    /// Only this category.
    category: Option<String>,
    /// Basic delivery within this many days.
    #[param(minimum = 1, maximum = 365)]
    max_delivery_days: Option<i32>,
}

/// Browses active gigs.
#[utoipa::path(get, path = "/api/v1/gigs", tag = "gigs",
    params(GigFilter, PageQuery), responses((status = 200, body = Paged), Problems))]
async fn browse_gigs(
    State(s): State<AppState>,
    ApiQuery(filter): ApiQuery<GigFilter>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    let query = GigQuery {
        text: filter.text,
        category: filter.category,
        max_delivery_days: filter.max_delivery_days,
        page: paging.page(),
        ..GigQuery::default()
    };
    page_cut(s.market.browse_gigs(&query).await?, paging)
}

/// Creates a draft gig (creators).
#[utoipa::path(post, path = "/api/v1/gigs", tag = "gigs", security(("bearer" = [])),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn create_gig(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<CreateGigInput>,
) -> ApiResult {
    created(&s.market.create_gig(&auth.ctx, input).await?)
}

/// A gig (drafts only for their owner).
#[utoipa::path(get, path = "/api/v1/gigs/{gig}", tag = "gigs",
    params(("gig" = Uuid, Path, description = "gig id")),
    responses((status = 200, body = Object), Problems))]
async fn get_gig(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(gig): ApiPath<GigId>,
) -> ApiResult {
    ok(&s.market.get_gig(&caller.ctx, gig).await?)
}

/// Edits a gig (its owner).
#[utoipa::path(patch, path = "/api/v1/gigs/{gig}", tag = "gigs", security(("bearer" = [])),
    params(("gig" = Uuid, Path, description = "gig id")),
    request_body = Object, responses((status = 200, body = Object), Problems))]
async fn update_gig(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(gig): ApiPath<GigId>,
    ApiJson(input): ApiJson<UpdateGigInput>,
) -> ApiResult {
    ok(&s.market.update_gig(&auth.ctx, gig, input).await?)
}

/// Deletes a gig (its owner).
#[utoipa::path(delete, path = "/api/v1/gigs/{gig}", tag = "gigs", security(("bearer" = [])),
    params(("gig" = Uuid, Path, description = "gig id")),
    responses((status = 200, body = Object), Problems))]
async fn delete_gig(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(gig): ApiPath<GigId>,
) -> ApiResult {
    ok(&s.market.delete_gig(&auth.ctx, gig).await?)
}

/// A gig by its slug.
#[utoipa::path(get, path = "/api/v1/gigs/by-slug/{slug}", tag = "gigs",
    params(("slug" = String, Path, description = "gig slug")),
    responses((status = 200, body = Object), Problems))]
async fn get_gig_by_slug(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult {
    ok(&s.market.get_gig_by_slug(&caller.ctx, &slug).await?)
}

/// The caller's gigs.
#[utoipa::path(get, path = "/api/v1/me/gigs", tag = "gigs", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_my_gigs(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_my_gigs(&auth.ctx).await?, paging)
}

/// Publishes a draft gig.
#[utoipa::path(post, path = "/api/v1/gigs/{gig}/publish", tag = "gigs", security(("bearer" = [])),
    params(("gig" = Uuid, Path, description = "gig id")),
    responses((status = 200, body = Object), Problems))]
async fn publish_gig(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(gig): ApiPath<GigId>,
) -> ApiResult {
    ok(&s.market.publish_gig(&auth.ctx, gig).await?)
}

/// Pauses an active gig.
#[utoipa::path(post, path = "/api/v1/gigs/{gig}/pause", tag = "gigs", security(("bearer" = [])),
    params(("gig" = Uuid, Path, description = "gig id")),
    responses((status = 200, body = Object), Problems))]
async fn pause_gig(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(gig): ApiPath<GigId>,
) -> ApiResult {
    ok(&s.market.pause_gig(&auth.ctx, gig).await?)
}

/// Resumes a paused gig.
#[utoipa::path(post, path = "/api/v1/gigs/{gig}/resume", tag = "gigs", security(("bearer" = [])),
    params(("gig" = Uuid, Path, description = "gig id")),
    responses((status = 200, body = Object), Problems))]
async fn resume_gig(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(gig): ApiPath<GigId>,
) -> ApiResult {
    ok(&s.market.resume_gig(&auth.ctx, gig).await?)
}

/// Records a view of a gig.
#[utoipa::path(post, path = "/api/v1/gigs/{gig}/views", tag = "gigs",
    params(("gig" = Uuid, Path, description = "gig id")),
    responses((status = 204, description = "recorded"), Problems))]
async fn record_gig_view(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(gig): ApiPath<GigId>,
) -> ApiResult {
    s.market.record_gig_view(&caller.ctx, gig).await?;
    no_content()
}

/// A time range.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Range {
    /// From (inclusive, RFC 3339).
    from: DateTime<Utc>,
    /// To (exclusive, RFC 3339).
    to: DateTime<Utc>,
}

impl Range {
    /// The start.
    pub fn from(&self) -> DateTime<Utc> {
        self.from
    }

    /// The end.
    pub fn to(&self) -> DateTime<Utc> {
        self.to
    }
}

/// How often a gig was viewed in a range (its owner).
#[utoipa::path(get, path = "/api/v1/gigs/{gig}/view-count", tag = "gigs", security(("bearer" = [])),
    params(("gig" = Uuid, Path, description = "gig id"), Range),
    responses((status = 200, body = Object), Problems))]
async fn gig_view_count(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(gig): ApiPath<GigId>,
    ApiQuery(range): ApiQuery<Range>,
) -> ApiResult {
    let views = s
        .market
        .gig_view_count(&auth.ctx, gig, range.from, range.to)
        .await?;
    ok(&serde_json::json!({ "views": views }))
}

/// Orders a tier of a gig: a contract awaiting the creator's acceptance.
#[utoipa::path(post, path = "/api/v1/gigs/{gig}/orders", tag = "contracts", security(("bearer" = [])),
    params(("gig" = Uuid, Path, description = "gig id")),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn order_gig(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(gig): ApiPath<GigId>,
    ApiJson(input): ApiJson<OrderGigInput>,
) -> ApiResult {
    created(&s.market.order_gig(&auth.ctx, gig, input).await?)
}
