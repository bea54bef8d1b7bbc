//! [`ContractRepo`] over the in-memory maps.

use std::cmp::Reverse;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reelbyte_core::entities::{Contract, Deliverable, EscrowAccount, Milestone};
use reelbyte_core::enums::ContractStatus;
use reelbyte_core::error::Result;
use reelbyte_core::ids::{
    ClientProfileId, ContractId, CreatorProfileId, DeliverableId, MilestoneId,
};
use reelbyte_core::store::{ContractRepo, UniqueKey};

use super::{owned, sorted, unique};
use crate::MemStore;
use crate::index::{Idx, Parent};
use crate::query::first;

#[async_trait]
impl ContractRepo for MemStore {
    async fn get_by_id(&self, id: ContractId) -> Result<Option<Contract>> {
        Ok(self.read().get_id(id))
    }

    async fn list_by_client_profile_id(&self, id: ClientProfileId) -> Result<Vec<Contract>> {
        let db = self.read();
        let rows = db.children::<Contract>(Idx::ContractsByClient, Parent::id(id));
        Ok(owned(sorted(rows, |c| Reverse((c.created_at, c.id)))))
    }

    async fn list_by_creator_profile_id(&self, id: CreatorProfileId) -> Result<Vec<Contract>> {
        let db = self.read();
        let rows = db.children::<Contract>(Idx::ContractsByCreator, Parent::id(id));
        Ok(owned(sorted(rows, |c| Reverse((c.created_at, c.id)))))
    }

    async fn list_in_review_submitted_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Contract>> {
        let db = self.read();
        let in_review = Parent::Tag(ContractStatus::InReview.as_str());
        let rows = db
            .children::<Contract>(Idx::ContractsByStatus, in_review)
            .filter(|c| c.submitted_at.is_some_and(|at| at <= before));
        Ok(owned(first(
            sorted(rows, |c| (c.submitted_at, c.id)),
            limit,
        )))
    }

    async fn list_pending_acceptance_created_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Contract>> {
        let db = self.read();
        let pending = Parent::Tag(ContractStatus::PendingAcceptance.as_str());
        let rows = db
            .children::<Contract>(Idx::ContractsByStatus, pending)
            .filter(|c| c.created_at <= before);
        Ok(owned(first(sorted(rows, |c| (c.created_at, c.id)), limit)))
    }

    async fn get_milestone_by_id(&self, id: MilestoneId) -> Result<Option<Milestone>> {
        Ok(self.read().get_id(id))
    }

    async fn list_milestones_by_contract_id(&self, id: ContractId) -> Result<Vec<Milestone>> {
        let db = self.read();
        let rows = db.children::<Milestone>(Idx::MilestonesByContract, Parent::id(id));
        Ok(owned(sorted(rows, |m| (m.sequence_order, m.id))))
    }

    async fn get_deliverable_by_id(&self, id: DeliverableId) -> Result<Option<Deliverable>> {
        Ok(self.read().get_id(id))
    }

    async fn list_deliverables_by_contract_id(&self, id: ContractId) -> Result<Vec<Deliverable>> {
        let db = self.read();
        let rows = db.children::<Deliverable>(Idx::DeliverablesByContract, Parent::id(id));
        Ok(owned(sorted(rows, |d| (d.version_number, d.id))))
    }

    async fn get_escrow_by_contract_id(&self, id: ContractId) -> Result<Option<EscrowAccount>> {
        Ok(self
            .read()
            .get_unique(&UniqueKey::new(unique::ESCROW_ACCOUNTS_CONTRACT_ID, id)))
    }
}
