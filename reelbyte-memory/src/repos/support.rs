//! [`SupportRepo`] over the in-memory maps.

use std::cmp::Reverse;

use async_trait::async_trait;
use reelbyte_core::entities::{Dispute, SupportTicket};
use reelbyte_core::error::Result;
use reelbyte_core::ids::{ContractId, DisputeId, SupportTicketId, UserId};
use reelbyte_core::store::SupportRepo;

use super::{owned, sorted};
use crate::MemStore;
use crate::index::{Idx, Parent};

#[async_trait]
impl SupportRepo for MemStore {
    async fn get_dispute_by_id(&self, id: DisputeId) -> Result<Option<Dispute>> {
        Ok(self.read().get_id(id))
    }

    async fn list_disputes_by_contract_id(&self, id: ContractId) -> Result<Vec<Dispute>> {
        let db = self.read();
        let rows = db.children::<Dispute>(Idx::DisputesByContract, Parent::id(id));
        Ok(owned(sorted(rows, |d| (d.created_at, d.id))))
    }

    async fn list_disputes_by_raised_by_user_id(&self, user_id: UserId) -> Result<Vec<Dispute>> {
        let db = self.read();
        let rows = db.children::<Dispute>(Idx::DisputesByRaiser, Parent::id(user_id));
        Ok(owned(sorted(rows, |d| (d.created_at, d.id))))
    }

    async fn get_ticket_by_id(&self, id: SupportTicketId) -> Result<Option<SupportTicket>> {
        Ok(self.read().get_id(id))
    }

    async fn list_tickets_by_user_id(&self, user_id: UserId) -> Result<Vec<SupportTicket>> {
        let db = self.read();
        let rows = db.children::<SupportTicket>(Idx::TicketsByUser, Parent::id(user_id));
        Ok(owned(sorted(rows, |t| Reverse((t.created_at, t.id)))))
    }

    async fn list_tickets_by_assigned_to_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<SupportTicket>> {
        let db = self.read();
        let rows = db.children::<SupportTicket>(Idx::TicketsByAssignee, Parent::id(user_id));
        Ok(owned(sorted(rows, |t| Reverse((t.created_at, t.id)))))
    }
}
