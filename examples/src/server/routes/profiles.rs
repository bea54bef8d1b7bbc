//! Creator and client profiles, skills, categories, portfolio, payment and
//! payout methods.

use reelbyte_core::enums::AvailabilityStatus;
use reelbyte_core::ids::{
    ClientProfileId, CreatorCategoryId, CreatorProfileId, CreatorSkillId, PaymentMethodId,
    PayoutMethodId, PortfolioItemId,
};
use reelbyte_core::service::{
    AddPaymentMethodInput, AddPayoutMethodInput, AddSkillInput, CreateClientProfileInput,
    PortfolioItemInput, UpdateClientProfileInput, UpdateCreatorProfileInput,
    UpdatePortfolioItemInput,
};
use reelbyte_core::store::CreatorQuery;
use reelbyte_core::value::Text;

use super::gigs::Range;
use super::prelude::*;

pub fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(find_creators))
        .routes(routes!(get_creator_profile))
        .routes(routes!(record_profile_view))
        .routes(routes!(profile_view_count))
        .routes(routes!(
            get_my_creator_profile,
            create_creator_profile,
            update_creator_profile
        ))
        .routes(routes!(add_skill))
        .routes(routes!(remove_skill))
        .routes(routes!(add_category))
        .routes(routes!(remove_category))
        .routes(routes!(set_primary_category))
        .routes(routes!(add_portfolio_item))
        .routes(routes!(update_portfolio_item, remove_portfolio_item))
        .routes(routes!(reorder_portfolio))
        .routes(routes!(set_portfolio_featured))
        .routes(routes!(get_client_profile))
        .routes(routes!(
            get_my_client_profile,
            create_client_profile,
            update_client_profile
        ))
        .routes(routes!(list_payment_methods, add_payment_method))
        .routes(routes!(remove_payment_method))
        .routes(routes!(set_default_payment_method))
        .routes(routes!(list_payout_methods, add_payout_method))
        .routes(routes!(remove_payout_method))
        .routes(routes!(set_default_payout_method))
}

/// Filters for finding creators.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreatorFilter {
    /// Has this skill (case-insensitive).
    skill: Option<String>,
    /// Works in this category (case-insensitive).
    category: Option<String>,
    /// Average rating at least this (0 to 5).
    #[param(value_type = Option<String>)]
    min_rating: Option<rust_decimal::Decimal>,
    /// Availability.
    #[param(value_type = Option<String>)]
    availability: Option<AvailabilityStatus>,
}

/// Finds creators.
#[utoipa::path(get, path = "/api/v1/creators", tag = "profiles",
    params(CreatorFilter, PageQuery), responses((status = 200, body = Paged), Problems))]
async fn find_creators(
    State(s): State<AppState>,
    ApiQuery(filter): ApiQuery<CreatorFilter>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    let query = CreatorQuery {
        skill: filter.skill,
        category: filter.category,
        min_rating: filter.min_rating,
        availability: filter.availability,
        page: paging.page(),
    };
    page_cut(s.market.find_creators(&query).await?, paging)
}

/// A creator profile with its skills, categories and portfolio.
#[utoipa::path(get, path = "/api/v1/creators/{profile}", tag = "profiles",
    params(("profile" = Uuid, Path, description = "creator profile id")),
    responses((status = 200, body = Object), Problems))]
async fn get_creator_profile(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<CreatorProfileId>,
) -> ApiResult {
    ok(&s.market.get_creator_profile(id).await?)
}

/// Records a view of a creator profile.
#[utoipa::path(post, path = "/api/v1/creators/{profile}/views", tag = "profiles",
    params(("profile" = Uuid, Path, description = "creator profile id")),
    responses((status = 200, body = Object), Problems))]
async fn record_profile_view(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<CreatorProfileId>,
) -> ApiResult {
    let view = s.market.record_profile_view(&caller.ctx, id).await?;
    ok(&serde_json::json!({ "view": view }))
}

/// How often a creator profile was viewed in a range (its owner).
#[utoipa::path(get, path = "/api/v1/creators/{profile}/view-count", tag = "profiles", security(("bearer" = [])),
    params(("profile" = Uuid, Path, description = "creator profile id"), Range),
    responses((status = 200, body = Object), Problems))]
async fn profile_view_count(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CreatorProfileId>,
    ApiQuery(range): ApiQuery<Range>,
) -> ApiResult {
    let views = s
        .market
        .profile_view_count(&auth.ctx, id, range.from(), range.to())
        .await?;
    ok(&serde_json::json!({ "views": views }))
}

/// The caller's creator profile.
#[utoipa::path(get, path = "/api/v1/me/creator-profile", tag = "profiles", security(("bearer" = [])),
    responses((status = 200, body = Object), Problems))]
async fn get_my_creator_profile(State(s): State<AppState>, auth: Auth) -> ApiResult {
    ok(&s.market.get_my_creator_profile(&auth.ctx).await?)
}

/// A display name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DisplayNameBody {
    /// 1 to 100 characters.
    #[schema(value_type = String, min_length = 1, max_length = 100)]
    display_name: Text<100>,
}

/// Creates the caller's creator profile.
#[utoipa::path(post, path = "/api/v1/me/creator-profile", tag = "profiles", security(("bearer" = [])),
    request_body = DisplayNameBody, responses((status = 201, body = Object), Problems))]
async fn create_creator_profile(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<DisplayNameBody>,
) -> ApiResult {
    created(
        &s.market
            .create_creator_profile(&auth.ctx, body.display_name)
            .await?,
    )
}

/// Edits the caller's creator profile.
#[utoipa::path(patch, path = "/api/v1/me/creator-profile", tag = "profiles", security(("bearer" = [])),
    request_body = Object, responses((status = 200, body = Object), Problems))]
async fn update_creator_profile(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<UpdateCreatorProfileInput>,
) -> ApiResult {
    ok(&s.market.update_creator_profile(&auth.ctx, input).await?)
}

/// Adds a skill.
#[utoipa::path(post, path = "/api/v1/me/creator-profile/skills", tag = "profiles", security(("bearer" = [])),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn add_skill(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<AddSkillInput>,
) -> ApiResult {
    created(&s.market.add_skill(&auth.ctx, input).await?)
}

/// Removes a skill.
#[utoipa::path(delete, path = "/api/v1/me/creator-profile/skills/{skill}", tag = "profiles", security(("bearer" = [])),
    params(("skill" = Uuid, Path, description = "skill id")),
    responses((status = 204, description = "removed"), Problems))]
async fn remove_skill(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CreatorSkillId>,
) -> ApiResult {
    s.market.remove_skill(&auth.ctx, id).await?;
    no_content()
}

/// A category.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CategoryBody {
    /// 1 to 50 characters.
    #[schema(value_type = String, min_length = 1, max_length = 50)]
    category: Text<50>,
    /// Whether it is the primary category.
    #[serde(default)]
    primary: bool,
}

/// Adds a category.
#[utoipa::path(post, path = "/api/v1/me/creator-profile/categories", tag = "profiles", security(("bearer" = [])),
    request_body = CategoryBody, responses((status = 201, body = Object), Problems))]
async fn add_category(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CategoryBody>,
) -> ApiResult {
    created(
        &s.market
            .add_category(&auth.ctx, body.category, body.primary)
            .await?,
    )
}

/// Removes a category.
#[utoipa::path(delete, path = "/api/v1/me/creator-profile/categories/{category}", tag = "profiles", security(("bearer" = [])),
    params(("category" = Uuid, Path, description = "category id")),
    responses((status = 204, description = "removed"), Problems))]
async fn remove_category(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CreatorCategoryId>,
) -> ApiResult {
    s.market.remove_category(&auth.ctx, id).await?;
    no_content()
}

/// Makes a category the primary one.
#[utoipa::path(post, path = "/api/v1/me/creator-profile/categories/{category}/primary", tag = "profiles", security(("bearer" = [])),
    params(("category" = Uuid, Path, description = "category id")),
    responses((status = 200, body = Object), Problems))]
async fn set_primary_category(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<CreatorCategoryId>,
) -> ApiResult {
    ok(&s.market.set_primary_category(&auth.ctx, id).await?)
}

/// Adds a portfolio item.
#[utoipa::path(post, path = "/api/v1/me/portfolio", tag = "profiles", security(("bearer" = [])),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn add_portfolio_item(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<PortfolioItemInput>,
) -> ApiResult {
    created(&s.market.add_portfolio_item(&auth.ctx, input).await?)
}

/// Edits a portfolio item.
#[utoipa::path(patch, path = "/api/v1/me/portfolio/{item}", tag = "profiles", security(("bearer" = [])),
    params(("item" = Uuid, Path, description = "portfolio item id")),
    request_body = Object, responses((status = 200, body = Object), Problems))]
async fn update_portfolio_item(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PortfolioItemId>,
    ApiJson(input): ApiJson<UpdatePortfolioItemInput>,
) -> ApiResult {
    ok(&s.market.update_portfolio_item(&auth.ctx, id, input).await?)
}

/// Removes a portfolio item.
#[utoipa::path(delete, path = "/api/v1/me/portfolio/{item}", tag = "profiles", security(("bearer" = [])),
    params(("item" = Uuid, Path, description = "portfolio item id")),
    responses((status = 204, description = "removed"), Problems))]
async fn remove_portfolio_item(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PortfolioItemId>,
) -> ApiResult {
    s.market.remove_portfolio_item(&auth.ctx, id).await?;
    no_content()
}

/// The new order of the portfolio.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrderBody {
    /// Every item id, in the new order.
    #[schema(value_type = Vec<Uuid>)]
    ordered: Vec<PortfolioItemId>,
}

/// Reorders the portfolio.
#[utoipa::path(put, path = "/api/v1/me/portfolio/order", tag = "profiles", security(("bearer" = [])),
    request_body = OrderBody, responses((status = 200, body = Object), Problems))]
async fn reorder_portfolio(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<OrderBody>,
) -> ApiResult {
    let items = s.market.reorder_portfolio(&auth.ctx, &body.ordered).await?;
    ok(&serde_json::json!({ "items": items }))
}

/// Whether an item is featured.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FeaturedBody {
    /// Featured or not.
    featured: bool,
}

/// Features or unfeatures a portfolio item.
#[utoipa::path(put, path = "/api/v1/me/portfolio/{item}/featured", tag = "profiles", security(("bearer" = [])),
    params(("item" = Uuid, Path, description = "portfolio item id")),
    request_body = FeaturedBody, responses((status = 200, body = Object), Problems))]
async fn set_portfolio_featured(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PortfolioItemId>,
    ApiJson(body): ApiJson<FeaturedBody>,
) -> ApiResult {
    ok(&s
        .market
        .set_portfolio_featured(&auth.ctx, id, body.featured)
        .await?)
}

/// A client profile.
#[utoipa::path(get, path = "/api/v1/clients/{profile}", tag = "profiles",
    params(("profile" = Uuid, Path, description = "client profile id")),
    responses((status = 200, body = Object), Problems))]
async fn get_client_profile(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<ClientProfileId>,
) -> ApiResult {
    ok(&s.market.get_client_profile(id).await?)
}

/// The caller's client profile.
#[utoipa::path(get, path = "/api/v1/me/client-profile", tag = "profiles", security(("bearer" = [])),
    responses((status = 200, body = Object), Problems))]
async fn get_my_client_profile(State(s): State<AppState>, auth: Auth) -> ApiResult {
    ok(&s.market.get_my_client_profile(&auth.ctx).await?)
}

/// Creates the caller's client profile.
#[utoipa::path(post, path = "/api/v1/me/client-profile", tag = "profiles", security(("bearer" = [])),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn create_client_profile(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<CreateClientProfileInput>,
) -> ApiResult {
    created(&s.market.create_client_profile(&auth.ctx, input).await?)
}

/// Edits the caller's client profile.
#[utoipa::path(patch, path = "/api/v1/me/client-profile", tag = "profiles", security(("bearer" = [])),
    request_body = Object, responses((status = 200, body = Object), Problems))]
async fn update_client_profile(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<UpdateClientProfileInput>,
) -> ApiResult {
    ok(&s.market.update_client_profile(&auth.ctx, input).await?)
}

/// The caller's payment methods.
#[utoipa::path(get, path = "/api/v1/me/payment-methods", tag = "payments", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_payment_methods(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_payment_methods(&auth.ctx).await?, paging)
}

/// Adds a payment method.
#[utoipa::path(post, path = "/api/v1/me/payment-methods", tag = "payments", security(("bearer" = [])),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn add_payment_method(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<AddPaymentMethodInput>,
) -> ApiResult {
    created(&s.market.add_payment_method(&auth.ctx, input).await?)
}

/// Removes a payment method.
#[utoipa::path(delete, path = "/api/v1/me/payment-methods/{method}", tag = "payments", security(("bearer" = [])),
    params(("method" = Uuid, Path, description = "payment method id")),
    responses((status = 204, description = "removed"), Problems))]
async fn remove_payment_method(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PaymentMethodId>,
) -> ApiResult {
    s.market.remove_payment_method(&auth.ctx, id).await?;
    no_content()
}

/// Makes a payment method the default.
#[utoipa::path(post, path = "/api/v1/me/payment-methods/{method}/default", tag = "payments", security(("bearer" = [])),
    params(("method" = Uuid, Path, description = "payment method id")),
    responses((status = 200, body = Object), Problems))]
async fn set_default_payment_method(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PaymentMethodId>,
) -> ApiResult {
    ok(&s.market.set_default_payment_method(&auth.ctx, id).await?)
}

/// The caller's payout methods.
#[utoipa::path(get, path = "/api/v1/me/payout-methods", tag = "payments", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_payout_methods(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_payout_methods(&auth.ctx).await?, paging)
}

/// Adds a payout method.
#[utoipa::path(post, path = "/api/v1/me/payout-methods", tag = "payments", security(("bearer" = [])),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn add_payout_method(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<AddPayoutMethodInput>,
) -> ApiResult {
    created(&s.market.add_payout_method(&auth.ctx, input).await?)
}

/// Removes a payout method.
#[utoipa::path(delete, path = "/api/v1/me/payout-methods/{method}", tag = "payments", security(("bearer" = [])),
    params(("method" = Uuid, Path, description = "payout method id")),
    responses((status = 204, description = "removed"), Problems))]
async fn remove_payout_method(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PayoutMethodId>,
) -> ApiResult {
    s.market.remove_payout_method(&auth.ctx, id).await?;
    no_content()
}

/// Makes a payout method the default.
#[utoipa::path(post, path = "/api/v1/me/payout-methods/{method}/default", tag = "payments", security(("bearer" = [])),
    params(("method" = Uuid, Path, description = "payout method id")),
    responses((status = 200, body = Object), Problems))]
async fn set_default_payout_method(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<PayoutMethodId>,
) -> ApiResult {
    ok(&s.market.set_default_payout_method(&auth.ctx, id).await?)
}
