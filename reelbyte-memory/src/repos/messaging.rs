//! [`MessagingRepo`] over the in-memory maps.

use std::cmp::Reverse;

use async_trait::async_trait;
use reelbyte_core::entities::{Conversation, ConversationParticipant, Message};
use reelbyte_core::error::Result;
use reelbyte_core::ids::{ConversationId, MessageId, UserId};
use reelbyte_core::store::{MessageCursor, MessagingRepo};

use super::{owned, sorted};
use crate::MemStore;
use crate::index::{Idx, Parent};
use crate::query::first;

#[async_trait]
impl MessagingRepo for MemStore {
    async fn get_by_id(&self, id: ConversationId) -> Result<Option<Conversation>> {
        Ok(self.read().get_id(id))
    }

    async fn list_participants_by_conversation_id(
        &self,
        id: ConversationId,
    ) -> Result<Vec<ConversationParticipant>> {
        let db = self.read();
        let rows =
            db.children::<ConversationParticipant>(Idx::ParticipantsByConversation, Parent::id(id));
        Ok(owned(sorted(rows, |p| (p.joined_at, p.id))))
    }

    async fn list_participations_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<ConversationParticipant>> {
        let db = self.read();
        let rows =
            db.children::<ConversationParticipant>(Idx::ParticipantsByUser, Parent::id(user_id));
        // Latest activity first; `None < Some`, so reversing puts
        // conversations without messages last.
        Ok(owned(sorted(rows, |p| {
            let conversation = db.find::<Conversation>(p.conversation_id);
            Reverse((
                conversation.and_then(|c| c.last_message_at),
                conversation.map(|c| c.created_at),
                p.id,
            ))
        })))
    }

    async fn get_message_by_id(&self, id: MessageId) -> Result<Option<Message>> {
        Ok(self.read().get_id(id))
    }

    async fn list_messages_by_conversation_id(
        &self,
        id: ConversationId,
        cursor: Option<MessageCursor>,
        limit: u32,
    ) -> Result<Vec<Message>> {
        let db = self.read();
        // Newest first, so "after the cursor" means strictly older than it.
        let rows = db
            .children::<Message>(Idx::MessagesByConversation, Parent::id(id))
            .filter(|m| cursor.is_none_or(|c| (m.created_at, m.id) < (c.created_at, c.id)));
        Ok(owned(first(
            sorted(rows, |m| Reverse((m.created_at, m.id))),
            limit,
        )))
    }

    async fn list_messages_by_sender_user_id(&self, user_id: UserId) -> Result<Vec<Message>> {
        let db = self.read();
        let rows = db.children::<Message>(Idx::MessagesBySender, Parent::id(user_id));
        Ok(owned(sorted(rows, |m| (m.created_at, m.id))))
    }
}
