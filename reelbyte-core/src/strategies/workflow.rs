//! A reference model of the marketplace's money workflows, and strategies
//! for sequences of commands against it.
//!
//! The model is deliberately naive: a few vectors of plain numbers (cents)
//! and statuses, and one `match` that says, for each command, whether the
//! real service must accept it and what it changes. A test drives the real
//! [`Marketplace`](crate::Marketplace) and this model side by side and
//! demands that they agree after every step (see
//! `reelbyte_core::testing::model` and the workspace's model tests).
//!
//! The world is fixed: user 0 is staff, users 1 and 2 are clients (each
//! with a payment method), users 3 and 4 are creators (each with a payout
//! method and one active gig: basic 100.00 with 1 revision, standard 250.00
//! with 3, no premium tier). Proposal `p` is creator `p % 2`'s pending
//! proposal on an open job of client `p / 2`, for `budgets[p]` cents.

use proptest::prelude::*;

use crate::enums::{ContractStatus, GigTier, MilestoneStatus};
use crate::fees::{FeeQuote, FeeSchedule};
use crate::money::{Currency, Money};

/// The staff user.
pub const STAFF: usize = 0;
/// How many users the world has.
pub const USERS: usize = 5;
/// The four seeded proposals.
pub const PROPOSALS: usize = 4;
/// A gig's tiers: (tier, price in cents, revisions).
pub const GIG_TIERS: [(GigTier, i64, i32); 2] =
    [(GigTier::Basic, 10_000, 1), (GigTier::Standard, 25_000, 3)];
/// The largest tip, in cents.
pub const MAX_TIP_CENTS: i64 = 1_000_000;

/// Client `i` (0 or 1) is user `1 + i`.
pub const fn client_user(i: usize) -> usize {
    1 + i
}

/// Creator `i` (0 or 1) is user `3 + i`.
pub const fn creator_user(i: usize) -> usize {
    3 + i
}

/// One command of the workflow, with the acting user's index. Contract and
/// milestone indices refer to the order in which contracts were made.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Command {
    /// Order creator `creator`'s gig at `tier`.
    OrderGig {
        actor: usize,
        creator: usize,
        tier: GigTier,
    },
    /// Accept proposal `proposal`, paying in `milestones` equal-as-possible
    /// parts (none: one delivery, paid on approval).
    AcceptProposal {
        actor: usize,
        proposal: usize,
        milestones: usize,
    },
    /// Fund the contract's escrow.
    Fund { actor: usize, contract: usize },
    /// The creator accepts the contract.
    AcceptContract { actor: usize, contract: usize },
    /// The creator declines the offer.
    Decline { actor: usize, contract: usize },
    /// A party cancels.
    Cancel { actor: usize, contract: usize },
    /// The creator submits a deliverable.
    Deliver { actor: usize, contract: usize },
    /// The client asks for a revision.
    RequestRevision { actor: usize, contract: usize },
    /// The client approves the delivery.
    Approve { actor: usize, contract: usize },
    /// The creator submits a milestone.
    SubmitMilestone {
        actor: usize,
        contract: usize,
        milestone: usize,
    },
    /// The client releases a milestone's payment.
    ReleaseMilestone {
        actor: usize,
        contract: usize,
        milestone: usize,
    },
    /// The creator refunds part of what is held.
    Refund {
        actor: usize,
        contract: usize,
        cents: i64,
    },
    /// The client tips the creator.
    Tip {
        actor: usize,
        contract: usize,
        cents: i64,
    },
    /// A party raises a dispute.
    RaiseDispute { actor: usize, contract: usize },
    /// Staff resolve the open dispute: `release_percent` of what is held to
    /// the creator, the rest plus `off_by` cents to the client (a non-zero
    /// `off_by` makes the settlement not match what is held).
    ResolveDispute {
        actor: usize,
        contract: usize,
        release_percent: u32,
        off_by: i64,
    },
    /// A party reviews the other.
    Review {
        actor: usize,
        contract: usize,
        stars: i32,
    },
}

/// A contract as the model sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelContract {
    /// Client index (0 or 1).
    pub client: usize,
    /// Creator index (0 or 1).
    pub creator: usize,
    /// What the client pays, in cents.
    pub total: i64,
    /// Status.
    pub status: ContractStatus,
    /// Whether escrow was funded.
    pub funded: bool,
    /// Held, in cents.
    pub held: i64,
    /// Released to the creator, in cents.
    pub released: i64,
    /// Refunded to the client, in cents.
    pub refunded: i64,
    /// Milestones: (amount in cents, status).
    pub milestones: Vec<(i64, MilestoneStatus)>,
    /// Revisions allowed (`None`: unlimited).
    pub revisions_allowed: Option<i32>,
    /// Revisions used.
    pub revision_count: i32,
    /// Reviews left: (by the client, by the creator).
    pub reviewed: (bool, bool),
    /// The fee quote made with the contract.
    pub quote: FeeQuote,
}

/// The reference model: everything the checks compare, in cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// Budgets of the four seeded proposals, in cents.
    pub budgets: [i64; PROPOSALS],
    /// Which proposals were accepted.
    pub accepted: [bool; PROPOSALS],
    /// Contracts in the order they were made.
    pub contracts: Vec<ModelContract>,
    /// Each creator's `total_earnings`, in cents.
    pub earnings: [i64; 2],
    /// Each client's `total_spent`, in cents.
    pub spent: [i64; 2],
}

fn usd(cents: i64) -> Money {
    Money::from_minor(cents, Currency::USD).unwrap_or_else(|_| Money::zero(Currency::USD))
}

fn cents(m: Money) -> i64 {
    i64::try_from(m.to_minor()).unwrap_or(i64::MAX)
}

/// The fee quote the default schedule gives for `total` cents.
fn quote(total: i64) -> Option<FeeQuote> {
    let at = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .ok()?
        .with_timezone(&chrono::Utc);
    FeeSchedule::standard().quote(usd(total), at).ok()
}

/// The platform fee charged when the released total goes from `before` to
/// `after` cents (the difference of cumulative shares).
fn fee_between(quote: &FeeQuote, before: i64, after: i64) -> Option<i64> {
    let (fee_before, _) = quote.fees_on_cumulative(usd(before)).ok()?;
    let (fee_after, _) = quote.fees_on_cumulative(usd(after)).ok()?;
    Some(cents(fee_after) - cents(fee_before))
}

/// The amounts a [`Command::ResolveDispute`] asks for when `held` cents are
/// held: (to the creator, to the client).
pub fn resolution_amounts(held: i64, release_percent: u32, off_by: i64) -> (i64, i64) {
    let release = held * i64::from(release_percent.min(100)) / 100;
    (release, held - release + off_by)
}

/// Splits `total` into `parts` amounts that sum exactly (largest remainder),
/// as the executor sends them.
pub fn milestone_amounts(total: i64, parts: usize) -> Vec<i64> {
    if parts == 0 {
        return Vec::new();
    }
    usd(total)
        .allocate(parts)
        .map(|v| v.into_iter().map(cents).collect())
        .unwrap_or_default()
}

impl Model {
    /// A fresh world with the given proposal budgets.
    pub fn new(budgets: [i64; PROPOSALS]) -> Self {
        Self {
            budgets,
            accepted: [false; PROPOSALS],
            contracts: Vec::new(),
            earnings: [0; 2],
            spent: [0; 2],
        }
    }

    fn is_client(actor: usize, c: &ModelContract) -> bool {
        actor == client_user(c.client)
    }

    fn is_creator(actor: usize, c: &ModelContract) -> bool {
        actor == creator_user(c.creator)
    }

    /// Moves `release` and `refund` cents out of escrow, with fees, as one
    /// settlement. `None` if the escrow cannot cover it.
    fn settle(&mut self, i: usize, release: i64, refund: i64) -> Option<()> {
        let c = self.contracts.get(i)?;
        if release < 0 || refund < 0 || release + refund == 0 || release + refund > c.held {
            return None;
        }
        let fee = if release > 0 {
            fee_between(&c.quote, c.released, c.released + release)?
        } else {
            0
        };
        let (client, creator) = (c.client, c.creator);
        let c = self.contracts.get_mut(i)?;
        c.held -= release + refund;
        c.released += release;
        c.refunded += refund;
        self.earnings[creator] += release - fee;
        self.spent[client] += release;
        Some(())
    }

    /// Applies `command` if the service must accept it; returns whether it
    /// did. A refused command changes nothing.
    pub fn apply(&mut self, command: &Command) -> bool {
        let before = self.clone();
        let ok = self.try_apply(command).is_some();
        if !ok {
            *self = before;
        }
        ok
    }

    fn try_apply(&mut self, command: &Command) -> Option<()> {
        use ContractStatus as S;
        use MilestoneStatus as M;
        match *command {
            Command::OrderGig {
                actor,
                creator,
                tier,
            } => {
                let client = (1..=2).contains(&actor).then(|| actor - 1)?;
                let (_, price, revisions) =
                    GIG_TIERS.iter().copied().find(|(t, _, _)| *t == tier)?;
                let creator = (creator < 2).then_some(creator)?;
                self.contracts.push(ModelContract {
                    client,
                    creator,
                    total: price,
                    status: S::PendingAcceptance,
                    funded: false,
                    held: 0,
                    released: 0,
                    refunded: 0,
                    milestones: vec![],
                    revisions_allowed: Some(revisions),
                    revision_count: 0,
                    reviewed: (false, false),
                    quote: quote(price)?,
                });
            }
            Command::AcceptProposal {
                actor,
                proposal,
                milestones,
            } => {
                let client = proposal / 2;
                let creator = proposal % 2;
                if proposal >= PROPOSALS
                    || actor != client_user(client)
                    || self.accepted[proposal]
                    || milestones > 3
                {
                    return None;
                }
                let total = self.budgets[proposal];
                let amounts = milestone_amounts(total, milestones);
                if amounts.len() != milestones || amounts.iter().any(|a| *a <= 0) {
                    return None;
                }
                self.accepted[proposal] = true;
                self.contracts.push(ModelContract {
                    client,
                    creator,
                    total,
                    status: S::PendingAcceptance,
                    funded: false,
                    held: 0,
                    released: 0,
                    refunded: 0,
                    milestones: amounts.into_iter().map(|a| (a, M::Pending)).collect(),
                    revisions_allowed: None,
                    revision_count: 0,
                    reviewed: (false, false),
                    quote: quote(total)?,
                });
            }
            Command::Fund { actor, contract } => {
                let c = self.contracts.get_mut(contract)?;
                if !Self::is_client(actor, c) || c.status != S::PendingAcceptance || c.funded {
                    return None;
                }
                c.funded = true;
                c.held = c.total;
            }
            Command::AcceptContract { actor, contract } => {
                let c = self.contracts.get_mut(contract)?;
                if !Self::is_creator(actor, c)
                    || c.status != S::PendingAcceptance
                    || !c.funded
                    || c.held != c.total
                {
                    return None;
                }
                c.status = S::Active;
            }
            Command::Decline { actor, contract } | Command::Cancel { actor, contract } => {
                let c = self.contracts.get(contract)?;
                let allowed = match command {
                    Command::Decline { .. } => {
                        Self::is_creator(actor, c) && c.status == S::PendingAcceptance
                    }
                    _ => {
                        (Self::is_client(actor, c) || Self::is_creator(actor, c))
                            && matches!(
                                c.status,
                                S::PendingAcceptance | S::Active | S::RevisionRequested
                            )
                    }
                };
                if !allowed {
                    return None;
                }
                let held = c.held;
                if held > 0 {
                    self.settle(contract, 0, held)?;
                }
                self.contracts.get_mut(contract)?.status = S::Cancelled;
            }
            Command::Deliver { actor, contract } => {
                let c = self.contracts.get_mut(contract)?;
                if !Self::is_creator(actor, c)
                    || !matches!(c.status, S::Active | S::RevisionRequested)
                {
                    return None;
                }
                c.status = S::InReview;
            }
            Command::RequestRevision { actor, contract } => {
                let c = self.contracts.get_mut(contract)?;
                if !Self::is_client(actor, c) || c.status != S::InReview {
                    return None;
                }
                if c.revisions_allowed.is_some_and(|n| c.revision_count >= n) {
                    return None;
                }
                c.revision_count += 1;
                c.status = S::RevisionRequested;
            }
            Command::Approve { actor, contract } => {
                let c = self.contracts.get(contract)?;
                if !Self::is_client(actor, c) || c.status != S::InReview {
                    return None;
                }
                let unpaid = c.milestones.iter().any(|(_, s)| *s != M::Paid);
                if unpaid && !c.milestones.is_empty() {
                    self.contracts.get_mut(contract)?.status = S::Active;
                } else {
                    let held = c.held;
                    if held > 0 {
                        self.settle(contract, held, 0)?;
                    }
                    self.contracts.get_mut(contract)?.status = S::Completed;
                }
            }
            Command::SubmitMilestone {
                actor,
                contract,
                milestone,
            } => {
                let c = self.contracts.get_mut(contract)?;
                if !Self::is_creator(actor, c)
                    || !matches!(c.status, S::Active | S::InReview | S::RevisionRequested)
                {
                    return None;
                }
                let m = c.milestones.get_mut(milestone)?;
                if !matches!(m.1, M::Pending | M::InProgress) {
                    return None;
                }
                m.1 = M::Submitted;
            }
            Command::ReleaseMilestone {
                actor,
                contract,
                milestone,
            } => {
                let c = self.contracts.get(contract)?;
                if !Self::is_client(actor, c)
                    || !matches!(c.status, S::Active | S::InReview | S::RevisionRequested)
                    || !c.funded
                {
                    return None;
                }
                let (amount, status) = *c.milestones.get(milestone)?;
                if !matches!(status, M::Submitted | M::Approved) {
                    return None;
                }
                let last = c
                    .milestones
                    .iter()
                    .enumerate()
                    .all(|(j, (_, s))| j == milestone || *s == M::Paid);
                if last && !matches!(c.status, S::Active | S::InReview) {
                    return None;
                }
                self.settle(contract, amount, 0)?;
                let c = self.contracts.get_mut(contract)?;
                c.milestones.get_mut(milestone)?.1 = M::Paid;
                if last {
                    c.status = S::Completed;
                }
            }
            Command::Refund {
                actor,
                contract,
                cents,
            } => {
                let c = self.contracts.get(contract)?;
                if !Self::is_creator(actor, c)
                    || cents <= 0
                    || !matches!(
                        c.status,
                        S::Active | S::InReview | S::RevisionRequested | S::PendingAcceptance
                    )
                    || !c.funded
                {
                    return None;
                }
                self.settle(contract, 0, cents)?;
            }
            Command::Tip {
                actor,
                contract,
                cents,
            } => {
                let c = self.contracts.get(contract)?;
                if !Self::is_client(actor, c)
                    || !(1..=MAX_TIP_CENTS).contains(&cents)
                    || !matches!(
                        c.status,
                        S::Active | S::InReview | S::RevisionRequested | S::Completed
                    )
                {
                    return None;
                }
                let (client, creator) = (c.client, c.creator);
                self.earnings[creator] += cents;
                self.spent[client] += cents;
            }
            Command::RaiseDispute { actor, contract } => {
                let c = self.contracts.get_mut(contract)?;
                if !(Self::is_client(actor, c) || Self::is_creator(actor, c))
                    || !matches!(c.status, S::Active | S::InReview)
                {
                    return None;
                }
                c.status = S::Disputed;
            }
            Command::ResolveDispute {
                actor,
                contract,
                release_percent,
                off_by,
            } => {
                let c = self.contracts.get(contract)?;
                let (release_cents, refund_cents) =
                    resolution_amounts(c.held, release_percent, off_by);
                if actor != STAFF
                    || c.status != S::Disputed
                    || release_cents < 0
                    || refund_cents < 0
                    || release_cents + refund_cents != c.held
                {
                    return None;
                }
                // Completed when this settlement pays the creator, or when
                // nothing was left to settle after earlier releases.
                let (held_before, released_before) = (c.held, c.released);
                if held_before > 0 {
                    self.settle(contract, release_cents, refund_cents)?;
                }
                let c = self.contracts.get_mut(contract)?;
                c.status = if release_cents > 0 || (held_before == 0 && released_before > 0) {
                    S::Completed
                } else {
                    S::Cancelled
                };
            }
            Command::Review {
                actor,
                contract,
                stars,
            } => {
                let c = self.contracts.get_mut(contract)?;
                if c.status != S::Completed || !(1..=5).contains(&stars) {
                    return None;
                }
                if Self::is_client(actor, c) && !c.reviewed.0 {
                    c.reviewed.0 = true;
                } else if Self::is_creator(actor, c) && !c.reviewed.1 {
                    c.reviewed.1 = true;
                } else {
                    return None;
                }
            }
        }
        Some(())
    }
}

/// A starting model with random proposal budgets (1.00 to 5,000.00).
pub fn initial_model() -> impl Strategy<Value = Model> {
    prop::array::uniform4(100i64..=500_000).prop_map(Model::new)
}

/// Who usually issues a command.
#[derive(Debug, Clone, Copy)]
enum Role {
    Client,
    Creator,
    Party,
    Staff,
}

/// A contract index (sometimes one that does not exist) and an actor: most
/// of the time the user whose role the command needs on that contract, so
/// that sequences reach deep states; otherwise anyone.
fn target(parties: &[(usize, usize)], role: Role) -> BoxedStrategy<(usize, usize)> {
    let parties = parties.to_vec();
    let n = parties.len();
    (0..=n, 0..USERS, 0u8..10, any::<bool>())
        .prop_map(move |(contract, anyone, dice, side)| {
            let Some(&(client, creator)) = parties.get(contract) else {
                return (contract, anyone);
            };
            if dice >= 8 {
                return (contract, anyone);
            }
            let actor = match role {
                Role::Client => client,
                Role::Creator => creator,
                Role::Party if side => client,
                Role::Party => creator,
                Role::Staff => STAFF,
            };
            (contract, actor)
        })
        .boxed()
}

/// The natural next steps of contract `i` (by the right actors): what a
/// real client, creator or staff member would most likely do next.
fn next_steps(model: &Model, i: usize) -> Vec<Command> {
    use ContractStatus as S;
    let Some(c) = model.contracts.get(i) else {
        return Vec::new();
    };
    let (client, creator) = (client_user(c.client), creator_user(c.creator));
    let contract = i;
    let mut steps = Vec::new();
    match c.status {
        S::PendingAcceptance if !c.funded => steps.push(Command::Fund {
            actor: client,
            contract,
        }),
        S::PendingAcceptance => {
            steps.push(Command::AcceptContract {
                actor: creator,
                contract,
            });
            steps.push(Command::AcceptContract {
                actor: creator,
                contract,
            });
            steps.push(Command::Decline {
                actor: creator,
                contract,
            });
        }
        S::Active | S::RevisionRequested => {
            steps.push(Command::Deliver {
                actor: creator,
                contract,
            });
            for (m, (_, status)) in c.milestones.iter().enumerate() {
                match status {
                    MilestoneStatus::Pending | MilestoneStatus::InProgress => {
                        steps.push(Command::SubmitMilestone {
                            actor: creator,
                            contract,
                            milestone: m,
                        })
                    }
                    MilestoneStatus::Submitted | MilestoneStatus::Approved => {
                        steps.push(Command::ReleaseMilestone {
                            actor: client,
                            contract,
                            milestone: m,
                        })
                    }
                    MilestoneStatus::Paid => {}
                }
            }
            steps.push(Command::RaiseDispute {
                actor: client,
                contract,
            });
            steps.push(Command::Refund {
                actor: creator,
                contract,
                cents: (c.held / 4).max(1),
            });
            steps.push(Command::Tip {
                actor: client,
                contract,
                cents: 500,
            });
        }
        S::InReview => {
            steps.push(Command::Approve {
                actor: client,
                contract,
            });
            steps.push(Command::Approve {
                actor: client,
                contract,
            });
            steps.push(Command::RequestRevision {
                actor: client,
                contract,
            });
            steps.push(Command::RaiseDispute {
                actor: creator,
                contract,
            });
            for (m, (_, status)) in c.milestones.iter().enumerate() {
                if matches!(
                    status,
                    MilestoneStatus::Submitted | MilestoneStatus::Approved
                ) {
                    steps.push(Command::ReleaseMilestone {
                        actor: client,
                        contract,
                        milestone: m,
                    });
                }
            }
        }
        S::Disputed => {
            for release_percent in [0, 35, 100] {
                steps.push(Command::ResolveDispute {
                    actor: STAFF,
                    contract,
                    release_percent,
                    off_by: 0,
                });
            }
        }
        S::Completed => {
            steps.push(Command::Review {
                actor: client,
                contract,
                stars: 4,
            });
            steps.push(Command::Review {
                actor: creator,
                contract,
                stars: 5,
            });
            steps.push(Command::Tip {
                actor: client,
                contract,
                cents: 1_000,
            });
        }
        S::Cancelled => {}
    }
    steps
}

/// One command that may or may not be legal in `model`: contracts, actors
/// and milestones are drawn mostly from what exists and who may act, so
/// that most sequences exercise real rules rather than bounce off missing
/// ids; the rest are illegal on purpose.
pub fn command(model: &Model) -> BoxedStrategy<Command> {
    let mut natural: Vec<Command> = (0..model.contracts.len())
        .flat_map(|i| next_steps(model, i))
        .collect();
    // New business keeps arriving, through both doors.
    for (proposal, accepted) in model.accepted.iter().enumerate() {
        if !accepted {
            natural.push(Command::AcceptProposal {
                actor: client_user(proposal / 2),
                proposal,
                milestones: 1 + proposal % 3,
            });
        }
    }
    if model.contracts.len() < 4 {
        natural.push(Command::OrderGig {
            actor: 1,
            creator: 1,
            tier: GigTier::Basic,
        });
    }
    let random = any_command(model);
    if natural.is_empty() {
        return random;
    }
    prop_oneof![1 => random, 1 => prop::sample::select(natural)].boxed()
}

/// Any command, with targets and actors biased toward what exists.
fn any_command(model: &Model) -> BoxedStrategy<Command> {
    let parties: Vec<(usize, usize)> = model
        .contracts
        .iter()
        .map(|c| (client_user(c.client), creator_user(c.creator)))
        .collect();
    let t = |role| target(&parties, role);
    let tier = prop::sample::select(vec![GigTier::Basic, GigTier::Standard, GigTier::Premium]);
    let some_client = prop_oneof![4 => 1usize..=2, 1 => 0..USERS];
    prop_oneof![
        3 => (some_client, 0usize..2, tier)
            .prop_map(|(actor, creator, tier)| Command::OrderGig { actor, creator, tier }),
        2 => (0..PROPOSALS, 0usize..=3, 0u8..10, 0..USERS).prop_map(
            |(proposal, milestones, dice, anyone)| {
                let actor = if dice < 8 { client_user(proposal / 2) } else { anyone };
                Command::AcceptProposal { actor, proposal, milestones }
            }
        ),
        4 => t(Role::Client).prop_map(|(contract, actor)| Command::Fund { actor, contract }),
        4 => t(Role::Creator)
            .prop_map(|(contract, actor)| Command::AcceptContract { actor, contract }),
        1 => t(Role::Creator).prop_map(|(contract, actor)| Command::Decline { actor, contract }),
        1 => t(Role::Party).prop_map(|(contract, actor)| Command::Cancel { actor, contract }),
        3 => t(Role::Creator).prop_map(|(contract, actor)| Command::Deliver { actor, contract }),
        2 => t(Role::Client)
            .prop_map(|(contract, actor)| Command::RequestRevision { actor, contract }),
        3 => t(Role::Client).prop_map(|(contract, actor)| Command::Approve { actor, contract }),
        4 => (t(Role::Creator), 0usize..3).prop_map(|((contract, actor), milestone)| {
            Command::SubmitMilestone { actor, contract, milestone }
        }),
        4 => (t(Role::Client), 0usize..3).prop_map(|((contract, actor), milestone)| {
            Command::ReleaseMilestone { actor, contract, milestone }
        }),
        2 => (t(Role::Creator), prop_oneof![0i64..=30_000, 1i64..=500])
            .prop_map(|((contract, actor), cents)| Command::Refund { actor, contract, cents }),
        2 => (
            t(Role::Client),
            prop_oneof![8 => 1i64..=5_000, 1 => Just(0), 1 => Just(MAX_TIP_CENTS + 1)],
        )
            .prop_map(|((contract, actor), cents)| Command::Tip { actor, contract, cents }),
        2 => t(Role::Party).prop_map(|(contract, actor)| Command::RaiseDispute { actor, contract }),
        3 => (t(Role::Staff), 0u32..=100, prop_oneof![9 => Just(0i64), 1 => Just(1i64)])
            .prop_map(|((contract, actor), release_percent, off_by)| {
                Command::ResolveDispute { actor, contract, release_percent, off_by }
            }),
        2 => (t(Role::Party), prop_oneof![9 => 1i32..=5, 1 => Just(0), 1 => Just(6)])
            .prop_map(|((contract, actor), stars)| Command::Review { actor, contract, stars }),
    ]
    .boxed()
}

/// A starting model and a sequence of up to `max_len` commands, each drawn
/// for the state the previous ones lead to (legal and illegal mixed). The
/// model decides which must succeed; see [`Model::apply`].
pub fn commands(max_len: usize) -> BoxedStrategy<(Model, Vec<Command>)> {
    fn extend(
        model: Model,
        start: Model,
        done: Vec<Command>,
        left: usize,
    ) -> BoxedStrategy<(Model, Vec<Command>)> {
        if left == 0 {
            return Just((start, done)).boxed();
        }
        command(&model)
            .prop_flat_map(move |next| {
                let mut model = model.clone();
                model.apply(&next);
                let mut done = done.clone();
                done.push(next);
                extend(model, start.clone(), done, left - 1)
            })
            .boxed()
    }
    (initial_model(), 0..=max_len)
        .prop_flat_map(|(model, len)| extend(model.clone(), model, Vec::new(), len))
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generator must reach deep states often: completed contracts,
    /// released milestones, resolved disputes, tips.
    #[test]
    fn generated_sequences_reach_deep_states() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut completed, mut paid, mut resolved, mut accepted, mut total) = (0, 0, 0, 0, 0);
        for _ in 0..200 {
            let (mut model, seq) = commands(40)
                .new_tree(&mut runner)
                .expect("a sequence")
                .current();
            let mut disputed = false;
            for c in &seq {
                total += 1;
                if model.apply(c) {
                    accepted += 1;
                    disputed |= matches!(c, Command::RaiseDispute { .. });
                    resolved +=
                        usize::from(disputed && matches!(c, Command::ResolveDispute { .. }));
                }
            }
            completed += usize::from(
                model
                    .contracts
                    .iter()
                    .any(|c| c.status == ContractStatus::Completed),
            );
            paid += usize::from(
                model
                    .contracts
                    .iter()
                    .any(|c| c.milestones.iter().any(|m| m.1 == MilestoneStatus::Paid)),
            );
        }
        assert!(accepted * 4 > total, "{accepted} of {total} accepted");
        assert!(
            completed > 40,
            "{completed} of 200 sequences completed a contract"
        );
        assert!(paid > 10, "{paid} of 200 sequences paid a milestone");
        assert!(resolved > 10, "{resolved} disputes resolved");
    }

    fn gig_flow() -> Vec<Command> {
        vec![
            Command::OrderGig {
                actor: 1,
                creator: 0,
                tier: GigTier::Basic,
            },
            Command::Fund {
                actor: 1,
                contract: 0,
            },
            Command::AcceptContract {
                actor: 3,
                contract: 0,
            },
            Command::Deliver {
                actor: 3,
                contract: 0,
            },
            Command::Approve {
                actor: 1,
                contract: 0,
            },
        ]
    }

    #[test]
    fn a_gig_flow_pays_the_creator_net_of_fees() {
        let mut model = Model::new([10_000; PROPOSALS]);
        for c in gig_flow() {
            assert!(model.apply(&c), "{c:?}");
        }
        let c = &model.contracts[0];
        assert_eq!(
            (c.held, c.released, c.status),
            (0, 10_000, ContractStatus::Completed)
        );
        assert_eq!(model.earnings[0], cents(c.quote.creator_payout));
        assert_eq!(model.spent[0], 10_000);
    }

    #[test]
    fn refused_commands_change_nothing() {
        let mut model = Model::new([10_000; PROPOSALS]);
        let before = model.clone();
        assert!(!model.apply(&Command::Fund {
            actor: 1,
            contract: 0
        }));
        assert!(!model.apply(&Command::OrderGig {
            actor: 3,
            creator: 0,
            tier: GigTier::Basic
        }));
        assert!(!model.apply(&Command::OrderGig {
            actor: 1,
            creator: 0,
            tier: GigTier::Premium
        }));
        assert_eq!(model, before);
    }

    #[test]
    fn a_split_resolution_settles_exactly_what_is_held() {
        let mut model = Model::new([30_001; PROPOSALS]);
        for c in [
            Command::AcceptProposal {
                actor: 1,
                proposal: 0,
                milestones: 3,
            },
            Command::Fund {
                actor: 1,
                contract: 0,
            },
            Command::AcceptContract {
                actor: 3,
                contract: 0,
            },
            Command::RaiseDispute {
                actor: 3,
                contract: 0,
            },
        ] {
            assert!(model.apply(&c), "{c:?}");
        }
        assert!(!model.apply(&Command::ResolveDispute {
            actor: 0,
            contract: 0,
            release_percent: 40,
            off_by: 1
        }));
        assert!(!model.apply(&Command::ResolveDispute {
            actor: 1,
            contract: 0,
            release_percent: 40,
            off_by: 0
        }));
        assert!(model.apply(&Command::ResolveDispute {
            actor: 0,
            contract: 0,
            release_percent: 40,
            off_by: 0
        }));
        let c = &model.contracts[0];
        assert_eq!((c.held, c.released, c.refunded), (0, 12_000, 18_001));
        assert_eq!(c.status, ContractStatus::Completed);
    }
}
