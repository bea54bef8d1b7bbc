//! Typed identifiers: one newtype per entity, so that a `GigId` can never be
//! passed where a `ContractId` is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Error;

macro_rules! define_ids {
    ($($(#[$meta:meta])* $name:ident => $entity:literal;)*) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// The entity name this id refers to.
            pub const ENTITY: &'static str = $entity;

            /// A new, random, time-ordered id (UUIDv7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// Parses the hyphenated or simple UUID form.
            pub fn parse(s: &str) -> Result<Self, Error> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|e| Error::validation(concat!($entity, "_id"), e))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::parse(s)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }
    )*};
}

define_ids! {
    /// Identifies a row of `users`.
    UserId => "user";
    /// Identifies a row of `user_sessions`.
    SessionId => "session";
    /// Identifies a row of `password_reset_tokens`.
    PasswordResetTokenId => "password_reset_token";
    /// Identifies a row of `creator_profiles`.
    CreatorProfileId => "creator_profile";
    /// Identifies a row of `creator_skills`.
    CreatorSkillId => "creator_skill";
    /// Identifies a row of `creator_categories`.
    CreatorCategoryId => "creator_category";
    /// Identifies a row of `portfolio_items`.
    PortfolioItemId => "portfolio_item";
    /// Identifies a row of `client_profiles`.
    ClientProfileId => "client_profile";
    /// Identifies a row of `gigs`.
    GigId => "gig";
    /// Identifies a row of `jobs`.
    JobId => "job";
    /// Identifies a row of `proposals`.
    ProposalId => "proposal";
    /// Identifies a row of `contracts`.
    ContractId => "contract";
    /// Identifies a row of `deliverables`.
    DeliverableId => "deliverable";
    /// Identifies a row of `milestones`.
    MilestoneId => "milestone";
    /// Identifies a row of `payment_methods`.
    PaymentMethodId => "payment_method";
    /// Identifies a row of `payout_methods`.
    PayoutMethodId => "payout_method";
    /// Identifies a row of `transactions`.
    TransactionId => "transaction";
    /// Identifies a double-entry ledger posting.
    PostingId => "posting";
    /// Identifies a row of `escrow_accounts`.
    EscrowAccountId => "escrow_account";
    /// Identifies a row of `reviews`.
    ReviewId => "review";
    /// Identifies a row of `conversations`.
    ConversationId => "conversation";
    /// Identifies a row of `conversation_participants`.
    ParticipantId => "conversation_participant";
    /// Identifies a row of `messages`.
    MessageId => "message";
    /// Identifies a row of `notifications`.
    NotificationId => "notification";
    /// Identifies a row of `notification_preferences`.
    NotificationPreferencesId => "notification_preferences";
    /// Identifies a row of `saved_searches`.
    SavedSearchId => "saved_search";
    /// Identifies a row of `favorites`.
    FavoriteId => "favorite";
    /// Identifies a row of `gig_views`.
    GigViewId => "gig_view";
    /// Identifies a row of `profile_views`.
    ProfileViewId => "profile_view";
    /// Identifies a row of `disputes`.
    DisputeId => "dispute";
    /// Identifies a row of `support_tickets`.
    SupportTicketId => "support_ticket";
    /// Identifies a row of `fee_structure`.
    FeeTierId => "fee_tier";
    /// Identifies a row of `audit_logs`.
    AuditLogId => "audit_log";
    /// Identifies a row of `user_consents`.
    UserConsentId => "user_consent";
    /// Identifies a stored idempotency key and its first result.
    IdempotencyRecordId => "idempotency_record";
    /// Identifies an email-verification token.
    EmailVerificationTokenId => "email_verification_token";
    /// Identifies an outbound notification (email/push) waiting in the outbox.
    OutboxMessageId => "outbox_message";
}
