//! Secondary indexes: which rows belong to which parent.
//!
//! Every list query of the repositories starts from a parent (a user, a
//! contract, a transaction, ...) or a status. Rather than scanning a table,
//! the store keeps, for each [`Idx`], a map from the parent to the ids of its
//! rows. [`entries`] says which index entries a row occupies; the store adds
//! and removes them as rows are inserted, updated and deleted, so an index is
//! never stale when a change set commits.

use reelbyte_core::ledger::LedgerAccount;
use reelbyte_core::store::{Record, Table};
use uuid::Uuid;

/// A secondary index, named `<rows>By<parent>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Idx {
    SessionsByUser,
    ResetTokensByUser,
    ConsentsByUser,
    /// Every creator profile, under [`EVERY`]: the pages of
    /// `CreatorRepo::list_after` in id order.
    Creators,
    SkillsByCreator,
    CategoriesByCreator,
    PortfolioByCreator,
    PaymentMethodsByUser,
    PayoutMethodsByCreator,
    GigsByCreator,
    GigsByStatus,
    JobsByClient,
    JobsByStatus,
    ProposalsByJob,
    ProposalsByCreator,
    ContractsByClient,
    ContractsByCreator,
    ContractsByStatus,
    MilestonesByContract,
    DeliverablesByContract,
    /// Payer and payee both: "transactions a user paid or received".
    TransactionsByUser,
    TransactionsByContract,
    TransactionsByStatus,
    PostingsByTransaction,
    PostingsByAccount,
    ReviewsByContract,
    ReviewsByReviewer,
    ReviewsByReviewee,
    ParticipantsByConversation,
    ParticipantsByUser,
    MessagesByConversation,
    MessagesBySender,
    NotificationsByUser,
    OutboxByUser,
    /// Outbox messages not yet delivered, under [`UNDELIVERED`].
    OutboxUndelivered,
    SavedSearchesByUser,
    FavoritesByUser,
    GigViewsByGig,
    GigViewsByViewer,
    ProfileViewsByProfile,
    ProfileViewsByViewer,
    DisputesByContract,
    DisputesByRaiser,
    TicketsByUser,
    TicketsByAssignee,
    /// Keyed by `entity_id` only; queries filter on `entity_type`.
    AuditByEntity,
    AuditByUser,
}

impl Idx {
    /// The table whose rows the index lists.
    pub(crate) const fn table(self) -> Table {
        match self {
            Self::SessionsByUser => Table::UserSessions,
            Self::ResetTokensByUser => Table::PasswordResetTokens,
            Self::ConsentsByUser => Table::UserConsents,
            Self::Creators => Table::CreatorProfiles,
            Self::SkillsByCreator => Table::CreatorSkills,
            Self::CategoriesByCreator => Table::CreatorCategories,
            Self::PortfolioByCreator => Table::PortfolioItems,
            Self::PaymentMethodsByUser => Table::PaymentMethods,
            Self::PayoutMethodsByCreator => Table::PayoutMethods,
            Self::GigsByCreator | Self::GigsByStatus => Table::Gigs,
            Self::JobsByClient | Self::JobsByStatus => Table::Jobs,
            Self::ProposalsByJob | Self::ProposalsByCreator => Table::Proposals,
            Self::ContractsByClient | Self::ContractsByCreator | Self::ContractsByStatus => {
                Table::Contracts
            }
            Self::MilestonesByContract => Table::Milestones,
            Self::DeliverablesByContract => Table::Deliverables,
            Self::TransactionsByUser
            | Self::TransactionsByContract
            | Self::TransactionsByStatus => Table::Transactions,
            Self::PostingsByTransaction | Self::PostingsByAccount => Table::LedgerPostings,
            Self::ReviewsByContract | Self::ReviewsByReviewer | Self::ReviewsByReviewee => {
                Table::Reviews
            }
            Self::ParticipantsByConversation | Self::ParticipantsByUser => {
                Table::ConversationParticipants
            }
            Self::MessagesByConversation | Self::MessagesBySender => Table::Messages,
            Self::NotificationsByUser => Table::Notifications,
            Self::OutboxByUser | Self::OutboxUndelivered => Table::NotificationOutbox,
            Self::SavedSearchesByUser => Table::SavedSearches,
            Self::FavoritesByUser => Table::Favorites,
            Self::GigViewsByGig | Self::GigViewsByViewer => Table::GigViews,
            Self::ProfileViewsByProfile | Self::ProfileViewsByViewer => Table::ProfileViews,
            Self::DisputesByContract | Self::DisputesByRaiser => Table::Disputes,
            Self::TicketsByUser | Self::TicketsByAssignee => Table::SupportTickets,
            Self::AuditByEntity | Self::AuditByUser => Table::AuditLogs,
        }
    }
}

/// What a row is listed under in an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Parent {
    /// A parent row's id.
    Id(Uuid),
    /// A ledger account.
    Account(LedgerAccount),
    /// A status or another fixed tag.
    Tag(&'static str),
}

impl Parent {
    /// The parent of a typed id.
    pub(crate) fn id(id: impl Into<Uuid>) -> Self {
        Self::Id(id.into())
    }
}

/// The tag of [`Idx::Creators`].
pub(crate) const EVERY: &str = "every";

/// The tag of [`Idx::OutboxUndelivered`].
pub(crate) const UNDELIVERED: &str = "undelivered";

/// The most entries one row occupies (a transaction: payer, payee, contract
/// and status).
pub(crate) const MAX_ENTRIES: usize = 4;

/// The index entries of one row, without allocating.
pub(crate) type Entries = [Option<(Idx, Parent)>; MAX_ENTRIES];

/// Pads `items` to an [`Entries`]; a row with too many entries fails to compile.
fn list<const N: usize>(items: [Option<(Idx, Parent)>; N]) -> Entries {
    const { assert!(N <= MAX_ENTRIES, "raise MAX_ENTRIES") };
    let mut out: Entries = [None; MAX_ENTRIES];
    for (slot, item) in out.iter_mut().zip(items) {
        *slot = item;
    }
    out
}

/// An entry under a parent id.
fn by(idx: Idx, id: impl Into<Uuid>) -> Option<(Idx, Parent)> {
    Some((idx, Parent::id(id)))
}

/// An entry under a parent id, when the row has one (nullable foreign keys).
fn by_opt<T: Into<Uuid>>(idx: Idx, id: Option<T>) -> Option<(Idx, Parent)> {
    id.map(|id| (idx, Parent::id(id)))
}

/// An entry under a status.
fn tag(idx: Idx, status: &'static str) -> Option<(Idx, Parent)> {
    Some((idx, Parent::Tag(status)))
}

/// The index entries `record` occupies.
pub(crate) fn entries(record: &Record) -> Entries {
    use Idx::*;
    match record {
        Record::UserSession(s) => list([by(SessionsByUser, s.user_id)]),
        Record::PasswordResetToken(t) => list([by(ResetTokensByUser, t.user_id)]),
        Record::UserConsent(c) => list([by(ConsentsByUser, c.user_id)]),
        Record::CreatorProfile(_) => list([tag(Creators, EVERY)]),
        Record::CreatorSkill(s) => list([by(SkillsByCreator, s.creator_profile_id)]),
        Record::CreatorCategory(c) => list([by(CategoriesByCreator, c.creator_profile_id)]),
        Record::PortfolioItem(p) => list([by(PortfolioByCreator, p.creator_profile_id)]),
        Record::PaymentMethod(m) => list([by(PaymentMethodsByUser, m.user_id)]),
        Record::PayoutMethod(m) => list([by(PayoutMethodsByCreator, m.creator_profile_id)]),
        Record::Gig(g) => list([
            by(GigsByCreator, g.creator_profile_id),
            tag(GigsByStatus, g.status.as_str()),
        ]),
        Record::Job(j) => list([
            by(JobsByClient, j.client_profile_id),
            tag(JobsByStatus, j.status.as_str()),
        ]),
        Record::Proposal(p) => list([
            by(ProposalsByJob, p.job_id),
            by(ProposalsByCreator, p.creator_profile_id),
        ]),
        Record::Contract(c) => list([
            by(ContractsByClient, c.client_profile_id),
            by(ContractsByCreator, c.creator_profile_id),
            tag(ContractsByStatus, c.status.as_str()),
        ]),
        Record::Milestone(m) => list([by(MilestonesByContract, m.contract_id)]),
        Record::Deliverable(d) => list([by(DeliverablesByContract, d.contract_id)]),
        Record::Transaction(t) => list([
            by_opt(TransactionsByUser, t.payer_user_id),
            by_opt(TransactionsByUser, t.payee_user_id),
            by_opt(TransactionsByContract, t.contract_id),
            tag(TransactionsByStatus, t.status.as_str()),
        ]),
        Record::LedgerPosting(p) => list([
            by(PostingsByTransaction, p.transaction_id),
            Some((PostingsByAccount, Parent::Account(p.account))),
        ]),
        Record::Review(r) => list([
            by(ReviewsByContract, r.contract_id),
            by(ReviewsByReviewer, r.reviewer_user_id),
            by(ReviewsByReviewee, r.reviewee_user_id),
        ]),
        Record::ConversationParticipant(p) => list([
            by(ParticipantsByConversation, p.conversation_id),
            by(ParticipantsByUser, p.user_id),
        ]),
        Record::Message(m) => list([
            by(MessagesByConversation, m.conversation_id),
            by(MessagesBySender, m.sender_user_id),
        ]),
        Record::Notification(n) => list([by(NotificationsByUser, n.user_id)]),
        Record::OutboxMessage(m) => list([
            by(OutboxByUser, m.user_id),
            m.delivered_at
                .is_none()
                .then_some((OutboxUndelivered, Parent::Tag(UNDELIVERED))),
        ]),
        Record::SavedSearch(s) => list([by(SavedSearchesByUser, s.user_id)]),
        Record::Favorite(f) => list([by(FavoritesByUser, f.user_id)]),
        Record::GigView(v) => list([
            by(GigViewsByGig, v.gig_id),
            by_opt(GigViewsByViewer, v.viewer_user_id),
        ]),
        Record::ProfileView(v) => list([
            by(ProfileViewsByProfile, v.creator_profile_id),
            by_opt(ProfileViewsByViewer, v.viewer_user_id),
        ]),
        Record::Dispute(d) => list([
            by(DisputesByContract, d.contract_id),
            by(DisputesByRaiser, d.raised_by_user_id),
        ]),
        Record::SupportTicket(t) => list([
            by(TicketsByUser, t.user_id),
            by_opt(TicketsByAssignee, t.assigned_to_user_id),
        ]),
        Record::AuditLog(a) => list([
            by(AuditByEntity, a.entity_id),
            by_opt(AuditByUser, a.user_id),
        ]),
        // Looked up by primary or unique key only, or listed by a scan
        // (search, settings, fee tiers): no secondary index.
        Record::User(_)
        | Record::EmailVerificationToken(_)
        | Record::ClientProfile(_)
        | Record::EscrowAccount(_)
        | Record::IdempotencyRecord(_)
        | Record::Conversation(_)
        | Record::NotificationPreferences(_)
        | Record::PlatformSetting(_)
        | Record::FeeTier(_) => [None; MAX_ENTRIES],
    }
}
