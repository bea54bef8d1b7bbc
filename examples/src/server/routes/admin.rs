//! Staff operations (settings, fee tiers, audit, outbox, due work) and
//! privacy (consents, export, erasure).

use chrono::{DateTime, Utc};
use reelbyte_core::ids::{FeeTierId, OutboxMessageId, TransactionId, UserId};
use reelbyte_core::service::FeeTierInput;

use super::prelude::*;
use uuid::Uuid;

pub fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_settings))
        .routes(routes!(get_setting, put_setting))
        .routes(routes!(list_fee_tiers))
        .routes(routes!(fee_schedule))
        .routes(routes!(add_fee_tier))
        .routes(routes!(end_fee_tier))
        .routes(routes!(audit_trail))
        .routes(routes!(audit_by_user))
        .routes(routes!(pending_outbox))
        .routes(routes!(mark_outbox_delivered))
        .routes(routes!(run_due))
        .routes(routes!(execute_pending))
        .routes(routes!(list_consents))
        .routes(routes!(grant_consent, revoke_consent))
        .routes(routes!(export_user_data))
        .routes(routes!(erase_user))
}

/// Every platform setting (staff).
#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_settings(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_settings(&auth.ctx).await?, paging)
}

/// A platform setting (staff).
#[utoipa::path(get, path = "/api/v1/admin/settings/{key}", tag = "admin", security(("bearer" = [])),
    params(("key" = String, Path, description = "setting key")),
    responses((status = 200, body = Object), Problems))]
async fn get_setting(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(key): ApiPath<String>,
) -> ApiResult {
    ok(&s.market.get_setting(&auth.ctx, &key).await?)
}

/// A setting's value.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SettingBody {
    /// Any JSON value.
    value: Value,
    /// What the setting is for.
    #[serde(default)]
    description: Option<String>,
}

/// Creates or replaces a platform setting (staff).
#[utoipa::path(put, path = "/api/v1/admin/settings/{key}", tag = "admin", security(("bearer" = [])),
    params(("key" = String, Path, description = "setting key")),
    request_body = SettingBody, responses((status = 200, body = Object), Problems))]
async fn put_setting(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<SettingBody>,
) -> ApiResult {
    ok(&s
        .market
        .put_setting(&auth.ctx, &key, body.value, body.description)
        .await?)
}

/// The configured fee tiers (public).
#[utoipa::path(get, path = "/api/v1/fee-tiers", tag = "fees",
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_fee_tiers(
    State(s): State<AppState>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_fee_tiers().await?, paging)
}

/// The fee schedule in force (public).
#[utoipa::path(get, path = "/api/v1/fee-schedule", tag = "fees",
    responses((status = 200, body = Object), Problems))]
async fn fee_schedule(State(s): State<AppState>) -> ApiResult {
    ok(&s.market.fee_schedule().await?)
}

/// Adds a fee tier (staff).
#[utoipa::path(post, path = "/api/v1/admin/fee-tiers", tag = "fees", security(("bearer" = [])),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn add_fee_tier(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<FeeTierInput>,
) -> ApiResult {
    created(&s.market.add_fee_tier(&auth.ctx, input).await?)
}

/// When a tier ends.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UntilBody {
    /// The end (RFC 3339).
    until: DateTime<Utc>,
}

/// Ends a fee tier (staff).
#[utoipa::path(post, path = "/api/v1/admin/fee-tiers/{tier}/end", tag = "fees", security(("bearer" = [])),
    params(("tier" = Uuid, Path, description = "fee tier id")),
    request_body = UntilBody, responses((status = 200, body = Object), Problems))]
async fn end_fee_tier(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<FeeTierId>,
    ApiJson(body): ApiJson<UntilBody>,
) -> ApiResult {
    ok(&s.market.end_fee_tier(&auth.ctx, id, body.until).await?)
}

/// Which entity's audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// The entity type, e.g. `contract`.
    entity_type: String,
    /// The entity id.
    entity_id: Uuid,
}

/// The audit trail of an entity (staff).
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", security(("bearer" = [])),
    params(AuditFilter, PageQuery), responses((status = 200, body = Paged), Problems))]
async fn audit_trail(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(filter): ApiQuery<AuditFilter>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(
        s.market
            .audit_trail(&auth.ctx, &filter.entity_type, filter.entity_id)
            .await?,
        paging,
    )
}

/// What a user did (staff).
#[utoipa::path(get, path = "/api/v1/admin/users/{user}/audit", tag = "admin", security(("bearer" = [])),
    params(("user" = Uuid, Path, description = "user id"), PageQuery),
    responses((status = 200, body = Paged), Problems))]
async fn audit_by_user(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(user): ApiPath<UserId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.audit_by_user(&auth.ctx, user).await?, paging)
}

/// How many outbox messages.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// At most this many, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Email and push messages waiting to be sent (staff).
#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin", security(("bearer" = [])),
    params(OutboxQuery), responses((status = 200, body = Object), Problems))]
async fn pending_outbox(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(query): ApiQuery<OutboxQuery>,
) -> ApiResult {
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let items = s.market.pending_outbox(&auth.ctx, limit).await?;
    ok(&serde_json::json!({ "items": items }))
}

/// Marks an outbox message sent (staff).
#[utoipa::path(post, path = "/api/v1/admin/outbox/{message}/delivered", tag = "admin", security(("bearer" = [])),
    params(("message" = Uuid, Path, description = "outbox message id")),
    responses((status = 200, body = Object), Problems))]
async fn mark_outbox_delivered(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<OutboxMessageId>,
) -> ApiResult {
    ok(&s.market.mark_outbox_delivered(&auth.ctx, id).await?)
}

/// Runs due work now: auto-approvals, reconciliation, saved-search alerts
/// (staff).
#[utoipa::path(post, path = "/api/v1/admin/run-due", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Object), Problems))]
async fn run_due(State(s): State<AppState>, auth: Auth) -> ApiResult {
    ok(&s.market.run_due_as_staff(&auth.ctx).await?)
}

/// Sends a pending transaction to the payment provider (staff).
#[utoipa::path(post, path = "/api/v1/admin/transactions/{transaction}/execute", tag = "admin", security(("bearer" = [])),
    params(("transaction" = Uuid, Path, description = "transaction id")),
    responses((status = 200, body = Object), Problems))]
async fn execute_pending(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<TransactionId>,
) -> ApiResult {
    ok(&s.market.execute_pending_as_staff(&auth.ctx, id).await?)
}

/// The caller's consents.
#[utoipa::path(get, path = "/api/v1/me/consents", tag = "privacy", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_consents(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_consents(&auth.ctx).await?, paging)
}

/// Grants a consent (e.g. `marketing`).
#[utoipa::path(put, path = "/api/v1/me/consents/{consent}", tag = "privacy", security(("bearer" = [])),
    params(("consent" = String, Path, description = "consent type")),
    responses((status = 200, body = Object), Problems))]
async fn grant_consent(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(consent): ApiPath<String>,
) -> ApiResult {
    ok(&s.market.grant_consent(&auth.ctx, &consent).await?)
}

/// Revokes a consent.
#[utoipa::path(delete, path = "/api/v1/me/consents/{consent}", tag = "privacy", security(("bearer" = [])),
    params(("consent" = String, Path, description = "consent type")),
    responses((status = 200, body = Object), Problems))]
async fn revoke_consent(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(consent): ApiPath<String>,
) -> ApiResult {
    ok(&s.market.revoke_consent(&auth.ctx, &consent).await?)
}

/// Everything stored about a user (the user, or staff).
#[utoipa::path(get, path = "/api/v1/users/{user}/export", tag = "privacy", security(("bearer" = [])),
    params(("user" = Uuid, Path, description = "user id")),
    responses((status = 200, body = Object), Problems))]
async fn export_user_data(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(user): ApiPath<UserId>,
) -> ApiResult {
    ok(&s.market.export_user_data(&auth.ctx, user).await?)
}

/// Erases a user's personal data (the user, or staff).
#[utoipa::path(post, path = "/api/v1/users/{user}/erase", tag = "privacy", security(("bearer" = [])),
    params(("user" = Uuid, Path, description = "user id")),
    responses((status = 200, body = Object), Problems))]
async fn erase_user(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(user): ApiPath<UserId>,
) -> ApiResult {
    ok(&s.market.erase_user(&auth.ctx, user).await?)
}
