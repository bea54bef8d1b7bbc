//! [`PaymentMethodRepo`](reelbyte_core::store::PaymentMethodRepo) over SQL.

use async_trait::async_trait;
use reelbyte_core::entities::{PaymentMethod, PayoutMethod};
use reelbyte_core::error::Result;
use reelbyte_core::ids::{CreatorProfileId, PaymentMethodId, PayoutMethodId, UserId};
use reelbyte_core::store::PaymentMethodRepo;

use crate::PgStore;
use crate::query::Arg;

#[async_trait]
impl PaymentMethodRepo for PgStore {
    async fn get_by_id(&self, id: PaymentMethodId) -> Result<Option<PaymentMethod>> {
        self.by_id(id).await
    }

    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<PaymentMethod>> {
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn get_payout_method_by_id(&self, id: PayoutMethodId) -> Result<Option<PayoutMethod>> {
        self.by_id(id).await
    }

    async fn list_payout_methods_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<PayoutMethod>> {
        self.list(
            "WHERE t.creator_profile_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }
}
