//! Contracts: creation from a gig order or an accepted proposal, acceptance,
//! milestones, deliverables, revisions, approval, completion and
//! cancellation. Money moves through `payments.rs`.

use chrono::{Duration, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::entities::{ClientProfile, Contract, CreatorProfile, Deliverable, Gig, Milestone};
use crate::enums::{ContractStatus, GigStatus, GigTier, MilestoneStatus, ReviewerType};
use crate::error::{Error, Result};
use crate::fees::{FeeQuote, FeeSchedule};
use crate::ids::{ContractId, DeliverableId, GigId, MilestoneId, ProposalId};
use crate::money::Money;
use crate::service::notifications::{NotificationKind, PartiesRead, party_preferences};
use crate::service::{AtWork, Ctx, Marketplace, admitted, command};
use crate::state::{
    ContractEvent, ContractMachine, DeliverableEvent, DeliverableMachine, JobEvent, JobMachine,
    MilestoneEvent, MilestoneMachine, ProposalEvent, ProposalMachine, StateMachine,
};
use crate::store::{ChangeSet, ContractParties, ContractWork, Counter, RowKey};
use crate::value::{Percentage, Text, Url};

/// One milestone of a new contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneInput {
    /// What is delivered.
    pub title: Text<200>,
    /// Details.
    pub description: Option<String>,
    /// What it pays; the milestones of a contract sum exactly to its total.
    pub amount: Money,
    /// When it is due.
    pub due_date: Option<NaiveDate>,
}

/// Ordering a tier of a gig.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderGigInput {
    /// Which tier.
    pub tier: GigTier,
    /// The client's answers to the gig's requirements (becomes the scope of work).
    pub requirements: Option<String>,
}

/// Accepting a proposal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AcceptProposalInput {
    /// Milestones summing exactly to the proposed budget; none for a single delivery.
    pub milestones: Vec<MilestoneInput>,
    /// The scope of work (defaults to the job's description).
    pub scope_of_work: Option<String>,
}

/// Submitting work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverableInput {
    /// A headline.
    pub title: Option<Text<200>>,
    /// Notes for the client.
    pub description: Option<String>,
    /// The delivered videos (at least one).
    pub video_urls: Vec<Url>,
    /// Other files.
    pub file_urls: Vec<Url>,
}

/// A contract with everything attached to it, for its parties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractView {
    /// The contract.
    pub contract: Contract,
    /// Its milestones, in order.
    pub milestones: Vec<Milestone>,
    /// Its deliverables, by version.
    pub deliverables: Vec<Deliverable>,
    /// Its escrow, once funded.
    pub escrow: Option<crate::entities::EscrowAccount>,
}

/// Largest text accepted in free-form contract fields.
const MAX_TEXT: usize = 20_000;

fn bounded(field: &'static str, text: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        return Err(Error::validation(
            field,
            format!("must have 1 to {MAX_TEXT} characters"),
        ));
    }
    Ok(text.to_string())
}

/// Checks milestones against a contract total: positive amounts in its
/// currency summing exactly to it, at most 50.
pub fn validate_milestones(total: Money, milestones: &[MilestoneInput]) -> Result<()> {
    if milestones.len() > 50 {
        return Err(Error::validation("milestones", "at most 50 milestones"));
    }
    if milestones.is_empty() {
        return Ok(());
    }
    for m in milestones {
        m.amount.ensure_positive("milestones.amount")?;
    }
    let sum = Money::sum(total.currency(), milestones.iter().map(|m| m.amount))?;
    if sum != total {
        return Err(Error::validation(
            "milestones",
            format!("milestones sum to {sum}, not to the contract total {total}"),
        ));
    }
    Ok(())
}

/// `part / whole` as a percentage rounded half-up to two decimals; zero when
/// `whole` is zero.
pub fn rate(part: i32, whole: i32) -> Result<Percentage> {
    if whole <= 0 {
        return Percentage::parse(Decimal::ZERO);
    }
    let value = (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    Percentage::parse(value.min(Decimal::ONE_HUNDRED))
}

/// The outcome of a contract for the creator's statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closing {
    /// Completed; on time or not.
    Completed {
        /// Whether the first delivery came by the deadline.
        on_time: bool,
    },
    /// Ended without completion after the creator had accepted it.
    Failed,
}

/// Updates a creator's completion statistics for a contract that closed.
pub(crate) fn close_for_stats(profile: &mut CreatorProfile, closing: Closing) -> Result<()> {
    profile.contracts_closed += 1;
    if let Closing::Completed { on_time } = closing {
        profile.total_jobs_completed += 1;
        if on_time {
            profile.on_time_completions += 1;
        }
    }
    profile.success_rate = rate(profile.total_jobs_completed, profile.contracts_closed)?;
    profile.on_time_delivery_rate =
        rate(profile.on_time_completions, profile.total_jobs_completed)?;
    Ok(())
}

/// Which side of the contract `user` is on; `NotFound` for anyone who is not
/// a party, so that others learn nothing of the contract.
pub(crate) fn side_of(parties: &ContractParties, user: crate::ids::UserId) -> Result<ReviewerType> {
    if parties.client.user_id == user {
        Ok(ReviewerType::Client)
    } else if parties.creator.user_id == user {
        Ok(ReviewerType::Creator)
    } else {
        Err(Error::not_found("contract"))
    }
}

impl Marketplace {
    /// Logs `action` on `contract` (the fields that changed since `old`)
    /// and moves the copy in hand to the version its update in `changes`
    /// writes, so that what the command returns or notifies about equals a
    /// later read of the row. Call it after the contract's update is in
    /// `changes`.
    pub(crate) fn log_contract_change(
        &self,
        ctx: &Ctx,
        changes: &mut ChangeSet,
        action: &str,
        old: &Contract,
        contract: &mut Contract,
    ) -> Result<()> {
        changes.insert(self.audit_update(
            ctx,
            "contract",
            contract.id.as_uuid(),
            action,
            old,
            &*contract,
        )?);
        contract.version += 1;
        Ok(())
    }

    /// The contract `id` if `user` is a party to it, and which side they are
    /// on; anyone else gets `NotFound`.
    pub(crate) async fn contract_party(
        &self,
        user: crate::ids::UserId,
        id: ContractId,
    ) -> Result<(Contract, ReviewerType)> {
        let (parties, side) = self.parties_of(user, id).await?;
        Ok((parties.contract, side))
    }

    /// [`Marketplace::contract_party`] with both parties' profiles and the
    /// escrow account, read together.
    pub(crate) async fn parties_of(
        &self,
        user: crate::ids::UserId,
        id: ContractId,
    ) -> Result<(ContractParties, ReviewerType)> {
        let parties = self
            .store()
            .contract_parties(id)
            .await?
            .ok_or(Error::not_found("contract"))?;
        let side = side_of(&parties, user)?;
        Ok((parties, side))
    }

    /// The contract if the actor is its client.
    pub(crate) async fn contract_as_client(&self, ctx: &Ctx, id: ContractId) -> Result<Contract> {
        Ok(self.parties_as_client(ctx, id).await?.contract)
    }

    /// The contract if the actor is its creator.
    pub(crate) async fn contract_as_creator(&self, ctx: &Ctx, id: ContractId) -> Result<Contract> {
        Ok(self.parties_as_creator(ctx, id).await?.contract)
    }

    /// The contract with its parties and escrow, if the actor is its client.
    pub(crate) async fn parties_as_client(
        &self,
        ctx: &Ctx,
        id: ContractId,
    ) -> Result<ContractParties> {
        match self.acting_party(ctx, id).await? {
            (_, parties, ReviewerType::Client) => Ok(parties),
            _ => Err(Error::forbidden("only the client may do this")),
        }
    }

    /// The contract with its parties and escrow, if the actor is its creator.
    pub(crate) async fn parties_as_creator(
        &self,
        ctx: &Ctx,
        id: ContractId,
    ) -> Result<ContractParties> {
        match self.acting_party(ctx, id).await? {
            (_, parties, ReviewerType::Creator) => Ok(parties),
            _ => Err(Error::forbidden("only the creator may do this")),
        }
    }

    async fn client_profile_of_actor(&self, ctx: &Ctx) -> Result<ClientProfile> {
        let user = self.acting_user(ctx).await?;
        self.store()
            .clients()
            .get_by_user_id(user.id)
            .await?
            .ok_or_else(|| Error::forbidden("a client profile is required"))
    }

    async fn creator_profile(&self, id: crate::ids::CreatorProfileId) -> Result<CreatorProfile> {
        self.store()
            .creators()
            .get_by_id(id)
            .await?
            .ok_or(Error::not_found("creator_profile"))
    }

    /// A creator profile to update in `changes`: the copy the change set
    /// already holds or remembers reading, or the stored one.
    pub(crate) async fn creator_for_update(
        &self,
        changes: &ChangeSet,
        id: crate::ids::CreatorProfileId,
    ) -> Result<CreatorProfile> {
        match changes.known(&RowKey::Id(id.as_uuid())) {
            Some(profile) => Ok(profile),
            None => self.creator_profile(id).await,
        }
    }

    /// A client profile to update in `changes`: the copy the change set
    /// already holds or remembers reading, or the stored one.
    pub(crate) async fn client_for_update(
        &self,
        changes: &ChangeSet,
        id: crate::ids::ClientProfileId,
    ) -> Result<ClientProfile> {
        match changes.known(&RowKey::Id(id.as_uuid())) {
            Some(profile) => Ok(profile),
            None => self
                .store()
                .clients()
                .get_by_id(id)
                .await?
                .ok_or(Error::not_found("client_profile")),
        }
    }

    /// Builds a contract and its milestones with a fee quote from the
    /// schedule in force now. The contract keeps this quote for life.
    #[allow(clippy::too_many_arguments)]
    fn draft_contract(
        &self,
        client: &ClientProfile,
        creator: crate::ids::CreatorProfileId,
        title: Text<200>,
        description: String,
        scope_of_work: String,
        total: Money,
        delivery_days: i32,
        milestones: &[MilestoneInput],
        fees: FeeSchedule,
    ) -> Result<(Contract, Vec<Milestone>, FeeQuote)> {
        total.ensure_positive("total_amount")?;
        validate_milestones(total, milestones)?;
        let now = self.now();
        let quote = fees.quote(total, now)?;
        let start = now.date_naive();
        let deadline = start + Duration::days(i64::from(delivery_days.max(1)));
        let contract = Contract {
            id: ContractId::new(),
            job_id: None,
            proposal_id: None,
            gig_id: None,
            client_profile_id: client.id,
            creator_profile_id: creator,
            title,
            description,
            scope_of_work,
            total_amount: total,
            platform_fee: quote.platform_fee,
            creator_payout: quote.creator_payout,
            processing_fee: quote.processing_fee,
            fee_tier_id: Some(quote.tier_id),
            gig_tier: None,
            revisions_allowed: None,
            start_date: start,
            deadline_date: deadline,
            estimated_hours: None,
            deliverable_description: None,
            revision_count: 0,
            status: ContractMachine::INITIAL,
            created_at: now,
            accepted_at: None,
            started_at: None,
            submitted_at: None,
            completed_at: None,
            cancelled_at: None,
            version: 1,
        };
        let rows = milestones
            .iter()
            .enumerate()
            .map(|(i, m)| {
                Ok(Milestone {
                    id: MilestoneId::new(),
                    contract_id: contract.id,
                    title: m.title.clone(),
                    description: m.description.clone(),
                    amount: m.amount,
                    due_date: m.due_date,
                    sequence_order: i32::try_from(i + 1)
                        .map_err(|_| Error::validation("milestones", "too many"))?,
                    status: MilestoneMachine::INITIAL,
                    created_at: now,
                    submitted_at: None,
                    approved_at: None,
                    paid_at: None,
                    version: 1,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((contract, rows, quote))
    }

    /// A client orders a tier of an active gig: the contract carries the gig,
    /// the tier's price, delivery days and revision allowance, and a fee
    /// quote. It awaits the creator's acceptance; the client funds escrow next.
    pub async fn order_gig(&self, ctx: &Ctx, gig: GigId, input: OrderGigInput) -> Result<Contract> {
        let requirements = input
            .requirements
            .as_deref()
            .map(|r| bounded("requirements", r))
            .transpose()?;
        command!(self, async {
            // Everything the order reads, in one round trip where the store
            // can join; refused in the order the separate reads refused.
            let reads = self.store().gig_order_context(gig, ctx.actor()?).await?;
            admitted(reads.user)?;
            let client = reads
                .client
                .ok_or_else(|| Error::forbidden("a client profile is required"))?;
            let gig: Gig = reads
                .gig
                .filter(|g| g.status == GigStatus::Active)
                .ok_or(Error::not_found("gig"))?;
            let creator = reads.creator.ok_or(Error::not_found("creator_profile"))?;
            if creator.user_id == client.user_id {
                return Err(Error::forbidden("you cannot order your own gig"));
            }
            let offer = gig.tier(input.tier).ok_or_else(|| {
                Error::validation("tier", format!("the gig has no {} tier", input.tier))
            })?;
            let scope = requirements
                .clone()
                .unwrap_or_else(|| gig.description.clone());
            let description = offer
                .description
                .clone()
                .unwrap_or_else(|| gig.description.clone());
            let (mut contract, _, _) = self.draft_contract(
                &client,
                creator.id,
                gig.title.clone(),
                description,
                scope,
                offer.price,
                offer.delivery_days,
                &[],
                self.schedule_of(reads.fee_tiers)?,
            )?;
            contract.gig_id = Some(gig.id);
            contract.gig_tier = Some(input.tier);
            contract.revisions_allowed = Some(offer.revisions);
            contract.deliverable_description = offer.description.clone();
            let mut changes = ChangeSet::new();
            // The gig must still be active when the order is written.
            changes.check(&gig);
            changes.insert(contract.clone());
            changes.count(Counter::GigOrders(gig.id), 1);
            changes.insert(self.audit(
                ctx,
                "contract",
                contract.id.as_uuid(),
                "order_gig",
                None::<&()>,
                Some(&contract),
            )?);
            let notices = self
                .contract_notices_known(
                    &contract,
                    Some(client.user_id),
                    Some(creator.user_id),
                    NotificationKind::ContractUpdate,
                    "New order",
                    contract.title.as_str(),
                )
                .await?;
            let known = [(creator.user_id, reads.creator_preferences.as_ref())];
            self.plan_notices_known(ctx, &mut changes, notices, &known)
                .await?;
            Ok((changes, contract))
        })
    }

    /// The job's client accepts a pending or shortlisted proposal: in one
    /// atomic step the proposal is accepted, the job moves to in progress and
    /// the contract (with its milestones and fee quote) is created. The other
    /// proposals stay as they are.
    pub async fn accept_proposal(
        &self,
        ctx: &Ctx,
        proposal: ProposalId,
        input: AcceptProposalInput,
    ) -> Result<Contract> {
        let scope_input = input
            .scope_of_work
            .as_deref()
            .map(|s| bounded("scope_of_work", s))
            .transpose()?;
        command!(self, async {
            let client = self.client_profile_of_actor(ctx).await?;
            let mut proposal = self
                .store()
                .jobs()
                .get_proposal_by_id(proposal)
                .await?
                .ok_or(Error::not_found("proposal"))?;
            let mut job = self
                .store()
                .jobs()
                .get_by_id(proposal.job_id)
                .await?
                .filter(|j| j.client_profile_id == client.id)
                .ok_or(Error::not_found("proposal"))?;
            let now = self.now();
            let old_proposal = proposal.clone();
            proposal.status = ProposalMachine::transition(proposal.status, ProposalEvent::Accept)?;
            proposal.accepted_at = Some(now);
            proposal.reviewed_at.get_or_insert(now);
            proposal.updated_at = now;
            job.status = JobMachine::transition(job.status, JobEvent::Award)?;
            job.updated_at = now;
            let scope = scope_input
                .clone()
                .unwrap_or_else(|| job.description.clone());
            let (mut contract, milestones, _) = self.draft_contract(
                &client,
                proposal.creator_profile_id,
                job.title.clone(),
                job.description.clone(),
                scope,
                proposal.proposed_budget,
                proposal.proposed_timeline_days,
                &input.milestones,
                self.fee_schedule().await?,
            )?;
            contract.job_id = Some(job.id);
            contract.proposal_id = Some(proposal.id);
            if let Some(deadline) = job.deadline_date {
                contract.deadline_date = contract
                    .deadline_date
                    .min(deadline)
                    .max(contract.start_date);
            }
            let mut changes = ChangeSet::new();
            changes.update(&proposal);
            changes.update(&job);
            changes.insert(contract.clone());
            for m in milestones {
                changes.insert(m);
            }
            changes.insert(self.audit_update(
                ctx,
                "proposal",
                proposal.id.as_uuid(),
                "accept",
                &old_proposal,
                &proposal,
            )?);
            let notices = self
                .contract_notices(
                    &contract,
                    NotificationKind::ContractUpdate,
                    "Proposal accepted: contract offered",
                    contract.title.as_str(),
                )
                .await?;
            self.plan_notices(ctx, &mut changes, notices).await?;
            Ok((changes, contract))
        })
    }

    /// A contract with its milestones, deliverables and escrow, for its parties.
    pub async fn get_contract(&self, ctx: &Ctx, id: ContractId) -> Result<ContractView> {
        let user = self.acting_user(ctx).await?;
        let (contract, _) = self.contract_party(user.id, id).await?;
        let repo = self.store().contracts();
        Ok(ContractView {
            milestones: repo.list_milestones_by_contract_id(id).await?,
            deliverables: repo.list_deliverables_by_contract_id(id).await?,
            escrow: repo.get_escrow_by_contract_id(id).await?,
            contract,
        })
    }

    /// The actor's contracts, as client and as creator, newest first.
    pub async fn list_my_contracts(&self, ctx: &Ctx) -> Result<Vec<Contract>> {
        let user = self.acting_user(ctx).await?;
        let mut out = Vec::new();
        if let Some(client) = self.store().clients().get_by_user_id(user.id).await? {
            out.extend(
                self.store()
                    .contracts()
                    .list_by_client_profile_id(client.id)
                    .await?,
            );
        }
        if let Some(creator) = self.store().creators().get_by_user_id(user.id).await? {
            out.extend(
                self.store()
                    .contracts()
                    .list_by_creator_profile_id(creator.id)
                    .await?,
            );
        }
        out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        out.dedup_by_key(|c| c.id);
        Ok(out)
    }

    /// The creator accepts a contract whose escrow is funded; work starts.
    pub async fn accept_contract(&self, ctx: &Ctx, id: ContractId) -> Result<Contract> {
        command!(self, async {
            let ContractParties {
                mut contract,
                client,
                creator,
                escrow,
                preferences,
            } = self.parties_as_creator(ctx, id).await?;
            let old = contract.clone();
            contract.status = ContractMachine::transition(contract.status, ContractEvent::Accept)?;
            let Some(escrow) = escrow.filter(|e| e.held_amount == e.total_amount) else {
                return Err(Error::rule(
                    "escrow_not_funded",
                    "the client has not funded escrow yet",
                ));
            };
            let now = self.now();
            contract.accepted_at = Some(now);
            contract.started_at = Some(now);
            let mut changes = ChangeSet::new();
            changes.check(&escrow);
            changes.update_from(&old, &contract);
            self.log_contract_change(ctx, &mut changes, "accept", &old, &mut contract)?;
            self.notify_parties(
                ctx,
                &mut changes,
                PartiesRead {
                    contract: &contract,
                    client: &client,
                    creator: &creator,
                    saved: &preferences,
                },
                NotificationKind::ContractUpdate,
                "Contract accepted",
                contract.title.as_str(),
            )?;
            Ok((changes, contract))
        })
    }

    /// The creator declines a contract offer; anything funded is refunded to
    /// the client, and the job of an accepted proposal is cancelled with it.
    pub async fn decline_contract(&self, ctx: &Ctx, id: ContractId) -> Result<Contract> {
        let contract = self.contract_as_creator(ctx, id).await?;
        self.end_contract(ctx, contract.id, ContractEvent::Decline)
            .await
    }

    /// Either party cancels a contract that is not completed, in review or
    /// disputed; everything still held in escrow is refunded to the client.
    pub async fn cancel_contract(&self, ctx: &Ctx, id: ContractId) -> Result<Contract> {
        let user = self.acting_user(ctx).await?;
        self.contract_party(user.id, id).await?;
        self.end_contract(ctx, id, ContractEvent::Cancel).await
    }

    /// Cancels or declines, refunding what is held.
    async fn end_contract(
        &self,
        ctx: &Ctx,
        id: ContractId,
        event: ContractEvent,
    ) -> Result<Contract> {
        let (contract, settlement) = command!(self, async {
            let mut contract = self
                .store()
                .contracts()
                .get_by_id(id)
                .await?
                .ok_or(Error::not_found("contract"))?;
            let old = contract.clone();
            let was_accepted = contract.accepted_at.is_some();
            contract.status = ContractMachine::transition(contract.status, event)?;
            let now = self.now();
            contract.cancelled_at = Some(now);
            let mut changes = ChangeSet::new();
            changes.update_from(&old, &contract);
            if let Some(job_id) = contract.job_id
                && let Some(mut job) = self.store().jobs().get_by_id(job_id).await?
                && JobMachine::can(job.status, JobEvent::Cancel)
            {
                job.status = JobMachine::transition(job.status, JobEvent::Cancel)?;
                job.updated_at = now;
                changes.update(&job);
            }
            if was_accepted {
                let mut creator = self
                    .creator_for_update(&changes, contract.creator_profile_id)
                    .await?;
                close_for_stats(&mut creator, Closing::Failed)?;
                creator.updated_at = now;
                changes.update(&creator);
            }
            let settlement = match self
                .store()
                .contracts()
                .get_escrow_by_contract_id(id)
                .await?
            {
                Some(escrow) if escrow.held_amount.is_positive() => {
                    let zero = Money::zero(escrow.held_amount.currency());
                    Some(
                        self.plan_settlement(
                            ctx,
                            &mut changes,
                            &contract,
                            &escrow,
                            zero,
                            escrow.held_amount,
                            None,
                        )
                        .await?,
                    )
                }
                _ => None,
            };
            let action = if event == ContractEvent::Decline {
                "decline"
            } else {
                "cancel"
            };
            self.log_contract_change(ctx, &mut changes, action, &old, &mut contract)?;
            let notices = self
                .contract_notices(
                    &contract,
                    NotificationKind::ContractUpdate,
                    &format!("Contract {}", contract.status),
                    contract.title.as_str(),
                )
                .await?;
            self.plan_notices(ctx, &mut changes, notices).await?;
            Ok((changes, (contract, settlement)))
        })?;
        if let Some(settlement) = settlement {
            self.settle_with_gateway(settlement).await;
        }
        Ok(contract)
    }

    /// The creator starts work on a pending milestone.
    pub async fn start_milestone(&self, ctx: &Ctx, milestone: MilestoneId) -> Result<Milestone> {
        self.move_milestone(ctx, milestone, MilestoneEvent::Start, ReviewerType::Creator)
            .await
    }

    /// The creator submits a milestone's work.
    pub async fn submit_milestone(&self, ctx: &Ctx, milestone: MilestoneId) -> Result<Milestone> {
        self.move_milestone(
            ctx,
            milestone,
            MilestoneEvent::Submit,
            ReviewerType::Creator,
        )
        .await
    }

    /// The client approves a submitted milestone (payment is released separately).
    pub async fn approve_milestone(&self, ctx: &Ctx, milestone: MilestoneId) -> Result<Milestone> {
        self.move_milestone(
            ctx,
            milestone,
            MilestoneEvent::Approve,
            ReviewerType::Client,
        )
        .await
    }

    /// The client sends a submitted milestone back for more work.
    pub async fn request_milestone_revision(
        &self,
        ctx: &Ctx,
        milestone: MilestoneId,
    ) -> Result<Milestone> {
        self.move_milestone(
            ctx,
            milestone,
            MilestoneEvent::RequestRevision,
            ReviewerType::Client,
        )
        .await
    }

    async fn move_milestone(
        &self,
        ctx: &Ctx,
        id: MilestoneId,
        event: MilestoneEvent,
        side: ReviewerType,
    ) -> Result<Milestone> {
        command!(self, async {
            let mut milestone = self
                .store()
                .contracts()
                .get_milestone_by_id(id)
                .await?
                .ok_or(Error::not_found("milestone"))?;
            let user = self.acting_user(ctx).await?;
            let (contract, actual) = self
                .contract_party(user.id, milestone.contract_id)
                .await
                .map_err(|_| Error::not_found("milestone"))?;
            if actual != side {
                return Err(Error::forbidden(format!("only the {side} may do this")));
            }
            if !matches!(
                contract.status,
                ContractStatus::Active
                    | ContractStatus::InReview
                    | ContractStatus::RevisionRequested
            ) {
                return Err(Error::rule(
                    "contract_not_active",
                    format!("the contract is {}", contract.status),
                ));
            }
            let old = milestone.clone();
            milestone.status = MilestoneMachine::transition(milestone.status, event)?;
            let now = self.now();
            match event {
                MilestoneEvent::Submit => milestone.submitted_at = Some(now),
                MilestoneEvent::Approve => milestone.approved_at = Some(now),
                _ => {}
            }
            let mut changes = ChangeSet::new();
            changes.check(&contract);
            changes.update_from(&old, &milestone);
            changes.insert(self.audit_update(
                ctx,
                "milestone",
                id.as_uuid(),
                event.as_str(),
                &old,
                &milestone,
            )?);
            milestone.version += 1;
            let notices = self
                .contract_notices(
                    &contract,
                    NotificationKind::Deliverable,
                    &format!("Milestone {}", milestone.status),
                    milestone.title.as_str(),
                )
                .await?;
            self.plan_notices(ctx, &mut changes, notices).await?;
            Ok((changes, milestone))
        })
    }

    /// The creator submits work: a new deliverable version, and the contract
    /// moves to review.
    pub async fn submit_deliverable(
        &self,
        ctx: &Ctx,
        id: ContractId,
        input: DeliverableInput,
    ) -> Result<Deliverable> {
        if input.video_urls.is_empty() || input.video_urls.len() > 50 || input.file_urls.len() > 50
        {
            return Err(Error::validation(
                "video_urls",
                "between 1 and 50 videos, at most 50 files",
            ));
        }
        let description = input
            .description
            .as_deref()
            .map(|d| bounded("description", d))
            .transpose()?;
        command!(self, async {
            let AtWork {
                parties,
                side,
                work,
            } = self.acting_party_at_work(ctx, id).await?;
            if side != ReviewerType::Creator {
                return Err(Error::forbidden("only the creator may do this"));
            }
            let ContractParties {
                mut contract,
                client,
                creator,
                preferences,
                ..
            } = parties;
            let old = contract.clone();
            contract.status = ContractMachine::transition(contract.status, ContractEvent::Submit)?;
            let now = self.now();
            contract.submitted_at = Some(now);
            let previous = work.deliverables;
            let version_number = previous.iter().map(|d| d.version_number).max().unwrap_or(0) + 1;
            let deliverable = Deliverable {
                id: DeliverableId::new(),
                contract_id: id,
                version_number,
                title: input.title.clone(),
                description: description.clone(),
                video_urls: input.video_urls.clone(),
                file_urls: (!input.file_urls.is_empty()).then(|| input.file_urls.clone()),
                status: DeliverableMachine::INITIAL,
                client_feedback: None,
                revision_notes: None,
                created_at: now,
                reviewed_at: None,
                approved_at: None,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.update_from(&old, &contract);
            changes.insert(deliverable.clone());
            changes.insert(self.audit_update(
                ctx,
                "contract",
                id.as_uuid(),
                "submit",
                &old,
                &contract,
            )?);
            self.notify_parties(
                ctx,
                &mut changes,
                PartiesRead {
                    contract: &contract,
                    client: &client,
                    creator: &creator,
                    saved: &preferences,
                },
                NotificationKind::Deliverable,
                "Work delivered",
                contract.title.as_str(),
            )?;
            Ok((changes, deliverable))
        })
    }

    /// The client asks for changes to the latest deliverable, within the
    /// contract's revision allowance.
    pub async fn request_revision(
        &self,
        ctx: &Ctx,
        id: ContractId,
        notes: &str,
    ) -> Result<Contract> {
        let notes = bounded("revision_notes", notes)?;
        command!(self, async {
            let mut contract = self.contract_as_client(ctx, id).await?;
            let old = contract.clone();
            contract.status =
                ContractMachine::transition(contract.status, ContractEvent::RequestRevision)?;
            if let Some(allowed) = contract.revisions_allowed
                && contract.revision_count >= allowed
            {
                return Err(Error::rule(
                    "revision_limit_reached",
                    format!("the contract allows {allowed} revisions"),
                ));
            }
            contract.revision_count += 1;
            let now = self.now();
            let mut changes = ChangeSet::new();
            if let Some(mut latest) = self.latest_deliverable(id).await? {
                latest.status = DeliverableMachine::transition(
                    latest.status,
                    DeliverableEvent::RequestRevision,
                )?;
                latest.revision_notes = Some(notes.clone());
                latest.reviewed_at = Some(now);
                changes.update(&latest);
            }
            changes.update_from(&old, &contract);
            self.log_contract_change(ctx, &mut changes, "request_revision", &old, &mut contract)?;
            let notices = self
                .contract_notices(
                    &contract,
                    NotificationKind::Deliverable,
                    "Revision requested",
                    contract.title.as_str(),
                )
                .await?;
            self.plan_notices(ctx, &mut changes, notices).await?;
            Ok((changes, contract))
        })
    }

    async fn latest_deliverable(&self, id: ContractId) -> Result<Option<Deliverable>> {
        Ok(self
            .store()
            .contracts()
            .list_deliverables_by_contract_id(id)
            .await?
            .into_iter()
            .max_by_key(|d| d.version_number))
    }

    /// The client approves the work in review. Without milestones this
    /// completes the contract and releases everything held; with milestones
    /// left unpaid the contract goes back to active and each milestone is
    /// released on its own (the last release completes the contract).
    pub async fn approve_delivery(
        &self,
        ctx: &Ctx,
        id: ContractId,
        feedback: Option<&str>,
    ) -> Result<Contract> {
        let feedback = feedback
            .map(|f| bounded("client_feedback", f))
            .transpose()?;
        self.approve_delivery_as(ctx, id, feedback, true).await
    }

    /// Approval by the client or, when the policy window passed, by `run_due`.
    ///
    /// With `by_client` the context's user approves and must be the
    /// contract's client; without, the system approves.
    pub(crate) async fn approve_delivery_as(
        &self,
        ctx: &Ctx,
        id: ContractId,
        feedback: Option<String>,
        by_client: bool,
    ) -> Result<Contract> {
        let (contract, settlement) = command!(self, async {
            // What the command read of the contract's money, when it
            // did: the settlement's gateway step then reads nothing more.
            let (parties, work, money) = if by_client {
                match self.acting_party_settling(ctx, id).await? {
                    (
                        AtWork {
                            parties,
                            side: ReviewerType::Client,
                            work,
                        },
                        transactions,
                        payout_methods,
                    ) => (parties, work, Some((transactions, payout_methods))),
                    _ => return Err(Error::forbidden("only the client may do this")),
                }
            } else {
                let parties = self
                    .store()
                    .contract_parties(id)
                    .await?
                    .ok_or(Error::not_found("contract"))?;
                (parties, self.store().contract_work(id).await?, None)
            };
            let ContractParties {
                mut contract,
                client,
                creator,
                escrow,
                preferences,
            } = parties;
            let old = contract.clone();
            let now = self.now();
            let ContractWork {
                milestones,
                deliverables,
            } = work;
            let unpaid = milestones.iter().any(|m| m.status != MilestoneStatus::Paid);
            let mut changes = ChangeSet::new();
            changes.remember(&client);
            changes.remember(&creator);
            if let Some(mut latest) = deliverables
                .iter()
                .max_by_key(|d| d.version_number)
                .cloned()
            {
                let read = latest.clone();
                latest.status =
                    DeliverableMachine::transition(latest.status, DeliverableEvent::Approve)?;
                latest.client_feedback = feedback.clone();
                latest.reviewed_at = Some(now);
                latest.approved_at = Some(now);
                changes.update_from(&read, &latest);
            }
            let mut settlement = None;
            if unpaid && !milestones.is_empty() {
                contract.status =
                    ContractMachine::transition(contract.status, ContractEvent::ApprovePart)?;
                changes.update_from(&old, &contract);
            } else {
                contract.status =
                    ContractMachine::transition(contract.status, ContractEvent::Approve)?;
                contract.completed_at = Some(now);
                changes.update_from(&old, &contract);
                self.plan_completion_with(&mut changes, &contract, Some(&deliverables))
                    .await?;
                if let Some(escrow) = escrow
                    && escrow.held_amount.is_positive()
                {
                    let zero = Money::zero(escrow.held_amount.currency());
                    let planned = self
                        .plan_settlement(
                            ctx,
                            &mut changes,
                            &contract,
                            &escrow,
                            escrow.held_amount,
                            zero,
                            None,
                        )
                        .await?
                        .knowing(&party_preferences(&client, &creator, &preferences));
                    settlement = Some(match &money {
                        Some((transactions, payout_methods)) => {
                            planned.knowing_contract(transactions, payout_methods)
                        }
                        None => planned,
                    });
                }
            }
            self.log_contract_change(ctx, &mut changes, "approve", &old, &mut contract)?;
            self.notify_parties(
                ctx,
                &mut changes,
                PartiesRead {
                    contract: &contract,
                    client: &client,
                    creator: &creator,
                    saved: &preferences,
                },
                NotificationKind::Deliverable,
                "Delivery approved",
                contract.title.as_str(),
            )?;
            Ok((changes, (contract, settlement)))
        })?;
        if let Some(settlement) = settlement {
            self.settle_with_gateway(settlement).await;
        }
        Ok(contract)
    }

    /// The writes that go with completing `contract`: the job completes and
    /// the creator's statistics move.
    pub(crate) async fn plan_completion(
        &self,
        changes: &mut ChangeSet,
        contract: &Contract,
    ) -> Result<()> {
        self.plan_completion_with(changes, contract, None).await
    }

    /// [`Marketplace::plan_completion`] with the contract's deliverables
    /// when the command already read them.
    async fn plan_completion_with(
        &self,
        changes: &mut ChangeSet,
        contract: &Contract,
        deliverables: Option<&[Deliverable]>,
    ) -> Result<()> {
        let now = self.now();
        if let Some(job_id) = contract.job_id
            && let Some(mut job) = self.store().jobs().get_by_id(job_id).await?
        {
            job.status = JobMachine::transition(job.status, JobEvent::Complete)?;
            job.updated_at = now;
            changes.update(&job);
        }
        let read;
        let deliverables = match deliverables {
            Some(known) => known,
            None => {
                read = self
                    .store()
                    .contracts()
                    .list_deliverables_by_contract_id(contract.id)
                    .await?;
                &read[..]
            }
        };
        let first_delivery = deliverables
            .iter()
            .map(|d| d.created_at)
            .min()
            .unwrap_or(now);
        let on_time = first_delivery.date_naive() <= contract.deadline_date;
        let mut creator = self
            .creator_for_update(changes, contract.creator_profile_id)
            .await?;
        close_for_stats(&mut creator, Closing::Completed { on_time })?;
        creator.updated_at = now;
        changes.update(&creator);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_and_cap() {
        assert_eq!(rate(1, 3).expect("ok").get(), Decimal::new(3333, 2));
        assert_eq!(rate(2, 3).expect("ok").get(), Decimal::new(6667, 2));
        assert_eq!(rate(0, 0).expect("ok").get(), Decimal::ZERO);
        assert_eq!(rate(5, 5).expect("ok").get(), Decimal::ONE_HUNDRED);
    }

    #[test]
    fn milestones_must_sum_to_the_total() {
        let usd = |s| Money::usd(s).expect("valid");
        let m = |a| MilestoneInput {
            title: Text::parse("part").expect("valid"),
            description: None,
            amount: usd(a),
            due_date: None,
        };
        validate_milestones(usd("100.00"), &[m("40.00"), m("60.00")]).expect("sums");
        assert!(validate_milestones(usd("100.00"), &[m("40.00"), m("59.99")]).is_err());
        assert!(validate_milestones(usd("100.00"), &[m("100.00"), m("0.00")]).is_err());
    }
}
