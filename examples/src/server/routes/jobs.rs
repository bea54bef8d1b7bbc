//! Jobs and proposals.

use reelbyte_core::ids::{JobId, ProposalId};
use reelbyte_core::service::{
    AcceptProposalInput, CreateJobInput, SubmitProposalInput, UpdateJobInput,
};
use reelbyte_core::store::JobQuery;

use super::prelude::*;

pub fn register(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(browse_jobs, create_job))
        .routes(routes!(get_job, update_job))
        .routes(routes!(list_my_jobs))
        .routes(routes!(publish_job))
        .routes(routes!(close_job))
        .routes(routes!(cancel_job))
        .routes(routes!(record_job_view))
        .routes(routes!(submit_proposal, list_job_proposals))
        .routes(routes!(list_my_proposals))
        .routes(routes!(get_proposal))
        .routes(routes!(withdraw_proposal))
        .routes(routes!(shortlist_proposal))
        .routes(routes!(reject_proposal))
        .routes(routes!(accept_proposal))
}

/// Filters for browsing open jobs.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobFilter {
    /// Free text matched against title and description.
    text: Option<String>,
    /// Only this category.
    category: Option<String>,
    /// Comma-separated skills; jobs requiring any of them.
    skills: Option<String>,
}

/// Browses open jobs.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs",
    params(JobFilter, PageQuery), responses((status = 200, body = Paged), Problems))]
async fn browse_jobs(
    State(s): State<AppState>,
    ApiQuery(filter): ApiQuery<JobFilter>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    let skills = filter
        .skills
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let query = JobQuery {
        text: filter.text,
        category: filter.category,
        skills,
        page: paging.page(),
        ..JobQuery::default()
    };
    page_cut(s.market.browse_jobs(&query).await?, paging)
}

/// Creates a draft job (clients).
#[utoipa::path(post, path = "/api/v1/jobs", tag = "jobs", security(("bearer" = [])),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn create_job(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<CreateJobInput>,
) -> ApiResult {
    created(&s.market.create_job(&auth.ctx, input).await?)
}

/// A job (drafts only for their owner).
#[utoipa::path(get, path = "/api/v1/jobs/{job}", tag = "jobs",
    params(("job" = Uuid, Path, description = "job id")),
    responses((status = 200, body = Object), Problems))]
async fn get_job(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<JobId>,
) -> ApiResult {
    ok(&s.market.get_job(&caller.ctx, id).await?)
}

/// Edits a job (its owner).
#[utoipa::path(patch, path = "/api/v1/jobs/{job}", tag = "jobs", security(("bearer" = [])),
    params(("job" = Uuid, Path, description = "job id")),
    request_body = Object, responses((status = 200, body = Object), Problems))]
async fn update_job(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
    ApiJson(input): ApiJson<UpdateJobInput>,
) -> ApiResult {
    ok(&s.market.update_job(&auth.ctx, id, input).await?)
}

/// The caller's jobs.
#[utoipa::path(get, path = "/api/v1/me/jobs", tag = "jobs", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_my_jobs(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_my_jobs(&auth.ctx).await?, paging)
}

/// Publishes a draft job.
#[utoipa::path(post, path = "/api/v1/jobs/{job}/publish", tag = "jobs", security(("bearer" = [])),
    params(("job" = Uuid, Path, description = "job id")),
    responses((status = 200, body = Object), Problems))]
async fn publish_job(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
) -> ApiResult {
    ok(&s.market.publish_job(&auth.ctx, id).await?)
}

/// Closes a job to new proposals.
#[utoipa::path(post, path = "/api/v1/jobs/{job}/close", tag = "jobs", security(("bearer" = [])),
    params(("job" = Uuid, Path, description = "job id")),
    responses((status = 200, body = Object), Problems))]
async fn close_job(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
) -> ApiResult {
    ok(&s.market.close_job(&auth.ctx, id).await?)
}

/// Cancels a job.
#[utoipa::path(post, path = "/api/v1/jobs/{job}/cancel", tag = "jobs", security(("bearer" = [])),
    params(("job" = Uuid, Path, description = "job id")),
    responses((status = 200, body = Object), Problems))]
async fn cancel_job(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
) -> ApiResult {
    ok(&s.market.cancel_job(&auth.ctx, id).await?)
}

/// Records a view of a job.
#[utoipa::path(post, path = "/api/v1/jobs/{job}/views", tag = "jobs",
    params(("job" = Uuid, Path, description = "job id")),
    responses((status = 204, description = "recorded"), Problems))]
async fn record_job_view(
    State(s): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<JobId>,
) -> ApiResult {
    s.market.record_job_view(&caller.ctx, id).await?;
    no_content()
}

/// A creator proposes for a job.
#[utoipa::path(post, path = "/api/v1/jobs/{job}/proposals", tag = "proposals", security(("bearer" = [])),
    params(("job" = Uuid, Path, description = "job id")),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn submit_proposal(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
    ApiJson(input): ApiJson<SubmitProposalInput>,
) -> ApiResult {
    created(&s.market.submit_proposal(&auth.ctx, id, input).await?)
}

/// The proposals for a job (its owner).
#[utoipa::path(get, path = "/api/v1/jobs/{job}/proposals", tag = "proposals", security(("bearer" = [])),
    params(("job" = Uuid, Path, description = "job id"), PageQuery),
    responses((status = 200, body = Paged), Problems))]
async fn list_job_proposals(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<JobId>,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_job_proposals(&auth.ctx, id).await?, paging)
}

/// The caller's proposals.
#[utoipa::path(get, path = "/api/v1/me/proposals", tag = "proposals", security(("bearer" = [])),
    params(PageQuery), responses((status = 200, body = Paged), Problems))]
async fn list_my_proposals(
    State(s): State<AppState>,
    auth: Auth,
    ApiQuery(paging): ApiQuery<PageQuery>,
) -> ApiResult {
    page(s.market.list_my_proposals(&auth.ctx).await?, paging)
}

/// A proposal (its creator and the job's owner).
#[utoipa::path(get, path = "/api/v1/proposals/{proposal}", tag = "proposals", security(("bearer" = [])),
    params(("proposal" = Uuid, Path, description = "proposal id")),
    responses((status = 200, body = Object), Problems))]
async fn get_proposal(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ProposalId>,
) -> ApiResult {
    ok(&s.market.get_proposal(&auth.ctx, id).await?)
}

/// The creator withdraws a proposal.
#[utoipa::path(post, path = "/api/v1/proposals/{proposal}/withdraw", tag = "proposals", security(("bearer" = [])),
    params(("proposal" = Uuid, Path, description = "proposal id")),
    responses((status = 200, body = Object), Problems))]
async fn withdraw_proposal(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ProposalId>,
) -> ApiResult {
    ok(&s.market.withdraw_proposal(&auth.ctx, id).await?)
}

/// The client shortlists a proposal.
#[utoipa::path(post, path = "/api/v1/proposals/{proposal}/shortlist", tag = "proposals", security(("bearer" = [])),
    params(("proposal" = Uuid, Path, description = "proposal id")),
    responses((status = 200, body = Object), Problems))]
async fn shortlist_proposal(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ProposalId>,
) -> ApiResult {
    ok(&s.market.shortlist_proposal(&auth.ctx, id).await?)
}

/// The client rejects a proposal.
#[utoipa::path(post, path = "/api/v1/proposals/{proposal}/reject", tag = "proposals", security(("bearer" = [])),
    params(("proposal" = Uuid, Path, description = "proposal id")),
    responses((status = 200, body = Object), Problems))]
async fn reject_proposal(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ProposalId>,
) -> ApiResult {
    ok(&s.market.reject_proposal(&auth.ctx, id).await?)
}

/// The client accepts a proposal: a contract, with optional milestones.
#[utoipa::path(post, path = "/api/v1/proposals/{proposal}/accept", tag = "proposals", security(("bearer" = [])),
    params(("proposal" = Uuid, Path, description = "proposal id")),
    request_body = Object, responses((status = 201, body = Object), Problems))]
async fn accept_proposal(
    State(s): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<ProposalId>,
    ApiJson(input): ApiJson<AcceptProposalInput>,
) -> ApiResult {
    created(&s.market.accept_proposal(&auth.ctx, id, input).await?)
}
