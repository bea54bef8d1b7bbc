//! [`JobRepo`] over the in-memory maps.

use std::cmp::{Ordering, Reverse};

use async_trait::async_trait;
use reelbyte_core::entities::{Job, Proposal};
use reelbyte_core::enums::JobStatus;
use reelbyte_core::error::Result;
use reelbyte_core::ids::{ClientProfileId, CreatorProfileId, JobId, ProposalId};
use reelbyte_core::store::{JobQuery, JobRepo};

use super::{owned, sorted};
use crate::MemStore;
use crate::index::{Idx, Parent};
use crate::query::{Words, compare, paginate, same_text};

/// Whether `job` passes the filters of `query` other than text.
fn matches(job: &Job, query: &JobQuery) -> bool {
    let category = query
        .category
        .as_deref()
        .is_none_or(|c| same_text(job.category.as_str(), c));
    let skills = query.skills.is_empty()
        || job.required_skills.as_deref().is_some_and(|required| {
            required
                .iter()
                .any(|r| query.skills.iter().any(|s| same_text(r, s)))
        });
    // A budget bound the job leaves open does not exclude it; a bound in
    // another currency than the filter's does.
    let min_budget = query.min_budget.is_none_or(|min| {
        job.budget_max
            .is_none_or(|max| compare(&max, &min).is_some_and(Ordering::is_ge))
    });
    let max_budget = query.max_budget.is_none_or(|max| {
        job.budget_min
            .is_none_or(|min| compare(&min, &max).is_some_and(Ordering::is_le))
    });
    category && skills && min_budget && max_budget
}

#[async_trait]
impl JobRepo for MemStore {
    async fn get_by_id(&self, id: JobId) -> Result<Option<Job>> {
        Ok(self.read().get_id(id))
    }

    async fn list_by_client_profile_id(&self, id: ClientProfileId) -> Result<Vec<Job>> {
        let db = self.read();
        let rows = db.children::<Job>(Idx::JobsByClient, Parent::id(id));
        Ok(owned(sorted(rows, |j| Reverse((j.created_at, j.id)))))
    }

    async fn search(&self, query: &JobQuery) -> Result<Vec<Job>> {
        let db = self.read();
        let words = Words::parse(query.text.as_deref(), db.terms());
        let open = Parent::Tag(JobStatus::Open.as_str());
        let rows = db
            .children::<Job>(Idx::JobsByStatus, open)
            .filter(|j| matches(j, query))
            .filter(|j| {
                words.as_ref().is_none_or(|w| {
                    w.score(db.terms(), j.id.as_uuid(), j.title.as_str(), &j.description)
                        .is_some()
                })
            });
        let ranked = sorted(rows, |j| Reverse((j.published_at, j.created_at, j.id)));
        Ok(owned(paginate(ranked, query.page)))
    }

    async fn list_open_after(&self, after: Option<JobId>, limit: u32) -> Result<Vec<Job>> {
        let db = self.read();
        let open = Parent::Tag(JobStatus::Open.as_str());
        let rows = db.children_after(Idx::JobsByStatus, open, after.map(Into::into), limit);
        Ok(owned(rows))
    }

    async fn get_proposal_by_id(&self, id: ProposalId) -> Result<Option<Proposal>> {
        Ok(self.read().get_id(id))
    }

    async fn list_proposals_by_job_id(&self, id: JobId) -> Result<Vec<Proposal>> {
        let db = self.read();
        let rows = db.children::<Proposal>(Idx::ProposalsByJob, Parent::id(id));
        Ok(owned(sorted(rows, |p| (p.created_at, p.id))))
    }

    async fn list_proposals_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<Proposal>> {
        let db = self.read();
        let rows = db.children::<Proposal>(Idx::ProposalsByCreator, Parent::id(id));
        Ok(owned(sorted(rows, |p| Reverse((p.created_at, p.id)))))
    }
}
