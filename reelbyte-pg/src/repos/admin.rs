//! [`AdminRepo`](reelbyte_core::store::AdminRepo) over SQL.

use async_trait::async_trait;
use reelbyte_core::entities::{AuditLog, FeeTier, PlatformSetting, UserConsent};
use reelbyte_core::error::Result;
use reelbyte_core::ids::UserId;
use reelbyte_core::store::AdminRepo;
use uuid::Uuid;

use crate::PgStore;
use crate::query::Arg;

#[async_trait]
impl AdminRepo for PgStore {
    async fn get_setting(&self, key: &str) -> Result<Option<PlatformSetting>> {
        self.one("WHERE t.key = $1", vec![Arg::text(key)]).await
    }

    async fn list_settings(&self) -> Result<Vec<PlatformSetting>> {
        self.list("ORDER BY t.key COLLATE \"C\"", vec![]).await
    }

    async fn list_fee_tiers(&self) -> Result<Vec<FeeTier>> {
        self.list("ORDER BY t.effective_from, t.id", vec![]).await
    }

    async fn list_audit_by_entity(
        &self,
        entity_type: &str,
        entity_id: Uuid,
    ) -> Result<Vec<AuditLog>> {
        self.list(
            "WHERE t.entity_type = $1 AND t.entity_id = $2 ORDER BY t.created_at, t.id",
            vec![Arg::text(entity_type), Arg::Uuid(entity_id)],
        )
        .await
    }

    async fn list_audit_by_user_id(&self, user_id: UserId) -> Result<Vec<AuditLog>> {
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn list_recent_audit_by_user_id(
        &self,
        user_id: UserId,
        limit: u32,
    ) -> Result<Vec<AuditLog>> {
        // `idx_audit_logs_user_id` (user, time, id; migration 0019) gives the order.
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at DESC, t.id DESC LIMIT $2",
            vec![Arg::id(user_id), Arg::Int(i64::from(limit))],
        )
        .await
    }

    async fn list_consents_by_user_id(&self, user_id: UserId) -> Result<Vec<UserConsent>> {
        // No creation time; UUIDv7 ids sort in creation order.
        self.list("WHERE t.user_id = $1 ORDER BY t.id", vec![Arg::id(user_id)])
            .await
    }
}
