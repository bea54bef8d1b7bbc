//! [`UserRepo`] over the in-memory maps.

use async_trait::async_trait;
use reelbyte_core::entities::User;
use reelbyte_core::error::Result;
use reelbyte_core::ids::UserId;
use reelbyte_core::store::{UniqueKey, UserRepo};

use super::unique;
use crate::MemStore;

#[async_trait]
impl UserRepo for MemStore {
    async fn get_by_id(&self, id: UserId) -> Result<Option<User>> {
        Ok(self.read().get_id(id))
    }

    async fn get_by_email(&self, email: &str) -> Result<Option<User>> {
        Ok(self
            .read()
            .get_unique(&UniqueKey::new(unique::USERS_EMAIL, email)))
    }
}
