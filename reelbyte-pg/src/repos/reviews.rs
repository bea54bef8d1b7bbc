//! [`ReviewRepo`](reelbyte_core::store::ReviewRepo) over SQL.

use async_trait::async_trait;
use reelbyte_core::entities::Review;
use reelbyte_core::error::Result;
use reelbyte_core::ids::{ContractId, ReviewId, UserId};
use reelbyte_core::store::ReviewRepo;

use crate::PgStore;
use crate::query::Arg;

#[async_trait]
impl ReviewRepo for PgStore {
    async fn get_by_id(&self, id: ReviewId) -> Result<Option<Review>> {
        self.by_id(id).await
    }

    async fn list_by_contract_id(&self, id: ContractId) -> Result<Vec<Review>> {
        self.list(
            "WHERE t.contract_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_by_reviewee_user_id(&self, user_id: UserId) -> Result<Vec<Review>> {
        self.list(
            "WHERE t.reviewee_user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn list_by_reviewer_user_id(&self, user_id: UserId) -> Result<Vec<Review>> {
        self.list(
            "WHERE t.reviewer_user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }
}
