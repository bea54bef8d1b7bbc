//! Disputes: a party raises one on an active or in-review contract, which
//! freezes its escrow; staff review, escalate and resolve it with a
//! settlement that splits what is held between the creator and the client
//! in any proportion, as one balanced ledger transaction; then close it.

use serde::{Deserialize, Serialize};

use crate::entities::{Contract, Dispute};
use crate::enums::{ContractStatus, DisputeStatus, DisputeType};
use crate::error::{Error, Result};
use crate::ids::{ContractId, DisputeId, UserId};
use crate::money::Money;
use crate::service::contracts::{Closing, close_for_stats};
use crate::service::notifications::{Notice, NotificationKind};
use crate::service::payments::Settlement;
use crate::service::{Ctx, Marketplace, command};
use crate::state::{
    ContractEvent, ContractMachine, DisputeEvent, DisputeMachine, JobEvent, JobMachine,
    StateMachine,
};
use crate::store::ChangeSet;
use crate::value::{Text, Url};

/// The most evidence links one dispute keeps.
pub const MAX_EVIDENCE_URLS: usize = 20;
/// The longest dispute description or resolution, in characters.
pub const MAX_DISPUTE_TEXT_CHARS: usize = 10_000;

/// A dispute to raise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaiseDisputeInput {
    /// What the dispute is about.
    pub dispute_type: Option<DisputeType>,
    /// A headline.
    pub title: Text<200>,
    /// What happened (1 to 10,000 characters).
    pub description: String,
    /// Links to evidence.
    #[serde(default)]
    pub evidence_urls: Vec<Url>,
}

/// How staff settle a dispute: what goes to the creator and what back to
/// the client. Together they must be exactly what the escrow still holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveDisputeInput {
    /// Released to the creator (fees are taken from it as from any release).
    pub release_to_creator: Money,
    /// Refunded to the client.
    pub refund_to_client: Money,
    /// The decision, as the parties will read it (1 to 10,000 characters).
    pub resolution: String,
}

fn dispute_text(field: &'static str, text: &str) -> Result<String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_DISPUTE_TEXT_CHARS {
        return Err(Error::validation(
            field,
            format!("must have 1 to {MAX_DISPUTE_TEXT_CHARS} characters"),
        ));
    }
    Ok(text.to_string())
}

impl Marketplace {
    /// The dispute, if the actor is staff or a party of its contract.
    async fn visible_dispute(&self, ctx: &Ctx, id: DisputeId) -> Result<(Dispute, bool)> {
        let user = self.acting_user(ctx).await?;
        let dispute = self
            .store()
            .support()
            .get_dispute_by_id(id)
            .await?
            .ok_or(Error::not_found("dispute"))?;
        if user.is_staff {
            return Ok((dispute, true));
        }
        match self.contract_party(user.id, dispute.contract_id).await {
            Ok(_) => Ok((dispute, false)),
            Err(Error::NotFound { .. }) => Err(Error::not_found("dispute")),
            Err(e) => Err(e),
        }
    }

    /// Notices to both parties of a contract about a dispute.
    async fn dispute_notices(
        &self,
        contract: &Contract,
        dispute: &Dispute,
        title: &str,
        message: &str,
    ) -> Result<Vec<Notice>> {
        let parties = [
            self.user_of_client(contract).await?,
            self.user_of_creator(contract).await?,
        ];
        Ok(parties
            .into_iter()
            .map(|user: UserId| {
                Notice::new(user, NotificationKind::DisputeUpdate, title, message)
                    .about("dispute", dispute.id.as_uuid())
            })
            .collect())
    }

    /// A party raises a dispute on an active or in-review contract: the
    /// contract becomes disputed and its escrow is frozen until staff
    /// resolve it. A contract has at most one open dispute.
    pub async fn raise_dispute(
        &self,
        ctx: &Ctx,
        contract: ContractId,
        input: RaiseDisputeInput,
    ) -> Result<Dispute> {
        let description = dispute_text("description", &input.description)?;
        if input.evidence_urls.len() > MAX_EVIDENCE_URLS {
            return Err(Error::validation(
                "evidence_urls",
                format!("at most {MAX_EVIDENCE_URLS} links"),
            ));
        }
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let (mut contract, _) = self.contract_party(user.id, contract).await?;
            let open = self
                .store()
                .support()
                .list_disputes_by_contract_id(contract.id)
                .await?
                .into_iter()
                .any(|d| !matches!(d.status, DisputeStatus::Resolved | DisputeStatus::Closed));
            if open {
                return Err(Error::AlreadyExists {
                    entity: "dispute",
                    key: "contract_id (open)".into(),
                });
            }
            if !matches!(
                contract.status,
                ContractStatus::Active | ContractStatus::InReview
            ) {
                return Err(Error::rule(
                    "dispute_not_allowed",
                    format!("a {} contract cannot be disputed", contract.status),
                ));
            }
            let old = contract.clone();
            contract.status =
                ContractMachine::transition(contract.status, ContractEvent::RaiseDispute)?;
            let dispute = Dispute {
                id: DisputeId::new(),
                contract_id: contract.id,
                raised_by_user_id: user.id,
                dispute_type: input.dispute_type,
                title: input.title.clone(),
                description: description.clone(),
                evidence_urls: (!input.evidence_urls.is_empty())
                    .then(|| input.evidence_urls.clone()),
                status: DisputeMachine::INITIAL,
                resolution: None,
                resolved_by_user_id: None,
                created_at: self.now(),
                resolved_at: None,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.update(&contract);
            changes.insert(dispute.clone());
            changes.insert(self.audit_update(
                ctx,
                "contract",
                contract.id.as_uuid(),
                "raise_dispute",
                &old,
                &contract,
            )?);
            changes.insert(self.audit(
                ctx,
                "dispute",
                dispute.id.as_uuid(),
                "create",
                None::<&()>,
                Some(&dispute),
            )?);
            let notices = self
                .dispute_notices(
                    &contract,
                    &dispute,
                    "A dispute was raised",
                    dispute.title.as_str(),
                )
                .await?;
            self.plan_notices(ctx, &mut changes, notices).await?;
            Ok((changes, dispute))
        })
    }

    /// A party or staff adds evidence links to a dispute that is not yet
    /// resolved.
    pub async fn add_dispute_evidence(
        &self,
        ctx: &Ctx,
        id: DisputeId,
        urls: Vec<Url>,
    ) -> Result<Dispute> {
        if urls.is_empty() {
            return Err(Error::validation("evidence_urls", "at least one link"));
        }
        command!(self, async {
            let (mut dispute, _) = self.visible_dispute(ctx, id).await?;
            if matches!(
                dispute.status,
                DisputeStatus::Resolved | DisputeStatus::Closed
            ) {
                return Err(Error::rule(
                    "dispute_decided",
                    "evidence closes when the dispute is resolved",
                ));
            }
            let old = dispute.clone();
            let mut all = dispute.evidence_urls.take().unwrap_or_default();
            all.extend(urls.iter().cloned());
            if all.len() > MAX_EVIDENCE_URLS {
                return Err(Error::validation(
                    "evidence_urls",
                    format!("at most {MAX_EVIDENCE_URLS} links"),
                ));
            }
            dispute.evidence_urls = Some(all);
            let mut changes = ChangeSet::new();
            changes.update(&dispute);
            changes.insert(self.audit_update(
                ctx,
                "dispute",
                id.as_uuid(),
                "add_evidence",
                &old,
                &dispute,
            )?);
            dispute.version += 1;
            Ok((changes, dispute))
        })
    }

    /// Staff take the dispute under review.
    pub async fn review_dispute(&self, ctx: &Ctx, id: DisputeId) -> Result<Dispute> {
        self.acting_staff(ctx).await?;
        self.move_dispute(ctx, id, DisputeEvent::Review, "under review")
            .await
    }

    /// Staff or a party escalate the dispute.
    pub async fn escalate_dispute(&self, ctx: &Ctx, id: DisputeId) -> Result<Dispute> {
        self.move_dispute(ctx, id, DisputeEvent::Escalate, "escalated")
            .await
    }

    /// Staff close a resolved dispute.
    pub async fn close_dispute(&self, ctx: &Ctx, id: DisputeId) -> Result<Dispute> {
        self.acting_staff(ctx).await?;
        self.move_dispute(ctx, id, DisputeEvent::Close, "closed")
            .await
    }

    async fn move_dispute(
        &self,
        ctx: &Ctx,
        id: DisputeId,
        event: DisputeEvent,
        said: &str,
    ) -> Result<Dispute> {
        command!(self, async {
            let (mut dispute, _) = self.visible_dispute(ctx, id).await?;
            let old = dispute.clone();
            dispute.status = DisputeMachine::transition(dispute.status, event)?;
            let contract = self
                .store()
                .contracts()
                .get_by_id(dispute.contract_id)
                .await?
                .ok_or(Error::not_found("contract"))?;
            let mut changes = ChangeSet::new();
            changes.update(&dispute);
            changes.insert(self.audit_update(
                ctx,
                "dispute",
                id.as_uuid(),
                event.as_str(),
                &old,
                &dispute,
            )?);
            let notices = self
                .dispute_notices(
                    &contract,
                    &dispute,
                    &format!("Dispute {said}"),
                    dispute.title.as_str(),
                )
                .await?;
            self.plan_notices(ctx, &mut changes, notices).await?;
            dispute.version += 1;
            Ok((changes, dispute))
        })
    }

    /// Staff resolve a dispute by settling everything the escrow still
    /// holds: `release_to_creator` (fees taken as for any release) and
    /// `refund_to_client`, which must add up to exactly what is held, in one
    /// balanced ledger transaction. The contract completes when anything
    /// reaches the creator and is cancelled otherwise. A dispute is resolved
    /// once: a second resolution is an invalid transition.
    pub async fn resolve_dispute(
        &self,
        ctx: &Ctx,
        id: DisputeId,
        input: ResolveDisputeInput,
    ) -> Result<Dispute> {
        let resolution = dispute_text("resolution", &input.resolution)?;
        input
            .release_to_creator
            .ensure_non_negative("release_to_creator")?;
        input
            .refund_to_client
            .ensure_non_negative("refund_to_client")?;
        let (dispute, settlement) = command!(self, async {
            let staff = self.acting_staff(ctx).await?;
            let mut dispute = self
                .store()
                .support()
                .get_dispute_by_id(id)
                .await?
                .ok_or(Error::not_found("dispute"))?;
            let old_dispute = dispute.clone();
            dispute.status = DisputeMachine::transition(dispute.status, DisputeEvent::Resolve)?;
            let mut contract = self
                .store()
                .contracts()
                .get_by_id(dispute.contract_id)
                .await?
                .ok_or(Error::not_found("contract"))?;
            let escrow = self
                .store()
                .contracts()
                .get_escrow_by_contract_id(contract.id)
                .await?;
            let currency = escrow
                .as_ref()
                .map(|e| e.held_amount.currency())
                .unwrap_or(contract.total_amount.currency());
            let release = input.release_to_creator;
            let refund = input.refund_to_client;
            if release.currency() != currency || refund.currency() != currency {
                return Err(Error::validation(
                    "release_to_creator",
                    format!("the escrow is in {currency}"),
                ));
            }
            let held = escrow
                .as_ref()
                .map(|e| e.held_amount)
                .unwrap_or(Money::zero(currency));
            let settled = release.checked_add(refund)?;
            if settled != held {
                // Reads are not one snapshot: a resolution that committed
                // between reading the dispute and the escrow leaves an escrow
                // that no longer matches. That is a lost race, not bad input:
                // retry, and the retry sees the dispute resolved.
                let now_stored = self.store().support().get_dispute_by_id(id).await?;
                if now_stored.is_none_or(|d| d.version != old_dispute.version) {
                    return Err(Error::conflict(
                        "dispute",
                        "the dispute changed while it was being resolved",
                    ));
                }
                return Err(Error::rule(
                    "settlement_must_match_held",
                    format!("release + refund is {settled}, the escrow holds {held}"),
                ));
            }
            let now = self.now();
            let mut changes = ChangeSet::new();
            let settlement = match &escrow {
                Some(escrow) if held.is_positive() => {
                    self.plan_settlement(
                        ctx,
                        &mut changes,
                        &contract,
                        escrow,
                        release,
                        refund,
                        None,
                    )
                    .await?
                }
                _ => Settlement::default(),
            };
            let anything_to_creator = release.is_positive()
                || escrow
                    .as_ref()
                    .is_some_and(|e| held.is_zero() && e.released_amount.is_positive());
            let old_contract = contract.clone();
            if anything_to_creator {
                contract.status =
                    ContractMachine::transition(contract.status, ContractEvent::ResolveComplete)?;
                contract.completed_at = Some(now);
                changes.update(&contract);
                self.plan_completion(&mut changes, &contract).await?;
            } else {
                contract.status =
                    ContractMachine::transition(contract.status, ContractEvent::ResolveCancel)?;
                contract.cancelled_at = Some(now);
                changes.update(&contract);
                if let Some(job_id) = contract.job_id
                    && let Some(mut job) = self.store().jobs().get_by_id(job_id).await?
                    && JobMachine::can(job.status, JobEvent::Cancel)
                {
                    job.status = JobMachine::transition(job.status, JobEvent::Cancel)?;
                    job.updated_at = now;
                    changes.update(&job);
                }
                if contract.accepted_at.is_some() {
                    let mut creator = self
                        .creator_for_update(&changes, contract.creator_profile_id)
                        .await?;
                    close_for_stats(&mut creator, Closing::Failed)?;
                    creator.updated_at = now;
                    changes.update(&creator);
                }
            }
            dispute.resolution = Some(resolution.clone());
            dispute.resolved_by_user_id = Some(staff.id);
            dispute.resolved_at = Some(now);
            changes.update(&dispute);
            changes.insert(self.audit_update(
                ctx,
                "contract",
                contract.id.as_uuid(),
                "resolve_dispute",
                &old_contract,
                &contract,
            )?);
            changes.insert(self.audit_update(
                ctx,
                "dispute",
                id.as_uuid(),
                "resolve",
                &old_dispute,
                &dispute,
            )?);
            let notices = self
                .dispute_notices(&contract, &dispute, "Dispute resolved", &resolution)
                .await?;
            self.plan_notices(ctx, &mut changes, notices).await?;
            dispute.version += 1;
            Ok((changes, (dispute, settlement)))
        })?;
        self.settle_with_gateway(settlement).await;
        Ok(dispute)
    }

    /// A dispute, for staff and the contract's parties.
    pub async fn get_dispute(&self, ctx: &Ctx, id: DisputeId) -> Result<Dispute> {
        Ok(self.visible_dispute(ctx, id).await?.0)
    }

    /// The disputes of a contract, for its parties and staff.
    pub async fn list_contract_disputes(
        &self,
        ctx: &Ctx,
        contract: ContractId,
    ) -> Result<Vec<Dispute>> {
        let user = self.acting_user(ctx).await?;
        if !user.is_staff {
            self.contract_party(user.id, contract).await?;
        }
        self.store()
            .support()
            .list_disputes_by_contract_id(contract)
            .await
    }

    /// The disputes the actor raised.
    pub async fn list_my_disputes(&self, ctx: &Ctx) -> Result<Vec<Dispute>> {
        let user = self.acting_user(ctx).await?;
        self.store()
            .support()
            .list_disputes_by_raised_by_user_id(user.id)
            .await
    }
}
