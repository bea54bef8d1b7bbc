//! [`SessionRepo`] over the in-memory maps.

use std::cmp::Reverse;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reelbyte_core::auth::EmailVerificationToken;
use reelbyte_core::entities::{PasswordResetToken, UserSession};
use reelbyte_core::error::Result;
use reelbyte_core::ids::UserId;
use reelbyte_core::store::{SessionRepo, UniqueKey};

use super::{owned, sorted, unique};
use crate::MemStore;
use crate::index::{Idx, Parent};
use crate::query::first;

#[async_trait]
impl SessionRepo for MemStore {
    async fn get_by_token_hash(&self, token_hash: &str) -> Result<Option<UserSession>> {
        Ok(self
            .read()
            .get_unique(&UniqueKey::new(unique::SESSIONS_TOKEN_HASH, token_hash)))
    }

    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<UserSession>> {
        let db = self.read();
        let rows = db.children::<UserSession>(Idx::SessionsByUser, Parent::id(user_id));
        Ok(owned(sorted(rows, |s| Reverse((s.created_at, s.id)))))
    }

    async fn get_reset_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<PasswordResetToken>> {
        Ok(self
            .read()
            .get_unique(&UniqueKey::new(unique::RESET_TOKENS_TOKEN_HASH, token_hash)))
    }

    async fn list_reset_tokens_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<PasswordResetToken>> {
        let db = self.read();
        let rows = db.children::<PasswordResetToken>(Idx::ResetTokensByUser, Parent::id(user_id));
        Ok(owned(sorted(rows, |t| (t.created_at, t.id))))
    }

    async fn get_verification_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<EmailVerificationToken>> {
        Ok(self.read().get_unique(&UniqueKey::new(
            unique::VERIFICATION_TOKENS_TOKEN_HASH,
            token_hash,
        )))
    }

    async fn list_expired(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<UserSession>> {
        // A maintenance sweep: a scan is fine here.
        let db = self.read();
        let rows = db.scan::<UserSession>().filter(|s| s.expires_at < before);
        Ok(owned(first(sorted(rows, |s| (s.expires_at, s.id)), limit)))
    }
}
