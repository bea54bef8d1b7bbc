//! [`SupportRepo`](reelbyte_core::store::SupportRepo) over SQL.

use async_trait::async_trait;
use reelbyte_core::entities::{Dispute, SupportTicket};
use reelbyte_core::error::Result;
use reelbyte_core::ids::{ContractId, DisputeId, SupportTicketId, UserId};
use reelbyte_core::store::SupportRepo;

use crate::PgStore;
use crate::query::Arg;

#[async_trait]
impl SupportRepo for PgStore {
    async fn get_dispute_by_id(&self, id: DisputeId) -> Result<Option<Dispute>> {
        self.by_id(id).await
    }

    async fn list_disputes_by_contract_id(&self, id: ContractId) -> Result<Vec<Dispute>> {
        self.list(
            "WHERE t.contract_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_disputes_by_raised_by_user_id(&self, user_id: UserId) -> Result<Vec<Dispute>> {
        self.list(
            "WHERE t.raised_by_user_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn get_ticket_by_id(&self, id: SupportTicketId) -> Result<Option<SupportTicket>> {
        self.by_id(id).await
    }

    async fn list_tickets_by_user_id(&self, user_id: UserId) -> Result<Vec<SupportTicket>> {
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn list_tickets_by_assigned_to_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<SupportTicket>> {
        self.list(
            "WHERE t.assigned_to_user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }
}
