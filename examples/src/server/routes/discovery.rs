//! Favorites and saved searches.

use reelbyte_core::enums::FavoritedType;
use reelbyte_core::ids::SavedSearchId;
use reelbyte_core::service::{SaveSearchInput, UpdateSavedSearchInput};

use super::prelude::*;
use uuid::Uuid;

pub fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_favorites))
        .routes(routes!(is_favorite, add_favorite, remove_favorite))
        .routes(routes!(list_saved_searches, save_search))
        .routes(routes!(update_saved_search, delete_saved_search))
        .routes(routes!(run_saved_search))
}

/// Which kind of favorites.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KindFilter {
    /// `gig`, `creator` or `job`; all kinds when absent.
    #[param(value_type = Option<String>)]
    kind: Option<FavoritedType>,
}

/// The caller's favorites.
#[utoipa::path(get, path = "/api/v1/favorites", tag = "discovery", security(("bearer" = [])),
    params(KindFilter, PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_favorites(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(filter): ApiQuery<KindFilter>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(
        s.market.list_favorites(&auth.ctx, filter.kind).await?,
        paging,
    )
}

/// Whether a gig, creator or job is one of the caller's favorites.
#[utoipa::path(get, path = "/api/v1/favorites/{kind}/{target}", tag = "discovery", security(("bearer" = [])),
    params(("kind" = String, Path, description = "gig, creator or job"),
           ("target" = Uuid, Path, description = "the gig, creator profile or job")),
    responses((status = 200, body = Object), Problems))]
async fn is_favorite(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath((kind, target)): ApiPath<(FavoritedType, Uuid)>,
) -> ApiResult {
    let favorite = s.market.is_favorite(&auth.ctx, kind, target).await?;
    ok(&serde_json::json!({ "favorite": favorite }))
}

/// Favorites a gig, creator profile or job.
#[utoipa::path(put, path = "/api/v1/favorites/{kind}/{target}", tag = "discovery", security(("bearer" = [])),
    params(("kind" = String, Path, description = "gig, creator or job"),
        ("target" = Uuid, Path, description = "the favorited object's id")),
    responses((status = 200, body = Object), Problems))]
async fn add_favorite(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath((kind, target)): ApiPath<(FavoritedType, Uuid)>,
) -> ApiResult {
    ok(&s.market.add_favorite(&auth.ctx, kind, target).await?)
}

/// Removes a favorite.
#[utoipa::path(delete, path = "/api/v1/favorites/{kind}/{target}", tag = "discovery", security(("bearer" = [])),
    params(("kind" = String, Path, description = "gig, creator or job"),
        ("target" = Uuid, Path, description = "the favorited object's id")),
    responses((status = 204, description = "removed"), Problems))]
async fn remove_favorite(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath((kind, target)): ApiPath<(FavoritedType, Uuid)>,
) -> ApiResult {
    s.market.remove_favorite(&auth.ctx, kind, target).await?;
    no_content()
}

/// The caller's saved searches.
#[utoipa::path(get, path = "/api/v1/saved-searches", tag = "discovery", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_saved_searches(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_saved_searches(&auth.ctx).await?, paging)
}

/// Saves a search (alerts are evaluated by `run_due`).
#[utoipa::path(post, path = "/api/v1/saved-searches", tag = "discovery", security(("bearer" = [])),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn save_search(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<SaveSearchInput>,
) -> ApiResult {
    created(&s.market.save_search(&auth.ctx, input).await?)
}

/// Edits a saved search.
#[utoipa::path(patch, path = "/api/v1/saved-searches/{search}", tag = "discovery", security(("bearer" = [])),
    params(("search" = Uuid, Path, description = "saved search id")),
    request_body = Object, responses((status = 200, body = Object), Problems))]
async fn update_saved_search(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SavedSearchId>,
    ApiJson(input): ApiJson<UpdateSavedSearchInput>,
) -> ApiResult {
    ok(&s.market.update_saved_search(&auth.ctx, id, input).await?)
}

/// Deletes a saved search.
#[utoipa::path(delete, path = "/api/v1/saved-searches/{search}", tag = "discovery", security(("bearer" = [])),
    params(("search" = Uuid, Path, description = "saved search id")),
    responses((status = 204, description = "deleted"), Problems))]
async fn delete_saved_search(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SavedSearchId>,
) -> ApiResult {
    s.market.delete_saved_search(&auth.ctx, id).await?;
    no_content()
}

/// Runs a saved search now.
#[utoipa::path(get, path = "/api/v1/saved-searches/{search}/results", tag = "discovery", security(("bearer" = [])),
    params(("search" = Uuid, Path, description = "saved search id"), PageQuery),
    responses((status = 200, body = Paged), Problems))]
async fn run_saved_search(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<SavedSearchId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    match s
        .market
        .run_saved_search(&auth.ctx, id, paging.page())
        .await?
    {
        Value::Array(items) => page_cut(items, paging),
        other => page_cut(vec![other], paging),
    }
}
