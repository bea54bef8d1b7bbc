//! Section 9 of the plan, notifications: `notifications` and
//! `notification_preferences`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{NotificationId, NotificationPreferencesId, UserId};
use crate::value::{Text, Url};

/// A row of `notifications`: an in-app notification for one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// Primary key.
    pub id: NotificationId,
    /// The user notified.
    pub user_id: UserId,
    /// What happened, e.g. `"proposal_accepted"`.
    pub notification_type: Text<50>,
    /// Headline.
    pub title: Text<200>,
    /// Body.
    pub message: String,
    /// The kind of object the notification is about, e.g. `"contract"`.
    pub related_entity_type: Option<Text<50>>,
    /// The id of that object. A bare UUID because it may name a row of any
    /// table; `related_entity_type` says which.
    pub related_entity_id: Option<Uuid>,
    /// Where the notification leads when clicked.
    pub action_url: Option<Url>,
    /// Whether the user has read it.
    pub is_read: bool,
    /// When the user read it.
    #[serde(default, with = "crate::timestamp::option")]
    pub read_at: Option<DateTime<Utc>>,
    /// When it was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `notification_preferences`: which notifications a user wants on
/// which channel (one row per user).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationPreferences {
    /// Primary key.
    pub id: NotificationPreferencesId,
    /// The user the preferences belong to.
    pub user_id: UserId,
    /// Email on a new message.
    pub email_new_message: bool,
    /// Email on a new job matching the user.
    pub email_new_job: bool,
    /// Email when a proposal changes status.
    pub email_proposal_status: bool,
    /// Email when a contract changes.
    pub email_contract_updates: bool,
    /// Email on payments.
    pub email_payment: bool,
    /// Email on reviews.
    pub email_reviews: bool,
    /// Marketing email (opt-in: off by default).
    pub email_marketing: bool,
    /// Push on a new message.
    pub push_new_message: bool,
    /// Push when a contract changes.
    pub push_contract_updates: bool,
    /// Push on payments.
    pub push_payment: bool,
    /// In-app notifications at all.
    pub inapp_enabled: bool,
    /// When the row was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

impl NotificationPreferences {
    /// The plan's defaults for a new user: everything on except marketing
    /// email, which needs an explicit opt-in.
    pub fn defaults(id: NotificationPreferencesId, user_id: UserId, now: DateTime<Utc>) -> Self {
        Self {
            id,
            user_id,
            email_new_message: true,
            email_new_job: true,
            email_proposal_status: true,
            email_contract_updates: true,
            email_payment: true,
            email_reviews: true,
            email_marketing: false,
            push_new_message: true,
            push_contract_updates: true,
            push_payment: true,
            inapp_enabled: true,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }
}
