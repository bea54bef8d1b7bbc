//! Notifications for other channels: the outbox an embedding service drains.
//!
//! The in-app notification list is stored in `notifications`; email and push
//! notifications are queued here, in the same atomic step as the event that
//! caused them, and delivered by whoever drains the outbox.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{NotificationId, OutboxMessageId, UserId};

crate::string_enum! {
    /// A delivery channel other than in-app.
    pub enum Channel: "channel" { Email => "email", Push => "push" }
}

/// An email or push notification waiting for delivery (library addition:
/// `notification_outbox`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Primary key.
    pub id: OutboxMessageId,
    /// The recipient.
    pub user_id: UserId,
    /// Email or push.
    pub channel: Channel,
    /// The notification type, as in `notifications.notification_type`.
    pub notification_type: String,
    /// Subject or push title.
    pub title: String,
    /// Body text.
    pub message: String,
    /// The in-app notification it mirrors, when there is one.
    pub notification_id: Option<NotificationId>,
    /// When it was queued.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the embedding service reported it delivered.
    #[serde(default, with = "crate::timestamp::option")]
    pub delivered_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version.
    pub version: i64,
}
