//! Messaging: conversations between users, about a job or a contract or
//! direct; messages with edits and soft deletes; per-participant unread
//! counts, mute and archive. Only participants read or write.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::entities::{Conversation, ConversationParticipant, Message};
use crate::enums::{ConversationType, JobStatus, MessageType, UserStatus};
use crate::error::{Error, Result};
use crate::ids::{ContractId, ConversationId, JobId, MessageId, ParticipantId, UserId};
use crate::service::notifications::{Notice, NotificationKind};
use crate::service::{Ctx, Marketplace, command};
use crate::store::{ChangeSet, Counter, MessageCursor};
use crate::value::Url;

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 10_000;
/// The most attachments on one message.
pub const MAX_ATTACHMENTS: usize = 10;
/// The largest page of messages.
pub const MAX_MESSAGE_PAGE: u32 = 100;

/// What a conversation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConversationSubject {
    /// Between the actor and another user.
    Direct {
        /// The other user.
        with: UserId,
    },
    /// A creator asking a job's client about the job.
    JobInquiry {
        /// The job.
        job: JobId,
    },
    /// The two parties of a contract.
    ContractDiscussion {
        /// The contract.
        contract: ContractId,
    },
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendMessageInput {
    /// The text (1 to 10,000 characters; may be empty when there are
    /// attachments).
    pub content: String,
    /// Kind of message; `text` when absent. `system` is reserved.
    #[serde(default)]
    pub message_type: Option<MessageType>,
    /// Attached files.
    #[serde(default)]
    pub attachments: Vec<Url>,
}

/// One conversation in a user's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationSummary {
    /// The conversation.
    pub conversation: Conversation,
    /// The user's own participation: unread count, last read, mute, archive.
    pub me: ConversationParticipant,
    /// Every participant's user id.
    pub participants: Vec<UserId>,
}

/// What the audit log keeps of a message: never its text, which must go
/// when the message is deleted or its sender erased.
#[derive(Debug, Serialize)]
struct MessageAudit {
    conversation_id: ConversationId,
    sender_user_id: UserId,
    message_type: MessageType,
    is_edited: bool,
    is_deleted: bool,
    attachments: usize,
}

impl MessageAudit {
    fn of(m: &Message) -> Self {
        Self {
            conversation_id: m.conversation_id,
            sender_user_id: m.sender_user_id,
            message_type: m.message_type,
            is_edited: m.is_edited,
            is_deleted: m.is_deleted,
            attachments: m.attachments.as_ref().map_or(0, Vec::len),
        }
    }
}

/// A deterministic conversation id for a subject, so that two concurrent
/// requests to start the same conversation meet on one row.
fn conversation_id_for(kind: &str, parts: &[Uuid]) -> ConversationId {
    let mut hasher = Sha256::new();
    hasher.update(b"reelbyte-conversation:");
    hasher.update(kind.as_bytes());
    for part in parts {
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // Version 8 (custom) and the RFC 4122 variant.
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    ConversationId::from_uuid(Uuid::from_bytes(bytes))
}

fn check_content(content: &str, attachments: &[Url]) -> Result<String> {
    let trimmed = content.trim();
    if trimmed.is_empty() && attachments.is_empty() {
        return Err(Error::validation(
            "content",
            "a message needs text or an attachment",
        ));
    }
    if trimmed.chars().count() > MAX_MESSAGE_CHARS {
        return Err(Error::validation(
            "content",
            format!("must have at most {MAX_MESSAGE_CHARS} characters"),
        ));
    }
    if attachments.len() > MAX_ATTACHMENTS {
        return Err(Error::validation(
            "attachments",
            format!("at most {MAX_ATTACHMENTS} attachments"),
        ));
    }
    Ok(trimmed.to_string())
}

impl Marketplace {
    /// The conversation and the actor's participation in it; anyone else
    /// gets `NotFound`.
    async fn participation(
        &self,
        user: UserId,
        id: ConversationId,
    ) -> Result<(
        Conversation,
        ConversationParticipant,
        Vec<ConversationParticipant>,
    )> {
        let conversation = self
            .store()
            .messaging()
            .get_by_id(id)
            .await?
            .ok_or(Error::not_found("conversation"))?;
        let participants = self
            .store()
            .messaging()
            .list_participants_by_conversation_id(id)
            .await?;
        let me = participants
            .iter()
            .find(|p| p.user_id == user)
            .cloned()
            .ok_or(Error::not_found("conversation"))?;
        Ok((conversation, me, participants))
    }

    /// Starts (or returns the existing) conversation about `subject`. A
    /// direct conversation needs another active user; a job inquiry comes
    /// from a creator about an open job; a contract discussion is between
    /// the contract's parties.
    pub async fn start_conversation(
        &self,
        ctx: &Ctx,
        subject: ConversationSubject,
    ) -> Result<Conversation> {
        let attempt = command!(self, async {
            let user = self.acting_user(ctx).await?;
            let (id, kind, others, job_id, contract_id) = match subject {
                ConversationSubject::Direct { with } => {
                    if with == user.id {
                        return Err(Error::validation("with", "cannot message yourself"));
                    }
                    let other = self
                        .store()
                        .users()
                        .get_by_id(with)
                        .await?
                        .filter(|u| {
                            matches!(
                                u.status,
                                UserStatus::Active | UserStatus::PendingVerification
                            )
                        })
                        .ok_or(Error::not_found("user"))?;
                    let (a, b) = if user.id < other.id {
                        (user.id, other.id)
                    } else {
                        (other.id, user.id)
                    };
                    (
                        conversation_id_for("direct", &[a.as_uuid(), b.as_uuid()]),
                        ConversationType::Direct,
                        vec![other.id],
                        None,
                        None,
                    )
                }
                ConversationSubject::JobInquiry { job } => {
                    let (_, creator) = self.acting_creator(ctx).await?;
                    let job_row = self
                        .store()
                        .jobs()
                        .get_by_id(job)
                        .await?
                        .filter(|j| j.status == JobStatus::Open)
                        .ok_or(Error::not_found("job"))?;
                    let client_user = self
                        .store()
                        .clients()
                        .get_by_id(job_row.client_profile_id)
                        .await?
                        .ok_or(Error::not_found("job"))?
                        .user_id;
                    (
                        conversation_id_for("job", &[job.as_uuid(), creator.id.as_uuid()]),
                        ConversationType::JobInquiry,
                        vec![client_user],
                        Some(job),
                        None,
                    )
                }
                ConversationSubject::ContractDiscussion { contract } => {
                    let (row, _) = self.contract_party(user.id, contract).await?;
                    let client = self.user_of_client(&row).await?;
                    let creator = self.user_of_creator(&row).await?;
                    let other = if client == user.id { creator } else { client };
                    (
                        conversation_id_for("contract", &[contract.as_uuid()]),
                        ConversationType::ContractDiscussion,
                        vec![other],
                        row.job_id,
                        Some(contract),
                    )
                }
            };
            if let Some(existing) = self.store().messaging().get_by_id(id).await? {
                return Ok((ChangeSet::new(), existing));
            }
            let now = self.now();
            let conversation = Conversation {
                id,
                job_id,
                contract_id,
                conversation_type: kind,
                last_message_at: None,
                created_at: now,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.insert(conversation.clone());
            for member in std::iter::once(user.id).chain(others) {
                changes.insert(ConversationParticipant {
                    id: ParticipantId::new(),
                    conversation_id: id,
                    user_id: member,
                    is_muted: false,
                    is_archived: false,
                    last_read_at: None,
                    unread_count: 0,
                    joined_at: now,
                    version: 1,
                });
            }
            changes.insert(self.audit(
                ctx,
                "conversation",
                id.as_uuid(),
                "create",
                None::<&()>,
                Some(&conversation),
            )?);
            Ok((changes, conversation))
        });
        match attempt {
            // A concurrent request created the same conversation first.
            Err(Error::AlreadyExists { .. }) => {
                let user = self.acting_user(ctx).await?;
                let id = match subject {
                    ConversationSubject::Direct { with } => {
                        let (a, b) = if user.id < with {
                            (user.id, with)
                        } else {
                            (with, user.id)
                        };
                        conversation_id_for("direct", &[a.as_uuid(), b.as_uuid()])
                    }
                    ConversationSubject::JobInquiry { job } => {
                        let (_, creator) = self.acting_creator(ctx).await?;
                        conversation_id_for("job", &[job.as_uuid(), creator.id.as_uuid()])
                    }
                    ConversationSubject::ContractDiscussion { contract } => {
                        conversation_id_for("contract", &[contract.as_uuid()])
                    }
                };
                Ok(self.participation(user.id, id).await?.0)
            }
            other => other,
        }
    }

    /// Sends a message: the conversation's last-message time moves, every
    /// other participant's unread count goes up by one, and those who have
    /// not muted the conversation are notified.
    pub async fn send_message(
        &self,
        ctx: &Ctx,
        conversation: ConversationId,
        input: SendMessageInput,
    ) -> Result<Message> {
        let content = check_content(&input.content, &input.attachments)?;
        let message_type = input.message_type.unwrap_or(MessageType::Text);
        if message_type == MessageType::System {
            return Err(Error::validation(
                "message_type",
                "system messages are sent by the platform",
            ));
        }
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let (mut conv, _, participants) = self.participation(user.id, conversation).await?;
            let now = self.now();
            let message = Message {
                id: MessageId::new(),
                conversation_id: conv.id,
                sender_user_id: user.id,
                message_type,
                content: content.clone(),
                attachments: (!input.attachments.is_empty()).then(|| input.attachments.clone()),
                is_edited: false,
                is_deleted: false,
                created_at: now,
                edited_at: None,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.insert(message.clone());
            changes.insert(self.audit(
                ctx,
                "message",
                message.id.as_uuid(),
                "send",
                None::<&()>,
                Some(&MessageAudit::of(&message)),
            )?);
            conv.last_message_at = Some(now);
            changes.update(&conv);
            for p in participants.iter().filter(|p| p.user_id != user.id) {
                // Remembered so that the unread counters find whose count
                // this is (`realtime::inbox::unread_changes`).
                changes.remember(p);
                changes.count(Counter::UnreadMessages(p.id), 1);
                if !p.is_muted {
                    self.plan_notice(
                        ctx,
                        &mut changes,
                        // The text stays in the conversation only: a copy in
                        // notifications and the outbox would outlive edits,
                        // deletions and the sender's erasure.
                        Notice::new(
                            p.user_id,
                            NotificationKind::NewMessage,
                            "New message",
                            "You have a new message",
                        )
                        .about("conversation", conv.id.as_uuid()),
                    )
                    .await?;
                }
            }
            Ok((changes, message))
        })
    }

    /// The sender edits a message that is not deleted.
    pub async fn edit_message(&self, ctx: &Ctx, id: MessageId, content: &str) -> Result<Message> {
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let mut message = self.own_message(user.id, id).await?;
            let content = check_content(content, message.attachments.as_deref().unwrap_or(&[]))?;
            let old = message.clone();
            message.content = content;
            message.is_edited = true;
            message.edited_at = Some(self.now());
            let mut changes = ChangeSet::new();
            changes.update(&message);
            changes.insert(self.audit(
                ctx,
                "message",
                id.as_uuid(),
                "edit",
                Some(&MessageAudit::of(&old)),
                Some(&MessageAudit::of(&message)),
            )?);
            message.version += 1;
            Ok((changes, message))
        })
    }

    /// The sender deletes a message: the row stays so the thread keeps its
    /// shape, but its text and attachments are gone.
    pub async fn delete_message(&self, ctx: &Ctx, id: MessageId) -> Result<Message> {
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let mut message = self.own_message(user.id, id).await?;
            message.content = String::new();
            message.attachments = None;
            message.is_deleted = true;
            message.edited_at = Some(self.now());
            let mut changes = ChangeSet::new();
            changes.update(&message);
            changes.insert(self.audit(
                ctx,
                "message",
                id.as_uuid(),
                "delete",
                None::<&()>,
                Some(&MessageAudit::of(&message)),
            )?);
            message.version += 1;
            Ok((changes, message))
        })
    }

    async fn own_message(&self, user: UserId, id: MessageId) -> Result<Message> {
        let message = self
            .store()
            .messaging()
            .get_message_by_id(id)
            .await?
            .ok_or(Error::not_found("message"))?;
        // Other participants may read it, but it is not theirs to change.
        if message.sender_user_id != user {
            self.participation(user, message.conversation_id).await?;
            return Err(Error::forbidden("only the sender may change a message"));
        }
        if message.is_deleted {
            return Err(Error::rule(
                "message_deleted",
                "a deleted message cannot change",
            ));
        }
        Ok(message)
    }

    /// Marks the conversation read for the actor: unread count back to zero
    /// (messages that arrive meanwhile still count) and last-read time now.
    pub async fn mark_conversation_read(
        &self,
        ctx: &Ctx,
        conversation: ConversationId,
    ) -> Result<ConversationParticipant> {
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let (_, mut me, _) = self.participation(user.id, conversation).await?;
            let mut changes = ChangeSet::new();
            changes.insert(self.audit(
                ctx,
                "conversation_participant",
                me.id.as_uuid(),
                "mark_read",
                None::<&()>,
                None::<&()>,
            )?);
            if me.unread_count > 0 {
                changes.count(Counter::UnreadMessages(me.id), -i64::from(me.unread_count));
            }
            me.last_read_at = Some(self.now());
            changes.update(&me);
            me.unread_count = 0;
            me.version += 1;
            Ok((changes, me))
        })
    }

    /// Mutes or unmutes the conversation for the actor (muted: no
    /// notifications, unread counts still move).
    pub async fn set_conversation_muted(
        &self,
        ctx: &Ctx,
        conversation: ConversationId,
        muted: bool,
    ) -> Result<ConversationParticipant> {
        self.change_participation(ctx, conversation, |p| p.is_muted = muted)
            .await
    }

    /// Archives or unarchives the conversation for the actor.
    pub async fn set_conversation_archived(
        &self,
        ctx: &Ctx,
        conversation: ConversationId,
        archived: bool,
    ) -> Result<ConversationParticipant> {
        self.change_participation(ctx, conversation, |p| p.is_archived = archived)
            .await
    }

    async fn change_participation(
        &self,
        ctx: &Ctx,
        conversation: ConversationId,
        change: impl Fn(&mut ConversationParticipant),
    ) -> Result<ConversationParticipant> {
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let (_, mut me, _) = self.participation(user.id, conversation).await?;
            let before = me.clone();
            change(&mut me);
            let mut changes = ChangeSet::new();
            if me != before {
                changes.insert(self.audit_update(
                    ctx,
                    "conversation_participant",
                    me.id.as_uuid(),
                    "update",
                    &before,
                    &me,
                )?);
                changes.update(&me);
                me.version += 1;
            }
            Ok((changes, me))
        })
    }

    /// A conversation for one of its participants.
    pub async fn get_conversation(
        &self,
        ctx: &Ctx,
        conversation: ConversationId,
    ) -> Result<ConversationSummary> {
        let user = self.acting_user(ctx).await?;
        let (conversation, me, participants) = self.participation(user.id, conversation).await?;
        Ok(ConversationSummary {
            conversation,
            me,
            participants: participants.iter().map(|p| p.user_id).collect(),
        })
    }

    /// A page of a conversation's messages, newest first, after `cursor`
    /// (the last message of the previous page).
    pub async fn list_messages(
        &self,
        ctx: &Ctx,
        conversation: ConversationId,
        cursor: Option<MessageCursor>,
        limit: u32,
    ) -> Result<Vec<Message>> {
        if limit == 0 || limit > MAX_MESSAGE_PAGE {
            return Err(Error::validation(
                "limit",
                format!("must be 1 to {MAX_MESSAGE_PAGE}"),
            ));
        }
        let user = self.acting_user(ctx).await?;
        self.participation(user.id, conversation).await?;
        self.store()
            .messaging()
            .list_messages_by_conversation_id(conversation, cursor, limit)
            .await
    }

    /// The actor's conversations, the most recent message first (those
    /// without messages last, newest first); archived ones only when asked.
    pub async fn list_conversations(
        &self,
        ctx: &Ctx,
        include_archived: bool,
    ) -> Result<Vec<ConversationSummary>> {
        let user = self.acting_user(ctx).await?;
        let mut out = Vec::new();
        for me in self
            .store()
            .messaging()
            .list_participations_by_user_id(user.id)
            .await?
        {
            if me.is_archived && !include_archived {
                continue;
            }
            let Some(conversation) = self
                .store()
                .messaging()
                .get_by_id(me.conversation_id)
                .await?
            else {
                continue;
            };
            let participants = self
                .store()
                .messaging()
                .list_participants_by_conversation_id(conversation.id)
                .await?
                .iter()
                .map(|p| p.user_id)
                .collect();
            out.push(ConversationSummary {
                conversation,
                me,
                participants,
            });
        }
        out.sort_by(|a, b| {
            let key = |s: &ConversationSummary| {
                (
                    s.conversation.last_message_at.is_some(),
                    s.conversation
                        .last_message_at
                        .unwrap_or(s.conversation.created_at),
                    s.conversation.id,
                )
            };
            key(b).cmp(&key(a))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversation_ids_are_stable_and_distinct() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        assert_eq!(
            conversation_id_for("direct", &[a, b]),
            conversation_id_for("direct", &[a, b])
        );
        assert_ne!(
            conversation_id_for("direct", &[a, b]),
            conversation_id_for("job", &[a, b])
        );
        assert_eq!(
            conversation_id_for("direct", &[a])
                .as_uuid()
                .get_version_num(),
            8
        );
    }

    #[test]
    fn content_rules() {
        assert!(check_content("  ", &[]).is_err());
        assert_eq!(check_content(" hi ", &[]).expect("valid"), "hi");
        assert!(check_content(&"x".repeat(MAX_MESSAGE_CHARS + 1), &[]).is_err());
    }
}
