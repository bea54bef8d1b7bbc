//! [`ClientRepo`](reelbyte_core::store::ClientRepo) over SQL.

use async_trait::async_trait;
use reelbyte_core::entities::ClientProfile;
use reelbyte_core::error::Result;
use reelbyte_core::ids::{ClientProfileId, UserId};
use reelbyte_core::store::ClientRepo;

use crate::PgStore;
use crate::query::Arg;

#[async_trait]
impl ClientRepo for PgStore {
    async fn get_by_id(&self, id: ClientProfileId) -> Result<Option<ClientProfile>> {
        self.by_id(id).await
    }

    async fn get_by_user_id(&self, user_id: UserId) -> Result<Option<ClientProfile>> {
        self.one("WHERE t.user_id = $1", vec![Arg::id(user_id)])
            .await
    }
}
