//! [`UserRepo`](reelbyte_core::store::UserRepo) over SQL.

use async_trait::async_trait;
use reelbyte_core::entities::User;
use reelbyte_core::error::Result;
use reelbyte_core::ids::UserId;
use reelbyte_core::store::UserRepo;

use crate::PgStore;
use crate::query::Arg;

#[async_trait]
impl UserRepo for PgStore {
    async fn get_by_id(&self, id: UserId) -> Result<Option<User>> {
        self.by_id(id).await
    }

    async fn get_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>> {
        self.by_ids(ids.iter().copied()).await
    }

    async fn get_by_email(&self, email: &str) -> Result<Option<User>> {
        self.one("WHERE t.email = $1", vec![Arg::text(email)]).await
    }
}
