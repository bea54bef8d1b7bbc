//! Storage: repository traits for reads, one change set per command for writes.
//!
//! A backend implements every repository trait and [`Store::apply`]. The
//! service never writes through a repository: it hands `apply` a
//! [`ChangeSet`] that the backend applies atomically or refuses.

mod change;
mod records;
mod repos;

pub use change::{ChangeSet, Counter, Entity, RowKey, UniqueKey, Write, keep_counters};
pub use records::{Record, Table};
pub use repos::*;

use async_trait::async_trait;

use crate::entities::{
    ClientProfile, Contract, CreatorCategory, CreatorProfile, CreatorSkill, Deliverable,
    EscrowAccount, FeeTier, Gig, Milestone, NotificationPreferences, PaymentMethod, PayoutMethod,
    PortfolioItem, Transaction, User,
};
use crate::error::{Error, Result};
use crate::ids::{ContractId, CreatorProfileId, GigId, UserId};

/// A contract with both parties' profiles and its escrow account: what
/// nearly every contract command reads before it decides.
///
/// [`Store::contract_parties`] loads it; a backend that can join may do so
/// in one round trip.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractParties {
    /// The contract.
    pub contract: Contract,
    /// The brand's profile (`contract.client_profile_id`).
    pub client: ClientProfile,
    /// The creator's profile (`contract.creator_profile_id`).
    pub creator: CreatorProfile,
    /// The contract's escrow account, once funding opened it.
    pub escrow: Option<EscrowAccount>,
    /// What both parties chose to be notified of: every contract command
    /// notifies the other party, so the preferences come with the parties.
    pub preferences: PartyPreferences,
}

/// The notification preferences the two parties of a contract saved.
///
/// `None` for a party who never changed the defaults (no row is stored
/// until then).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartyPreferences {
    /// The brand's user's.
    pub client: Option<NotificationPreferences>,
    /// The creator's user's.
    pub creator: Option<NotificationPreferences>,
}

/// What a command that charges a contract's client reads before it
/// decides: the contract with its parties, the acting user and the payment
/// methods that user saved.
///
/// [`Store::charge_context`] loads it; `parties` and `user` are each `None`
/// when there is nothing to find, and the payment methods come in the order
/// of [`PaymentMethodRepo::list_by_user_id`] (empty for an unknown user).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChargeContext {
    /// The contract with its parties and escrow.
    pub parties: Option<ContractParties>,
    /// The acting user.
    pub user: Option<User>,
    /// The acting user's payment methods, oldest first.
    pub payment_methods: Vec<PaymentMethod>,
}

/// What a command on a contract's work reads before it decides: the
/// contract with its parties, the acting user, and the contract's
/// milestones and deliverables.
///
/// [`Store::work_context`] loads it; `parties` and `user` are each `None`
/// when there is nothing to find, and `work` is as [`Store::contract_work`]
/// returns it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkContext {
    /// The contract with its parties and escrow.
    pub parties: Option<ContractParties>,
    /// The acting user.
    pub user: Option<User>,
    /// The contract's milestones and deliverables.
    pub work: ContractWork,
}

/// What approving a contract's work reads: its [`WorkContext`] and what
/// settling its escrow needs, the contract's transactions and its
/// creator's payout methods.
///
/// [`Store::settlement_context`] loads it; the two lists are empty when
/// the contract does not exist.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettlementContext {
    /// The contract, its parties, the acting user and the work.
    pub work: WorkContext,
    /// The contract's transactions, in the order of
    /// [`LedgerRepo::list_by_contract_id`]: an approval that releases the
    /// escrow learns from them whether another payout or refund is still
    /// pending.
    pub transactions: Vec<Transaction>,
    /// The payout methods of the contract's creator, in the order of
    /// [`PaymentMethodRepo::list_payout_methods_by_creator_profile_id`]:
    /// where the payout an approval starts goes.
    pub payout_methods: Vec<PayoutMethod>,
}

/// What ordering a gig reads before it decides: the ordering user and
/// their client profile, the gig with its creator's profile and saved
/// notification preferences, and the fee schedule's tiers.
///
/// [`Store::gig_order_context`] loads it; each part is `None` (or empty)
/// when there is nothing to find, and the creator's parts are `None` when
/// the gig is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GigOrderContext {
    /// The ordering user.
    pub user: Option<User>,
    /// The ordering user's client profile.
    pub client: Option<ClientProfile>,
    /// The gig, whatever its status.
    pub gig: Option<Gig>,
    /// The gig's creator's profile.
    pub creator: Option<CreatorProfile>,
    /// What the creator's user saved of notification preferences (`None`:
    /// the defaults).
    pub creator_preferences: Option<NotificationPreferences>,
    /// Every fee tier, as [`AdminRepo::list_fee_tiers`] lists them.
    pub fee_tiers: Vec<FeeTier>,
}

/// The work of a contract: its milestones and its deliverables, what
/// approving a delivery reads before it decides whether the contract
/// completes.
///
/// [`Store::contract_work`] loads it, in the orders of
/// [`ContractRepo::list_milestones_by_contract_id`] and
/// [`ContractRepo::list_deliverables_by_contract_id`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContractWork {
    /// The milestones, by sequence.
    pub milestones: Vec<Milestone>,
    /// Every submitted version of the work, oldest first.
    pub deliverables: Vec<Deliverable>,
}

/// The money of a contract: its escrow account and every transaction
/// recorded against it, what a completed payout or refund reads to decide
/// whether the escrow settles.
///
/// [`Store::contract_money`] loads it; the transactions come in the order
/// of [`LedgerRepo::list_by_contract_id`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContractMoney {
    /// The escrow account, once funding opened it.
    pub escrow: Option<EscrowAccount>,
    /// The contract's transactions, oldest first.
    pub transactions: Vec<Transaction>,
}

/// A creator profile with its owner and its lists: what a creator's public
/// page shows, and the owner whose status decides whether it may show it.
///
/// [`Store::creator_profile_bundle`] loads it; the lists come in the orders
/// of [`CreatorRepo::list_parts_by_creator_profile_id`].
#[derive(Debug, Clone, PartialEq)]
pub struct CreatorProfileBundle {
    /// The profile.
    pub profile: CreatorProfile,
    /// The user who owns the profile (`None` if that row is gone).
    pub owner: Option<User>,
    /// The profile's skills.
    pub skills: Vec<CreatorSkill>,
    /// The profile's categories.
    pub categories: Vec<CreatorCategory>,
    /// The profile's portfolio.
    pub portfolio: Vec<PortfolioItem>,
}

/// Loads [`CreatorProfileBundle`] with the repositories' reads: the
/// profile, then its owner and its lists at the same time. It is the
/// default of [`Store::creator_profile_bundle`], for overrides that fall
/// back to it.
pub async fn read_creator_profile_bundle<S: Store + ?Sized>(
    store: &S,
    id: CreatorProfileId,
) -> Result<Option<CreatorProfileBundle>> {
    let Some(profile) = store.creators().get_by_id(id).await? else {
        return Ok(None);
    };
    let (owner, parts) = futures::future::join(
        store.users().get_by_id(profile.user_id),
        store.creators().list_parts_by_creator_profile_id(id),
    )
    .await;
    let owner = owner?;
    let (skills, categories, portfolio) = parts?;
    Ok(Some(CreatorProfileBundle {
        profile,
        owner,
        skills,
        categories,
        portfolio,
    }))
}

/// A storage backend: every repository, plus atomic application of change sets.
///
/// Implementations must be linearizable: [`Store::apply`] either applies the
/// whole change set or changes nothing, and two change sets never interleave.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// A short name for logs and errors (`"memory"`, `"postgres"`, ...).
    fn backend(&self) -> &'static str;
    /// Users.
    fn users(&self) -> &dyn UserRepo;
    /// Sessions and tokens.
    fn sessions(&self) -> &dyn SessionRepo;
    /// Creator profiles.
    fn creators(&self) -> &dyn CreatorRepo;
    /// Client profiles.
    fn clients(&self) -> &dyn ClientRepo;
    /// Payment and payout methods.
    fn payment_methods(&self) -> &dyn PaymentMethodRepo;
    /// Gigs.
    fn gigs(&self) -> &dyn GigRepo;
    /// Jobs and proposals.
    fn jobs(&self) -> &dyn JobRepo;
    /// Contracts, milestones, deliverables and escrow.
    fn contracts(&self) -> &dyn ContractRepo;
    /// Transactions, postings and idempotency keys.
    fn ledger(&self) -> &dyn LedgerRepo;
    /// Reviews.
    fn reviews(&self) -> &dyn ReviewRepo;
    /// Messaging.
    fn messaging(&self) -> &dyn MessagingRepo;
    /// Notifications.
    fn notifications(&self) -> &dyn NotificationRepo;
    /// Favorites, saved searches, views.
    fn discovery(&self) -> &dyn DiscoveryRepo;
    /// Disputes and support tickets.
    fn support(&self) -> &dyn SupportRepo;
    /// Settings, fees, audit, consents.
    fn admin(&self) -> &dyn AdminRepo;

    /// The contract `id` with both parties' profiles and its escrow
    /// account, or `None` when there is no such contract.
    ///
    /// The default reads them one by one through the repositories; a
    /// backend overrides it when it can read them together. The rows are
    /// each as of their own read, as with separate calls: a command still
    /// guards what it relies on with versions in its change set.
    async fn contract_parties(&self, id: ContractId) -> Result<Option<ContractParties>> {
        let Some(contract) = self.contracts().get_by_id(id).await? else {
            return Ok(None);
        };
        let client = self
            .clients()
            .get_by_id(contract.client_profile_id)
            .await?
            .ok_or(Error::not_found("client_profile"))?;
        let creator = self
            .creators()
            .get_by_id(contract.creator_profile_id)
            .await?
            .ok_or(Error::not_found("creator_profile"))?;
        let escrow = self.contracts().get_escrow_by_contract_id(id).await?;
        let saved = self
            .notifications()
            .list_preferences_by_user_ids(&[client.user_id, creator.user_id])
            .await?;
        let saved_by = |user: UserId| saved.iter().find(|p| p.user_id == user).cloned();
        let preferences = PartyPreferences {
            client: saved_by(client.user_id),
            creator: saved_by(creator.user_id),
        };
        Ok(Some(ContractParties {
            contract,
            client,
            creator,
            escrow,
            preferences,
        }))
    }

    /// [`Store::contract_parties`] of contract `id` together with the user
    /// `user` (or `None` for either that does not exist): what a contract
    /// command reads to check who acts before it decides.
    ///
    /// The default makes the two reads; a backend overrides it when it can
    /// make them in one round trip.
    async fn contract_parties_with_user(
        &self,
        id: ContractId,
        user: UserId,
    ) -> Result<(Option<ContractParties>, Option<User>)> {
        let parties = self.contract_parties(id).await?;
        let user = self.users().get_by_id(user).await?;
        Ok((parties, user))
    }

    /// [`Store::contract_parties_with_user`] of contract `id` and user
    /// `user`, with the payment methods `user` saved (see
    /// [`ChargeContext`]): what funding an escrow or tipping reads.
    ///
    /// The default makes the two reads; a backend overrides it when it can
    /// make them in one round trip. As with [`Store::contract_parties`],
    /// the command guards what it relies on with versions in its change set.
    async fn charge_context(&self, id: ContractId, user: UserId) -> Result<ChargeContext> {
        let (parties, user_row) = self.contract_parties_with_user(id, user).await?;
        let payment_methods = match &user_row {
            Some(_) => self.payment_methods().list_by_user_id(user).await?,
            None => Vec::new(),
        };
        Ok(ChargeContext {
            parties,
            user: user_row,
            payment_methods,
        })
    }

    /// [`Store::contract_parties_with_user`] of contract `id` and user
    /// `user`, with the contract's work (see [`WorkContext`]): what
    /// delivering work reads.
    ///
    /// The default makes the two reads; a backend overrides it when it can
    /// make them in one round trip. As with [`Store::contract_parties`],
    /// the command guards what it relies on with versions in its change set.
    async fn work_context(&self, id: ContractId, user: UserId) -> Result<WorkContext> {
        let (parties, user) = self.contract_parties_with_user(id, user).await?;
        let work = self.contract_work(id).await?;
        Ok(WorkContext {
            parties,
            user,
            work,
        })
    }

    /// [`Store::work_context`] with the contract's transactions and its
    /// creator's payout methods (see [`SettlementContext`]): what approving
    /// work reads.
    ///
    /// The default makes the reads one after the other; a backend
    /// overrides it when it can make them in one round trip.
    async fn settlement_context(&self, id: ContractId, user: UserId) -> Result<SettlementContext> {
        let work = self.work_context(id, user).await?;
        let (transactions, payout_methods) = match &work.parties {
            Some(parties) => (
                self.ledger().list_by_contract_id(id).await?,
                self.payment_methods()
                    .list_payout_methods_by_creator_profile_id(parties.contract.creator_profile_id)
                    .await?,
            ),
            None => (Vec::new(), Vec::new()),
        };
        Ok(SettlementContext {
            work,
            transactions,
            payout_methods,
        })
    }

    /// Everything ordering gig `gig` as user `user` reads (see
    /// [`GigOrderContext`]).
    ///
    /// The default makes the reads one by one; a backend overrides it when
    /// it can make them in one round trip. As with
    /// [`Store::contract_parties`], the command guards what it relies on
    /// with versions in its change set.
    async fn gig_order_context(&self, gig: GigId, user: UserId) -> Result<GigOrderContext> {
        let user_row = self.users().get_by_id(user).await?;
        let client = match &user_row {
            Some(_) => self.clients().get_by_user_id(user).await?,
            None => None,
        };
        let gig = self.gigs().get_by_id(gig).await?;
        let creator = match &gig {
            Some(gig) => self.creators().get_by_id(gig.creator_profile_id).await?,
            None => None,
        };
        let creator_preferences = match &creator {
            Some(creator) => {
                self.notifications()
                    .get_preferences_by_user_id(creator.user_id)
                    .await?
            }
            None => None,
        };
        Ok(GigOrderContext {
            user: user_row,
            client,
            gig,
            creator,
            creator_preferences,
            fee_tiers: self.admin().list_fee_tiers().await?,
        })
    }

    /// The milestones and deliverables of contract `id` (see
    /// [`ContractWork`]); both empty when the contract has none or does not
    /// exist.
    ///
    /// The default makes the two reads; a backend overrides it when it can
    /// make them in one round trip. As with [`Store::contract_parties`],
    /// the command guards what it relies on with versions in its change set.
    async fn contract_work(&self, id: ContractId) -> Result<ContractWork> {
        Ok(ContractWork {
            milestones: self.contracts().list_milestones_by_contract_id(id).await?,
            deliverables: self
                .contracts()
                .list_deliverables_by_contract_id(id)
                .await?,
        })
    }

    /// The escrow account and transactions of contract `id` (see
    /// [`ContractMoney`]); `None` and empty when there are none.
    ///
    /// The default makes the two reads; a backend overrides it when it can
    /// make them in one round trip.
    async fn contract_money(&self, id: ContractId) -> Result<ContractMoney> {
        Ok(ContractMoney {
            escrow: self.contracts().get_escrow_by_contract_id(id).await?,
            transactions: self.ledger().list_by_contract_id(id).await?,
        })
    }

    /// Creator profile `id` with its owner and its lists (see
    /// [`CreatorProfileBundle`]); `None` when there is no such profile.
    ///
    /// The default is [`read_creator_profile_bundle`]: two round trips on a
    /// remote backend. A cache overrides it to answer in one.
    async fn creator_profile_bundle(
        &self,
        id: CreatorProfileId,
    ) -> Result<Option<CreatorProfileBundle>> {
        read_creator_profile_bundle(self, id).await
    }

    /// Applies `changes` atomically, or refuses them and changes nothing.
    async fn apply(&self, changes: ChangeSet) -> Result<()>;

    /// Every row of every table, ordered by table and then by key: for
    /// audits, exports and tests that check a refused command changed nothing.
    async fn dump(&self) -> Result<Vec<Record>>;
}
