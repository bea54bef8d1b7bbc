//! [`SessionRepo`](reelbyte_core::store::SessionRepo) over SQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reelbyte_core::auth::EmailVerificationToken;
use reelbyte_core::entities::{PasswordResetToken, UserSession};
use reelbyte_core::error::Result;
use reelbyte_core::ids::UserId;
use reelbyte_core::store::SessionRepo;

use crate::PgStore;
use crate::query::{Arg, limit_clause};

#[async_trait]
impl SessionRepo for PgStore {
    async fn get_by_token_hash(&self, token_hash: &str) -> Result<Option<UserSession>> {
        self.one("WHERE t.token_hash = $1", vec![Arg::text(token_hash)])
            .await
    }

    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<UserSession>> {
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn get_reset_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<PasswordResetToken>> {
        self.one("WHERE t.token_hash = $1", vec![Arg::text(token_hash)])
            .await
    }

    async fn list_reset_tokens_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<PasswordResetToken>> {
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn get_verification_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<EmailVerificationToken>> {
        self.one("WHERE t.token_hash = $1", vec![Arg::text(token_hash)])
            .await
    }

    async fn list_expired(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<UserSession>> {
        let tail = format!(
            "WHERE t.expires_at < $1 ORDER BY t.expires_at, t.id{}",
            limit_clause(limit)
        );
        self.list(&tail, vec![Arg::Time(before)]).await
    }
}
