//! [`CachedStore`]: a read-through cache over any [`Store`].

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use redis::aio::ConnectionLike;
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

use crate::cache::{Cache, CacheTtls, Kind, Part, SearchKind};

/// Settings of a [`CachedStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheConfig {
    /// Prefix of every key (`"reelbyte"` by default, without the colon).
    pub prefix: String,
    /// Time-to-live of each kind of value.
    pub ttls: CacheTtls,
    /// Longest wait for one cache round trip before it counts as a miss.
    pub timeout: Duration,
    /// After a cache failure, how long every cache call is skipped (reads
    /// go to the inner store) before Redis is tried again.
    pub retry_after: Duration,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            prefix: "reelbyte".to_owned(),
            ttls: CacheTtls::default(),
            timeout: Duration::from_secs(1),
            retry_after: Duration::from_secs(1),
        }
    }
}

impl CacheConfig {
    /// The default settings under another key prefix.
    pub fn with_prefix(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            ..Self::default()
        }
    }
}

/// A decorator that caches the hot reads of any [`Store`] in Redis.
///
/// Users, creator and client profiles, gigs, jobs, contracts (by id),
/// sessions (by token hash), a creator's skills, categories and portfolio
/// (by creator profile) and gig, job and creator searches are read through
/// the cache; every other read, [`Store::apply`] and [`Store::dump`]
/// go to the inner store. After `apply` (successful or not) every key the
/// change set touches is invalidated; see the [`cache`](crate::cache) module
/// for why a racing reader cannot put a stale value back.
///
/// A cache error (Redis down, timeout, undecodable entry) is logged with
/// `tracing` and treated as a miss: the store keeps answering from the inner
/// store, never failing because of the cache.
pub struct CachedStore<C> {
    inner: Arc<dyn Store>,
    cache: Cache<C>,
}

impl<C> std::fmt::Debug for CachedStore<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedStore")
            .field("inner", &self.inner)
            .field("cache", &self.cache)
            .finish()
    }
}

impl<C> CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    /// Caches `inner` through `conn` with `config`.
    pub fn new(inner: Arc<dyn Store>, conn: C, config: CacheConfig) -> Self {
        Self {
            inner,
            cache: Cache::new(
                conn,
                &config.prefix,
                config.ttls,
                config.timeout,
                config.retry_after,
            ),
        }
    }

    /// The store behind the cache.
    pub fn inner(&self) -> &Arc<dyn Store> {
        &self.inner
    }
}

#[async_trait]
impl<C> Store for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    fn users(&self) -> &dyn UserRepo {
        self
    }
    fn sessions(&self) -> &dyn SessionRepo {
        self
    }
    fn creators(&self) -> &dyn CreatorRepo {
        self
    }
    fn clients(&self) -> &dyn ClientRepo {
        self
    }
    fn payment_methods(&self) -> &dyn PaymentMethodRepo {
        self
    }
    fn gigs(&self) -> &dyn GigRepo {
        self
    }
    fn jobs(&self) -> &dyn JobRepo {
        self
    }
    fn contracts(&self) -> &dyn ContractRepo {
        self
    }
    fn ledger(&self) -> &dyn LedgerRepo {
        self
    }
    fn reviews(&self) -> &dyn ReviewRepo {
        self
    }
    fn messaging(&self) -> &dyn MessagingRepo {
        self
    }
    fn notifications(&self) -> &dyn NotificationRepo {
        self
    }
    fn discovery(&self) -> &dyn DiscoveryRepo {
        self
    }
    fn support(&self) -> &dyn SupportRepo {
        self
    }
    fn admin(&self) -> &dyn AdminRepo {
        self
    }

    /// Straight from the inner store: commands read a contract with its
    /// parties just before they write, usually right after the previous
    /// command's writes invalidated those keys, and the inner store answers
    /// in one read (one join on PostgreSQL) where the cache would ask for
    /// four keys and miss.
    async fn contract_parties(&self, id: ContractId) -> Result<Option<ContractParties>> {
        self.inner.contract_parties(id).await
    }

    /// Straight from the inner store, as `contract_parties` and for the same
    /// reason: one read there (one join on PostgreSQL).
    async fn contract_parties_with_user(
        &self,
        id: ContractId,
        user: UserId,
    ) -> Result<(Option<ContractParties>, Option<User>)> {
        self.inner.contract_parties_with_user(id, user).await
    }

    /// Straight from the inner store, as `contract_parties_with_user`: a
    /// charge reads the payment methods just before it writes.
    async fn charge_context(&self, id: ContractId, user: UserId) -> Result<ChargeContext> {
        self.inner.charge_context(id, user).await
    }

    /// Straight from the inner store, as `contract_work`: delivering
    /// decides from the work and guards it with versions.
    async fn work_context(&self, id: ContractId, user: UserId) -> Result<WorkContext> {
        self.inner.work_context(id, user).await
    }

    /// Straight from the inner store, as `contract_work` and
    /// `contract_money`: approving decides from the work and settles the
    /// escrow from the transactions.
    async fn settlement_context(&self, id: ContractId, user: UserId) -> Result<SettlementContext> {
        self.inner.settlement_context(id, user).await
    }

    /// Straight from the inner store, as `contract_parties`: an order is a
    /// write that guards the gig's version, so a cached copy could only
    /// make it fail, and the inner store answers in one read (one
    /// statement on PostgreSQL) where the cache would ask for six.
    async fn gig_order_context(&self, gig: GigId, user: UserId) -> Result<GigOrderContext> {
        self.inner.gig_order_context(gig, user).await
    }

    /// Straight from the inner store, as `contract_parties`: approving a
    /// delivery decides from these lists and guards them with versions, so
    /// a cached copy could only make it fail, and the inner store answers
    /// in one read (one statement on PostgreSQL).
    async fn contract_work(&self, id: ContractId) -> Result<ContractWork> {
        self.inner.contract_work(id).await
    }

    /// The page from the cache: each of its five parts is cached on its
    /// own (so a write invalidates only what it touched), and the parts the
    /// cache holds come back in one round trip.
    async fn creator_profile_bundle(
        &self,
        id: CreatorProfileId,
    ) -> Result<Option<CreatorProfileBundle>> {
        let Some(owner) = self.cache.owner_of(id.as_uuid()) else {
            // The first page of this profile in this process: read the
            // profile first to learn its owner (two round trips, once).
            let bundle = read_creator_profile_bundle(self, id).await?;
            self.cache.learn_owner(
                id.as_uuid(),
                bundle.as_ref().map(|b| b.profile.user_id.as_uuid()),
            );
            return Ok(bundle);
        };
        let creators = self.inner.creators();
        let page = self
            .cache
            .creator_page(
                id.as_uuid(),
                owner,
                creators.get_by_id(id),
                self.inner.users().get_by_id(UserId::from_uuid(owner)),
                creators.list_skills_by_creator_profile_id(id),
                creators.list_categories_by_creator_profile_id(id),
                creators.list_portfolio_by_creator_profile_id(id),
            )
            .await?;
        let Some(page) = page else {
            self.cache.learn_owner(id.as_uuid(), None);
            return Ok(None);
        };
        Ok(Some(CreatorProfileBundle {
            profile: page.profile,
            owner: page.owner,
            skills: page.skills,
            categories: page.categories,
            portfolio: page.portfolio,
        }))
    }

    /// Straight from the inner store, for the same reasons as
    /// `contract_work`: settling an escrow reads it and its transactions
    /// just after the payout's writes invalidated them.
    async fn contract_money(&self, id: ContractId) -> Result<ContractMoney> {
        self.inner.contract_money(id).await
    }

    async fn apply(&self, changes: ChangeSet) -> Result<()> {
        let result = self.inner.apply(changes.clone()).await;
        // Also after a failure: a remote store may have committed before
        // reporting an error, and invalidating too much is only a miss.
        self.cache.invalidate(&changes).await;
        result
    }

    async fn dump(&self) -> Result<Vec<Record>> {
        self.inner.dump().await
    }
}

#[async_trait]
impl<C> UserRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    /// Straight to the store: one round trip there, where the cache would
    /// take one per row.
    async fn get_by_ids(&self, ids: &[UserId]) -> Result<Vec<User>> {
        self.inner.users().get_by_ids(ids).await
    }
    async fn get_by_id(&self, id: UserId) -> Result<Option<User>> {
        self.cache
            .entity(Kind::User, id.as_uuid(), self.inner.users().get_by_id(id))
            .await
    }
    async fn get_by_email(&self, email: &str) -> Result<Option<User>> {
        self.inner.users().get_by_email(email).await
    }
}

#[async_trait]
impl<C> SessionRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn get_by_token_hash(&self, token_hash: &str) -> Result<Option<UserSession>> {
        self.cache
            .session(
                token_hash,
                |s: &UserSession| s.id.as_uuid(),
                self.inner.sessions().get_by_token_hash(token_hash),
            )
            .await
    }
    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<UserSession>> {
        self.inner.sessions().list_by_user_id(user_id).await
    }
    async fn get_reset_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<PasswordResetToken>> {
        self.inner
            .sessions()
            .get_reset_token_by_hash(token_hash)
            .await
    }
    async fn list_reset_tokens_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<PasswordResetToken>> {
        self.inner
            .sessions()
            .list_reset_tokens_by_user_id(user_id)
            .await
    }
    async fn get_verification_token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<EmailVerificationToken>> {
        self.inner
            .sessions()
            .get_verification_token_by_hash(token_hash)
            .await
    }
    async fn list_expired(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<UserSession>> {
        self.inner.sessions().list_expired(before, limit).await
    }
}

#[async_trait]
impl<C> CreatorRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    /// Straight to the store: one round trip there, where the cache would
    /// take one per row.
    async fn get_by_ids(&self, ids: &[CreatorProfileId]) -> Result<Vec<CreatorProfile>> {
        self.inner.creators().get_by_ids(ids).await
    }
    async fn get_by_id(&self, id: CreatorProfileId) -> Result<Option<CreatorProfile>> {
        self.cache
            .entity(
                Kind::Creator,
                id.as_uuid(),
                self.inner.creators().get_by_id(id),
            )
            .await
    }
    async fn get_by_user_id(&self, user_id: UserId) -> Result<Option<CreatorProfile>> {
        self.inner.creators().get_by_user_id(user_id).await
    }
    async fn list_skills_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<CreatorSkill>> {
        self.cache
            .creator_part(
                Part::Skills,
                id.as_uuid(),
                self.inner.creators().list_skills_by_creator_profile_id(id),
            )
            .await
    }
    async fn list_categories_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<CreatorCategory>> {
        self.cache
            .creator_part(
                Part::Categories,
                id.as_uuid(),
                self.inner
                    .creators()
                    .list_categories_by_creator_profile_id(id),
            )
            .await
    }
    async fn get_portfolio_item_by_id(&self, id: PortfolioItemId) -> Result<Option<PortfolioItem>> {
        self.inner.creators().get_portfolio_item_by_id(id).await
    }
    async fn list_portfolio_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<PortfolioItem>> {
        self.cache
            .creator_part(
                Part::Portfolio,
                id.as_uuid(),
                self.inner
                    .creators()
                    .list_portfolio_by_creator_profile_id(id),
            )
            .await
    }
    /// Straight to the store: a sweep reads each row once, so caching
    /// its pages would only fill the cache.
    async fn list_after(
        &self,
        after: Option<CreatorProfileId>,
        limit: u32,
    ) -> Result<Vec<CreatorProfile>> {
        self.inner.creators().list_after(after, limit).await
    }
    async fn list_parts_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<(Vec<CreatorSkill>, Vec<CreatorCategory>, Vec<PortfolioItem>)> {
        let creators = self.inner.creators();
        self.cache
            .creator_parts(
                id.as_uuid(),
                creators.list_skills_by_creator_profile_id(id),
                creators.list_categories_by_creator_profile_id(id),
                creators.list_portfolio_by_creator_profile_id(id),
            )
            .await
    }
    async fn search(&self, query: &CreatorQuery) -> Result<Vec<CreatorProfile>> {
        self.cache
            .search(
                SearchKind::Creators,
                query,
                self.inner.creators().search(query),
            )
            .await
    }
}

#[async_trait]
impl<C> ClientRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn get_by_id(&self, id: ClientProfileId) -> Result<Option<ClientProfile>> {
        self.cache
            .entity(
                Kind::Client,
                id.as_uuid(),
                self.inner.clients().get_by_id(id),
            )
            .await
    }
    async fn get_by_user_id(&self, user_id: UserId) -> Result<Option<ClientProfile>> {
        self.inner.clients().get_by_user_id(user_id).await
    }
}

#[async_trait]
impl<C> PaymentMethodRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn get_by_id(&self, id: PaymentMethodId) -> Result<Option<PaymentMethod>> {
        self.inner.payment_methods().get_by_id(id).await
    }
    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<PaymentMethod>> {
        self.inner.payment_methods().list_by_user_id(user_id).await
    }
    async fn get_payout_method_by_id(&self, id: PayoutMethodId) -> Result<Option<PayoutMethod>> {
        self.inner
            .payment_methods()
            .get_payout_method_by_id(id)
            .await
    }
    async fn list_payout_methods_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<PayoutMethod>> {
        self.inner
            .payment_methods()
            .list_payout_methods_by_creator_profile_id(id)
            .await
    }
}

#[async_trait]
impl<C> GigRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    /// Straight to the store: one round trip there, where the cache would
    /// take one per row.
    async fn get_by_ids(&self, ids: &[GigId]) -> Result<Vec<Gig>> {
        self.inner.gigs().get_by_ids(ids).await
    }
    async fn get_by_id(&self, id: GigId) -> Result<Option<Gig>> {
        self.cache
            .entity(Kind::Gig, id.as_uuid(), self.inner.gigs().get_by_id(id))
            .await
    }
    async fn get_by_slug(&self, slug: &str) -> Result<Option<Gig>> {
        self.inner.gigs().get_by_slug(slug).await
    }
    async fn list_by_creator_profile_id(&self, id: CreatorProfileId) -> Result<Vec<Gig>> {
        self.inner.gigs().list_by_creator_profile_id(id).await
    }
    async fn search(&self, query: &GigQuery) -> Result<Vec<Gig>> {
        self.cache
            .search(SearchKind::Gigs, query, self.inner.gigs().search(query))
            .await
    }
}

#[async_trait]
impl<C> JobRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    /// Straight to the store: one round trip there, where the cache would
    /// take one per row.
    async fn get_by_ids(&self, ids: &[JobId]) -> Result<Vec<Job>> {
        self.inner.jobs().get_by_ids(ids).await
    }
    async fn get_by_id(&self, id: JobId) -> Result<Option<Job>> {
        self.cache
            .entity(Kind::Job, id.as_uuid(), self.inner.jobs().get_by_id(id))
            .await
    }
    async fn list_by_client_profile_id(&self, id: ClientProfileId) -> Result<Vec<Job>> {
        self.inner.jobs().list_by_client_profile_id(id).await
    }
    async fn search(&self, query: &JobQuery) -> Result<Vec<Job>> {
        self.cache
            .search(SearchKind::Jobs, query, self.inner.jobs().search(query))
            .await
    }
    /// Straight to the store, as [`CreatorRepo::list_after`] goes.
    async fn list_open_after(&self, after: Option<JobId>, limit: u32) -> Result<Vec<Job>> {
        self.inner.jobs().list_open_after(after, limit).await
    }
    async fn get_proposal_by_id(&self, id: ProposalId) -> Result<Option<Proposal>> {
        self.inner.jobs().get_proposal_by_id(id).await
    }
    async fn list_proposals_by_job_id(&self, id: JobId) -> Result<Vec<Proposal>> {
        self.inner.jobs().list_proposals_by_job_id(id).await
    }
    async fn list_proposals_by_creator_profile_id(
        &self,
        id: CreatorProfileId,
    ) -> Result<Vec<Proposal>> {
        self.inner
            .jobs()
            .list_proposals_by_creator_profile_id(id)
            .await
    }
}

#[async_trait]
impl<C> ContractRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn get_by_id(&self, id: ContractId) -> Result<Option<Contract>> {
        self.cache
            .entity(
                Kind::Contract,
                id.as_uuid(),
                self.inner.contracts().get_by_id(id),
            )
            .await
    }
    async fn list_by_client_profile_id(&self, id: ClientProfileId) -> Result<Vec<Contract>> {
        self.inner.contracts().list_by_client_profile_id(id).await
    }
    async fn list_by_creator_profile_id(&self, id: CreatorProfileId) -> Result<Vec<Contract>> {
        self.inner.contracts().list_by_creator_profile_id(id).await
    }
    async fn list_in_review_submitted_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Contract>> {
        self.inner
            .contracts()
            .list_in_review_submitted_before(before, limit)
            .await
    }
    async fn list_pending_acceptance_created_before(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Contract>> {
        self.inner
            .contracts()
            .list_pending_acceptance_created_before(before, limit)
            .await
    }
    async fn get_milestone_by_id(&self, id: MilestoneId) -> Result<Option<Milestone>> {
        self.inner.contracts().get_milestone_by_id(id).await
    }
    async fn list_milestones_by_contract_id(&self, id: ContractId) -> Result<Vec<Milestone>> {
        self.inner
            .contracts()
            .list_milestones_by_contract_id(id)
            .await
    }
    async fn get_deliverable_by_id(&self, id: DeliverableId) -> Result<Option<Deliverable>> {
        self.inner.contracts().get_deliverable_by_id(id).await
    }
    async fn list_deliverables_by_contract_id(&self, id: ContractId) -> Result<Vec<Deliverable>> {
        self.inner
            .contracts()
            .list_deliverables_by_contract_id(id)
            .await
    }
    async fn get_escrow_by_contract_id(&self, id: ContractId) -> Result<Option<EscrowAccount>> {
        self.inner.contracts().get_escrow_by_contract_id(id).await
    }
}

#[async_trait]
impl<C> LedgerRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn get_by_id(&self, id: TransactionId) -> Result<Option<Transaction>> {
        self.inner.ledger().get_by_id(id).await
    }
    async fn list_by_contract_id(&self, id: ContractId) -> Result<Vec<Transaction>> {
        self.inner.ledger().list_by_contract_id(id).await
    }
    async fn list_by_user_id(&self, user_id: UserId) -> Result<Vec<Transaction>> {
        self.inner.ledger().list_by_user_id(user_id).await
    }
    async fn list_by_status(
        &self,
        status: TransactionStatus,
        limit: u32,
    ) -> Result<Vec<Transaction>> {
        self.inner.ledger().list_by_status(status, limit).await
    }
    async fn list_postings_by_transaction_id(
        &self,
        id: TransactionId,
    ) -> Result<Vec<LedgerPosting>> {
        self.inner
            .ledger()
            .list_postings_by_transaction_id(id)
            .await
    }
    async fn list_postings_by_account(&self, account: LedgerAccount) -> Result<Vec<LedgerPosting>> {
        self.inner.ledger().list_postings_by_account(account).await
    }
    async fn list_all_postings(&self) -> Result<Vec<LedgerPosting>> {
        self.inner.ledger().list_all_postings().await
    }
    async fn get_idempotency_record(
        &self,
        actor: UserId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>> {
        self.inner.ledger().get_idempotency_record(actor, key).await
    }
}

#[async_trait]
impl<C> ReviewRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn get_by_id(&self, id: ReviewId) -> Result<Option<Review>> {
        self.inner.reviews().get_by_id(id).await
    }
    async fn list_by_contract_id(&self, id: ContractId) -> Result<Vec<Review>> {
        self.inner.reviews().list_by_contract_id(id).await
    }
    async fn list_by_reviewee_user_id(&self, user_id: UserId) -> Result<Vec<Review>> {
        self.inner.reviews().list_by_reviewee_user_id(user_id).await
    }
    async fn list_by_reviewer_user_id(&self, user_id: UserId) -> Result<Vec<Review>> {
        self.inner.reviews().list_by_reviewer_user_id(user_id).await
    }
}

#[async_trait]
impl<C> MessagingRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn get_by_id(&self, id: ConversationId) -> Result<Option<Conversation>> {
        self.inner.messaging().get_by_id(id).await
    }
    async fn list_participants_by_conversation_id(
        &self,
        id: ConversationId,
    ) -> Result<Vec<ConversationParticipant>> {
        self.inner
            .messaging()
            .list_participants_by_conversation_id(id)
            .await
    }
    async fn list_participations_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<ConversationParticipant>> {
        self.inner
            .messaging()
            .list_participations_by_user_id(user_id)
            .await
    }
    async fn get_message_by_id(&self, id: MessageId) -> Result<Option<Message>> {
        self.inner.messaging().get_message_by_id(id).await
    }
    async fn list_messages_by_conversation_id(
        &self,
        id: ConversationId,
        cursor: Option<MessageCursor>,
        limit: u32,
    ) -> Result<Vec<Message>> {
        self.inner
            .messaging()
            .list_messages_by_conversation_id(id, cursor, limit)
            .await
    }
    async fn list_messages_by_sender_user_id(&self, user_id: UserId) -> Result<Vec<Message>> {
        self.inner
            .messaging()
            .list_messages_by_sender_user_id(user_id)
            .await
    }
}

#[async_trait]
impl<C> NotificationRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn get_by_id(&self, id: NotificationId) -> Result<Option<Notification>> {
        self.inner.notifications().get_by_id(id).await
    }
    async fn list_every_by_user_id(
        &self,
        user_id: UserId,
        unread_only: bool,
    ) -> Result<Vec<Notification>> {
        self.inner
            .notifications()
            .list_every_by_user_id(user_id, unread_only)
            .await
    }
    async fn list_related_ids_by_user_id(
        &self,
        user_id: UserId,
        notification_type: &str,
        among: &[Uuid],
    ) -> Result<Vec<Uuid>> {
        self.inner
            .notifications()
            .list_related_ids_by_user_id(user_id, notification_type, among)
            .await
    }
    async fn list_by_user_id(
        &self,
        user_id: UserId,
        unread_only: bool,
        page: Page,
    ) -> Result<Vec<Notification>> {
        self.inner
            .notifications()
            .list_by_user_id(user_id, unread_only, page)
            .await
    }
    async fn count_unread_by_user_id(&self, user_id: UserId) -> Result<u64> {
        self.inner
            .notifications()
            .count_unread_by_user_id(user_id)
            .await
    }
    async fn get_preferences_by_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Option<NotificationPreferences>> {
        self.inner
            .notifications()
            .get_preferences_by_user_id(user_id)
            .await
    }
    async fn list_preferences_by_user_ids(
        &self,
        user_ids: &[UserId],
    ) -> Result<Vec<NotificationPreferences>> {
        self.inner
            .notifications()
            .list_preferences_by_user_ids(user_ids)
            .await
    }
    async fn list_undelivered_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>> {
        self.inner
            .notifications()
            .list_undelivered_outbox(limit)
            .await
    }
    async fn list_outbox_by_user_id(&self, user_id: UserId) -> Result<Vec<OutboxMessage>> {
        self.inner
            .notifications()
            .list_outbox_by_user_id(user_id)
            .await
    }
}

#[async_trait]
impl<C> DiscoveryRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn list_favorites_by_user_id(
        &self,
        user_id: UserId,
        kind: Option<FavoritedType>,
    ) -> Result<Vec<Favorite>> {
        self.inner
            .discovery()
            .list_favorites_by_user_id(user_id, kind)
            .await
    }
    async fn get_favorite(
        &self,
        user_id: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<Favorite>> {
        self.inner
            .discovery()
            .get_favorite(user_id, kind, target)
            .await
    }
    async fn get_saved_search_by_id(&self, id: SavedSearchId) -> Result<Option<SavedSearch>> {
        self.inner.discovery().get_saved_search_by_id(id).await
    }
    async fn list_saved_searches_by_user_id(&self, user_id: UserId) -> Result<Vec<SavedSearch>> {
        self.inner
            .discovery()
            .list_saved_searches_by_user_id(user_id)
            .await
    }
    async fn list_alerting_saved_searches(&self) -> Result<Vec<SavedSearch>> {
        self.inner.discovery().list_alerting_saved_searches().await
    }
    async fn count_gig_views(
        &self,
        id: GigId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64> {
        self.inner.discovery().count_gig_views(id, from, to).await
    }
    async fn count_profile_views(
        &self,
        id: CreatorProfileId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64> {
        self.inner
            .discovery()
            .count_profile_views(id, from, to)
            .await
    }
    async fn list_gig_views_by_viewer_user_id(&self, user_id: UserId) -> Result<Vec<GigView>> {
        self.inner
            .discovery()
            .list_gig_views_by_viewer_user_id(user_id)
            .await
    }
    async fn list_profile_views_by_viewer_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<ProfileView>> {
        self.inner
            .discovery()
            .list_profile_views_by_viewer_user_id(user_id)
            .await
    }

    async fn spelling_candidates(&self, keys: &[String]) -> Result<Vec<String>> {
        self.inner.discovery().spelling_candidates(keys).await
    }
}

#[async_trait]
impl<C> SupportRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn get_dispute_by_id(&self, id: DisputeId) -> Result<Option<Dispute>> {
        self.inner.support().get_dispute_by_id(id).await
    }
    async fn list_disputes_by_contract_id(&self, id: ContractId) -> Result<Vec<Dispute>> {
        self.inner.support().list_disputes_by_contract_id(id).await
    }
    async fn list_disputes_by_raised_by_user_id(&self, user_id: UserId) -> Result<Vec<Dispute>> {
        self.inner
            .support()
            .list_disputes_by_raised_by_user_id(user_id)
            .await
    }
    async fn get_ticket_by_id(&self, id: SupportTicketId) -> Result<Option<SupportTicket>> {
        self.inner.support().get_ticket_by_id(id).await
    }
    async fn list_tickets_by_user_id(&self, user_id: UserId) -> Result<Vec<SupportTicket>> {
        self.inner.support().list_tickets_by_user_id(user_id).await
    }
    async fn list_tickets_by_assigned_to_user_id(
        &self,
        user_id: UserId,
    ) -> Result<Vec<SupportTicket>> {
        self.inner
            .support()
            .list_tickets_by_assigned_to_user_id(user_id)
            .await
    }
}

#[async_trait]
impl<C> AdminRepo for CachedStore<C>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    async fn get_setting(&self, key: &str) -> Result<Option<PlatformSetting>> {
        self.inner.admin().get_setting(key).await
    }
    async fn list_settings(&self) -> Result<Vec<PlatformSetting>> {
        self.inner.admin().list_settings().await
    }
    async fn list_fee_tiers(&self) -> Result<Vec<FeeTier>> {
        self.inner.admin().list_fee_tiers().await
    }
    async fn list_audit_by_entity(
        &self,
        entity_type: &str,
        entity_id: Uuid,
    ) -> Result<Vec<AuditLog>> {
        self.inner
            .admin()
            .list_audit_by_entity(entity_type, entity_id)
            .await
    }
    async fn list_audit_by_user_id(&self, user_id: UserId) -> Result<Vec<AuditLog>> {
        self.inner.admin().list_audit_by_user_id(user_id).await
    }

    async fn list_recent_audit_by_user_id(
        &self,
        user_id: UserId,
        limit: u32,
    ) -> Result<Vec<AuditLog>> {
        self.inner
            .admin()
            .list_recent_audit_by_user_id(user_id, limit)
            .await
    }
    async fn list_consents_by_user_id(&self, user_id: UserId) -> Result<Vec<UserConsent>> {
        self.inner.admin().list_consents_by_user_id(user_id).await
    }
}
