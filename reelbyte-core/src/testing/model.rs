//! Drives the real [`Marketplace`](crate::Marketplace) with
//! [`workflow::Command`](crate::strategies::workflow::Command)s and compares it with the reference
//! [`workflow::Model`](crate::strategies::workflow::Model) after every step.
//!
//! The world of the model (one staff user, two clients with payment
//! methods, two creators with payout methods and one active gig each, four
//! pending proposals) is seeded by [`ModelWorld::new`]. [`ModelWorld::apply`]
//! runs one command and reports whether the service accepted it;
//! [`ModelWorld::check`] compares every contract's status, escrow figures and
//! milestones, every creator's earnings and client's spending with the model,
//! and runs the money invariants.

use std::collections::HashMap;

use crate::enums::UserType;
use crate::error::Error;
use crate::ids::{ContractId, DisputeId, GigId, MilestoneId, ProposalId};
use crate::money::{Currency, Money};
use crate::service::{
    AcceptProposalInput, MilestoneInput, OrderGigInput, RaiseDisputeInput, ResolveDisputeInput,
    ReviewInput,
};
use crate::strategies::workflow::{
    Command, Model, PROPOSALS, client_user, creator_user, milestone_amounts, resolution_amounts,
};
use crate::testing::contracts::video;
use crate::testing::{Seeded, StoreFactory, TestEnv};
use crate::value::{Rating, Text};

fn usd(cents: i64) -> Money {
    Money::from_minor(cents, Currency::USD).unwrap_or_else(|_| Money::zero(Currency::USD))
}

fn cents(m: Money) -> i64 {
    i64::try_from(m.to_minor()).unwrap_or(i64::MAX)
}

/// What an accepted command made that later commands refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing new.
    None,
    /// A new contract.
    Contract(ContractId),
    /// A dispute on the contract with this index.
    Dispute(usize, DisputeId),
}

/// The real service seeded with the model's world, and the ids behind the
/// model's indices.
#[derive(Debug)]
pub struct ModelWorld {
    /// The environment under test.
    pub env: TestEnv,
    /// Users by the model's index.
    pub users: Vec<Seeded>,
    /// Each creator's gig.
    pub gigs: Vec<GigId>,
    /// The seeded proposals.
    pub proposals: Vec<ProposalId>,
    /// Contracts in the order they were made.
    pub contracts: Vec<ContractId>,
    /// The latest dispute raised on each contract.
    pub disputes: HashMap<usize, DisputeId>,
}

impl ModelWorld {
    /// Seeds the model's world in a clean store from `factory`.
    pub async fn new(factory: &StoreFactory, model: &Model) -> Self {
        let env = TestEnv::new(factory).await;
        Self::seeded(env, model).await
    }

    /// Seeds the model's world into `env`.
    pub async fn seeded(env: TestEnv, model: &Model) -> Self {
        // Staff have a creator profile but no gig: a user who can do much
        // and owns nothing.
        let staff = env.seed(UserType::Creator, true).await;
        let clients = [env.client().await, env.client().await];
        let creators = [env.creator().await, env.creator().await];
        let mut gigs = Vec::new();
        for c in &creators {
            env.seed_payout_method(c.creator_id()).await;
            gigs.push(env.seed_gig(c.creator_id()).await);
        }
        let mut proposals = Vec::new();
        for (p, budget) in model.budgets.iter().enumerate().take(PROPOSALS) {
            let (_, proposal) = env
                .seed_job_with_proposal(
                    clients[p / 2].client_id(),
                    creators[p % 2].creator_id(),
                    usd(*budget),
                )
                .await;
            proposals.push(proposal);
        }
        let users = vec![
            staff,
            clients[0].clone(),
            clients[1].clone(),
            creators[0].clone(),
            creators[1].clone(),
        ];
        Self {
            env,
            users,
            gigs,
            proposals,
            contracts: Vec::new(),
            disputes: HashMap::new(),
        }
    }

    fn contract(&self, i: usize) -> ContractId {
        // An index the model does not know is an id nobody knows.
        self.contracts.get(i).copied().unwrap_or_default()
    }

    async fn milestone(&self, contract: usize, i: usize) -> MilestoneId {
        let Some(id) = self.contracts.get(contract) else {
            return MilestoneId::new();
        };
        let mut all = self
            .env
            .store
            .contracts()
            .list_milestones_by_contract_id(*id)
            .await
            .unwrap_or_default();
        all.sort_by_key(|m| m.sequence_order);
        all.get(i).map(|m| m.id).unwrap_or_default()
    }

    /// Runs `command` through the service and records the contracts and
    /// disputes it made; `Ok(accepted)`, or `Err` when the service failed in
    /// a way no command may (a backend error).
    pub async fn apply(&mut self, command: &Command) -> Result<bool, String> {
        let (accepted, effect) = self.run(command).await?;
        match effect {
            Effect::None => {}
            Effect::Contract(id) => self.contracts.push(id),
            Effect::Dispute(contract, id) => {
                self.disputes.insert(contract, id);
            }
        }
        Ok(accepted)
    }

    /// Runs `command` without recording anything, so that many can run at
    /// once on a shared world; returns whether it was accepted and what it
    /// made.
    pub async fn run(&self, command: &Command) -> Result<(bool, Effect), String> {
        let market = &self.env.market;
        let mut effect = Effect::None;
        let ctx = |actor: usize| {
            self.users
                .get(actor)
                .map(|u| u.ctx.clone())
                .unwrap_or_default()
        };
        let outcome: Result<(), Error> = match *command {
            Command::OrderGig {
                actor,
                creator,
                tier,
            } => {
                let gig = self.gigs.get(creator).copied().unwrap_or_default();
                match market
                    .order_gig(
                        &ctx(actor),
                        gig,
                        OrderGigInput {
                            tier,
                            requirements: None,
                        },
                    )
                    .await
                {
                    Ok(c) => {
                        effect = Effect::Contract(c.id);
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Command::AcceptProposal {
                actor,
                proposal,
                milestones,
            } => {
                let id = self.proposals.get(proposal).copied().unwrap_or_default();
                let budget = self
                    .env
                    .store
                    .jobs()
                    .get_proposal_by_id(id)
                    .await
                    .ok()
                    .flatten()
                    .map(|p| cents(p.proposed_budget))
                    .unwrap_or(0);
                let parts = milestone_amounts(budget, milestones)
                    .into_iter()
                    .enumerate()
                    .map(|(i, amount)| MilestoneInput {
                        title: Text::parse(&format!("Part {}", i + 1)).unwrap_or_else(|_| {
                            Text::parse("Part").unwrap_or_else(|_| unreachable_text())
                        }),
                        description: None,
                        amount: usd(amount),
                        due_date: None,
                    })
                    .collect();
                match market
                    .accept_proposal(
                        &ctx(actor),
                        id,
                        AcceptProposalInput {
                            milestones: parts,
                            scope_of_work: None,
                        },
                    )
                    .await
                {
                    Ok(c) => {
                        effect = Effect::Contract(c.id);
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Command::Fund { actor, contract } => market
                .fund_escrow(&ctx(actor), self.contract(contract), None)
                .await
                .map(drop),
            Command::AcceptContract { actor, contract } => market
                .accept_contract(&ctx(actor), self.contract(contract))
                .await
                .map(drop),
            Command::Decline { actor, contract } => market
                .decline_contract(&ctx(actor), self.contract(contract))
                .await
                .map(drop),
            Command::Cancel { actor, contract } => market
                .cancel_contract(&ctx(actor), self.contract(contract))
                .await
                .map(drop),
            Command::Deliver { actor, contract } => market
                .submit_deliverable(&ctx(actor), self.contract(contract), video())
                .await
                .map(drop),
            Command::RequestRevision { actor, contract } => market
                .request_revision(&ctx(actor), self.contract(contract), "Tighter cut, please")
                .await
                .map(drop),
            Command::Approve { actor, contract } => market
                .approve_delivery(&ctx(actor), self.contract(contract), None)
                .await
                .map(drop),
            Command::SubmitMilestone {
                actor,
                contract,
                milestone,
            } => {
                let id = self.milestone(contract, milestone).await;
                market.submit_milestone(&ctx(actor), id).await.map(drop)
            }
            Command::ReleaseMilestone {
                actor,
                contract,
                milestone,
            } => {
                let id = self.milestone(contract, milestone).await;
                market.release_milestone(&ctx(actor), id).await.map(drop)
            }
            Command::Refund {
                actor,
                contract,
                cents,
            } => market
                .refund_escrow(&ctx(actor), self.contract(contract), usd(cents))
                .await
                .map(drop),
            Command::Tip {
                actor,
                contract,
                cents,
            } => market
                .tip(&ctx(actor), self.contract(contract), usd(cents))
                .await
                .map(drop),
            Command::RaiseDispute { actor, contract } => {
                let input = RaiseDisputeInput {
                    dispute_type: None,
                    title: Text::parse("Not what we agreed").unwrap_or_else(|_| unreachable_text()),
                    description: "The delivery does not match the brief.".into(),
                    evidence_urls: vec![],
                };
                match market
                    .raise_dispute(&ctx(actor), self.contract(contract), input)
                    .await
                {
                    Ok(d) => {
                        effect = Effect::Dispute(contract, d.id);
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Command::ResolveDispute {
                actor,
                contract,
                release_percent,
                off_by,
            } => {
                let held = match self.contracts.get(contract) {
                    Some(id) => self
                        .env
                        .store
                        .contracts()
                        .get_escrow_by_contract_id(*id)
                        .await
                        .ok()
                        .flatten()
                        .map(|e| cents(e.held_amount))
                        .unwrap_or(0),
                    None => 0,
                };
                let (release, refund) = resolution_amounts(held, release_percent, off_by);
                let id = self.disputes.get(&contract).copied().unwrap_or_default();
                market
                    .resolve_dispute(
                        &ctx(actor),
                        id,
                        ResolveDisputeInput {
                            release_to_creator: usd(release),
                            refund_to_client: usd(refund),
                            resolution: "Settled by the model test.".into(),
                        },
                    )
                    .await
                    .map(drop)
            }
            Command::Review {
                actor,
                contract,
                stars,
            } => match Rating::parse(stars) {
                // An out-of-range rating cannot even be expressed: it is
                // refused where it is parsed.
                Err(_) => return Ok((false, Effect::None)),
                Ok(rating) => market
                    .leave_review(
                        &ctx(actor),
                        self.contract(contract),
                        ReviewInput {
                            overall_rating: rating,
                            communication_rating: None,
                            quality_rating: None,
                            professionalism_rating: None,
                            value_rating: None,
                            title: None,
                            comment: None,
                        },
                    )
                    .await
                    .map(drop),
            },
        };
        match outcome {
            Ok(()) => Ok((true, effect)),
            Err(Error::Backend { backend, source }) => {
                Err(format!("backend error from {backend}: {source}"))
            }
            Err(_) => Ok((false, Effect::None)),
        }
    }

    /// Compares every figure and status the model keeps with the store, and
    /// checks the money invariants.
    pub async fn check(&self, model: &Model) -> Result<(), String> {
        let store = &self.env.store;
        if self.contracts.len() != model.contracts.len() {
            return Err(format!(
                "{} contracts in the store, {} in the model",
                self.contracts.len(),
                model.contracts.len()
            ));
        }
        for (i, (id, expected)) in self.contracts.iter().zip(&model.contracts).enumerate() {
            let contract = store
                .contracts()
                .get_by_id(*id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or(format!("contract {i} is missing"))?;
            if contract.status != expected.status {
                return Err(format!(
                    "contract {i}: status {} but the model says {}",
                    contract.status, expected.status
                ));
            }
            if cents(contract.total_amount) != expected.total {
                return Err(format!("contract {i}: total differs"));
            }
            let escrow = store
                .contracts()
                .get_escrow_by_contract_id(*id)
                .await
                .map_err(|e| e.to_string())?;
            let figures = escrow.as_ref().map(|e| {
                (
                    cents(e.held_amount),
                    cents(e.released_amount),
                    cents(e.refunded_amount),
                )
            });
            let want =
                expected
                    .funded
                    .then_some((expected.held, expected.released, expected.refunded));
            if figures != want {
                return Err(format!(
                    "contract {i}: escrow (held, released, refunded) {figures:?}, model {want:?}"
                ));
            }
            let mut milestones = store
                .contracts()
                .list_milestones_by_contract_id(*id)
                .await
                .map_err(|e| e.to_string())?;
            milestones.sort_by_key(|m| m.sequence_order);
            let got: Vec<_> = milestones
                .iter()
                .map(|m| (cents(m.amount), m.status))
                .collect();
            if got != expected.milestones {
                return Err(format!(
                    "contract {i}: milestones {got:?}, model {:?}",
                    expected.milestones
                ));
            }
        }
        for k in 0..2 {
            let creator = store
                .creators()
                .get_by_id(self.users[creator_user(k)].creator_id())
                .await
                .map_err(|e| e.to_string())?
                .ok_or("creator missing")?;
            if cents(creator.total_earnings) != model.earnings[k] {
                return Err(format!(
                    "creator {k}: earnings {} but the model says {}",
                    creator.total_earnings, model.earnings[k]
                ));
            }
            let client = store
                .clients()
                .get_by_id(self.users[client_user(k)].client_id())
                .await
                .map_err(|e| e.to_string())?
                .ok_or("client missing")?;
            if cents(client.total_spent) != model.spent[k] {
                return Err(format!(
                    "client {k}: spent {} but the model says {}",
                    client.total_spent, model.spent[k]
                ));
            }
        }
        crate::testing::invariants::check_all(store.as_ref())
            .await
            .map_err(|e| format!("invariant violated: {e}"))
    }
}

/// A constant title that parses; kept out of line so callers stay
/// panic-free.
fn unreachable_text<const N: usize>() -> Text<N> {
    match Text::parse("x") {
        Ok(t) => t,
        Err(_) => unreachable!("a one-letter title fits every column"),
    }
}

/// Runs `commands` from `model` on a clean store and checks agreement after
/// every step; the error names the step.
pub async fn run_sequence(
    factory: &StoreFactory,
    mut model: Model,
    commands: &[Command],
) -> Result<(), String> {
    let mut world = ModelWorld::new(factory, &model).await;
    for (step, command) in commands.iter().enumerate() {
        let expected = model.apply(command);
        let actual = world.apply(command).await?;
        if expected != actual {
            return Err(format!(
                "step {step}: {command:?}: the model says {}, the service {}",
                verdict(expected),
                verdict(actual)
            ));
        }
        world
            .check(&model)
            .await
            .map_err(|e| format!("after step {step} ({command:?}): {e}"))?;
    }
    Ok(())
}

fn verdict(accepted: bool) -> &'static str {
    if accepted { "accept" } else { "refuse" }
}
