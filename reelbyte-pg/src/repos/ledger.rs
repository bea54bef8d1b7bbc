//! [`LedgerRepo`](reelbyte_core::store::LedgerRepo) over SQL.

use async_trait::async_trait;
use reelbyte_core::entities::Transaction;
use reelbyte_core::enums::TransactionStatus;
use reelbyte_core::error::Result;
use reelbyte_core::idempotency::IdempotencyRecord;
use reelbyte_core::ids::{ContractId, TransactionId, UserId};
use reelbyte_core::ledger::{LedgerAccount, LedgerPosting};
use reelbyte_core::store::LedgerRepo;

use crate::PgStore;
use crate::query::{Arg, limit_clause};

#[async_trait]
impl LedgerRepo for PgStore {
    async fn get_by_id(&self, id: TransactionId) -> Result<Option<Transaction>> {
        self.by_id(id).await
    }

    async fn list_by_contract_id(&self, id: ContractId) -> Result<Vec<Transaction>> {
        self.list(
            "WHERE t.contract_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<Transaction>> {
        self.list(
            "WHERE t.payer_user_id = $1 OR t.payee_user_id = $1 \
             ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn list_by_status(
        &self,
        status: TransactionStatus,
        limit: u32,
    ) -> Result<Vec<Transaction>> {
        let tail = format!(
            "WHERE t.status = $1 ORDER BY t.created_at, t.id{}",
            limit_clause(limit)
        );
        self.list(&tail, vec![Arg::text(status.as_str())]).await
    }

    async fn list_postings_by_transaction_id(
        &self,
        id: TransactionId,
    ) -> Result<Vec<LedgerPosting>> {
        self.list(
            "WHERE t.transaction_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_postings_by_account(&self, account: LedgerAccount) -> Result<Vec<LedgerPosting>> {
        self.list(
            "WHERE t.account = $1 ORDER BY t.created_at, t.id",
            vec![Arg::text(account.key())],
        )
        .await
    }

    async fn list_all_postings(&self) -> Result<Vec<LedgerPosting>> {
        self.list("ORDER BY t.created_at, t.id", vec![]).await
    }

    async fn get_idempotency_record(
        &self,
        actor: UserId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>> {
        self.one(
            "WHERE t.actor_user_id = $1 AND t.key = $2",
            vec![Arg::id(actor), Arg::text(key)],
        )
        .await
    }
}
