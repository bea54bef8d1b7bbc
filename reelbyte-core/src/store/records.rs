//! [`Record`]: one row of any table, and the [`Table`] it belongs to.

use serde::{Deserialize, Serialize};

use crate::auth::EmailVerificationToken;
use crate::entities::*;
use crate::enums::DisputeStatus;
use crate::idempotency::IdempotencyRecord;
use crate::ledger::LedgerPosting;
use crate::notify::OutboxMessage;
use crate::store::change::{Entity, RowKey, UniqueKey};

macro_rules! records {
    (
        $( $(#[$doc:meta])* $variant:ident($ty:ty) => $table:ident, $name:literal, $key:ident, $versioned:tt; )*
    ) => {
        /// A table of the schema (the plan's 34 tables plus the library's own).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Table {
            $( $(#[$doc])* $table, )*
        }

        impl Table {
            /// Every table.
            pub const ALL: &'static [Table] = &[$(Table::$table),*];

            /// The SQL table name.
            pub const fn name(&self) -> &'static str {
                match self { $( Table::$table => $name, )* }
            }

            /// Whether rows of this table carry a version.
            pub const fn versioned(&self) -> bool {
                match self { $( Table::$table => $versioned, )* }
            }
        }

        /// One row of any table.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "table", content = "row", rename_all = "snake_case")]
        #[allow(clippy::large_enum_variant)]
        pub enum Record {
            $( $(#[$doc])* $variant($ty), )*
        }

        impl Record {
            /// The table the row belongs to.
            pub fn table(&self) -> Table {
                match self { $( Record::$variant(_) => Table::$table, )* }
            }

            /// The row's primary key.
            pub fn row_key(&self) -> RowKey {
                match self { $( Record::$variant(r) => Entity::row_key(r), )* }
            }

            /// The row's version (0 for append-only tables).
            pub fn version(&self) -> i64 {
                match self { $( Record::$variant(r) => Entity::version(r), )* }
            }
        }

        $(
            impl From<$ty> for Record {
                fn from(row: $ty) -> Record { Record::$variant(row) }
            }

            impl Entity for $ty {
                const TABLE: Table = Table::$table;
                const VERSIONED: bool = $versioned;
                fn row_key(&self) -> RowKey { records!(@key self, $key) }
                fn version(&self) -> i64 { records!(@version self, $versioned) }
                fn set_version(&mut self, version: i64) { records!(@set_version self, version, $versioned) }
                fn from_record(record: Record) -> Option<Self> {
                    match record { Record::$variant(r) => Some(r), _ => None }
                }
                fn from_record_ref(record: &Record) -> Option<&Self> {
                    match record { Record::$variant(r) => Some(r), _ => None }
                }
            }
        )*
    };
    (@key $self:ident, id) => { RowKey::Id($self.id.as_uuid()) };
    (@key $self:ident, name) => { RowKey::Name($self.key.to_string()) };
    (@version $self:ident, true) => { $self.version };
    (@version $self:ident, false) => { 0 };
    (@set_version $self:ident, $v:ident, true) => { $self.version = $v };
    (@set_version $self:ident, $v:ident, false) => { { let _ = ($self, $v); } };
}

records! {
    /// `users`.
    User(User) => Users, "users", id, true;
    /// `user_sessions`.
    UserSession(UserSession) => UserSessions, "user_sessions", id, true;
    /// `password_reset_tokens`.
    PasswordResetToken(PasswordResetToken) => PasswordResetTokens, "password_reset_tokens", id, true;
    /// `email_verification_tokens` (library addition).
    EmailVerificationToken(EmailVerificationToken) => EmailVerificationTokens, "email_verification_tokens", id, true;
    /// `user_consents`.
    UserConsent(UserConsent) => UserConsents, "user_consents", id, true;
    /// `creator_profiles`.
    CreatorProfile(CreatorProfile) => CreatorProfiles, "creator_profiles", id, true;
    /// `creator_skills`.
    CreatorSkill(CreatorSkill) => CreatorSkills, "creator_skills", id, true;
    /// `creator_categories`.
    CreatorCategory(CreatorCategory) => CreatorCategories, "creator_categories", id, true;
    /// `portfolio_items`.
    PortfolioItem(PortfolioItem) => PortfolioItems, "portfolio_items", id, true;
    /// `client_profiles`.
    ClientProfile(ClientProfile) => ClientProfiles, "client_profiles", id, true;
    /// `gigs`.
    Gig(Gig) => Gigs, "gigs", id, true;
    /// `jobs`.
    Job(Job) => Jobs, "jobs", id, true;
    /// `proposals`.
    Proposal(Proposal) => Proposals, "proposals", id, true;
    /// `contracts`.
    Contract(Contract) => Contracts, "contracts", id, true;
    /// `deliverables`.
    Deliverable(Deliverable) => Deliverables, "deliverables", id, true;
    /// `milestones`.
    Milestone(Milestone) => Milestones, "milestones", id, true;
    /// `payment_methods`.
    PaymentMethod(PaymentMethod) => PaymentMethods, "payment_methods", id, true;
    /// `payout_methods`.
    PayoutMethod(PayoutMethod) => PayoutMethods, "payout_methods", id, true;
    /// `transactions`.
    Transaction(Transaction) => Transactions, "transactions", id, true;
    /// `ledger_postings` (library addition).
    LedgerPosting(LedgerPosting) => LedgerPostings, "ledger_postings", id, false;
    /// `escrow_accounts`.
    EscrowAccount(EscrowAccount) => EscrowAccounts, "escrow_accounts", id, true;
    /// `idempotency_keys` (library addition).
    IdempotencyRecord(IdempotencyRecord) => IdempotencyKeys, "idempotency_keys", id, true;
    /// `reviews`.
    Review(Review) => Reviews, "reviews", id, true;
    /// `conversations`.
    Conversation(Conversation) => Conversations, "conversations", id, true;
    /// `conversation_participants`.
    ConversationParticipant(ConversationParticipant) => ConversationParticipants, "conversation_participants", id, true;
    /// `messages`.
    Message(Message) => Messages, "messages", id, true;
    /// `notifications`.
    Notification(Notification) => Notifications, "notifications", id, true;
    /// `notification_preferences`.
    NotificationPreferences(NotificationPreferences) => NotificationPreferences, "notification_preferences", id, true;
    /// `notification_outbox` (library addition).
    OutboxMessage(OutboxMessage) => NotificationOutbox, "notification_outbox", id, true;
    /// `saved_searches`.
    SavedSearch(SavedSearch) => SavedSearches, "saved_searches", id, true;
    /// `favorites`.
    Favorite(Favorite) => Favorites, "favorites", id, false;
    /// `gig_views`.
    GigView(GigView) => GigViews, "gig_views", id, false;
    /// `profile_views`.
    ProfileView(ProfileView) => ProfileViews, "profile_views", id, false;
    /// `disputes`.
    Dispute(Dispute) => Disputes, "disputes", id, true;
    /// `support_tickets`.
    SupportTicket(SupportTicket) => SupportTickets, "support_tickets", id, true;
    /// `platform_settings`.
    PlatformSetting(PlatformSetting) => PlatformSettings, "platform_settings", name, true;
    /// `fee_structure`.
    FeeTier(FeeTier) => FeeStructure, "fee_structure", id, true;
    /// `audit_logs`.
    AuditLog(AuditLog) => AuditLogs, "audit_logs", id, false;
}

impl Record {
    /// The serde names of the fields in which this row differs from
    /// `before`, in declaration order, compared typed (`==`, so `4.5` and
    /// `4.50` are no change); `None` when `before` is of another table, or
    /// for the append-only and rarely updated tables that keep no field list.
    ///
    /// An adapter that writes only the changed columns of an update uses it
    /// instead of encoding the row as read a second time to compare.
    ///
    /// ```
    /// use reelbyte_core::entities::CreatorCategory;
    /// use reelbyte_core::ids::{CreatorCategoryId, CreatorProfileId};
    /// use reelbyte_core::store::Record;
    /// use reelbyte_core::value::Text;
    ///
    /// let read = CreatorCategory {
    ///     id: CreatorCategoryId::new(),
    ///     creator_profile_id: CreatorProfileId::new(),
    ///     category: Text::parse("beauty")?,
    ///     is_primary: false,
    ///     created_at: chrono::Utc::now(),
    ///     version: 3,
    /// };
    /// let mut primary = read.clone();
    /// primary.is_primary = true;
    /// primary.version = 4;
    /// let (before, after) = (Record::from(read), Record::from(primary));
    /// assert_eq!(
    ///     after.changed_fields(&before),
    ///     Some(vec!["is_primary", "version"])
    /// );
    /// # Ok::<(), reelbyte_core::Error>(())
    /// ```
    pub fn changed_fields(&self, before: &Record) -> Option<Vec<&'static str>> {
        crate::service::audit::changed_record_fields(before, self)
    }

    /// The unique indexes this row occupies (the plan's unique indexes and
    /// the library's own, some partial: only rows in some states occupy them).
    pub fn unique_keys(&self) -> Vec<UniqueKey> {
        let mut keys = Vec::new();
        match self {
            Record::User(u) => keys.push(UniqueKey::new("users_email", &u.email)),
            Record::UserSession(s) => {
                keys.push(UniqueKey::new("user_sessions_token_hash", &s.token_hash))
            }
            Record::PasswordResetToken(t) => keys.push(UniqueKey::new(
                "password_reset_tokens_token_hash",
                &t.token_hash,
            )),
            Record::EmailVerificationToken(t) => keys.push(UniqueKey::new(
                "email_verification_tokens_token_hash",
                &t.token_hash,
            )),
            Record::CreatorProfile(p) => {
                keys.push(UniqueKey::new("creator_profiles_user_id", p.user_id))
            }
            Record::ClientProfile(p) => {
                keys.push(UniqueKey::new("client_profiles_user_id", p.user_id))
            }
            Record::CreatorSkill(s) => keys.push(UniqueKey::new(
                "creator_skills_unique",
                format!(
                    "{}:{}",
                    s.creator_profile_id,
                    s.skill_name.as_str().to_lowercase()
                ),
            )),
            Record::CreatorCategory(c) => {
                keys.push(UniqueKey::new(
                    "creator_categories_unique",
                    format!(
                        "{}:{}",
                        c.creator_profile_id,
                        c.category.as_str().to_lowercase()
                    ),
                ));
                if c.is_primary {
                    keys.push(UniqueKey::new(
                        "creator_categories_primary",
                        c.creator_profile_id,
                    ));
                }
            }
            Record::Gig(g) => keys.push(UniqueKey::new("gigs_slug", &g.slug)),
            Record::Proposal(p) => keys.push(UniqueKey::new(
                "proposals_unique",
                format!("{}:{}", p.job_id, p.creator_profile_id),
            )),
            Record::Contract(c) => {
                if let Some(proposal) = c.proposal_id {
                    keys.push(UniqueKey::new("contracts_proposal_id", proposal));
                }
            }
            Record::Milestone(m) => keys.push(UniqueKey::new(
                "milestones_sequence",
                format!("{}:{}", m.contract_id, m.sequence_order),
            )),
            Record::Deliverable(d) => keys.push(UniqueKey::new(
                "deliverables_version",
                format!("{}:{}", d.contract_id, d.version_number),
            )),
            Record::PaymentMethod(m) if m.is_default => {
                keys.push(UniqueKey::new("payment_methods_default", m.user_id))
            }
            Record::PayoutMethod(m) if m.is_default => keys.push(UniqueKey::new(
                "payout_methods_default",
                m.creator_profile_id,
            )),
            // One live charge into escrow per contract: a second concurrent
            // `fund_escrow` cannot charge the client twice.
            Record::Transaction(t)
                if t.transaction_type == crate::enums::TransactionType::EscrowHold
                    && matches!(
                        t.status,
                        crate::enums::TransactionStatus::Pending
                            | crate::enums::TransactionStatus::Processing
                            | crate::enums::TransactionStatus::Completed
                    ) =>
            {
                if let Some(contract) = t.contract_id {
                    keys.push(UniqueKey::new(
                        "transactions_escrow_hold_contract",
                        contract,
                    ));
                }
            }
            Record::EscrowAccount(e) => {
                keys.push(UniqueKey::new("escrow_accounts_contract_id", e.contract_id))
            }
            Record::IdempotencyRecord(r) => keys.push(
                crate::store::change::idempotency_unique_key(r.actor_user_id, &r.key),
            ),
            Record::Review(r) => keys.push(UniqueKey::new(
                "reviews_unique",
                format!("{}:{}", r.contract_id, r.reviewer_user_id),
            )),
            Record::ConversationParticipant(p) => keys.push(
                crate::store::change::participant_unique_key(p.conversation_id, p.user_id),
            ),
            Record::NotificationPreferences(p) => keys.push(UniqueKey::new(
                "notification_preferences_user_id",
                p.user_id,
            )),
            Record::Favorite(f) => keys.push(UniqueKey::new(
                "favorites_unique",
                format!("{}:{}:{}", f.user_id, f.favorited_type, f.favorited_id),
            )),
            Record::Dispute(d) => {
                if matches!(
                    d.status,
                    DisputeStatus::Open | DisputeStatus::UnderReview | DisputeStatus::Escalated
                ) {
                    keys.push(UniqueKey::new("disputes_open_contract", d.contract_id));
                }
            }
            _ => {}
        }
        keys
    }
}
