//! [`MessagingRepo`](reelbyte_core::store::MessagingRepo) over SQL.

use async_trait::async_trait;
use reelbyte_core::entities::{Conversation, ConversationParticipant, Message};
use reelbyte_core::error::Result;
use reelbyte_core::ids::{ConversationId, MessageId, UserId};
use reelbyte_core::store::{MessageCursor, MessagingRepo};

use crate::PgStore;
use crate::query::{Arg, limit_clause};

#[async_trait]
impl MessagingRepo for PgStore {
    async fn get_by_id(&self, id: ConversationId) -> Result<Option<Conversation>> {
        self.by_id(id).await
    }

    async fn list_participants_by_conversation_id(
        &self,
        id: ConversationId,
    ) -> Result<Vec<ConversationParticipant>> {
        self.list(
            "WHERE t.conversation_id = $1 ORDER BY t.joined_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_participations_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<ConversationParticipant>> {
        // Latest activity first; conversations without messages last.
        self.list(
            "LEFT JOIN conversations c ON c.id = t.conversation_id WHERE t.user_id = $1 \
             ORDER BY c.last_message_at DESC NULLS LAST, c.created_at DESC NULLS LAST, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn get_message_by_id(&self, id: MessageId) -> Result<Option<Message>> {
        self.by_id(id).await
    }

    async fn list_messages_by_conversation_id(
        &self,
        id: ConversationId,
        cursor: Option<MessageCursor>,
        limit: u32,
    ) -> Result<Vec<Message>> {
        // Newest first, so "after the cursor" means strictly older than it.
        let mut args = vec![Arg::id(id)];
        let after = match cursor {
            Some(cursor) => {
                args.push(Arg::Time(cursor.created_at));
                args.push(Arg::id(cursor.id));
                " AND (t.created_at, t.id) < ($2, $3)"
            }
            None => "",
        };
        let tail = format!(
            "WHERE t.conversation_id = $1{after} ORDER BY t.created_at DESC, t.id DESC{}",
            limit_clause(limit)
        );
        self.list(&tail, args).await
    }

    async fn list_messages_by_sender_user_id(&self, user_id: UserId) -> Result<Vec<Message>> {
        self.list(
            "WHERE t.sender_user_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }
}
