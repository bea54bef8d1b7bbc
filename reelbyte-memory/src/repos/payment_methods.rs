//! [`PaymentMethodRepo`] over the in-memory maps.

use async_trait::async_trait;
use reelbyte_core::entities::{PaymentMethod, PayoutMethod};
use reelbyte_core::error::Result;
use reelbyte_core::ids::{CreatorProfileId, PaymentMethodId, PayoutMethodId, UserId};
use reelbyte_core::store::PaymentMethodRepo;

use super::{owned, sorted};
use crate::MemStore;
use crate::index::{Idx, Parent};

#[async_trait]
impl PaymentMethodRepo for MemStore {
    async fn get_by_id(&self, id: PaymentMethodId) -> Result<Option<PaymentMethod>> {
        Ok(self.read().get_id(id))
    }

    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<PaymentMethod>> {
        let db = self.read();
        let rows = db.children::<PaymentMethod>(Idx::PaymentMethodsByUser, Parent::id(user_id));
        Ok(owned(sorted(rows, |m| (m.created_at, m.id))))
    }

    async fn get_payout_method_by_id(&self, id: PayoutMethodId) -> Result<Option<PayoutMethod>> {
        Ok(self.read().get_id(id))
    }

    async fn list_payout_methods_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<PayoutMethod>> {
        let db = self.read();
        let rows = db.children::<PayoutMethod>(Idx::PayoutMethodsByCreator, Parent::id(id));
        Ok(owned(sorted(rows, |m| (m.created_at, m.id))))
    }
}
