#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod apply;
mod codec;
mod error;
#[doc(hidden)]
pub mod fault;
mod fused;
mod lease;
mod query;

// The orders of a creator profile's lists, over a table aliased `t`:
// shared by the list methods (`repos/creators.rs`) and the creator page's
// single statement (`PgStore::creator_profile_bundle`), which must agree.
// Defined before the modules that use them.
macro_rules! skills_order {
    () => {
        "lower(t.skill_name), t.id"
    };
}
macro_rules! categories_order {
    () => {
        "t.is_primary DESC, t.created_at, t.id"
    };
}
macro_rules! portfolio_order {
    () => {
        "t.is_featured DESC, t.display_order, t.created_at, t.id"
    };
}

mod repos;
mod search;
pub mod spelling;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use reelbyte_core::entities::{PaymentMethod, PayoutMethod, User};
use reelbyte_core::error::{Error, Result};
use reelbyte_core::ids::{ContractId, CreatorProfileId, GigId, UserId};
use reelbyte_core::store::{
    AdminRepo, ChangeSet, ChargeContext, ClientRepo, ContractMoney, ContractParties, ContractRepo,
    ContractWork, CreatorProfileBundle, CreatorRepo, DiscoveryRepo, GigOrderContext, GigRepo,
    JobRepo, LedgerRepo, MessagingRepo, NotificationRepo, PartyPreferences, PaymentMethodRepo,
    Record, ReviewRepo, SessionRepo, SettlementContext, Store, SupportRepo, Table, UserRepo,
    WorkContext,
};
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

use crate::error::BACKEND;

/// The schema of the plan, as plain-SQL migrations embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A PostgreSQL [`Store`].
///
/// Every change set is one transaction: version-checked updates
/// (`WHERE id = $1 AND version = $2`), inserts that the schema's unique
/// indexes guard, counter deltas added in place. Most change sets go as one
/// prepared statement, the rest (and every refused one) through the
/// `reelbyte_apply` function; [`PgStore::apply_paths`] counts both.
/// Serialization failures and deadlocks are retried a bounded number of
/// times. A connection whose single statement completed waits, warm, for
/// the next one instead of going back to the pool, which would check it
/// with a round trip; at most half of the pool's connections wait so.
/// Reads go to the primary, except browse and search, which may go to a
/// read replica ([`PgStore::with_read_replica`]) that is allowed to lag.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    replica: Option<PgPool>,
    search_timeout: Option<std::time::Duration>,
    fault: Option<fault::FaultHook>,
    paths: Arc<apply::PathCounters>,
    /// Warm connections for single statements (see [`lease`]).
    lease: lease::Lease,
}

/// How many change sets a [`PgStore`] (and its clones) applied each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyPaths {
    /// Applied as one prepared statement.
    pub statement: u64,
    /// Went through the `reelbyte_apply` function: a shape one statement
    /// cannot express, or a change set the statement refused (the function
    /// then applies it or returns the typed refusal).
    pub function: u64,
}

/// How long a pooled connection may sit idle before [`PgStore::connect`]'s
/// pool checks that it is still alive before handing it out.
pub const LIVENESS_CHECK_AFTER: std::time::Duration = std::time::Duration::from_secs(10);

/// The pool settings of [`PgStore::connect`], for callers that build their
/// own pool (other timeouts, `after_connect` hooks) on the same footing.
pub fn pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > LIVENESS_CHECK_AFTER {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

impl PgStore {
    /// A store over an existing pool (of a migrated database).
    pub fn new(pool: PgPool) -> Self {
        Self {
            lease: lease::Lease::new(pool.clone()),
            pool,
            replica: None,
            search_timeout: None,
            fault: None,
            paths: Arc::default(),
        }
    }

    /// How many change sets went each way so far (a refused statement
    /// counts for the function too).
    pub fn apply_paths(&self) -> ApplyPaths {
        self.paths.snapshot()
    }

    /// Connects to `url` with a pool of at most `max_connections`.
    ///
    /// A pooled connection that sat idle for longer than
    /// [`LIVENESS_CHECK_AFTER`] is checked (one round trip) before it is
    /// handed out; one used more recently is not. sqlx's default checks
    /// every connection on every acquire, which doubled the round trips of
    /// the store's single-statement reads and writes (see
    /// `docs/BENCHMARKS.md`). A connection can die between a check and
    /// its use either way, so callers already see such a failure as an
    /// [`Error::Backend`], and [`Store::apply`] never retries a change set
    /// whose outcome is unknown.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let pool = pool_options(max_connections)
            .connect(url)
            .await
            .map_err(|e| Error::backend(BACKEND, e))?;
        Ok(Self::new(pool))
    }

    /// Sends browse and search reads to `replica`, which may lag behind the
    /// primary; every other read and every write stays on the primary.
    pub fn with_read_replica(mut self, replica: PgPool) -> Self {
        self.replica = Some(replica);
        self
    }

    /// Bounds every search (gigs, jobs, creators) to `limit`: the statement
    /// runs under `SET LOCAL statement_timeout`, and one that runs longer is
    /// cancelled by PostgreSQL and answered with
    /// [`Error::TimedOut`]. A public search
    /// endpoint should set one: a broad query over a large catalogue can
    /// take seconds. Costs one more statement per search (and `BEGIN` /
    /// `COMMIT`). Without it searches run unbounded.
    pub fn with_search_timeout(mut self, limit: std::time::Duration) -> Self {
        self.search_timeout = Some(limit);
        self
    }

    /// For tests only: awaits `hook` at every point of every change set's
    /// transaction (see [`fault`]), e.g. to terminate the backend there.
    #[doc(hidden)]
    pub fn with_fault_hook(mut self, hook: fault::FaultHook) -> Self {
        self.fault = Some(hook);
        self
    }

    /// The primary pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// An `Arc<dyn Store>` of this store.
    pub fn shared(self) -> Arc<dyn Store> {
        Arc::new(self)
    }

    /// Applies the pending migrations of [`MIGRATOR`].
    pub async fn migrate(&self) -> Result<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| Error::backend(BACKEND, e))
    }

    /// Begins a transaction acting as `user` for the row-level security
    /// policies (`app.user_id`, local to the transaction); `None` acts as
    /// nobody, which the policies show no private row. The policies bind
    /// the `reelbyte_app` role: connect as a login role that is a member of
    /// it and not the tables' owner.
    pub async fn begin_acting_as(
        &self,
        user: Option<UserId>,
    ) -> Result<Transaction<'static, Postgres>> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| Error::backend(BACKEND, e))?;
        let value = user.map(|u| u.to_string()).unwrap_or_default();
        sqlx::query("SELECT set_config('app.user_id', $1, true)")
            .bind(value)
            .execute(&mut *tx)
            .await
            .map_err(|e| Error::backend(BACKEND, e))?;
        Ok(tx)
    }

    /// Creates the monthly partitions of `messages` and `audit_logs` for the
    /// next `months` months (run it from a scheduler; rows of those months
    /// already in the default partition are moved).
    pub async fn create_monthly_partitions(&self, months: i32) -> Result<()> {
        for table in ["messages", "audit_logs"] {
            sqlx::query("SELECT create_monthly_partitions($1, CURRENT_DATE, $2)")
                .bind(table)
                .bind(months)
                .execute(&self.pool)
                .await
                .map_err(|e| error::map(None, e))?;
        }
        Ok(())
    }

    /// A connection for one statement reading `table` (see [`lease`]).
    async fn leased(&self, table: Table) -> Result<lease::Leased<'_>> {
        self.lease
            .take()
            .await
            .map_err(|e| error::map(Some(table), e))
    }

    /// The pool for reads that may lag (browse and search).
    fn reader(&self) -> &PgPool {
        self.replica.as_ref().unwrap_or(&self.pool)
    }
}

/// The select list and `FROM` clause that read a contract (`c`) with its
/// client (`cl`) and creator (`cr`) profiles, its escrow account (`e`) and
/// the notification preferences both parties' users saved, each as JSON
/// text; the escrow's and the preferences are NULL when there are none.
macro_rules! parties_of_contract {
    () => {
        "row_to_json(c.*)::text AS contract, row_to_json(cl.*)::text AS client, \
         row_to_json(cr.*)::text AS creator, \
         CASE WHEN e.id IS NULL THEN NULL ELSE row_to_json(e.*)::text END AS escrow, \
         (SELECT row_to_json(np.*)::text FROM notification_preferences np \
          WHERE np.user_id = cl.user_id) AS client_preferences, \
         (SELECT row_to_json(np.*)::text FROM notification_preferences np \
          WHERE np.user_id = cr.user_id) AS creator_preferences \
         FROM contracts c \
         JOIN client_profiles cl ON cl.id = c.client_profile_id \
         JOIN creator_profiles cr ON cr.id = c.creator_profile_id \
         LEFT JOIN escrow_accounts e ON e.contract_id = c.id"
    };
}

/// A row of [`parties_of_contract!`]: contract, client, creator, escrow and
/// the two parties' preferences, each NULL when absent.
type PartiesRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A user's row, their payment methods, the contract's milestones,
/// deliverables and transactions and its creator's payout methods, followed
/// by a [`PartiesRow`].
type UserAndPartiesRow = (
    Option<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A row of [`PgStore::gig_order_context`]'s statement: user, client
/// profile, gig, creator profile and the creator's preferences (each NULL
/// when absent) and the fee tiers.
/// A creator's page as [`PgStore::creator_profile_bundle`] reads it: the
/// profile, its owner (NULL when that row is gone) and its three lists.
type CreatorPageRow = (
    String,
    Option<String>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
);

type GigOrderRow = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Vec<String>,
);

/// The entity of an optional row of `table` (NULL when the row is absent).
fn decode_optional<E: serde::de::DeserializeOwned>(
    table: Table,
    text: Option<String>,
) -> Result<Option<E>> {
    text.map(|t| codec::decode(table, &t)).transpose()
}

/// The entities of the rows of `table` in `texts`, in order.
fn decode_all<E: serde::de::DeserializeOwned>(table: Table, texts: &[String]) -> Result<Vec<E>> {
    texts.iter().map(|t| codec::decode(table, t)).collect()
}

/// The contract with its parties, or `None` when the row holds no contract.
fn decode_parties(row: PartiesRow) -> Result<Option<ContractParties>> {
    let (Some(contract), Some(client), Some(creator), escrow, client_prefs, creator_prefs) = row
    else {
        return Ok(None);
    };
    Ok(Some(ContractParties {
        contract: codec::decode(Table::Contracts, &contract)?,
        client: codec::decode(Table::ClientProfiles, &client)?,
        creator: codec::decode(Table::CreatorProfiles, &creator)?,
        escrow: decode_optional(Table::EscrowAccounts, escrow)?,
        preferences: PartyPreferences {
            client: decode_optional(Table::NotificationPreferences, client_prefs)?,
            creator: decode_optional(Table::NotificationPreferences, creator_prefs)?,
        },
    }))
}

impl PgStore {
    /// User `user` and contract `id` with its parties in one round trip,
    /// with the lists `extras` asks for (the others come back empty).
    async fn user_and_parties(
        &self,
        id: ContractId,
        user: UserId,
        extras: Extras,
    ) -> Result<UserAndParties> {
        // The user's row and the lists come from scalar subqueries (a list
        // not asked for is skipped by its constant filter), the contract's
        // rows from a lateral join that may find nothing, so the statement
        // always returns one row. The lists are in the orders of
        // `list_by_user_id`, `list_milestones_by_contract_id`,
        // `list_deliverables_by_contract_id`, `LedgerRepo::list_by_contract_id`
        // and `list_payout_methods_by_creator_profile_id`.
        let mut conn = self.leased(Table::Contracts).await?;
        let row: UserAndPartiesRow = sqlx::query_as(concat!(
            "SELECT (SELECT row_to_json(u.*)::text FROM users u WHERE u.id = $2), \
                    ARRAY(SELECT row_to_json(pm.*)::text FROM payment_methods pm \
                          WHERE $3 AND pm.user_id = $2 ORDER BY pm.created_at, pm.id), \
                    ARRAY(SELECT row_to_json(m.*)::text FROM milestones m \
                          WHERE $4 AND m.contract_id = $1 ORDER BY m.sequence_order, m.id), \
                    ARRAY(SELECT row_to_json(d.*)::text FROM deliverables d \
                          WHERE $4 AND d.contract_id = $1 ORDER BY d.version_number, d.id), \
                    ARRAY(SELECT row_to_json(t.*)::text FROM transactions t \
                          WHERE $5 AND t.contract_id = $1 ORDER BY t.created_at, t.id), \
                    ARRAY(SELECT row_to_json(po.*)::text FROM payout_methods po \
                          WHERE $5 AND po.creator_profile_id = \
                                (SELECT c0.creator_profile_id FROM contracts c0 WHERE c0.id = $1) \
                          ORDER BY po.created_at, po.id), \
                    p.* \
                 FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT ",
            parties_of_contract!(),
            " WHERE c.id = $1) AS p ON true"
        ))
        .bind(id.as_uuid())
        .bind(user.as_uuid())
        .bind(extras.payment_methods)
        .bind(extras.work)
        .bind(extras.money)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| error::map(Some(Table::Contracts), e))?;
        conn.keep();
        let (
            user,
            methods,
            milestones,
            deliverables,
            transactions,
            payout_methods,
            contract,
            client,
            creator,
            escrow,
            client_prefs,
            creator_prefs,
        ) = row;
        Ok(UserAndParties {
            user: decode_optional(Table::Users, user)?,
            parties: decode_parties((
                contract,
                client,
                creator,
                escrow,
                client_prefs,
                creator_prefs,
            ))?,
            payment_methods: decode_all(Table::PaymentMethods, &methods)?,
            work: ContractWork {
                milestones: decode_all(Table::Milestones, &milestones)?,
                deliverables: decode_all(Table::Deliverables, &deliverables)?,
            },
            transactions: decode_all(Table::Transactions, &transactions)?,
            payout_methods: decode_all(Table::PayoutMethods, &payout_methods)?,
        })
    }
}

/// Which lists [`PgStore::user_and_parties`] reads besides the user and the
/// contract's parties.
#[derive(Debug, Clone, Copy)]
struct Extras {
    /// The user's payment methods.
    payment_methods: bool,
    /// The contract's milestones and deliverables.
    work: bool,
    /// The contract's transactions and its creator's payout methods.
    money: bool,
}

impl Extras {
    /// No list.
    const NONE: Self = Self {
        payment_methods: false,
        work: false,
        money: false,
    };
    /// What a charge reads.
    const PAYMENT_METHODS: Self = Self {
        payment_methods: true,
        work: false,
        money: false,
    };
    /// What delivering work reads.
    const WORK: Self = Self {
        payment_methods: false,
        work: true,
        money: false,
    };
    /// What approving work reads: the work, and what settling the escrow
    /// needs.
    const SETTLEMENT: Self = Self {
        payment_methods: false,
        work: true,
        money: true,
    };
}

/// What [`PgStore::user_and_parties`] read.
struct UserAndParties {
    user: Option<User>,
    parties: Option<ContractParties>,
    payment_methods: Vec<PaymentMethod>,
    work: ContractWork,
    transactions: Vec<reelbyte_core::entities::Transaction>,
    payout_methods: Vec<PayoutMethod>,
}

impl fmt::Debug for PgStore {
    /// Pool sizes only, never connection strings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("connections", &self.pool.size())
            .field("replica", &self.replica.is_some())
            .field("fault_hook", &self.fault.is_some())
            .finish()
    }
}

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> &'static str {
        BACKEND
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

    async fn contract_parties(&self, id: ContractId) -> Result<Option<ContractParties>> {
        // One round trip instead of four; the rows come from one snapshot.
        // The escrow's whole-row reference is NULL when the join found none.
        let mut conn = self.leased(Table::Contracts).await?;
        let row: Option<PartiesRow> = sqlx::query_as(concat!(
            "SELECT ",
            parties_of_contract!(),
            " WHERE c.id = $1"
        ))
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| error::map(Some(Table::Contracts), e))?;
        conn.keep();
        Ok(row.map(decode_parties).transpose()?.flatten())
    }

    async fn contract_parties_with_user(
        &self,
        id: ContractId,
        user: UserId,
    ) -> Result<(Option<ContractParties>, Option<User>)> {
        let read = self.user_and_parties(id, user, Extras::NONE).await?;
        Ok((read.parties, read.user))
    }

    async fn charge_context(&self, id: ContractId, user: UserId) -> Result<ChargeContext> {
        let read = self
            .user_and_parties(id, user, Extras::PAYMENT_METHODS)
            .await?;
        Ok(ChargeContext {
            parties: read.parties,
            user: read.user,
            payment_methods: read.payment_methods,
        })
    }

    async fn work_context(&self, id: ContractId, user: UserId) -> Result<WorkContext> {
        let read = self.user_and_parties(id, user, Extras::WORK).await?;
        Ok(WorkContext {
            parties: read.parties,
            user: read.user,
            work: read.work,
        })
    }

    async fn settlement_context(&self, id: ContractId, user: UserId) -> Result<SettlementContext> {
        let read = self.user_and_parties(id, user, Extras::SETTLEMENT).await?;
        Ok(SettlementContext {
            work: WorkContext {
                parties: read.parties,
                user: read.user,
                work: read.work,
            },
            transactions: read.transactions,
            payout_methods: read.payout_methods,
        })
    }

    async fn gig_order_context(&self, gig: GigId, user: UserId) -> Result<GigOrderContext> {
        // Six reads in one round trip: scalar subqueries for the user, the
        // client profile and the fee tiers (an array, in the order
        // `list_fee_tiers` gives), and a lateral join for the gig with its
        // creator, which may find nothing, so the statement always returns
        // one row.
        let mut conn = self.leased(Table::Gigs).await?;
        let (user, client, gig, creator, creator_preferences, fee_tiers): GigOrderRow =
            sqlx::query_as(
                "SELECT (SELECT row_to_json(u.*)::text FROM users u WHERE u.id = $2), \
                        (SELECT row_to_json(cl.*)::text FROM client_profiles cl \
                         WHERE cl.user_id = $2), \
                        g.gig, g.creator, g.creator_preferences, \
                        ARRAY(SELECT row_to_json(f.*)::text FROM fee_structure f \
                              ORDER BY f.effective_from, f.id) \
                 FROM (SELECT 1) AS one LEFT JOIN LATERAL ( \
                     SELECT row_to_json(g.*)::text AS gig, row_to_json(cr.*)::text AS creator, \
                            (SELECT row_to_json(np.*)::text FROM notification_preferences np \
                             WHERE np.user_id = cr.user_id) AS creator_preferences \
                     FROM gigs g JOIN creator_profiles cr ON cr.id = g.creator_profile_id \
                     WHERE g.id = $1) AS g ON true",
            )
            .bind(gig.as_uuid())
            .bind(user.as_uuid())
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| error::map(Some(Table::Gigs), e))?;
        conn.keep();
        Ok(GigOrderContext {
            user: decode_optional(Table::Users, user)?,
            client: decode_optional(Table::ClientProfiles, client)?,
            gig: decode_optional(Table::Gigs, gig)?,
            creator: decode_optional(Table::CreatorProfiles, creator)?,
            creator_preferences: decode_optional(
                Table::NotificationPreferences,
                creator_preferences,
            )?,
            fee_tiers: decode_all(Table::FeeStructure, &fee_tiers)?,
        })
    }

    async fn creator_profile_bundle(
        &self,
        id: CreatorProfileId,
    ) -> Result<Option<CreatorProfileBundle>> {
        // A creator's public page in one round trip: the profile, its owner
        // and its three lists (arrays, in the orders of the list methods),
        // where the repositories' reads took four one after the other.
        let mut conn = self.leased(Table::CreatorProfiles).await?;
        let row: Option<CreatorPageRow> = sqlx::query_as(concat!(
            "SELECT row_to_json(c.*)::text, \
                    (SELECT row_to_json(u.*)::text FROM users u WHERE u.id = c.user_id), \
                    ARRAY(SELECT row_to_json(t.*)::text FROM creator_skills t \
                          WHERE t.creator_profile_id = c.id ORDER BY ",
            skills_order!(),
            "), ARRAY(SELECT row_to_json(t.*)::text FROM creator_categories t \
                      WHERE t.creator_profile_id = c.id ORDER BY ",
            categories_order!(),
            "), ARRAY(SELECT row_to_json(t.*)::text FROM portfolio_items t \
                      WHERE t.creator_profile_id = c.id ORDER BY ",
            portfolio_order!(),
            ") FROM creator_profiles c WHERE c.id = $1"
        ))
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| error::map(Some(Table::CreatorProfiles), e))?;
        conn.keep();
        let Some((profile, owner, skills, categories, portfolio)) = row else {
            return Ok(None);
        };
        Ok(Some(CreatorProfileBundle {
            profile: codec::decode(Table::CreatorProfiles, &profile)?,
            owner: decode_optional(Table::Users, owner)?,
            skills: decode_all(Table::CreatorSkills, &skills)?,
            categories: decode_all(Table::CreatorCategories, &categories)?,
            portfolio: decode_all(Table::PortfolioItems, &portfolio)?,
        }))
    }

    async fn contract_work(&self, id: ContractId) -> Result<ContractWork> {
        // Both lists in one round trip, as arrays in the orders of
        // `list_milestones_by_contract_id` and
        // `list_deliverables_by_contract_id`.
        let mut conn = self.leased(Table::Milestones).await?;
        let (milestones, deliverables): (Vec<String>, Vec<String>) = sqlx::query_as(
            "SELECT ARRAY(SELECT row_to_json(m.*)::text FROM milestones m \
                          WHERE m.contract_id = $1 ORDER BY m.sequence_order, m.id), \
                    ARRAY(SELECT row_to_json(d.*)::text FROM deliverables d \
                          WHERE d.contract_id = $1 ORDER BY d.version_number, d.id)",
        )
        .bind(id.as_uuid())
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| error::map(Some(Table::Milestones), e))?;
        conn.keep();
        Ok(ContractWork {
            milestones: decode_all(Table::Milestones, &milestones)?,
            deliverables: decode_all(Table::Deliverables, &deliverables)?,
        })
    }

    async fn contract_money(&self, id: ContractId) -> Result<ContractMoney> {
        // The escrow (a scalar subquery: at most one per contract) and the
        // transactions in the order of `LedgerRepo::list_by_contract_id`, in
        // one round trip.
        let mut conn = self.leased(Table::Transactions).await?;
        let (escrow, transactions): (Option<String>, Vec<String>) = sqlx::query_as(
            "SELECT (SELECT row_to_json(e.*)::text FROM escrow_accounts e \
                     WHERE e.contract_id = $1), \
                    ARRAY(SELECT row_to_json(t.*)::text FROM transactions t \
                          WHERE t.contract_id = $1 ORDER BY t.created_at, t.id)",
        )
        .bind(id.as_uuid())
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| error::map(Some(Table::Transactions), e))?;
        conn.keep();
        Ok(ContractMoney {
            escrow: decode_optional(Table::EscrowAccounts, escrow)?,
            transactions: decode_all(Table::Transactions, &transactions)?,
        })
    }

    async fn apply(&self, changes: ChangeSet) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        changes.validate()?;
        apply::apply(
            &self.pool,
            &self.lease,
            &changes.writes,
            self.fault.as_ref(),
            &self.paths,
        )
        .await
    }

    async fn dump(&self) -> Result<Vec<Record>> {
        let mut out = Vec::new();
        for table in Table::ALL {
            // Rows in key order, as the memory store dumps them: UUIDs
            // compare bytewise in both, text keys need the "C" collation.
            let order = match codec::key_column(*table) {
                "id" => "t.id".to_string(),
                key => format!("t.{key} COLLATE \"C\""),
            };
            let sql = format!(
                "SELECT row_to_json(t.*)::text FROM {name} t ORDER BY {order}",
                name = table.name(),
            );
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await
                .map_err(|e| error::map(Some(*table), e))?;
            for row in rows {
                out.push(codec::decode_record(*table, &row)?);
            }
        }
        Ok(out)
    }
}
