//! [`ContractRepo`](reelbyte_core::store::ContractRepo) over SQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reelbyte_core::entities::{Contract, Deliverable, EscrowAccount, Milestone};
use reelbyte_core::error::Result;
use reelbyte_core::ids::{
    ClientProfileId, ContractId, CreatorProfileId, DeliverableId, MilestoneId,
};
use reelbyte_core::store::ContractRepo;

use crate::PgStore;
use crate::query::{Arg, limit_clause};

#[async_trait]
impl ContractRepo for PgStore {
    async fn get_by_id(&self, id: ContractId) -> Result<Option<Contract>> {
        self.by_id(id).await
    }

    async fn list_by_client_profile_id(&self, id: ClientProfileId) -> Result<Vec<Contract>> {
        self.list(
            "WHERE t.client_profile_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_by_creator_profile_id(&self, id: CreatorProfileId) -> Result<Vec<Contract>> {
        self.list(
            "WHERE t.creator_profile_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_in_review_submitted_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Contract>> {
        let tail = format!(
            "WHERE t.status = 'in_review' AND t.submitted_at <= $1 \
             ORDER BY t.submitted_at, t.id{}",
            limit_clause(limit)
        );
        self.list(&tail, vec![Arg::Time(before)]).await
    }

    async fn list_pending_acceptance_created_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Contract>> {
        let tail = format!(
            "WHERE t.status = 'pending_acceptance' AND t.created_at <= $1 \
             ORDER BY t.created_at, t.id{}",
            limit_clause(limit)
        );
        self.list(&tail, vec![Arg::Time(before)]).await
    }

    async fn get_milestone_by_id(&self, id: MilestoneId) -> Result<Option<Milestone>> {
        self.by_id(id).await
    }

    async fn list_milestones_by_contract_id(&self, id: ContractId) -> Result<Vec<Milestone>> {
        self.list(
            "WHERE t.contract_id = $1 ORDER BY t.sequence_order, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn get_deliverable_by_id(&self, id: DeliverableId) -> Result<Option<Deliverable>> {
        self.by_id(id).await
    }

    async fn list_deliverables_by_contract_id(&self, id: ContractId) -> Result<Vec<Deliverable>> {
        self.list(
            "WHERE t.contract_id = $1 ORDER BY t.version_number, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn get_escrow_by_contract_id(&self, id: ContractId) -> Result<Option<EscrowAccount>> {
        self.one("WHERE t.contract_id = $1", vec![Arg::id(id)])
            .await
    }
}
