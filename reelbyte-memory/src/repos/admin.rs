//! [`AdminRepo`] over the in-memory maps.

use async_trait::async_trait;
use reelbyte_core::entities::{AuditLog, FeeTier, PlatformSetting, UserConsent};
use reelbyte_core::error::Result;
use reelbyte_core::ids::UserId;
use reelbyte_core::store::{AdminRepo, RowKey};
use uuid::Uuid;

use super::{owned, sorted};
use crate::MemStore;
use crate::index::{Idx, Parent};

#[async_trait]
impl AdminRepo for MemStore {
    async fn get_setting(&self, key: &str) -> Result<Option<PlatformSetting>> {
        Ok(self.read().get(&RowKey::Name(key.to_string())))
    }

    async fn list_settings(&self) -> Result<Vec<PlatformSetting>> {
        // A handful of rows: scanning is the index.
        let db = self.read();
        Ok(owned(sorted(db.scan::<PlatformSetting>(), |s| {
            s.key.as_str()
        })))
    }

    async fn list_fee_tiers(&self) -> Result<Vec<FeeTier>> {
        let db = self.read();
        Ok(owned(sorted(db.scan::<FeeTier>(), |t| {
            (t.effective_from, t.id)
        })))
    }

    async fn list_audit_by_entity(
        &self,
        entity_type: &str,
        entity_id: Uuid,
    ) -> Result<Vec<AuditLog>> {
        let db = self.read();
        let rows = db
            .children::<AuditLog>(Idx::AuditByEntity, Parent::Id(entity_id))
            .filter(|a| a.entity_type.as_str() == entity_type);
        Ok(owned(sorted(rows, |a| (a.created_at, a.id))))
    }

    async fn list_audit_by_user_id(&self, user_id: UserId) -> Result<Vec<AuditLog>> {
        let db = self.read();
        let rows = db.children::<AuditLog>(Idx::AuditByUser, Parent::id(user_id));
        Ok(owned(sorted(rows, |a| (a.created_at, a.id))))
    }

    async fn list_recent_audit_by_user_id(
        &self,
        user_id: UserId,
        limit: u32,
    ) -> Result<Vec<AuditLog>> {
        let db = self.read();
        let rows = db.children::<AuditLog>(Idx::AuditByUser, Parent::id(user_id));
        let newest_first = sorted(rows, |a| (a.created_at, a.id)).into_iter().rev();
        Ok(owned(newest_first.take(limit as usize)))
    }

    async fn list_consents_by_user_id(&self, user_id: UserId) -> Result<Vec<UserConsent>> {
        // `user_consents` has no creation time; ids are UUIDv7, which sort
        // in creation order.
        let db = self.read();
        let rows = db.children::<UserConsent>(Idx::ConsentsByUser, Parent::id(user_id));
        Ok(owned(sorted(rows, |c| c.id)))
    }
}
