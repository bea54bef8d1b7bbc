//! [`ClientRepo`] over the in-memory maps.

use async_trait::async_trait;
use reelbyte_core::entities::ClientProfile;
use reelbyte_core::error::Result;
use reelbyte_core::ids::{ClientProfileId, UserId};
use reelbyte_core::store::{ClientRepo, UniqueKey};

use super::unique;
use crate::MemStore;

#[async_trait]
impl ClientRepo for MemStore {
    async fn get_by_id(&self, id: ClientProfileId) -> Result<Option<ClientProfile>> {
        Ok(self.read().get_id(id))
    }

    async fn get_by_user_id(&self, user_id: UserId) -> Result<Option<ClientProfile>> {
        Ok(self
            .read()
            .get_unique(&UniqueKey::new(unique::CLIENT_PROFILES_USER_ID, user_id)))
    }
}
