//! [`LedgerRepo`] over the in-memory maps.

use std::cmp::Reverse;

use async_trait::async_trait;
use reelbyte_core::entities::Transaction;
use reelbyte_core::enums::TransactionStatus;
use reelbyte_core::error::Result;
use reelbyte_core::idempotency::IdempotencyRecord;
use reelbyte_core::ids::{ContractId, TransactionId, UserId};
use reelbyte_core::ledger::{LedgerAccount, LedgerPosting};
use reelbyte_core::store::{LedgerRepo, UniqueKey};

use super::{owned, sorted, unique};
use crate::MemStore;
use crate::index::{Idx, Parent};
use crate::query::first;

#[async_trait]
impl LedgerRepo for MemStore {
    async fn get_by_id(&self, id: TransactionId) -> Result<Option<Transaction>> {
        Ok(self.read().get_id(id))
    }

    async fn list_by_contract_id(&self, id: ContractId) -> Result<Vec<Transaction>> {
        let db = self.read();
        let rows = db.children::<Transaction>(Idx::TransactionsByContract, Parent::id(id));
        Ok(owned(sorted(rows, |t| (t.created_at, t.id))))
    }

    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<Transaction>> {
        // One index for payer and payee; a set, so a user paying themselves
        // is listed once.
        let db = self.read();
        let rows = db.children::<Transaction>(Idx::TransactionsByUser, Parent::id(user_id));
        Ok(owned(sorted(rows, |t| Reverse((t.created_at, t.id)))))
    }

    async fn list_by_status(
        &self,
        status: TransactionStatus,
        limit: u32,
    ) -> Result<Vec<Transaction>> {
        let db = self.read();
        let rows =
            db.children::<Transaction>(Idx::TransactionsByStatus, Parent::Tag(status.as_str()));
        Ok(owned(first(sorted(rows, |t| (t.created_at, t.id)), limit)))
    }

    async fn list_postings_by_transaction_id(
        &self,
        id: TransactionId,
    ) -> Result<Vec<LedgerPosting>> {
        let db = self.read();
        let rows = db.children::<LedgerPosting>(Idx::PostingsByTransaction, Parent::id(id));
        Ok(owned(sorted(rows, |p| (p.created_at, p.id))))
    }

    async fn list_postings_by_account(&self, account: LedgerAccount) -> Result<Vec<LedgerPosting>> {
        let db = self.read();
        let rows = db.children::<LedgerPosting>(Idx::PostingsByAccount, Parent::Account(account));
        Ok(owned(sorted(rows, |p| (p.created_at, p.id))))
    }

    async fn list_all_postings(&self) -> Result<Vec<LedgerPosting>> {
        let db = self.read();
        Ok(owned(sorted(db.scan::<LedgerPosting>(), |p| {
            (p.created_at, p.id)
        })))
    }

    async fn get_idempotency_record(
        &self,
        actor: UserId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>> {
        let key = UniqueKey::new(unique::IDEMPOTENCY_ACTOR_KEY, format!("{actor}:{key}"));
        Ok(self.read().get_unique(&key))
    }
}
