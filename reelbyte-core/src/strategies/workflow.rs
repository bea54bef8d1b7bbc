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
    /// Accept proposal `proposal`, paying in `milestones` equal-as-possible parts.
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
                    || !(1..=3).contains(&milestones)
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
                let released_before = c.released;
                if c.held > 0 {
                    self.settle(contract, release_cents, refund_cents)?;
                }
                let c = self.contracts.get_mut(contract)?;
                c.status = if release_cents > 0 || (c.held == 0 && released_before > 0) {
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

/// One command that may or may not be legal in a world with
/// `contracts` contracts: actors, contracts, milestones and amounts are
/// drawn mostly from what exists, so that most commands exercise real rules
/// rather than bounce off missing ids.
pub fn command(contracts: usize) -> BoxedStrategy<Command> {
    let actor = 0..USERS;
    let contract = 0..contracts.max(1);
    let tier = prop::sample::select(vec![GigTier::Basic, GigTier::Standard, GigTier::Premium]);
    prop_oneof![
        2 => (actor.clone(), 0usize..2, tier)
            .prop_map(|(actor, creator, tier)| Command::OrderGig { actor, creator, tier }),
        2 => (actor.clone(), 0..PROPOSALS, 0usize..=3).prop_map(|(actor, proposal, milestones)| {
            Command::AcceptProposal { actor, proposal, milestones }
        }),
        3 => (actor.clone(), contract.clone())
            .prop_map(|(actor, contract)| Command::Fund { actor, contract }),
        3 => (actor.clone(), contract.clone())
            .prop_map(|(actor, contract)| Command::AcceptContract { actor, contract }),
        1 => (actor.clone(), contract.clone())
            .prop_map(|(actor, contract)| Command::Decline { actor, contract }),
        1 => (actor.clone(), contract.clone())
            .prop_map(|(actor, contract)| Command::Cancel { actor, contract }),
        3 => (actor.clone(), contract.clone())
            .prop_map(|(actor, contract)| Command::Deliver { actor, contract }),
        2 => (actor.clone(), contract.clone())
            .prop_map(|(actor, contract)| Command::RequestRevision { actor, contract }),
        3 => (actor.clone(), contract.clone())
            .prop_map(|(actor, contract)| Command::Approve { actor, contract }),
        3 => (actor.clone(), contract.clone(), 0usize..3).prop_map(
            |(actor, contract, milestone)| Command::SubmitMilestone { actor, contract, milestone }
        ),
        3 => (actor.clone(), contract.clone(), 0usize..3).prop_map(
            |(actor, contract, milestone)| Command::ReleaseMilestone { actor, contract, milestone }
        ),
        2 => (actor.clone(), contract.clone(), 0i64..=30_000)
            .prop_map(|(actor, contract, cents)| Command::Refund { actor, contract, cents }),
        1 => (
            actor.clone(),
            contract.clone(),
            prop_oneof![8 => 1i64..=5_000, 1 => Just(0), 1 => Just(MAX_TIP_CENTS + 1)],
        )
            .prop_map(|(actor, contract, cents)| Command::Tip { actor, contract, cents }),
        2 => (actor.clone(), contract.clone())
            .prop_map(|(actor, contract)| Command::RaiseDispute { actor, contract }),
        2 => (
            prop_oneof![4 => Just(STAFF), 1 => actor.clone()],
            contract.clone(),
            0u32..=100,
            prop_oneof![9 => Just(0i64), 1 => Just(1i64)],
        )
            .prop_map(|(actor, contract, release_percent, off_by)| {
                Command::ResolveDispute { actor, contract, release_percent, off_by }
            }),
        2 => (actor, contract, 0i32..=6)
            .prop_map(|(actor, contract, stars)| Command::Review { actor, contract, stars }),
    ]
    .boxed()
}

/// A starting model and a sequence of up to `max_len` commands on at most
/// `max_contracts` contracts, legal and illegal mixed. The model decides
/// which must succeed; see [`Model::apply`].
pub fn commands(
    max_len: usize,
    max_contracts: usize,
) -> impl Strategy<Value = (Model, Vec<Command>)> {
    (
        initial_model(),
        prop::collection::vec(command(max_contracts), 0..=max_len),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
