//! The repository traits of `reelbyte-core` over SQL, in the orders the
//! traits document (ties broken by id, as the memory store does).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reelbyte_core::auth::EmailVerificationToken;
use reelbyte_core::entities::*;
use reelbyte_core::enums::{FavoritedType, TransactionStatus};
use reelbyte_core::error::Result;
use reelbyte_core::idempotency::IdempotencyRecord;
use reelbyte_core::ids::*;
use reelbyte_core::ledger::{LedgerAccount, LedgerPosting};
use reelbyte_core::notify::OutboxMessage;
use reelbyte_core::store::*;
use uuid::Uuid;

use crate::PgStore;
use crate::query::{Arg, limit_clause, page_clause};

#[async_trait]
impl UserRepo for PgStore {
    async fn get_by_id(&self, id: UserId) -> Result<Option<User>> {
        self.by_id(id).await
    }

    async fn get_by_email(&self, email: &str) -> Result<Option<User>> {
        self.one("WHERE t.email = $1", vec![Arg::text(email)]).await
    }
}

#[async_trait]
impl SessionRepo for PgStore {
    async fn get_by_token_hash(&self, token_hash: &str) -> Result<Option<UserSession>> {
        self.one("WHERE t.token_hash = $1", vec![Arg::text(token_hash)])
            .await
    }

    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<UserSession>> {
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn get_reset_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<PasswordResetToken>> {
        self.one("WHERE t.token_hash = $1", vec![Arg::text(token_hash)])
            .await
    }

    async fn list_reset_tokens_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<PasswordResetToken>> {
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn get_verification_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<EmailVerificationToken>> {
        self.one("WHERE t.token_hash = $1", vec![Arg::text(token_hash)])
            .await
    }

    async fn list_expired(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<UserSession>> {
        let tail = format!(
            "WHERE t.expires_at < $1 ORDER BY t.expires_at, t.id{}",
            limit_clause(limit)
        );
        self.list(&tail, vec![Arg::Time(before)]).await
    }
}

#[async_trait]
impl CreatorRepo for PgStore {
    async fn get_by_id(&self, id: CreatorProfileId) -> Result<Option<CreatorProfile>> {
        self.by_id(id).await
    }

    async fn get_by_user_id(&self, user_id: UserId) -> Result<Option<CreatorProfile>> {
        self.one("WHERE t.user_id = $1", vec![Arg::id(user_id)])
            .await
    }

    async fn list_skills_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<CreatorSkill>> {
        self.list(
            "WHERE t.creator_profile_id = $1 ORDER BY lower(t.skill_name), t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_categories_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<CreatorCategory>> {
        self.list(
            "WHERE t.creator_profile_id = $1 ORDER BY t.is_primary DESC, t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn get_portfolio_item_by_id(&self, id: PortfolioItemId) -> Result<Option<PortfolioItem>> {
        self.by_id(id).await
    }

    async fn list_portfolio_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<PortfolioItem>> {
        self.list(
            "WHERE t.creator_profile_id = $1 \
             ORDER BY t.is_featured DESC, t.display_order, t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn search(&self, query: &CreatorQuery) -> Result<Vec<CreatorProfile>> {
        self.search_creators(query).await
    }
}

#[async_trait]
impl ClientRepo for PgStore {
    async fn get_by_id(&self, id: ClientProfileId) -> Result<Option<ClientProfile>> {
        self.by_id(id).await
    }

    async fn get_by_user_id(&self, user_id: UserId) -> Result<Option<ClientProfile>> {
        self.one("WHERE t.user_id = $1", vec![Arg::id(user_id)])
            .await
    }
}

#[async_trait]
impl PaymentMethodRepo for PgStore {
    async fn get_by_id(&self, id: PaymentMethodId) -> Result<Option<PaymentMethod>> {
        self.by_id(id).await
    }

    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<PaymentMethod>> {
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn get_payout_method_by_id(&self, id: PayoutMethodId) -> Result<Option<PayoutMethod>> {
        self.by_id(id).await
    }

    async fn list_payout_methods_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<PayoutMethod>> {
        self.list(
            "WHERE t.creator_profile_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }
}

#[async_trait]
impl GigRepo for PgStore {
    async fn get_by_id(&self, id: GigId) -> Result<Option<Gig>> {
        self.by_id(id).await
    }

    async fn get_by_slug(&self, slug: &str) -> Result<Option<Gig>> {
        self.one("WHERE t.slug = $1", vec![Arg::text(slug)]).await
    }

    async fn list_by_creator_profile_id(&self, id: CreatorProfileId) -> Result<Vec<Gig>> {
        self.list(
            "WHERE t.creator_profile_id = $1 AND t.status <> 'deleted' \
             ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn search(&self, query: &GigQuery) -> Result<Vec<Gig>> {
        self.search_gigs(query).await
    }
}

#[async_trait]
impl JobRepo for PgStore {
    async fn get_by_id(&self, id: JobId) -> Result<Option<Job>> {
        self.by_id(id).await
    }

    async fn list_by_client_profile_id(&self, id: ClientProfileId) -> Result<Vec<Job>> {
        self.list(
            "WHERE t.client_profile_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn search(&self, query: &JobQuery) -> Result<Vec<Job>> {
        self.search_jobs(query).await
    }

    async fn get_proposal_by_id(&self, id: ProposalId) -> Result<Option<Proposal>> {
        self.by_id(id).await
    }

    async fn list_proposals_by_job_id(&self, id: JobId) -> Result<Vec<Proposal>> {
        self.list(
            "WHERE t.job_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_proposals_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<Proposal>> {
        self.list(
            "WHERE t.creator_profile_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(id)],
        )
        .await
    }
}

#[async_trait]
impl ContractRepo for PgStore {
    async fn get_by_id(&self, id: ContractId) -> Result<Option<Contract>> {
        self.by_id(id).await
    }

    async fn list_by_client_profile_id(&self, id: ClientProfileId) -> Result<Vec<Contract>> {
        self.list(
            "WHERE t.client_profile_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_by_creator_profile_id(&self, id: CreatorProfileId) -> Result<Vec<Contract>> {
        self.list(
            "WHERE t.creator_profile_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_in_review_submitted_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Contract>> {
        let tail = format!(
            "WHERE t.status = 'in_review' AND t.submitted_at <= $1 \
             ORDER BY t.submitted_at, t.id{}",
            limit_clause(limit)
        );
        self.list(&tail, vec![Arg::Time(before)]).await
    }

    async fn list_pending_acceptance_created_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Contract>> {
        let tail = format!(
            "WHERE t.status = 'pending_acceptance' AND t.created_at <= $1 \
             ORDER BY t.created_at, t.id{}",
            limit_clause(limit)
        );
        self.list(&tail, vec![Arg::Time(before)]).await
    }

    async fn get_milestone_by_id(&self, id: MilestoneId) -> Result<Option<Milestone>> {
        self.by_id(id).await
    }

    async fn list_milestones_by_contract_id(&self, id: ContractId) -> Result<Vec<Milestone>> {
        self.list(
            "WHERE t.contract_id = $1 ORDER BY t.sequence_order, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn get_deliverable_by_id(&self, id: DeliverableId) -> Result<Option<Deliverable>> {
        self.by_id(id).await
    }

    async fn list_deliverables_by_contract_id(&self, id: ContractId) -> Result<Vec<Deliverable>> {
        self.list(
            "WHERE t.contract_id = $1 ORDER BY t.version_number, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn get_escrow_by_contract_id(&self, id: ContractId) -> Result<Option<EscrowAccount>> {
        self.one("WHERE t.contract_id = $1", vec![Arg::id(id)])
            .await
    }
}

#[async_trait]
impl LedgerRepo for PgStore {
    async fn get_by_id(&self, id: TransactionId) -> Result<Option<Transaction>> {
        self.by_id(id).await
    }

    async fn list_by_contract_id(&self, id: ContractId) -> Result<Vec<Transaction>> {
        self.list(
            "WHERE t.contract_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<Transaction>> {
        self.list(
            "WHERE t.payer_user_id = $1 OR t.payee_user_id = $1 \
             ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn list_by_status(
        &self,
        status: TransactionStatus,
        limit: u32,
    ) -> Result<Vec<Transaction>> {
        let tail = format!(
            "WHERE t.status = $1 ORDER BY t.created_at, t.id{}",
            limit_clause(limit)
        );
        self.list(&tail, vec![Arg::text(status.as_str())]).await
    }

    async fn list_postings_by_transaction_id(
        &self,
        id: TransactionId,
    ) -> Result<Vec<LedgerPosting>> {
        self.list(
            "WHERE t.transaction_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_postings_by_account(&self, account: LedgerAccount) -> Result<Vec<LedgerPosting>> {
        self.list(
            "WHERE t.account = $1 ORDER BY t.created_at, t.id",
            vec![Arg::text(account.key())],
        )
        .await
    }

    async fn list_all_postings(&self) -> Result<Vec<LedgerPosting>> {
        self.list("ORDER BY t.created_at, t.id", vec![]).await
    }

    async fn get_idempotency_record(
        &self,
        actor: UserId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>> {
        self.one(
            "WHERE t.actor_user_id = $1 AND t.key = $2",
            vec![Arg::id(actor), Arg::text(key)],
        )
        .await
    }
}

#[async_trait]
impl ReviewRepo for PgStore {
    async fn get_by_id(&self, id: ReviewId) -> Result<Option<Review>> {
        self.by_id(id).await
    }

    async fn list_by_contract_id(&self, id: ContractId) -> Result<Vec<Review>> {
        self.list(
            "WHERE t.contract_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_by_reviewee_user_id(&self, user_id: UserId) -> Result<Vec<Review>> {
        self.list(
            "WHERE t.reviewee_user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn list_by_reviewer_user_id(&self, user_id: UserId) -> Result<Vec<Review>> {
        self.list(
            "WHERE t.reviewer_user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }
}

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
        let unread = if unread_only {
            " AND t.is_read = FALSE"
        } else {
            ""
        };
        let tail = format!(
            "WHERE t.user_id = $1{unread} ORDER BY t.created_at DESC, t.id DESC{}",
            page_clause(page)
        );
        self.list(&tail, vec![Arg::id(user_id)]).await
    }

    async fn count_unread_by_user_id(&self, user_id: UserId) -> Result<u64> {
        self.count(
            "SELECT count(*) FROM notifications WHERE user_id = $1 AND is_read = FALSE",
            vec![Arg::id(user_id)],
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

#[async_trait]
impl DiscoveryRepo for PgStore {
    async fn list_favorites_by_user_id(
        &self,
        user_id: UserId,
        kind: Option<FavoritedType>,
    ) -> Result<Vec<Favorite>> {
        match kind {
            Some(kind) => {
                self.list(
                    "WHERE t.user_id = $1 AND t.favorited_type = $2 \
                     ORDER BY t.created_at DESC, t.id DESC",
                    vec![Arg::id(user_id), Arg::text(kind.as_str())],
                )
                .await
            }
            None => {
                self.list(
                    "WHERE t.user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
                    vec![Arg::id(user_id)],
                )
                .await
            }
        }
    }

    async fn get_favorite(
        &self,
        user_id: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<Favorite>> {
        self.one(
            "WHERE t.user_id = $1 AND t.favorited_type = $2 AND t.favorited_id = $3",
            vec![
                Arg::id(user_id),
                Arg::text(kind.as_str()),
                Arg::Uuid(target),
            ],
        )
        .await
    }

    async fn get_saved_search_by_id(&self, id: SavedSearchId) -> Result<Option<SavedSearch>> {
        self.by_id(id).await
    }

    async fn list_saved_searches_by_user_id(&self, user_id: UserId) -> Result<Vec<SavedSearch>> {
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn list_alerting_saved_searches(&self) -> Result<Vec<SavedSearch>> {
        self.list(
            "WHERE t.alert_enabled = TRUE ORDER BY t.created_at, t.id",
            vec![],
        )
        .await
    }

    async fn count_gig_views(
        &self,
        id: GigId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64> {
        self.count(
            "SELECT count(*) FROM gig_views WHERE gig_id = $1 AND viewed_at >= $2 AND viewed_at < $3",
            vec![Arg::id(id), Arg::Time(from), Arg::Time(to)],
        )
        .await
    }

    async fn count_profile_views(
        &self,
        id: CreatorProfileId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64> {
        self.count(
            "SELECT count(*) FROM profile_views \
             WHERE creator_profile_id = $1 AND viewed_at >= $2 AND viewed_at < $3",
            vec![Arg::id(id), Arg::Time(from), Arg::Time(to)],
        )
        .await
    }

    async fn list_gig_views_by_viewer_user_id(&self, user_id: UserId) -> Result<Vec<GigView>> {
        self.list(
            "WHERE t.viewer_user_id = $1 ORDER BY t.viewed_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn list_profile_views_by_viewer_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<ProfileView>> {
        self.list(
            "WHERE t.viewer_user_id = $1 ORDER BY t.viewed_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }
}

#[async_trait]
impl SupportRepo for PgStore {
    async fn get_dispute_by_id(&self, id: DisputeId) -> Result<Option<Dispute>> {
        self.by_id(id).await
    }

    async fn list_disputes_by_contract_id(&self, id: ContractId) -> Result<Vec<Dispute>> {
        self.list(
            "WHERE t.contract_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(id)],
        )
        .await
    }

    async fn list_disputes_by_raised_by_user_id(&self, user_id: UserId) -> Result<Vec<Dispute>> {
        self.list(
            "WHERE t.raised_by_user_id = $1 ORDER BY t.created_at, t.id",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn get_ticket_by_id(&self, id: SupportTicketId) -> Result<Option<SupportTicket>> {
        self.by_id(id).await
    }

    async fn list_tickets_by_user_id(&self, user_id: UserId) -> Result<Vec<SupportTicket>> {
        self.list(
            "WHERE t.user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }

    async fn list_tickets_by_assigned_to_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<SupportTicket>> {
        self.list(
            "WHERE t.assigned_to_user_id = $1 ORDER BY t.created_at DESC, t.id DESC",
            vec![Arg::id(user_id)],
        )
        .await
    }
}

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

    async fn list_consents_by_user_id(&self, user_id: UserId) -> Result<Vec<UserConsent>> {
        // No creation time; UUIDv7 ids sort in creation order.
        self.list("WHERE t.user_id = $1 ORDER BY t.id", vec![Arg::id(user_id)])
            .await
    }
}
