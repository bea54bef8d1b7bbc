//! Section 8 of the plan, messaging: `conversations`,
//! `conversation_participants` and `messages`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::{ConversationType, MessageType};
use crate::ids::{ContractId, ConversationId, JobId, MessageId, ParticipantId, UserId};
use crate::value::Url;

/// A row of `conversations`: a message thread, optionally about a job or a
/// contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// Primary key.
    pub id: ConversationId,
    /// The job discussed, if any.
    pub job_id: Option<JobId>,
    /// The contract discussed, if any.
    pub contract_id: Option<ContractId>,
    /// What the conversation is about.
    pub conversation_type: ConversationType,
    /// When the latest message was sent.
    #[serde(default, with = "crate::timestamp::option")]
    pub last_message_at: Option<DateTime<Utc>>,
    /// When the conversation was started.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `conversation_participants`: a user's membership of a
/// conversation, with their read state (unique per conversation and user).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationParticipant {
    /// Primary key.
    pub id: ParticipantId,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The participating user.
    pub user_id: UserId,
    /// Whether the user silenced notifications for it.
    pub is_muted: bool,
    /// Whether the user archived it.
    pub is_archived: bool,
    /// When the user last read it.
    #[serde(default, with = "crate::timestamp::option")]
    pub last_read_at: Option<DateTime<Utc>>,
    /// Messages the user has not read yet.
    pub unread_count: i32,
    /// When the user joined.
    #[serde(with = "crate::timestamp")]
    pub joined_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `messages`: one message in a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Primary key.
    pub id: MessageId,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The author.
    pub sender_user_id: UserId,
    /// Kind of message.
    pub message_type: MessageType,
    /// The text (for files and media, a caption).
    pub content: String,
    /// Attached files (JSONB, typed as an array of URLs like
    /// `jobs.attachments`).
    pub attachments: Option<Vec<Url>>,
    /// Whether the message was edited.
    pub is_edited: bool,
    /// Whether the message was deleted (kept for the other participants'
    /// history and for disputes).
    pub is_deleted: bool,
    /// When the message was sent.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When it was last edited.
    #[serde(default, with = "crate::timestamp::option")]
    pub edited_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}
