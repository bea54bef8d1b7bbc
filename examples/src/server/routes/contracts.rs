//! Contracts, milestones, deliverables, escrow money, reviews and disputes.

use reelbyte_core::Money;
use reelbyte_core::ids::{ContractId, DisputeId, MilestoneId, PaymentMethodId, ReviewId};
use reelbyte_core::service::{
    DeliverableInput, RaiseDisputeInput, ResolveDisputeInput, ReviewInput,
};
use reelbyte_core::value::Url;

use super::prelude::*;

pub fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(list_my_contracts))
        .routes(routes!(get_contract))
        .routes(routes!(accept_contract))
        .routes(routes!(decline_contract))
        .routes(routes!(cancel_contract))
        .routes(routes!(submit_deliverable))
        .routes(routes!(request_revision))
        .routes(routes!(approve_delivery))
        .routes(routes!(start_milestone))
        .routes(routes!(submit_milestone))
        .routes(routes!(approve_milestone))
        .routes(routes!(request_milestone_revision))
        .routes(routes!(fund_escrow))
        .routes(routes!(release_milestone))
        .routes(routes!(refund_escrow))
        .routes(routes!(tip))
        .routes(routes!(leave_review, list_contract_reviews))
        .routes(routes!(reply_to_review))
        .routes(routes!(raise_dispute, list_contract_disputes))
        .routes(routes!(list_my_disputes))
        .routes(routes!(get_dispute))
        .routes(routes!(add_dispute_evidence))
        .routes(routes!(review_dispute))
        .routes(routes!(escalate_dispute))
        .routes(routes!(close_dispute))
        .routes(routes!(resolve_dispute))
}

/// The caller's contracts, as client or creator.
#[utoipa::path(get, path = "/api/v1/contracts", tag = "contracts", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_my_contracts(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_my_contracts(&auth.ctx).await?, paging)
}

/// A contract with its milestones, deliverables and escrow (its parties).
#[utoipa::path(get, path = "/api/v1/contracts/{contract}", tag = "contracts", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id")),
    responses((status = 200, body = Object), Problems))]
async fn get_contract(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContractId>,
) -> ApiResult {
    ok(&s.market.get_contract(&auth.ctx, id).await?)
}

/// The creator accepts an ordered contract.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/accept", tag = "contracts", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id")),
    responses((status = 200, body = Object), Problems))]
async fn accept_contract(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContractId>,
) -> ApiResult {
    ok(&s.market.accept_contract(&auth.ctx, id).await?)
}

/// The creator declines an ordered contract.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/decline", tag = "contracts", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id")),
    responses((status = 200, body = Object), Problems))]
async fn decline_contract(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContractId>,
) -> ApiResult {
    ok(&s.market.decline_contract(&auth.ctx, id).await?)
}

/// Cancels a contract.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/cancel", tag = "contracts", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id")),
    responses((status = 200, body = Object), Problems))]
async fn cancel_contract(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContractId>,
) -> ApiResult {
    ok(&s.market.cancel_contract(&auth.ctx, id).await?)
}

/// The creator delivers work.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/deliverables", tag = "contracts", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id")),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn submit_deliverable(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContractId>,
    ApiJson(input): ApiJson<DeliverableInput>,
) -> ApiResult {
    created(&s.market.submit_deliverable(&auth.ctx, id, input).await?)
}

/// What should change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NotesBody {
    /// Notes for the creator.
    notes: String,
}

/// The client asks for a revision of the delivered work.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/revision-requests", tag = "contracts", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id")),
    request_body = NotesBody, responses((status = 200, body = Object), Problems))]
async fn request_revision(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContractId>,
    ApiJson(body): ApiJson<NotesBody>,
) -> ApiResult {
    ok(&s
        .market
        .request_revision(&auth.ctx, id, &body.notes)
        .await?)
}

/// Feedback with an approval.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ApproveBody {
    /// Feedback for the creator.
    #[serde(default)]
    feedback: Option<String>,
}

/// The client approves the delivered work.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/approve", tag = "contracts", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id")),
    request_body = ApproveBody, responses((status = 200, body = Object), Problems))]
async fn approve_delivery(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContractId>,
    ApiJson(body): ApiJson<ApproveBody>,
) -> ApiResult {
    ok(&s
        .market
        .approve_delivery(&auth.ctx, id, body.feedback.as_deref())
        .await?)
}

/// The creator starts a milestone.
#[utoipa::path(post, path = "/api/v1/milestones/{milestone}/start", tag = "milestones", security(("bearer" = [])),
    params(("milestone" = Uuid, Path, description = "milestone id")),
    responses((status = 200, body = Object), Problems))]
async fn start_milestone(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<MilestoneId>,
) -> ApiResult {
    ok(&s.market.start_milestone(&auth.ctx, id).await?)
}

/// The creator submits a milestone.
#[utoipa::path(post, path = "/api/v1/milestones/{milestone}/submit", tag = "milestones", security(("bearer" = [])),
    params(("milestone" = Uuid, Path, description = "milestone id")),
    responses((status = 200, body = Object), Problems))]
async fn submit_milestone(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<MilestoneId>,
) -> ApiResult {
    ok(&s.market.submit_milestone(&auth.ctx, id).await?)
}

/// The client approves a milestone.
#[utoipa::path(post, path = "/api/v1/milestones/{milestone}/approve", tag = "milestones", security(("bearer" = [])),
    params(("milestone" = Uuid, Path, description = "milestone id")),
    responses((status = 200, body = Object), Problems))]
async fn approve_milestone(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<MilestoneId>,
) -> ApiResult {
    ok(&s.market.approve_milestone(&auth.ctx, id).await?)
}

/// The client asks for a revision of a milestone.
#[utoipa::path(post, path = "/api/v1/milestones/{milestone}/request-revision", tag = "milestones", security(("bearer" = [])),
    params(("milestone" = Uuid, Path, description = "milestone id")),
    responses((status = 200, body = Object), Problems))]
async fn request_milestone_revision(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<MilestoneId>,
) -> ApiResult {
    ok(&s.market.request_milestone_revision(&auth.ctx, id).await?)
}

/// Which payment method pays.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FundBody {
    /// The payment method; the default one when absent.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    payment_method_id: Option<PaymentMethodId>,
}

/// The client funds the contract's escrow. Requires `Idempotency-Key`; a
/// replay with the same key returns the first result.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/fund", tag = "payments", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id"),
        ("Idempotency-Key" = String, Header, description = "1 to 255 visible ASCII characters")),
    request_body = FundBody, responses((status = 200, body = Object), Problems))]
async fn fund_escrow(
    State(s): State<AppState>,
    auth: Auth,
    Idempotency(key): Idempotency,
    ApiPath(id): ApiPath<ContractId>,
    ApiJson(body): ApiJson<FundBody>,
) -> ApiResult {
    let ctx = auth.ctx.with_idempotency_key(key);
    ok(&s
        .market
        .fund_escrow(&ctx, id, body.payment_method_id)
        .await?)
}

/// The client releases a milestone's payment. Requires `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/milestones/{milestone}/release", tag = "payments", security(("bearer" = [])),
    params(("milestone" = Uuid, Path, description = "milestone id"),
        ("Idempotency-Key" = String, Header, description = "1 to 255 visible ASCII characters")),
    responses((status = 200, body = Object), Problems))]
async fn release_milestone(
    State(s): State<AppState>,
    auth: Auth,
    Idempotency(key): Idempotency,
    ApiPath(id): ApiPath<MilestoneId>,
) -> ApiResult {
    let ctx = auth.ctx.with_idempotency_key(key);
    ok(&s.market.release_milestone(&ctx, id).await?)
}

/// An amount of money.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AmountBody {
    /// `{"amount": "10.50", "currency": "USD"}`.
    #[schema(value_type = Object)]
    amount: Money,
}

/// Refunds held escrow to the client. Requires `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/refund", tag = "payments", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id"),
        ("Idempotency-Key" = String, Header, description = "1 to 255 visible ASCII characters")),
    request_body = AmountBody, responses((status = 200, body = Object), Problems))]
async fn refund_escrow(
    State(s): State<AppState>,
    auth: Auth,
    Idempotency(key): Idempotency,
    ApiPath(id): ApiPath<ContractId>,
    ApiJson(body): ApiJson<AmountBody>,
) -> ApiResult {
    let ctx = auth.ctx.with_idempotency_key(key);
    ok(&s.market.refund_escrow(&ctx, id, body.amount).await?)
}

/// The client tips the creator. Requires `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/tips", tag = "payments", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id"),
        ("Idempotency-Key" = String, Header, description = "1 to 255 visible ASCII characters")),
    request_body = AmountBody, responses((status = 201, body = Object), Problems))]
async fn tip(
    State(s): State<AppState>,
    auth: Auth,
    Idempotency(key): Idempotency,
    ApiPath(id): ApiPath<ContractId>,
    ApiJson(body): ApiJson<AmountBody>,
) -> ApiResult {
    let ctx = auth.ctx.with_idempotency_key(key);
    created(&s.market.tip(&ctx, id, body.amount).await?)
}

/// Reviews the other party of a completed contract.
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/reviews", tag = "reviews", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id")),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn leave_review(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContractId>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> ApiResult {
    created(&s.market.leave_review(&auth.ctx, id, input).await?)
}

/// The reviews of a contract (its parties).
#[utoipa::path(get, path = "/api/v1/contracts/{contract}/reviews", tag = "reviews", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id"), PageQuery),
    responses((status = 200, body = Paged), Problems))]
async fn list_contract_reviews(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContractId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_contract_reviews(&auth.ctx, id).await?, paging)
}

/// A reply text.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TextBody {
    /// The text.
    text: String,
}

/// The reviewee replies to a review.
#[utoipa::path(post, path = "/api/v1/reviews/{review}/reply", tag = "reviews", security(("bearer" = [])),
    params(("review" = Uuid, Path, description = "review id")),
    request_body = TextBody, responses((status = 200, body = Object), Problems))]
async fn reply_to_review(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ReviewId>,
    ApiJson(body): ApiJson<TextBody>,
) -> ApiResult {
    ok(&s.market.reply_to_review(&auth.ctx, id, &body.text).await?)
}

/// Raises a dispute on a contract (freezes its escrow).
#[utoipa::path(post, path = "/api/v1/contracts/{contract}/disputes", tag = "disputes", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id")),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn raise_dispute(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContractId>,
    ApiJson(input): ApiJson<RaiseDisputeInput>,
) -> ApiResult {
    created(&s.market.raise_dispute(&auth.ctx, id, input).await?)
}

/// The disputes of a contract.
#[utoipa::path(get, path = "/api/v1/contracts/{contract}/disputes", tag = "disputes", security(("bearer" = [])),
    params(("contract" = Uuid, Path, description = "contract id"), PageQuery),
    responses((status = 200, body = Paged), Problems))]
async fn list_contract_disputes(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ContractId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(
        s.market.list_contract_disputes(&auth.ctx, id).await?,
        paging,
    )
}

/// The caller's disputes.
#[utoipa::path(get, path = "/api/v1/disputes", tag = "disputes", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_my_disputes(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_my_disputes(&auth.ctx).await?, paging)
}

/// A dispute.
#[utoipa::path(get, path = "/api/v1/disputes/{dispute}", tag = "disputes", security(("bearer" = [])),
    params(("dispute" = Uuid, Path, description = "dispute id")),
    responses((status = 200, body = Object), Problems))]
async fn get_dispute(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<DisputeId>,
) -> ApiResult {
    ok(&s.market.get_dispute(&auth.ctx, id).await?)
}

/// Evidence links.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EvidenceBody {
    /// URLs of the evidence.
    #[schema(value_type = Vec<String>)]
    urls: Vec<Url>,
}

/// Adds evidence to a dispute.
#[utoipa::path(post, path = "/api/v1/disputes/{dispute}/evidence", tag = "disputes", security(("bearer" = [])),
    params(("dispute" = Uuid, Path, description = "dispute id")),
    request_body = EvidenceBody, responses((status = 200, body = Object), Problems))]
async fn add_dispute_evidence(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<DisputeId>,
    ApiJson(body): ApiJson<EvidenceBody>,
) -> ApiResult {
    ok(&s
        .market
        .add_dispute_evidence(&auth.ctx, id, body.urls)
        .await?)
}

/// Staff take a dispute under review.
#[utoipa::path(post, path = "/api/v1/disputes/{dispute}/review", tag = "disputes", security(("bearer" = [])),
    params(("dispute" = Uuid, Path, description = "dispute id")),
    responses((status = 200, body = Object), Problems))]
async fn review_dispute(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<DisputeId>,
) -> ApiResult {
    ok(&s.market.review_dispute(&auth.ctx, id).await?)
}

/// Escalates a dispute.
#[utoipa::path(post, path = "/api/v1/disputes/{dispute}/escalate", tag = "disputes", security(("bearer" = [])),
    params(("dispute" = Uuid, Path, description = "dispute id")),
    responses((status = 200, body = Object), Problems))]
async fn escalate_dispute(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<DisputeId>,
) -> ApiResult {
    ok(&s.market.escalate_dispute(&auth.ctx, id).await?)
}

/// Closes a dispute without a settlement.
#[utoipa::path(post, path = "/api/v1/disputes/{dispute}/close", tag = "disputes", security(("bearer" = [])),
    params(("dispute" = Uuid, Path, description = "dispute id")),
    responses((status = 200, body = Object), Problems))]
async fn close_dispute(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<DisputeId>,
) -> ApiResult {
    ok(&s.market.close_dispute(&auth.ctx, id).await?)
}

/// Staff resolve a dispute, settling what is held.
#[utoipa::path(post, path = "/api/v1/disputes/{dispute}/resolve", tag = "disputes", security(("bearer" = [])),
    params(("dispute" = Uuid, Path, description = "dispute id")),
    request_body = Object, responses((status = 200, body = Object), Problems))]
async fn resolve_dispute(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<DisputeId>,
    ApiJson(input): ApiJson<ResolveDisputeInput>,
) -> ApiResult {
    ok(&s.market.resolve_dispute(&auth.ctx, id, input).await?)
}
