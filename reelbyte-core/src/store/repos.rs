//! Repository traits: one per aggregate, read-only, with one vocabulary.
//!
//! `get_by_id` returns `Ok(None)` for a missing row; `get_by_ids` returns
//! the rows found for several ids, in the order given; `get_by_<key>` looks a
//! row up by a unique key; `list_by_<parent>_id` lists a parent's children in
//! a stable order. Every write goes through [`Store::apply`](super::Store::apply)
//! as one [`ChangeSet`](super::ChangeSet), so a repository never half-writes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::EmailVerificationToken;
use crate::entities::*;
use crate::enums::{AvailabilityStatus, FavoritedType, TransactionStatus};
use crate::error::Result;
use crate::idempotency::IdempotencyRecord;
use crate::ids::*;
use crate::ledger::{LedgerAccount, LedgerPosting};
use crate::money::Money;
use crate::notify::OutboxMessage;

/// The rows `get` finds for `ids`, in the order of `ids`, leaving out the
/// ids it finds nothing for: the default of the `get_by_ids` methods, one
/// read per id, for stores whose reads cost no round trip.
async fn each_found<I, T, F, Fut>(ids: &[I], get: F) -> Result<Vec<T>>
where
    I: Copy,
    F: Fn(I) -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        found.extend(get(*id).await?);
    }
    Ok(found)
}

/// Offset pagination for browse and search results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// How many items at most (1..=100).
    pub limit: u32,
    /// How many items to skip.
    pub offset: u32,
}

impl Page {
    /// The largest page size a query serves.
    pub const MAX_LIMIT: u32 = 100;

    /// A page of `limit` items (clamped to 1..=100) starting at `offset`.
    pub fn new(limit: u32, offset: u32) -> Self {
        Self {
            limit: limit.clamp(1, Self::MAX_LIMIT),
            offset,
        }
    }

    /// The first page of 20 items.
    pub fn first() -> Self {
        Self::new(20, 0)
    }
}

impl Default for Page {
    fn default() -> Self {
        Self::first()
    }
}

/// Filters for browsing and searching active gigs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GigQuery {
    /// Free text matched against title, description and tags.
    pub text: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Basic price at least this.
    pub min_price: Option<Money>,
    /// Basic price at most this.
    pub max_price: Option<Money>,
    /// Basic delivery within this many days.
    pub max_delivery_days: Option<i32>,
    /// Which page.
    pub page: Page,
}

/// Filters for browsing and searching open jobs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobQuery {
    /// Free text matched against title and description.
    pub text: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Jobs requiring any of these skills.
    pub skills: Vec<String>,
    /// Budget maximum at least this.
    pub min_budget: Option<Money>,
    /// Budget minimum at most this.
    pub max_budget: Option<Money>,
    /// Which page.
    pub page: Page,
}

/// Filters for finding creators.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreatorQuery {
    /// Has this skill (case-insensitive).
    pub skill: Option<String>,
    /// Works in this category (case-insensitive).
    pub category: Option<String>,
    /// Average rating at least this.
    pub min_rating: Option<rust_decimal::Decimal>,
    /// Availability.
    pub availability: Option<AvailabilityStatus>,
    /// Which page.
    pub page: Page,
}

/// A cursor into a conversation's messages, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageCursor {
    /// `created_at` of the last message already seen.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// `id` of the last message already seen (ties on `created_at`).
    pub id: MessageId,
}

/// Users and their credentials.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait UserRepo: Send + Sync {
    /// The user with `id`.
    async fn get_by_id(&self, id: UserId) -> Result<Option<User>>;
    /// The users with these ids, in the order of `ids` (an id given twice
    /// comes back twice; one with no row is left out). One round trip where
    /// the backend can make it; the default reads them one by one.
    async fn get_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>> {
        each_found(ids, |id| self.get_by_id(id)).await
    }
    /// The user with `email` (already normalised).
    async fn get_by_email(&self, email: &str) -> Result<Option<User>>;
}

/// Sessions, password-reset and email-verification tokens.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SessionRepo: Send + Sync {
    /// The session whose token hashes to `token_hash`.
    async fn get_by_token_hash(&self, token_hash: &str) -> Result<Option<UserSession>>;
    /// A user's sessions, newest first.
    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<UserSession>>;
    /// The password-reset token that hashes to `token_hash`.
    async fn get_reset_token_by_hash(&self, token_hash: &str)
    -> Result<Option<PasswordResetToken>>;
    /// A user's password-reset tokens.
    async fn list_reset_tokens_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<PasswordResetToken>>;
    /// The email-verification token that hashes to `token_hash`.
    async fn get_verification_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<EmailVerificationToken>>;
    /// Sessions that expired before `before`.
    async fn list_expired(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<UserSession>>;
}

/// Creator profiles with skills, categories and portfolio.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CreatorRepo: Send + Sync {
    /// The profile with `id`.
    async fn get_by_id(&self, id: CreatorProfileId) -> Result<Option<CreatorProfile>>;
    /// The profiles with these ids, in the order of `ids` (an id given twice
    /// comes back twice; one with no row is left out). One round trip where
    /// the backend can make it; the default reads them one by one.
    async fn get_by_ids(&self, ids: &[CreatorProfileId]) -> Result<Vec<CreatorProfile>> {
        each_found(ids, |id| self.get_by_id(id)).await
    }
    /// The profile of `user_id`.
    async fn get_by_user_id(&self, user_id: UserId) -> Result<Option<CreatorProfile>>;
    /// A profile's skills, by name.
    async fn list_skills_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<CreatorSkill>>;
    /// A profile's categories, primary first.
    async fn list_categories_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<CreatorCategory>>;
    /// The portfolio item with `id`.
    async fn get_portfolio_item_by_id(&self, id: PortfolioItemId) -> Result<Option<PortfolioItem>>;
    /// A profile's portfolio, featured first, then by `display_order`.
    async fn list_portfolio_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<PortfolioItem>>;
    /// Creators matching `query`, best rated first.
    async fn search(&self, query: &CreatorQuery) -> Result<Vec<CreatorProfile>>;
    /// Every profile in id order, a page at a time: the first `limit`
    /// whose id is greater than `after` (from the first when `None`).
    /// A sweep that passes the last id of each page as the next `after`
    /// sees every row that lives through it once, however the rows change
    /// meanwhile (their ids do not), and each page costs the same however
    /// far the sweep has gone.
    async fn list_after(
        &self,
        after: Option<CreatorProfileId>,
        limit: u32,
    ) -> Result<Vec<CreatorProfile>>;
    /// A profile's skills, categories and portfolio, each as its own list
    /// method orders it: one call, so that a backend may fetch the three
    /// together (the Redis cache reads them in one round trip).
    async fn list_parts_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<(Vec<CreatorSkill>, Vec<CreatorCategory>, Vec<PortfolioItem>)> {
        Ok((
            self.list_skills_by_creator_profile_id(id).await?,
            self.list_categories_by_creator_profile_id(id).await?,
            self.list_portfolio_by_creator_profile_id(id).await?,
        ))
    }
}

/// Client profiles.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ClientRepo: Send + Sync {
    /// The profile with `id`.
    async fn get_by_id(&self, id: ClientProfileId) -> Result<Option<ClientProfile>>;
    /// The profile of `user_id`.
    async fn get_by_user_id(&self, user_id: UserId) -> Result<Option<ClientProfile>>;
}

/// Payment and payout methods.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PaymentMethodRepo: Send + Sync {
    /// The payment method with `id`.
    async fn get_by_id(&self, id: PaymentMethodId) -> Result<Option<PaymentMethod>>;
    /// A user's payment methods, oldest first.
    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<PaymentMethod>>;
    /// The payout method with `id`.
    async fn get_payout_method_by_id(&self, id: PayoutMethodId) -> Result<Option<PayoutMethod>>;
    /// A creator's payout methods, oldest first.
    async fn list_payout_methods_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<PayoutMethod>>;
}

/// Gigs.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait GigRepo: Send + Sync {
    /// The gig with `id`.
    async fn get_by_id(&self, id: GigId) -> Result<Option<Gig>>;
    /// The gigs with these ids, in the order of `ids` (an id given twice
    /// comes back twice; one with no row is left out). One round trip where
    /// the backend can make it; the default reads them one by one.
    async fn get_by_ids(&self, ids: &[GigId]) -> Result<Vec<Gig>> {
        each_found(ids, |id| self.get_by_id(id)).await
    }
    /// The gig with `slug`.
    async fn get_by_slug(&self, slug: &str) -> Result<Option<Gig>>;
    /// A creator's gigs (every status but deleted), newest first.
    async fn list_by_creator_profile_id(&self, id: CreatorProfileId) -> Result<Vec<Gig>>;
    /// Active gigs matching `query`: by text relevance when there is text,
    /// else newest published first. (`Marketplace::browse_gigs` adds the
    /// typo fallback of [`crate::spelling`].)
    async fn search(&self, query: &GigQuery) -> Result<Vec<Gig>>;
}

/// Jobs and their proposals.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait JobRepo: Send + Sync {
    /// The job with `id`.
    async fn get_by_id(&self, id: JobId) -> Result<Option<Job>>;
    /// The jobs with these ids, in the order of `ids` (an id given twice
    /// comes back twice; one with no row is left out). One round trip where
    /// the backend can make it; the default reads them one by one.
    async fn get_by_ids(&self, ids: &[JobId]) -> Result<Vec<Job>> {
        each_found(ids, |id| self.get_by_id(id)).await
    }
    /// A client's jobs, newest first.
    async fn list_by_client_profile_id(&self, id: ClientProfileId) -> Result<Vec<Job>>;
    /// Open jobs matching `query`, newest published first.
    /// (`Marketplace::browse_jobs` adds the typo fallback of
    /// [`crate::spelling`].)
    async fn search(&self, query: &JobQuery) -> Result<Vec<Job>>;
    /// Open jobs in id order, a page at a time, as
    /// [`CreatorRepo::list_after`] pages creators.
    async fn list_open_after(&self, after: Option<JobId>, limit: u32) -> Result<Vec<Job>>;
    /// The proposal with `id`.
    async fn get_proposal_by_id(&self, id: ProposalId) -> Result<Option<Proposal>>;
    /// A job's proposals, oldest first.
    async fn list_proposals_by_job_id(&self, id: JobId) -> Result<Vec<Proposal>>;
    /// A creator's proposals, newest first.
    async fn list_proposals_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<Proposal>>;
}

/// Contracts with their milestones, deliverables and escrow.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ContractRepo: Send + Sync {
    /// The contract with `id`.
    async fn get_by_id(&self, id: ContractId) -> Result<Option<Contract>>;
    /// A client's contracts, newest first.
    async fn list_by_client_profile_id(&self, id: ClientProfileId) -> Result<Vec<Contract>>;
    /// A creator's contracts, newest first.
    async fn list_by_creator_profile_id(&self, id: CreatorProfileId) -> Result<Vec<Contract>>;
    /// Contracts in review whose work was submitted at or before `before`.
    async fn list_in_review_submitted_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Contract>>;
    /// Contracts still awaiting acceptance that were created at or before `before`.
    async fn list_pending_acceptance_created_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Contract>>;
    /// The milestone with `id`.
    async fn get_milestone_by_id(&self, id: MilestoneId) -> Result<Option<Milestone>>;
    /// A contract's milestones, by `sequence_order`.
    async fn list_milestones_by_contract_id(&self, id: ContractId) -> Result<Vec<Milestone>>;
    /// The deliverable with `id`.
    async fn get_deliverable_by_id(&self, id: DeliverableId) -> Result<Option<Deliverable>>;
    /// A contract's deliverables, by `version_number`.
    async fn list_deliverables_by_contract_id(&self, id: ContractId) -> Result<Vec<Deliverable>>;
    /// The escrow account of a contract.
    async fn get_escrow_by_contract_id(&self, id: ContractId) -> Result<Option<EscrowAccount>>;
}

/// Transactions, ledger postings and idempotency keys.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait LedgerRepo: Send + Sync {
    /// The transaction with `id`.
    async fn get_by_id(&self, id: TransactionId) -> Result<Option<Transaction>>;
    /// A contract's transactions, oldest first.
    async fn list_by_contract_id(&self, id: ContractId) -> Result<Vec<Transaction>>;
    /// Transactions a user paid or received, newest first.
    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<Transaction>>;
    /// Transactions in `status`, oldest first.
    async fn list_by_status(
        &self,
        status: TransactionStatus,
        limit: u32,
    ) -> Result<Vec<Transaction>>;
    /// The postings of a transaction.
    async fn list_postings_by_transaction_id(
        &self,
        id: TransactionId,
    ) -> Result<Vec<LedgerPosting>>;
    /// Every posting to an account, oldest first.
    async fn list_postings_by_account(&self, account: LedgerAccount) -> Result<Vec<LedgerPosting>>;
    /// Every posting, oldest first (for audits and invariant checks).
    async fn list_all_postings(&self) -> Result<Vec<LedgerPosting>>;
    /// The idempotency record of `actor` for `key`.
    async fn get_idempotency_record(
        &self,
        actor: UserId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>>;
}

/// Reviews.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ReviewRepo: Send + Sync {
    /// The review with `id`.
    async fn get_by_id(&self, id: ReviewId) -> Result<Option<Review>>;
    /// A contract's reviews.
    async fn list_by_contract_id(&self, id: ContractId) -> Result<Vec<Review>>;
    /// Reviews about `user_id`, newest first.
    async fn list_by_reviewee_user_id(&self, user_id: UserId) -> Result<Vec<Review>>;
    /// Reviews written by `user_id`, newest first.
    async fn list_by_reviewer_user_id(&self, user_id: UserId) -> Result<Vec<Review>>;
}

/// Conversations, participants and messages.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait MessagingRepo: Send + Sync {
    /// The conversation with `id`.
    async fn get_by_id(&self, id: ConversationId) -> Result<Option<Conversation>>;
    /// A conversation's participants.
    async fn list_participants_by_conversation_id(
        &self,
        id: ConversationId,
    ) -> Result<Vec<ConversationParticipant>>;
    /// A user's participations, by the conversation's last message, newest first.
    async fn list_participations_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<ConversationParticipant>>;
    /// The message with `id`.
    async fn get_message_by_id(&self, id: MessageId) -> Result<Option<Message>>;
    /// A conversation's messages, newest first, strictly after `cursor`.
    async fn list_messages_by_conversation_id(
        &self,
        id: ConversationId,
        cursor: Option<MessageCursor>,
        limit: u32,
    ) -> Result<Vec<Message>>;
    /// Messages sent by `user_id`.
    async fn list_messages_by_sender_user_id(&self, user_id: UserId) -> Result<Vec<Message>>;
}

/// Notifications, preferences and the outbox.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait NotificationRepo: Send + Sync {
    /// The notification with `id`.
    async fn get_by_id(&self, id: NotificationId) -> Result<Option<Notification>>;
    /// A user's notifications, newest first.
    async fn list_by_user_id(
        &self,
        user_id: UserId,
        unread_only: bool,
        page: Page,
    ) -> Result<Vec<Notification>>;
    /// Every notification of a user (only the unread ones when
    /// `unread_only`), newest first, in one read: for commands that change
    /// them all, which pages at an offset would make skip or repeat a row
    /// when another request moves the list between two pages.
    async fn list_every_by_user_id(
        &self,
        user_id: UserId,
        unread_only: bool,
    ) -> Result<Vec<Notification>>;
    /// How many of a user's notifications are unread.
    async fn count_unread_by_user_id(&self, user_id: UserId) -> Result<u64>;
    /// The entities among `among` that some notification of the user of
    /// type `notification_type` is about (`related_entity_id`), each once,
    /// in no particular order: one read, however many notifications the
    /// user has.
    async fn list_related_ids_by_user_id(
        &self,
        user_id: UserId,
        notification_type: &str,
        among: &[Uuid],
    ) -> Result<Vec<Uuid>>;
    /// A user's notification preferences.
    async fn get_preferences_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Option<NotificationPreferences>>;
    /// The saved preferences of those of `user_ids` who saved any, in no
    /// particular order (a command notifying several users reads them at
    /// once). The default asks for each user in turn.
    async fn list_preferences_by_user_ids(
        &self,
        user_ids: &[UserId],
    ) -> Result<Vec<NotificationPreferences>> {
        let mut found = Vec::with_capacity(user_ids.len());
        for &user in user_ids {
            if let Some(prefs) = self.get_preferences_by_user_id(user).await? {
                found.push(prefs);
            }
        }
        Ok(found)
    }
    /// Undelivered outbox messages, oldest first.
    async fn list_undelivered_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>>;
    /// A user's outbox messages, oldest first.
    async fn list_outbox_by_user_id(&self, user_id: UserId) -> Result<Vec<OutboxMessage>>;
}

/// Favorites, saved searches and view analytics.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait DiscoveryRepo: Send + Sync {
    /// A user's favorites of one kind, newest first.
    async fn list_favorites_by_user_id(
        &self,
        user_id: UserId,
        kind: Option<FavoritedType>,
    ) -> Result<Vec<Favorite>>;
    /// The favorite of `user_id` for `(kind, target)`.
    async fn get_favorite(
        &self,
        user_id: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<Favorite>>;
    /// The saved search with `id`.
    async fn get_saved_search_by_id(&self, id: SavedSearchId) -> Result<Option<SavedSearch>>;
    /// A user's saved searches.
    async fn list_saved_searches_by_user_id(&self, user_id: UserId) -> Result<Vec<SavedSearch>>;
    /// Saved searches with alerts enabled.
    async fn list_alerting_saved_searches(&self) -> Result<Vec<SavedSearch>>;
    /// Views of a gig in `[from, to)`.
    async fn count_gig_views(
        &self,
        id: GigId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64>;
    /// Views of a creator profile in `[from, to)`.
    async fn count_profile_views(
        &self,
        id: CreatorProfileId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64>;
    /// Gig views recorded for `viewer`.
    async fn list_gig_views_by_viewer_user_id(&self, user_id: UserId) -> Result<Vec<GigView>>;
    /// Profile views recorded for `viewer`.
    async fn list_profile_views_by_viewer_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<ProfileView>>;
    /// The words of the search vocabulary (every word of gig titles and
    /// tags and of job titles and skills, see [`crate::spelling`]) filed
    /// under any of `keys` (from [`crate::spelling::lookup_keys`]): sorted,
    /// without repeats, at most [`crate::spelling::MAX_CANDIDATES`].
    async fn spelling_candidates(&self, keys: &[String]) -> Result<Vec<String>>;
}

/// Disputes and support tickets.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SupportRepo: Send + Sync {
    /// The dispute with `id`.
    async fn get_dispute_by_id(&self, id: DisputeId) -> Result<Option<Dispute>>;
    /// A contract's disputes, oldest first.
    async fn list_disputes_by_contract_id(&self, id: ContractId) -> Result<Vec<Dispute>>;
    /// Disputes raised by `user_id`.
    async fn list_disputes_by_raised_by_user_id(&self, user_id: UserId) -> Result<Vec<Dispute>>;
    /// The ticket with `id`.
    async fn get_ticket_by_id(&self, id: SupportTicketId) -> Result<Option<SupportTicket>>;
    /// A user's tickets, newest first.
    async fn list_tickets_by_user_id(&self, user_id: UserId) -> Result<Vec<SupportTicket>>;
    /// Tickets assigned to a staff member, newest first.
    async fn list_tickets_by_assigned_to_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<SupportTicket>>;
}

/// Platform settings, fee tiers, audit log and consents.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AdminRepo: Send + Sync {
    /// The setting with `key`.
    async fn get_setting(&self, key: &str) -> Result<Option<PlatformSetting>>;
    /// Every setting, by key.
    async fn list_settings(&self) -> Result<Vec<PlatformSetting>>;
    /// Every fee tier, by `effective_from`.
    async fn list_fee_tiers(&self) -> Result<Vec<FeeTier>>;
    /// The audit entries of an entity, oldest first.
    async fn list_audit_by_entity(
        &self,
        entity_type: &str,
        entity_id: Uuid,
    ) -> Result<Vec<AuditLog>>;
    /// The audit entries written by an actor, oldest first.
    async fn list_audit_by_user_id(&self, user_id: UserId) -> Result<Vec<AuditLog>>;
    /// The newest `limit` audit entries written by an actor, newest first
    /// (by time, then id, descending): what an activity feed shows.
    async fn list_recent_audit_by_user_id(
        &self,
        user_id: UserId,
        limit: u32,
    ) -> Result<Vec<AuditLog>>;
    /// A user's consents, oldest first.
    async fn list_consents_by_user_id(&self, user_id: UserId) -> Result<Vec<UserConsent>>;
}
