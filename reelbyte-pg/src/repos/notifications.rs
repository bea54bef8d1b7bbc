//! [`NotificationRepo`](reelbyte_core::store::NotificationRepo) over SQL.

use async_trait::async_trait;
use reelbyte_core::entities::{Notification, NotificationPreferences};
use reelbyte_core::error::Result;
use reelbyte_core::ids::{NotificationId, UserId};
use reelbyte_core::notify::OutboxMessage;
use reelbyte_core::store::{NotificationRepo, Page};
use uuid::Uuid;

use crate::PgStore;
use crate::query::{Arg, limit_clause, page_clause};

#[async_trait]
impl NotificationRepo for PgStore {
    async fn get_by_id(&self, id: NotificationId) -> Result<Option<Notification>> {
        self.by_id(id).await
    }

    async fn list_by_user_id(
        &self,
        user_id: UserId,
        unread_only: bool,
        page: Page,
    ) -> Result<Vec<Notification>> {
        self.notifications_of(user_id, unread_only, Some(page))
            .await
    }

    async fn list_every_by_user_id(
        &self,
        user_id: UserId,
        unread_only: bool,
    ) -> Result<Vec<Notification>> {
        self.notifications_of(user_id, unread_only, None).await
    }

    async fn count_unread_by_user_id(&self, user_id: UserId) -> Result<u64> {
        self.count(
            "SELECT count(*) FROM notifications WHERE user_id = $1 AND is_read = FALSE",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn list_related_ids_by_user_id(
        &self,
        user_id: UserId,
        notification_type: &str,
        among: &[Uuid],
    ) -> Result<Vec<Uuid>> {
        if among.is_empty() {
            return Ok(Vec::new());
        }
        self.ids(
            "SELECT DISTINCT related_entity_id FROM notifications \
             WHERE user_id = $1 AND notification_type = $2 AND related_entity_id = ANY($3)",
            vec![
                Arg::id(user_id),
                Arg::text(notification_type),
                Arg::Uuids(among.to_vec()),
            ],
        )
        .await
    }

    async fn get_preferences_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Option<NotificationPreferences>> {
        self.one("WHERE t.user_id = $1", vec![Arg::id(user_id)])
            .await
    }

    async fn list_preferences_by_user_ids(
        &self,
        user_ids: &[UserId],
    ) -> Result<Vec<NotificationPreferences>> {
        let ids = user_ids.iter().map(|u| u.as_uuid()).collect();
        self.list("WHERE t.user_id = ANY($1)", vec![Arg::Uuids(ids)])
            .await
    }

    async fn list_undelivered_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>> {
        let tail = format!(
            "WHERE t.delivered_at IS NULL ORDER BY t.created_at, t.id{}",
            limit_clause(limit)
        );
        self.list(&tail, vec![]).await
    }

    async fn list_outbox_by_user_id(&self, user_id: UserId) -> Result<Vec<OutboxMessage>> {
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }
}

impl PgStore {
    /// A user's notifications, newest first (the unread ones only when
    /// `unread_only`): one page of them, or all.
    async fn notifications_of(
        &self,
        user_id: UserId,
        unread_only: bool,
        page: Option<Page>,
    ) -> Result<Vec<Notification>> {
        let unread = if unread_only {
            " AND t.is_read = FALSE"
        } else {
            ""
        };
        let page = page.map(page_clause).unwrap_or_default();
        let tail =
            format!("WHERE t.user_id = $1{unread} ORDER BY t.created_at DESC, t.id DESC{page}");
        self.list(&tail, vec![Arg::id(user_id)]).await
    }
}
