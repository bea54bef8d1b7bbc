//! The Marketplace service: one command or query per step of the plan's
//! workflows.
//!
//! Every command follows the same shape:
//!
//! 1. load what it needs through the store's repositories;
//! 2. check that the actor may act (private objects are reported as
//!    [`Error::NotFound`] to anyone but their owners, so ids cannot be probed);
//! 3. decide with the pure rules of this crate (state machines, money, fees);
//! 4. hand the store one [`ChangeSet`] — rows, versions, counters, ledger
//!    postings and the audit entry — that it applies atomically.
//!
//! When the store refuses the change set because a concurrent command moved a
//! version, the command starts again from step 1, at most
//! [`Marketplace::max_retries`] times. Calls to the payment gateway happen
//! between change sets, never inside one.

mod accounts;
mod admin;
pub(crate) mod audit;
mod contracts;
mod discovery;
mod disputes;
mod gigs;
mod jobs;
mod messaging;
mod notifications;
mod payments;
mod privacy;
mod profiles;
mod projections;
mod rankings;
mod reviews;
mod support;
mod tickets;

use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::clock::{Clock, SystemClock};
use crate::entities::{AuditLog, FeeTier, PaymentMethod, PayoutMethod, Transaction, User};
use crate::enums::{ReviewerType, UserStatus};
use crate::error::{Error, Result};
use crate::fees::FeeSchedule;
use crate::gateway::PaymentGateway;
use crate::idempotency::IdempotencyKey;
use crate::ids::{AuditLogId, ContractId, UserId};
use crate::policy::Policy;
use crate::store::{
    ChangeSet, ChargeContext, ContractParties, ContractWork, SettlementContext, Store, WorkContext,
};
use crate::value::Text;

pub use accounts::{LoginInput, LoginSession, RegisterInput, Registered};
pub use admin::{FEE_STRUCTURE_REVISION_KEY, FeeTierInput, MAX_SETTING_BYTES};
pub use contracts::{
    AcceptProposalInput, ContractView, DeliverableInput, MilestoneInput, OrderGigInput, rate,
    validate_milestones,
};
pub use discovery::{
    MAX_SAVED_SEARCHES, MAX_VIEW_HEADER_CHARS, SaveSearchInput, UpdateSavedSearchInput,
};
pub use disputes::{
    MAX_DISPUTE_TEXT_CHARS, MAX_EVIDENCE_URLS, RaiseDisputeInput, ResolveDisputeInput,
};
pub use gigs::{
    CreateGigInput, MAX_DELIVERY_DAYS, MAX_DESCRIPTION_CHARS, MAX_MEDIA_ITEMS, MAX_NOTE_CHARS,
    MAX_PRICE, MAX_QUERY_TEXT_CHARS, MAX_REVISIONS, MAX_SEARCH_TAGS, MAX_TAG_CHARS, TierInput,
    UpdateGigInput, validate_tiers,
};
pub use jobs::{
    CreateJobInput, MAX_COVER_LETTER_CHARS, MAX_ESTIMATED_DURATION_DAYS, MAX_REQUIRED_SKILLS,
    MIN_COVER_LETTER_CHARS, SubmitProposalInput, UpdateJobInput, validate_budget,
};
pub use messaging::{
    ConversationSubject, ConversationSummary, MAX_ATTACHMENTS, MAX_MESSAGE_CHARS, MAX_MESSAGE_PAGE,
    SendMessageInput,
};
pub use notifications::{NotificationKind, UpdatePreferencesInput};
pub use payments::{DueReport, PendingCall, Prior, ReleaseReceipt, SavedPreferences, Settlement};
pub use privacy::{ERASED, ErasureReport, UserExport};
pub use profiles::{
    AddPaymentMethodInput, AddPayoutMethodInput, AddSkillInput, CreateClientProfileInput,
    CreatorProfileView, PortfolioItemInput, UpdateClientProfileInput, UpdateCreatorProfileInput,
    UpdatePortfolioItemInput,
};
pub use projections::{ProjectionErrors, UnreadCounts};
pub use rankings::{MAX_RANKED, REBUILD_IN_FLIGHT, REBUILD_PAGE, Ranked, RankingsRebuilt};
pub use reviews::{ReviewInput, average_rating};
pub use support::Retry;
pub use tickets::{MAX_TICKET_ATTACHMENTS, MAX_TICKET_TEXT_CHARS, OpenTicketInput};

/// Who is acting, and the request metadata the audit log records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ctx {
    /// The authenticated user, if any.
    pub actor: Option<UserId>,
    /// The client's IP address, when known.
    pub ip_address: Option<IpAddr>,
    /// The client's user agent, when known.
    pub user_agent: Option<String>,
    /// The page the client came from, when known (recorded with views).
    pub referrer: Option<String>,
    /// The idempotency key of a money-moving command, when the caller sent one.
    pub idempotency_key: Option<IdempotencyKey>,
}

impl Ctx {
    /// A context for an authenticated user.
    pub fn user(actor: UserId) -> Self {
        Self {
            actor: Some(actor),
            ..Self::default()
        }
    }

    /// A context without a user (registration, login, password reset).
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// Adds an idempotency key.
    pub fn with_idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// Adds the client's address and user agent.
    pub fn with_client(mut self, ip: Option<IpAddr>, user_agent: Option<String>) -> Self {
        self.ip_address = ip;
        self.user_agent = user_agent;
        self
    }

    /// Adds the referring page.
    pub fn with_referrer(mut self, referrer: Option<String>) -> Self {
        self.referrer = referrer;
        self
    }

    /// The authenticated user, or [`Error::Unauthenticated`].
    pub fn actor(&self) -> Result<UserId> {
        self.actor.ok_or(Error::Unauthenticated)
    }
}

/// The acting user as read, if they may act: a missing or deleted user is
/// not signed in, a suspended one is refused.
fn admitted(user: Option<User>) -> Result<User> {
    let user = user.ok_or(Error::Unauthenticated)?;
    match user.status {
        UserStatus::Active | UserStatus::PendingVerification => Ok(user),
        UserStatus::Suspended => Err(Error::forbidden("the account is suspended")),
        UserStatus::Deleted => Err(Error::Unauthenticated),
    }
}

/// The acting user and the contract they act on, and which side they are
/// on: refused as [`admitted`] refuses, then `NotFound` to anyone who is
/// not a party (or when there is no such contract).
fn admitted_party(
    parties: Option<ContractParties>,
    user: Option<User>,
) -> Result<(User, ContractParties, ReviewerType)> {
    let user = admitted(user)?;
    let parties = parties.ok_or(Error::not_found("contract"))?;
    let side = contracts::side_of(&parties, user.id)?;
    Ok((user, parties, side))
}

/// The marketplace: every command and query of the plan's workflows.
#[derive(Debug, Clone)]
pub struct Marketplace {
    store: Arc<dyn Store>,
    gateway: Arc<dyn PaymentGateway>,
    clock: Arc<dyn Clock>,
    policy: Policy,
    fallback_fees: FeeSchedule,
    max_retries: u32,
    /// The rankings, unread counters, activity feeds and favorites sets
    /// moved after each commit, those the marketplace keeps.
    projections: projections::Projections,
}

impl Marketplace {
    /// A marketplace over `store` and `gateway` with the system clock, the
    /// default [`Policy`] and the default fee schedule
    /// ([`FeeSchedule::standard`]) for when no tiers are configured.
    pub fn new(store: Arc<dyn Store>, gateway: Arc<dyn PaymentGateway>) -> Self {
        Self {
            store,
            gateway,
            clock: Arc::new(SystemClock),
            policy: Policy::default(),
            fallback_fees: FeeSchedule::standard(),
            max_retries: 16,
            projections: projections::Projections::default(),
        }
    }

    /// Uses `clock` for every time-based rule.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses `policy` for the time windows.
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Uses `schedule` when the store holds no fee tiers.
    pub fn with_fallback_fees(mut self, schedule: FeeSchedule) -> Self {
        self.fallback_fees = schedule;
        self
    }

    /// Retries a command at most `n` times after a conflict.
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The payment gateway.
    pub fn gateway(&self) -> &Arc<dyn PaymentGateway> {
        &self.gateway
    }

    /// The policy windows.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// How many times a conflicting command is retried.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The current time according to the marketplace's clock, to the
    /// microsecond.
    ///
    /// Truncated because PostgreSQL keeps timestamps to the microsecond: a
    /// row a command returns as it wrote it then equals the row read back
    /// from any backend.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now().trunc_subsecs(6)
    }

    /// The fee schedule in force: the store's tiers, or the fallback when
    /// none are configured.
    pub async fn fee_schedule(&self) -> Result<FeeSchedule> {
        self.schedule_of(self.store.admin().list_fee_tiers().await?)
    }

    /// The fee schedule of the stored `tiers`: the fallback when none are
    /// configured.
    pub(crate) fn schedule_of(&self, tiers: Vec<FeeTier>) -> Result<FeeSchedule> {
        if tiers.is_empty() {
            Ok(self.fallback_fees.clone())
        } else {
            FeeSchedule::new(tiers)
        }
    }

    /// Validates and applies `changes`.
    pub(crate) async fn commit(&self, changes: ChangeSet) -> Result<()> {
        changes.validate()?;
        if changes.is_empty() {
            return Ok(());
        }
        // Read off before the store takes the change set, applied only once
        // it committed: a refused change set moves no projection.
        let projected = self.projected(&changes);
        // Held before the commit, so that a count rebuilt from the store
        // meanwhile is not stored (see `realtime::UnreadCounters`).
        self.hold(&projected).await;
        match self.store.apply(changes).await {
            Ok(()) => {
                self.project(projected).await;
                Ok(())
            }
            Err(e) => {
                self.release(&projected).await;
                match e {
                    // A concurrent request with the same idempotency key
                    // committed first: retrying finds its record and
                    // replays its result.
                    Error::AlreadyExists { key, .. } if key == "idempotency_actor_key" => Err(
                        Error::conflict("idempotency_key", "a concurrent request used this key"),
                    ),
                    e => Err(e),
                }
            }
        }
    }

    /// Loads the acting user and refuses anonymous, suspended and deleted users.
    pub(crate) async fn acting_user(&self, ctx: &Ctx) -> Result<User> {
        let id = ctx.actor()?;
        admitted(self.store.users().get_by_id(id).await?)
    }

    /// Loads the acting user together with contract `id`, its parties'
    /// profiles and its escrow (one read where the store can join), and
    /// returns which side of the contract the user is on. Refuses as
    /// [`Marketplace::acting_user`] does, then answers `NotFound` to anyone
    /// who is not a party, as [`Marketplace::parties_of`] does.
    pub(crate) async fn acting_party(
        &self,
        ctx: &Ctx,
        id: ContractId,
    ) -> Result<(User, ContractParties, ReviewerType)> {
        let actor = ctx.actor()?;
        let (parties, user) = self.store.contract_parties_with_user(id, actor).await?;
        admitted_party(parties, user)
    }

    /// [`Marketplace::acting_party`] with the contract's milestones and
    /// deliverables (one read where the store can join): what delivering
    /// work reads.
    pub(crate) async fn acting_party_at_work(&self, ctx: &Ctx, id: ContractId) -> Result<AtWork> {
        let actor = ctx.actor()?;
        let context = self.store.work_context(id, actor).await?;
        at_work(context)
    }

    /// [`Marketplace::acting_party_at_work`] with the contract's
    /// transactions and its creator's payout methods (one read where the
    /// store can join): what approving work reads, since approving settles
    /// the escrow.
    pub(crate) async fn acting_party_settling(
        &self,
        ctx: &Ctx,
        id: ContractId,
    ) -> Result<(AtWork, Vec<Transaction>, Vec<PayoutMethod>)> {
        let actor = ctx.actor()?;
        let SettlementContext {
            work,
            transactions,
            payout_methods,
        } = self.store.settlement_context(id, actor).await?;
        Ok((at_work(work)?, transactions, payout_methods))
    }

    /// [`Marketplace::acting_party`] for a command that charges the client:
    /// the contract with its parties if the actor is its client, and the
    /// payment methods the actor saved (one read where the store can join).
    pub(crate) async fn acting_payer(
        &self,
        ctx: &Ctx,
        id: ContractId,
    ) -> Result<(ContractParties, Vec<PaymentMethod>)> {
        let actor = ctx.actor()?;
        let ChargeContext {
            parties,
            user,
            payment_methods,
        } = self.store.charge_context(id, actor).await?;
        match admitted_party(parties, user)? {
            (_, parties, ReviewerType::Client) => Ok((parties, payment_methods)),
            _ => Err(Error::forbidden("only the client may do this")),
        }
    }

    /// Loads the acting user and refuses anyone who is not staff.
    pub(crate) async fn acting_staff(&self, ctx: &Ctx) -> Result<User> {
        let user = self.acting_user(ctx).await?;
        if user.is_staff {
            Ok(user)
        } else {
            Err(Error::forbidden("staff only"))
        }
    }

    /// An audit entry for a command, written in the same change set: the
    /// fields the action changed (the whole row when it creates or deletes
    /// one), without secrets.
    pub(crate) fn audit<T: Serialize, U: Serialize>(
        &self,
        ctx: &Ctx,
        entity_type: &str,
        entity_id: Uuid,
        action: &str,
        old: Option<&T>,
        new: Option<&U>,
    ) -> Result<AuditLog> {
        let values = audit::audit_values(old, new)?;
        self.audit_entry(ctx, entity_type, entity_id, action, values)
    }

    /// [`Marketplace::audit`] for a row of a type that compares field by
    /// field (contracts, escrows, transactions, ...) changed from `old` to
    /// `new`: the same entry, without serialising the fields that did not
    /// change.
    pub(crate) fn audit_update<T: audit::FieldDiff>(
        &self,
        ctx: &Ctx,
        entity_type: &str,
        entity_id: Uuid,
        action: &str,
        old: &T,
        new: &T,
    ) -> Result<AuditLog> {
        let (old_values, new_values) = audit::update_values(old, new)?;
        self.audit_entry(
            ctx,
            entity_type,
            entity_id,
            action,
            (Some(old_values), Some(new_values)),
        )
    }

    fn audit_entry(
        &self,
        ctx: &Ctx,
        entity_type: &str,
        entity_id: Uuid,
        action: &str,
        (old_values, new_values): (Option<serde_json::Value>, Option<serde_json::Value>),
    ) -> Result<AuditLog> {
        Ok(AuditLog {
            id: AuditLogId::new(),
            user_id: ctx.actor,
            ip_address: ctx.ip_address,
            user_agent: ctx.user_agent.clone(),
            entity_type: Text::parse(entity_type)?,
            entity_id,
            action: Text::parse(action)?,
            old_values,
            new_values,
            created_at: self.now(),
        })
    }
}

/// What a command on a contract's work read, once its actor was admitted
/// as a party (see [`Marketplace::acting_party_at_work`]).
#[derive(Debug)]
pub(crate) struct AtWork {
    /// The contract with its parties and escrow.
    pub(crate) parties: ContractParties,
    /// Which side of the contract the actor is on.
    pub(crate) side: ReviewerType,
    /// The contract's milestones and deliverables.
    pub(crate) work: ContractWork,
}

/// The acting party of `context` at work, refused as
/// [`Marketplace::acting_party`] refuses.
fn at_work(context: WorkContext) -> Result<AtWork> {
    let WorkContext {
        parties,
        user,
        work,
    } = context;
    let (_, parties, side) = admitted_party(parties, user)?;
    Ok(AtWork {
        parties,
        side,
        work,
    })
}

/// Runs a command body — an `async` block yielding `Result<(ChangeSet, T)>` —
/// and commits its change set, starting again after a conflict at most
/// `max_retries` times.
macro_rules! command {
    ($self:ident, $body:expr) => {{
        let mut attempt: u32 = 0;
        loop {
            let planned: $crate::error::Result<($crate::store::ChangeSet, _)> = $body.await;
            let (changes, output) = planned?;
            match $self.commit(changes).await {
                Ok(()) => break Ok(output),
                Err(e) if e.is_retryable() && attempt < $self.max_retries() => {
                    attempt += 1;
                    $crate::service::Retry::backoff(attempt).await;
                }
                Err(e) => break Err(e),
            }
        }
    }};
}
pub(crate) use command;
