//! [`ReviewRepo`] over the in-memory maps.

use std::cmp::Reverse;

use async_trait::async_trait;
use reelbyte_core::entities::Review;
use reelbyte_core::error::Result;
use reelbyte_core::ids::{ContractId, ReviewId, UserId};
use reelbyte_core::store::ReviewRepo;

use super::{owned, sorted};
use crate::MemStore;
use crate::index::{Idx, Parent};

#[async_trait]
impl ReviewRepo for MemStore {
    async fn get_by_id(&self, id: ReviewId) -> Result<Option<Review>> {
        Ok(self.read().get_id(id))
    }

    async fn list_by_contract_id(&self, id: ContractId) -> Result<Vec<Review>> {
        let db = self.read();
        let rows = db.children::<Review>(Idx::ReviewsByContract, Parent::id(id));
        Ok(owned(sorted(rows, |r| (r.created_at, r.id))))
    }

    async fn list_by_reviewee_user_id(&self, user_id: UserId) -> Result<Vec<Review>> {
        let db = self.read();
        let rows = db.children::<Review>(Idx::ReviewsByReviewee, Parent::id(user_id));
        Ok(owned(sorted(rows, |r| Reverse((r.created_at, r.id)))))
    }

    async fn list_by_reviewer_user_id(&self, user_id: UserId) -> Result<Vec<Review>> {
        let db = self.read();
        let rows = db.children::<Review>(Idx::ReviewsByReviewer, Parent::id(user_id));
        Ok(owned(sorted(rows, |r| Reverse((r.created_at, r.id)))))
    }
}
