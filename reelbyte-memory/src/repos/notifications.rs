//! [`NotificationRepo`] over the in-memory maps.

use std::cmp::Reverse;
use std::collections::HashSet;

use async_trait::async_trait;
use reelbyte_core::entities::{Notification, NotificationPreferences};
use reelbyte_core::error::Result;
use reelbyte_core::ids::{NotificationId, UserId};
use reelbyte_core::notify::OutboxMessage;
use reelbyte_core::store::{NotificationRepo, Page, UniqueKey};

use super::{owned, sorted, unique};
use crate::MemStore;
use crate::db::Db;
use crate::index::{Idx, Parent, UNDELIVERED};
use crate::query::{first, paginate};
use uuid::Uuid;

/// `user_id`'s notifications, newest first (the unread ones only when
/// `unread_only`).
fn notifications_of(db: &Db, user_id: UserId, unread_only: bool) -> Vec<&Notification> {
    let rows = db
        .children::<Notification>(Idx::NotificationsByUser, Parent::id(user_id))
        .filter(|n| !unread_only || !n.is_read);
    sorted(rows, |n| Reverse((n.created_at, n.id)))
}

#[async_trait]
impl NotificationRepo for MemStore {
    async fn get_by_id(&self, id: NotificationId) -> Result<Option<Notification>> {
        Ok(self.read().get_id(id))
    }

    async fn list_by_user_id(
        &self,
        user_id: UserId,
        unread_only: bool,
        page: Page,
    ) -> Result<Vec<Notification>> {
        let db = self.read();
        Ok(owned(paginate(
            notifications_of(&db, user_id, unread_only),
            page,
        )))
    }

    async fn list_every_by_user_id(
        &self,
        user_id: UserId,
        unread_only: bool,
    ) -> Result<Vec<Notification>> {
        let db = self.read();
        Ok(owned(notifications_of(&db, user_id, unread_only)))
    }

    async fn list_related_ids_by_user_id(
        &self,
        user_id: UserId,
        notification_type: &str,
        among: &[Uuid],
    ) -> Result<Vec<Uuid>> {
        let among: HashSet<Uuid> = among.iter().copied().collect();
        let db = self.read();
        let related: HashSet<Uuid> = db
            .children::<Notification>(Idx::NotificationsByUser, Parent::id(user_id))
            .filter(|n| n.notification_type.as_str() == notification_type)
            .filter_map(|n| n.related_entity_id)
            .filter(|id| among.contains(id))
            .collect();
        Ok(related.into_iter().collect())
    }

    async fn count_unread_by_user_id(&self, user_id: UserId) -> Result<u64> {
        let db = self.read();
        let unread = db
            .children::<Notification>(Idx::NotificationsByUser, Parent::id(user_id))
            .filter(|n| !n.is_read)
            .count();
        Ok(unread as u64)
    }

    async fn get_preferences_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Option<NotificationPreferences>> {
        Ok(self.read().get_unique(&UniqueKey::new(
            unique::NOTIFICATION_PREFERENCES_USER_ID,
            user_id,
        )))
    }

    async fn list_undelivered_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>> {
        let db = self.read();
        let rows = db.children::<OutboxMessage>(Idx::OutboxUndelivered, Parent::Tag(UNDELIVERED));
        Ok(owned(first(sorted(rows, |m| (m.created_at, m.id)), limit)))
    }

    async fn list_outbox_by_user_id(&self, user_id: UserId) -> Result<Vec<OutboxMessage>> {
        let db = self.read();
        let rows = db.children::<OutboxMessage>(Idx::OutboxByUser, Parent::id(user_id));
        Ok(owned(sorted(rows, |m| (m.created_at, m.id))))
    }
}
