//! [`JobRepo`](reelbyte_core::store::JobRepo) over SQL.

use async_trait::async_trait;
use reelbyte_core::entities::{Job, Proposal};
use reelbyte_core::error::Result;
use reelbyte_core::ids::{ClientProfileId, CreatorProfileId, JobId, ProposalId};
use reelbyte_core::store::{JobQuery, JobRepo};

use crate::PgStore;
use crate::query::Arg;

#[async_trait]
impl JobRepo for PgStore {
    async fn get_by_id(&self, id: JobId) -> Result<Option<Job>> {
        self.by_id(id).await
    }

    async fn get_by_ids(&self, ids: &[JobId]) -> Result<Vec<Job>> {
        self.by_ids(ids.iter().copied()).await
    }

    async fn list_by_client_profile_id(&self, id: ClientProfileId) -> Result<Vec<Job>> {
        self.list(
            "WHERE t.client_profile_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn search(&self, query: &JobQuery) -> Result<Vec<Job>> {
        self.search_jobs(query).await
    }

    async fn list_open_after(&self, after: Option<JobId>, limit: u32) -> Result<Vec<Job>> {
        self.by_id_after(" AND t.status = 'open'", after.map(Into::into), limit)
            .await
    }

    async fn get_proposal_by_id(&self, id: ProposalId) -> Result<Option<Proposal>> {
        self.by_id(id).await
    }

    async fn list_proposals_by_job_id(&self, id: JobId) -> Result<Vec<Proposal>> {
        self.list(
            "WHERE t.job_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_proposals_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<Proposal>> {
        self.list(
            "WHERE t.creator_profile_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(id)],
        )
        .await
    }
}
