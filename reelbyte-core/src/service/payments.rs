//! Money: escrow funding, releases, refunds, tips and payouts, through the
//! payment gateway and the double-entry ledger; and the timers of `run_due`.
//!
//! A movement that involves the provider takes three steps: a change set
//! records it as `pending`; the gateway is called outside any store
//! transaction; a second change set records the answer (and, on success,
//! the ledger postings that move the money). A crash between the steps leaves
//! a pending row that [`Marketplace::run_due`] reconciles with
//! [`PaymentGateway::lookup`](crate::gateway::PaymentGateway::lookup).

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::entities::{
    Contract, EscrowAccount, Milestone, NotificationPreferences, PaymentMethod, PayoutMethod,
    Transaction,
};
use crate::enums::{
    ContractStatus, EscrowStatus, MilestoneStatus, TransactionStatus, TransactionType,
};
use crate::error::{Error, Result};
use crate::fees::FeeQuote;
use crate::gateway::{GatewayOutcome, GatewayRequest};
use crate::idempotency::{IdempotencyRecord, request_hash};
use crate::ids::{
    ContractId, CreatorProfileId, EscrowAccountId, IdempotencyRecordId, MilestoneId,
    PaymentMethodId, TransactionId, UserId,
};
use crate::ledger::{Entry, LedgerAccount};
use crate::money::Money;
use crate::service::notifications::{Notice, NotificationKind, PartiesRead, party_preferences};
use crate::service::{Ctx, Marketplace, command};
use crate::state::{
    ContractEvent, ContractMachine, EscrowBalance, EscrowEvent, EscrowMachine, MilestoneEvent,
    MilestoneMachine, StateMachine, TransactionEvent, TransactionMachine,
};
use crate::store::{ChangeSet, ContractMoney, ContractParties, Record};
use crate::value::Text;

/// Gateway calls to make once a change set has committed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settlement {
    /// Pending transactions (refunds and payouts) to execute, each as the
    /// change set wrote it, so the gateway step need not read it again.
    pub pending: Vec<PendingCall>,
    /// The contract's escrow as the change set writes it (at its written
    /// version), when the settlement moved money out of one.
    pub escrow: Option<EscrowAccount>,
}

/// One pending transaction of a [`Settlement`] and what the command that
/// wrote it already knew about its payee.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingCall {
    /// The transaction as written (pending, at its written version).
    pub transaction: Transaction,
    /// For a payout: the creator profile of its payee, which the command had
    /// at hand (the contract's creator), so the gateway step reads only the
    /// payout account.
    pub payee_profile: Option<CreatorProfileId>,
    /// What the payee saved of notification preferences, when the command
    /// had read them with the contract's parties: the "payout sent" or
    /// "refund sent" notice then needs no further read.
    pub payee_preferences: SavedPreferences,
    /// For a payout: the payee's default payout method as the command read
    /// it (`Read(None)`: the creator has none yet), so the gateway step
    /// need not read it.
    pub payout_account: Prior<Option<PayoutMethod>>,
    /// The contract's escrow as the change set wrote it, when the command
    /// read the contract's transactions and no other payout or refund of it
    /// was pending: this call's success settles the escrow from that copy,
    /// under its version, instead of reading the contract's money again.
    /// A copy that moved meanwhile makes the success's change set conflict,
    /// and its retry reads the stored rows.
    pub settles_escrow: Option<EscrowAccount>,
}

/// What a command knows of something a later step needs.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Prior<T> {
    /// Not read: the step that needs it reads it.
    #[default]
    Unknown,
    /// Read by the command, as it was then.
    Read(T),
}

/// What a command knows of the notification preferences a user saved:
/// when read, the stored row, or `None` for a user who keeps the defaults.
pub type SavedPreferences = Prior<Option<NotificationPreferences>>;

impl Settlement {
    /// Adds a pending refund (or any call whose payee is not a creator).
    fn refund(&mut self, transaction: &Transaction) {
        self.pending.push(PendingCall {
            transaction: transaction.clone(),
            payee_profile: None,
            payee_preferences: SavedPreferences::Unknown,
            payout_account: Prior::Unknown,
            settles_escrow: None,
        });
    }

    /// Adds a pending payout to the creator of `profile`.
    fn payout(&mut self, transaction: &Transaction, profile: CreatorProfileId) {
        self.pending.push(PendingCall {
            transaction: transaction.clone(),
            payee_profile: Some(profile),
            payee_preferences: SavedPreferences::Unknown,
            payout_account: Prior::Unknown,
            settles_escrow: None,
        });
    }

    /// Records, for every pending call whose payee is among `known`, the
    /// preferences the command read for that user.
    pub(crate) fn knowing(mut self, known: &[(UserId, Option<&NotificationPreferences>)]) -> Self {
        for call in &mut self.pending {
            if let Some((_, saved)) = known
                .iter()
                .find(|(user, _)| Some(*user) == call.transaction.payee_user_id)
            {
                call.payee_preferences = SavedPreferences::Read(saved.cloned());
            }
        }
        self
    }

    /// Records what the command read of the contract's money before its
    /// change set: the contract's `transactions` and its creator's
    /// `payout_methods`. A payout then knows its payout account, and a call
    /// that no other pending payout or refund waits beside (among those
    /// transactions and this settlement's own) knows the escrow it settles.
    ///
    /// Sound because the other calls' states only move forward (a
    /// transaction never returns to pending) and every new payout or
    /// refund of a contract is planned here, under the escrow's version,
    /// which the settling write guards.
    pub(crate) fn knowing_contract(
        mut self,
        transactions: &[Transaction],
        payout_methods: &[PayoutMethod],
    ) -> Self {
        let planned: Vec<Transaction> =
            self.pending.iter().map(|c| c.transaction.clone()).collect();
        for call in &mut self.pending {
            if call.payee_profile.is_some() {
                call.payout_account =
                    Prior::Read(payout_methods.iter().find(|m| m.is_default).cloned());
            }
            if !others_pending(transactions.iter().chain(&planned), call.transaction.id) {
                call.settles_escrow = self.escrow.clone();
            }
        }
        self
    }
}

/// Whether a payout or refund of the escrow other than `settling` is still
/// pending among `transactions`: then the escrow waits for it to settle. A
/// tip's payout is the creator's, not the escrow's.
fn others_pending<'a>(
    transactions: impl IntoIterator<Item = &'a Transaction>,
    settling: TransactionId,
) -> bool {
    transactions.into_iter().any(|t| {
        t.id != settling
            && matches!(
                t.transaction_type,
                TransactionType::Payout | TransactionType::Refund
            )
            && t.metadata.as_ref().and_then(|m| m.get("tip")).is_none()
            && matches!(
                t.status,
                TransactionStatus::Pending | TransactionStatus::Processing
            )
    })
}

/// What a command already read for a gateway call, so that
/// [`Marketplace::gateway_request`] does not read it again.
#[derive(Debug, Clone, Copy, Default)]
struct Known<'a> {
    /// The payment method a charge uses.
    method: Option<&'a PaymentMethod>,
    /// The creator profile a payout pays.
    payee_profile: Option<CreatorProfileId>,
    /// What the payee saved of notification preferences.
    payee_preferences: Option<&'a SavedPreferences>,
    /// The contract and its parties, as the command that wrote a charge
    /// read them: the success of a charge into escrow needs them for the
    /// escrow it opens and the notices it sends.
    parties: Option<&'a ContractParties>,
    /// The payee's default payout method, as the command that wrote a
    /// payout read it.
    payout_account: Option<&'a Option<PayoutMethod>>,
    /// The escrow a payout's or refund's success settles (see
    /// [`PendingCall::settles_escrow`]).
    settles_escrow: Option<&'a EscrowAccount>,
}

/// A charge a command just committed, with what the command read for it.
#[derive(Debug)]
struct Charge {
    /// The pending transaction, as written.
    transaction: Transaction,
    /// The payment method it charges.
    method: PaymentMethod,
    /// The contract it pays into, with its parties.
    parties: ContractParties,
}

/// A transaction as read (or just written) before its gateway call, with
/// the contract's parties when the command read them.
#[derive(Debug)]
struct Read<'a> {
    /// The transaction.
    transaction: Transaction,
    /// The contract it pays into, with its parties.
    parties: Option<&'a ContractParties>,
    /// The escrow its success settles, as the command that wrote it knew it.
    settles_escrow: Option<&'a EscrowAccount>,
}

/// A transaction after its gateway call.
#[derive(Debug)]
struct Executed {
    /// The transaction as stored afterwards (still pending when the outcome
    /// is unknown).
    transaction: Transaction,
    /// The escrow account the call opened: a completed charge into escrow
    /// opens one, as it was written.
    opened_escrow: Option<EscrowAccount>,
}

/// What a release did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleaseReceipt {
    /// The escrow after the release.
    pub escrow: EscrowAccount,
    /// The `escrow_release` transaction.
    pub release: Transaction,
    /// The contract after the release.
    pub contract: Contract,
}

/// What `run_due` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueReport {
    /// Contracts approved automatically.
    pub auto_approved: Vec<ContractId>,
    /// Contract offers that expired unaccepted and were cancelled.
    pub expired_offers: Vec<ContractId>,
    /// Pending transactions that got a final answer.
    pub reconciled: Vec<TransactionId>,
    /// Expired sessions removed.
    pub sessions_removed: usize,
    /// New saved-search matches announced to their owners.
    pub alerts_announced: usize,
}

/// The stored idempotent answer of a command that went through the gateway.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct GatewayReceipt {
    transaction_id: TransactionId,
}

/// The contract's fee quote, as created.
fn contract_quote(contract: &Contract) -> FeeQuote {
    FeeQuote {
        total: contract.total_amount,
        platform_fee: contract.platform_fee,
        processing_fee: contract.processing_fee,
        creator_payout: contract.creator_payout,
        tier_id: contract.fee_tier_id.unwrap_or_default(),
    }
}

fn balance_of(escrow: &EscrowAccount) -> EscrowBalance {
    EscrowBalance {
        total: escrow.total_amount,
        held: escrow.held_amount,
        released: escrow.released_amount,
        refunded: escrow.refunded_amount,
    }
}

impl Marketplace {
    fn new_transaction(
        &self,
        kind: TransactionType,
        amount: Money,
        contract: Option<&Contract>,
        payer: Option<UserId>,
        payee: Option<UserId>,
    ) -> Result<Transaction> {
        let now = self.now();
        Ok(Transaction {
            id: TransactionId::new(),
            payer_user_id: payer,
            payee_user_id: payee,
            contract_id: contract.map(|c| c.id),
            milestone_id: None,
            transaction_type: kind,
            amount,
            currency: amount.currency(),
            platform_fee: Money::zero(amount.currency()),
            processing_fee: Money::zero(amount.currency()),
            net_amount: amount,
            payment_provider: Some(Text::parse(self.gateway().provider())?),
            provider_transaction_id: None,
            payment_method_id: None,
            status: TransactionMachine::INITIAL,
            description: None,
            metadata: None,
            created_at: now,
            completed_at: None,
            failed_at: None,
            error_message: None,
            version: 1,
        })
    }

    /// The user behind the contract's client profile.
    pub(crate) async fn user_of_client(&self, contract: &Contract) -> Result<UserId> {
        self.user_of_client_in(&ChangeSet::new(), contract).await
    }

    /// The user behind the contract's creator profile.
    pub(crate) async fn user_of_creator(&self, contract: &Contract) -> Result<UserId> {
        self.user_of_creator_in(&ChangeSet::new(), contract).await
    }

    /// [`Marketplace::user_of_client`], from the profile `changes` already
    /// knows when it does.
    pub(crate) async fn user_of_client_in(
        &self,
        changes: &ChangeSet,
        contract: &Contract,
    ) -> Result<UserId> {
        Ok(self
            .client_for_update(changes, contract.client_profile_id)
            .await?
            .user_id)
    }

    /// [`Marketplace::user_of_creator`], from the profile `changes` already
    /// knows when it does.
    pub(crate) async fn user_of_creator_in(
        &self,
        changes: &ChangeSet,
        contract: &Contract,
    ) -> Result<UserId> {
        Ok(self
            .creator_for_update(changes, contract.creator_profile_id)
            .await?
            .user_id)
    }

    /// Looks up an idempotency key: `Ok(Some(response))` replays the first
    /// result; a key reused for another request is refused.
    async fn replay(
        &self,
        ctx: &Ctx,
        command: &str,
        hash: &str,
    ) -> Result<Option<serde_json::Value>> {
        let (Some(key), Some(actor)) = (&ctx.idempotency_key, ctx.actor) else {
            return Ok(None);
        };
        match self
            .store()
            .ledger()
            .get_idempotency_record(actor, key.as_str())
            .await?
        {
            None => Ok(None),
            Some(record) if record.command != command || record.request_hash != hash => {
                Err(Error::IdempotencyKeyReused)
            }
            Some(record) => match record.response {
                Some(response) => Ok(Some(response)),
                None => Err(Error::conflict(
                    "idempotency_key",
                    "the first request with this key is still running",
                )),
            },
        }
    }

    fn idempotency_row<T: Serialize>(
        &self,
        ctx: &Ctx,
        command: &str,
        hash: &str,
        response: &T,
    ) -> Result<Option<IdempotencyRecord>> {
        let (Some(key), Some(actor)) = (&ctx.idempotency_key, ctx.actor) else {
            return Ok(None);
        };
        Ok(Some(IdempotencyRecord {
            id: IdempotencyRecordId::new(),
            actor_user_id: actor,
            key: key.as_str().to_string(),
            command: command.to_string(),
            request_hash: hash.to_string(),
            response: Some(
                serde_json::to_value(response).map_err(|e| Error::validation("response", e))?,
            ),
            created_at: self.now(),
            version: 1,
        }))
    }

    fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
        serde_json::from_value(value).map_err(|e| Error::backend("idempotency", e))
    }

    /// Plans moving `release` to the creator and `refund` to the client out
    /// of `escrow`, in the same change set as the caller's other writes: the
    /// escrow figures, one `escrow_release` transaction with its fee and its
    /// balanced postings, pending payout and refund transactions, a paid
    /// milestone, and the parties' statistics. Returns the gateway calls to
    /// make after the commit.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn plan_settlement(
        &self,
        ctx: &Ctx,
        changes: &mut ChangeSet,
        contract: &Contract,
        escrow: &EscrowAccount,
        release: Money,
        refund: Money,
        milestone: Option<&Milestone>,
    ) -> Result<Settlement> {
        let (balance, event) = balance_of(escrow).settle(release, refund)?;
        let mut escrow_after = escrow.clone();
        escrow_after.status = EscrowMachine::transition(escrow.status, event)?;
        escrow_after.held_amount = balance.held;
        escrow_after.released_amount = balance.released;
        escrow_after.refunded_amount = balance.refunded;
        escrow_after.updated_at = self.now();
        changes.update_from(escrow, &escrow_after);
        let client_user = self.user_of_client_in(changes, contract).await?;
        let creator_user = self.user_of_creator_in(changes, contract).await?;
        let final_step = balance.held.is_zero();
        let mut written = escrow_after.clone();
        written.version += 1;
        let mut settlement = Settlement {
            escrow: Some(written),
            ..Settlement::default()
        };
        let now = self.now();

        if release.is_positive() {
            let quote = contract_quote(contract);
            let (fee_before, proc_before) = quote.fees_on_cumulative(escrow.released_amount)?;
            let (fee_after, proc_after) = quote.fees_on_cumulative(balance.released)?;
            let platform_fee = fee_after.checked_sub(fee_before)?;
            let processing_fee = proc_after
                .checked_sub(proc_before)?
                .checked_min(platform_fee)?;
            let payout = release.checked_sub(platform_fee)?;
            let mut tx = self.new_transaction(
                TransactionType::EscrowRelease,
                release,
                Some(contract),
                Some(client_user),
                Some(creator_user),
            )?;
            tx.milestone_id = milestone.map(|m| m.id);
            tx.platform_fee = platform_fee;
            tx.processing_fee = processing_fee;
            tx.net_amount = payout;
            tx.status = TransactionMachine::transition(tx.status, TransactionEvent::Complete)?;
            tx.completed_at = Some(now);
            tx.payment_provider = None;
            let postings = Entry::new(tx.id)
                .transfer(
                    LedgerAccount::Escrow(contract.id),
                    LedgerAccount::CreatorPayable(creator_user),
                    payout,
                )
                .transfer(
                    LedgerAccount::Escrow(contract.id),
                    LedgerAccount::PlatformRevenue,
                    platform_fee.checked_sub(processing_fee)?,
                )
                .transfer(
                    LedgerAccount::Escrow(contract.id),
                    LedgerAccount::ProcessorFees,
                    processing_fee,
                )
                .into_postings(now)?;
            changes.insert(tx);
            for p in postings {
                changes.insert(p);
            }
            if payout.is_positive() {
                let mut payout_tx = self.new_transaction(
                    TransactionType::Payout,
                    payout,
                    Some(contract),
                    None,
                    Some(creator_user),
                )?;
                payout_tx.milestone_id = milestone.map(|m| m.id);
                payout_tx.metadata =
                    Some(serde_json::json!({ "closes_escrow": final_step && refund.is_zero() }));
                settlement.payout(&payout_tx, contract.creator_profile_id);
                changes.insert(payout_tx);
            }
            let mut creator = self
                .creator_for_update(changes, contract.creator_profile_id)
                .await?;
            creator.total_earnings = creator.total_earnings.checked_add(payout)?;
            creator.updated_at = now;
            changes.update(&creator);
            let mut client = self
                .client_for_update(changes, contract.client_profile_id)
                .await?;
            client.total_spent = client.total_spent.checked_add(release)?;
            client.updated_at = now;
            changes.update(&client);
        }
        if refund.is_positive() {
            let mut tx = self.new_transaction(
                TransactionType::Refund,
                refund,
                Some(contract),
                None,
                Some(client_user),
            )?;
            tx.metadata = Some(serde_json::json!({ "closes_escrow": final_step }));
            let postings = Entry::new(tx.id)
                .transfer(
                    LedgerAccount::Escrow(contract.id),
                    LedgerAccount::ClientRefundable(client_user),
                    refund,
                )
                .into_postings(now)?;
            settlement.refund(&tx);
            changes.insert(tx);
            for p in postings {
                changes.insert(p);
            }
        }
        if let Some(m) = milestone {
            let mut paid = m.clone();
            if paid.status == MilestoneStatus::Submitted {
                paid.status = MilestoneMachine::transition(paid.status, MilestoneEvent::Approve)?;
                paid.approved_at = Some(now);
            }
            paid.status = MilestoneMachine::transition(paid.status, MilestoneEvent::Pay)?;
            paid.paid_at = Some(now);
            changes.update(&paid);
        }
        changes.insert(self.audit_update(
            ctx,
            "escrow_account",
            escrow.id.as_uuid(),
            event.as_str(),
            escrow,
            &escrow_after,
        )?);
        Ok(settlement)
    }

    /// Executes the gateway calls of a committed settlement. Failures leave
    /// the transactions pending for [`Marketplace::run_due`].
    pub(crate) async fn settle_with_gateway(&self, settlement: Settlement) {
        for call in settlement.pending {
            let payout_account = match &call.payout_account {
                Prior::Read(account) => Some(account),
                Prior::Unknown => None,
            };
            let known = Known {
                payee_profile: call.payee_profile,
                payee_preferences: Some(&call.payee_preferences),
                payout_account,
                settles_escrow: call.settles_escrow.as_ref(),
                ..Known::default()
            };
            // A failure here is not the caller's: the movement is recorded
            // and will be reconciled.
            let _ = self.execute_read(call.transaction, known).await;
        }
    }

    /// The client funds a contract's escrow by charging a payment method
    /// (their default one unless `payment_method` is given). Idempotent with
    /// the context's idempotency key.
    pub async fn fund_escrow(
        &self,
        ctx: &Ctx,
        contract: ContractId,
        payment_method: Option<PaymentMethodId>,
    ) -> Result<EscrowAccount> {
        let hash = request_hash("fund_escrow", &(contract, payment_method))?;
        let (transaction_id, charge) = command!(self, async {
            if let Some(response) = self.replay(ctx, "fund_escrow", &hash).await? {
                let receipt: GatewayReceipt = Self::decode(response)?;
                return Ok((ChangeSet::new(), (receipt.transaction_id, None)));
            }
            let (parties, methods) = self.acting_payer(ctx, contract).await?;
            let ContractParties {
                contract, escrow, ..
            } = &parties;
            if contract.status != ContractStatus::PendingAcceptance {
                return Err(Error::rule(
                    "contract_not_fundable",
                    format!("the contract is {}", contract.status),
                ));
            }
            if escrow.is_some() {
                return Err(Error::AlreadyExists {
                    entity: "escrow_account",
                    key: "contract_id".into(),
                });
            }
            let payer = ctx.actor()?;
            let method = match payment_method {
                Some(id) => methods
                    .into_iter()
                    .find(|m| m.id == id)
                    .ok_or(Error::not_found("payment_method"))?,
                None => methods.into_iter().find(|m| m.is_default).ok_or_else(|| {
                    Error::rule("no_payment_method", "add a payment method first")
                })?,
            };
            let mut tx = self.new_transaction(
                TransactionType::EscrowHold,
                contract.total_amount,
                Some(contract),
                Some(payer),
                None,
            )?;
            tx.payment_method_id = Some(method.id);
            let mut changes = ChangeSet::new();
            changes.check(contract);
            changes.insert(tx.clone());
            if let Some(record) = self.idempotency_row(
                ctx,
                "fund_escrow",
                &hash,
                &GatewayReceipt {
                    transaction_id: tx.id,
                },
            )? {
                changes.insert(record);
            }
            changes.insert(self.audit(
                ctx,
                "transaction",
                tx.id.as_uuid(),
                "create",
                None::<&()>,
                Some(&tx),
            )?);
            let charge = Charge {
                transaction: tx.clone(),
                method,
                parties,
            };
            Ok((changes, (tx.id, Some(charge))))
        })?;
        let Executed {
            transaction: tx,
            opened_escrow,
        } = self.execute_charge(transaction_id, charge).await?;
        match (tx.status, opened_escrow) {
            (TransactionStatus::Completed, Some(escrow)) => Ok(escrow),
            // A replay, or a charge another caller recorded: the escrow as
            // stored.
            (TransactionStatus::Completed, None) => {
                let contract = tx.contract_id.ok_or(Error::not_found("contract"))?;
                self.store()
                    .contracts()
                    .get_escrow_by_contract_id(contract)
                    .await?
                    .ok_or(Error::not_found("escrow_account"))
            }
            _ => Err(Self::payment_error(&tx)),
        }
    }

    fn payment_error(tx: &Transaction) -> Error {
        match tx.status {
            TransactionStatus::Failed | TransactionStatus::Cancelled => Error::Payment {
                reason: tx
                    .error_message
                    .clone()
                    .unwrap_or_else(|| "declined".into()),
                source: None,
            },
            _ => Error::Payment {
                reason: "the provider's answer is not known yet; the payment will be reconciled"
                    .into(),
                source: None,
            },
        }
    }

    /// The client releases a milestone's payment (approving it first when it
    /// is only submitted). The last release completes the contract.
    /// Idempotent with the context's idempotency key.
    pub async fn release_milestone(
        &self,
        ctx: &Ctx,
        milestone: MilestoneId,
    ) -> Result<ReleaseReceipt> {
        let hash = request_hash("release_milestone", &milestone)?;
        let (receipt, settlement) = command!(self, async {
            if let Some(response) = self.replay(ctx, "release_milestone", &hash).await? {
                return Ok((
                    ChangeSet::new(),
                    (
                        Self::decode::<ReleaseReceipt>(response)?,
                        Settlement::default(),
                    ),
                ));
            }
            let m = self
                .store()
                .contracts()
                .get_milestone_by_id(milestone)
                .await?
                .ok_or(Error::not_found("milestone"))?;
            let ContractParties {
                mut contract,
                client,
                creator,
                escrow,
                preferences,
            } = self
                .parties_as_client(ctx, m.contract_id)
                .await
                .map_err(|e| match e {
                    Error::NotFound { .. } => Error::not_found("milestone"),
                    other => other,
                })?;
            if !matches!(
                contract.status,
                ContractStatus::Active
                    | ContractStatus::InReview
                    | ContractStatus::RevisionRequested
            ) {
                return Err(Error::rule(
                    "escrow_frozen",
                    format!(
                        "money cannot move while the contract is {}",
                        contract.status
                    ),
                ));
            }
            if m.status == MilestoneStatus::Paid {
                return Err(crate::state::TransitionError {
                    machine: "milestone",
                    state: "paid",
                    event: "pay",
                }
                .into());
            }
            let escrow =
                escrow.ok_or_else(|| Error::rule("escrow_not_funded", "escrow is not funded"))?;
            let mut changes = ChangeSet::new();
            changes.remember(&client);
            changes.remember(&creator);
            let settlement = self
                .plan_settlement(
                    ctx,
                    &mut changes,
                    &contract,
                    &escrow,
                    m.amount,
                    Money::zero(m.amount.currency()),
                    Some(&m),
                )
                .await?
                .knowing(&party_preferences(&client, &creator, &preferences));
            let milestones = self
                .store()
                .contracts()
                .list_milestones_by_contract_id(contract.id)
                .await?;
            let all_paid = milestones
                .iter()
                .all(|x| x.id == m.id || x.status == MilestoneStatus::Paid);
            let old = contract.clone();
            if all_paid {
                contract.status =
                    ContractMachine::transition(contract.status, ContractEvent::Complete)?;
                contract.completed_at = Some(self.now());
                changes.update_from(&old, &contract);
                self.plan_completion(&mut changes, &contract).await?;
                self.log_contract_change(ctx, &mut changes, "complete", &old, &mut contract)?;
            } else {
                changes.check(&contract);
            }
            let release = changes
                .inserted()
                .find_map(|r| match r {
                    crate::store::Record::Transaction(t)
                        if t.transaction_type == TransactionType::EscrowRelease =>
                    {
                        Some(t.clone())
                    }
                    _ => None,
                })
                .ok_or_else(|| Error::rule("nothing_to_release", "the milestone has no amount"))?;
            let mut escrow_after = changes
                .writes
                .iter()
                .find_map(|w| match w.updated()? {
                    crate::store::Record::EscrowAccount(e) => Some(e.clone()),
                    _ => None,
                })
                .ok_or_else(|| Error::rule("nothing_to_release", "no escrow change"))?;
            escrow_after.version = escrow.version + 1;
            let receipt = ReleaseReceipt {
                escrow: escrow_after,
                release,
                contract,
            };
            if let Some(record) = self.idempotency_row(ctx, "release_milestone", &hash, &receipt)? {
                changes.insert(record);
            }
            self.notify_parties(
                ctx,
                &mut changes,
                PartiesRead {
                    contract: &receipt.contract,
                    client: &client,
                    creator: &creator,
                    saved: &preferences,
                },
                NotificationKind::Payment,
                "Payment released",
                &format!(
                    "{} released for {}",
                    receipt.release.amount,
                    receipt.contract.title.as_str()
                ),
            )?;
            Ok((changes, (receipt, settlement)))
        })?;
        self.settle_with_gateway(settlement).await;
        Ok(receipt)
    }

    /// The creator refunds part or all of what is held to the client (for
    /// example when the scope shrank). Not while the contract is disputed.
    pub async fn refund_escrow(
        &self,
        ctx: &Ctx,
        contract: ContractId,
        amount: Money,
    ) -> Result<EscrowAccount> {
        amount.ensure_positive("amount")?;
        let hash = request_hash("refund_escrow", &(contract, amount))?;
        let (escrow, settlement) = command!(self, async {
            if let Some(response) = self.replay(ctx, "refund_escrow", &hash).await? {
                return Ok((
                    ChangeSet::new(),
                    (
                        Self::decode::<EscrowAccount>(response)?,
                        Settlement::default(),
                    ),
                ));
            }
            let ContractParties {
                contract,
                client,
                creator,
                escrow,
                ..
            } = self.parties_as_creator(ctx, contract).await?;
            if !matches!(
                contract.status,
                ContractStatus::Active
                    | ContractStatus::InReview
                    | ContractStatus::RevisionRequested
                    | ContractStatus::PendingAcceptance
            ) {
                return Err(Error::rule(
                    "escrow_frozen",
                    format!(
                        "money cannot move while the contract is {}",
                        contract.status
                    ),
                ));
            }
            let escrow =
                escrow.ok_or_else(|| Error::rule("escrow_not_funded", "escrow is not funded"))?;
            let mut changes = ChangeSet::new();
            changes.remember(&client);
            changes.remember(&creator);
            let settlement = self
                .plan_settlement(
                    ctx,
                    &mut changes,
                    &contract,
                    &escrow,
                    Money::zero(amount.currency()),
                    amount,
                    None,
                )
                .await?;
            changes.check(&contract);
            let mut after = escrow.clone();
            let (balance, _) = balance_of(&escrow).refund(amount)?;
            after.held_amount = balance.held;
            after.refunded_amount = balance.refunded;
            after.status = changes
                .writes
                .iter()
                .find_map(|w| match w.updated()? {
                    crate::store::Record::EscrowAccount(e) => Some(e.status),
                    _ => None,
                })
                .unwrap_or(after.status);
            after.version += 1;
            after.updated_at = self.now();
            if let Some(record) = self.idempotency_row(ctx, "refund_escrow", &hash, &after)? {
                changes.insert(record);
            }
            Ok((changes, (after, settlement)))
        })?;
        self.settle_with_gateway(settlement).await;
        Ok(escrow)
    }

    /// The client tips the creator of an active or completed contract. The
    /// tip is charged to the client's default payment method and paid out in
    /// full: the platform takes no fee on tips.
    pub async fn tip(&self, ctx: &Ctx, contract: ContractId, amount: Money) -> Result<Transaction> {
        amount.ensure_positive("amount")?;
        if amount.amount() > rust_decimal::Decimal::from(10_000) {
            return Err(Error::validation("amount", "a tip is at most 10000"));
        }
        let hash = request_hash("tip", &(contract, amount))?;
        let (transaction_id, charge) = command!(self, async {
            if let Some(response) = self.replay(ctx, "tip", &hash).await? {
                let receipt: GatewayReceipt = Self::decode(response)?;
                return Ok((ChangeSet::new(), (receipt.transaction_id, None)));
            }
            let (parties, methods) = self.acting_payer(ctx, contract).await?;
            let contract = &parties.contract;
            if !matches!(
                contract.status,
                ContractStatus::Active
                    | ContractStatus::InReview
                    | ContractStatus::RevisionRequested
                    | ContractStatus::Completed
            ) {
                return Err(Error::rule(
                    "contract_not_tippable",
                    format!("the contract is {}", contract.status),
                ));
            }
            if amount.currency() != contract.total_amount.currency() {
                return Err(Error::validation(
                    "currency",
                    "a tip is paid in the contract's currency",
                ));
            }
            let payer = ctx.actor()?;
            let method = methods
                .into_iter()
                .find(|m| m.is_default)
                .ok_or_else(|| Error::rule("no_payment_method", "add a payment method first"))?;
            let creator_user = parties.creator.user_id;
            let mut tx = self.new_transaction(
                TransactionType::Tip,
                amount,
                Some(contract),
                Some(payer),
                Some(creator_user),
            )?;
            tx.payment_method_id = Some(method.id);
            let mut changes = ChangeSet::new();
            changes.insert(tx.clone());
            if let Some(record) = self.idempotency_row(
                ctx,
                "tip",
                &hash,
                &GatewayReceipt {
                    transaction_id: tx.id,
                },
            )? {
                changes.insert(record);
            }
            changes.insert(self.audit(
                ctx,
                "transaction",
                tx.id.as_uuid(),
                "create",
                None::<&()>,
                Some(&tx),
            )?);
            let charge = Charge {
                transaction: tx.clone(),
                method,
                parties,
            };
            Ok((changes, (tx.id, Some(charge))))
        })?;
        let tx = self
            .execute_charge(transaction_id, charge)
            .await?
            .transaction;
        match tx.status {
            TransactionStatus::Completed => Ok(tx),
            _ => Err(Self::payment_error(&tx)),
        }
    }

    /// The gateway request for a pending transaction, or `None` when it
    /// cannot be made yet (a payout to a creator without a payout method).
    ///
    /// `known` is what the caller already read for `tx`: the payment method
    /// of a charge, the payee's creator profile of a payout.
    async fn gateway_request(
        &self,
        tx: &Transaction,
        known: Known<'_>,
    ) -> Result<Option<GatewayRequest>> {
        match tx.transaction_type {
            TransactionType::EscrowHold | TransactionType::Tip | TransactionType::Payment => {
                let method_id = tx
                    .payment_method_id
                    .ok_or(Error::not_found("payment_method"))?;
                let method = match known.method.filter(|m| m.id == method_id) {
                    Some(method) => method.clone(),
                    None => self
                        .store()
                        .payment_methods()
                        .get_by_id(method_id)
                        .await?
                        .ok_or(Error::not_found("payment_method"))?,
                };
                Ok(Some(GatewayRequest::Charge {
                    payment_method_token: method.provider_payment_method_id.to_string(),
                    amount: tx.amount,
                }))
            }
            TransactionType::Refund => {
                let contract = tx.contract_id.ok_or(Error::not_found("contract"))?;
                let charge = self
                    .store()
                    .ledger()
                    .list_by_contract_id(contract)
                    .await?
                    .into_iter()
                    .find(|t| {
                        t.transaction_type == TransactionType::EscrowHold
                            && t.status == TransactionStatus::Completed
                    })
                    .and_then(|t| t.provider_transaction_id)
                    .ok_or(Error::not_found("charge"))?;
                Ok(Some(GatewayRequest::Refund {
                    charge_reference: charge.to_string(),
                    amount: tx.amount,
                }))
            }
            TransactionType::Payout => {
                let Some(payee) = tx.payee_user_id else {
                    return Ok(None);
                };
                if let Some(account) = known.payout_account {
                    return Ok(account.as_ref().map(|a| GatewayRequest::Payout {
                        payout_account: a.provider_account_id.to_string(),
                        amount: tx.amount,
                    }));
                }
                let creator = match known.payee_profile {
                    Some(profile) => profile,
                    None => match self.store().creators().get_by_user_id(payee).await? {
                        Some(creator) => creator.id,
                        None => return Ok(None),
                    },
                };
                let account = self
                    .store()
                    .payment_methods()
                    .list_payout_methods_by_creator_profile_id(creator)
                    .await?
                    .into_iter()
                    .find(|m| m.is_default);
                Ok(account.map(|a| GatewayRequest::Payout {
                    payout_account: a.provider_account_id.to_string(),
                    amount: tx.amount,
                }))
            }
            _ => Ok(None),
        }
    }

    /// Calls the gateway for a pending transaction and records its answer.
    /// Returns the transaction as stored afterwards (still pending when the
    /// outcome is unknown).
    pub async fn execute_pending(&self, id: TransactionId) -> Result<Transaction> {
        let tx = self
            .store()
            .ledger()
            .get_by_id(id)
            .await?
            .ok_or(Error::not_found("transaction"))?;
        Ok(self.execute_read(tx, Known::default()).await?.transaction)
    }

    /// Executes the charge a command just committed (`charge`: the
    /// transaction and its payment method as written), or reads transaction
    /// `id` first when the command replayed an earlier result.
    async fn execute_charge(&self, id: TransactionId, charge: Option<Charge>) -> Result<Executed> {
        match charge {
            Some(charge) if charge.transaction.id == id => {
                let known = Known {
                    method: Some(&charge.method),
                    parties: Some(&charge.parties),
                    ..Known::default()
                };
                self.execute_read(charge.transaction, known).await
            }
            _ => Ok(Executed {
                transaction: self.execute_pending(id).await?,
                opened_escrow: None,
            }),
        }
    }

    /// [`Marketplace::execute_pending`] from the transaction as read (or as
    /// just committed) and, for a charge, the payment method it uses. The
    /// answer is recorded under the transaction's version guard, so a copy
    /// that moved meanwhile is read again, as in `record_outcome`.
    async fn execute_read(&self, tx: Transaction, known: Known<'_>) -> Result<Executed> {
        let unchanged = |transaction| {
            Ok(Executed {
                transaction,
                opened_escrow: None,
            })
        };
        if !matches!(
            tx.status,
            TransactionStatus::Pending | TransactionStatus::Processing
        ) {
            return unchanged(tx);
        }
        let Some(request) = self.gateway_request(&tx, known).await? else {
            return unchanged(tx);
        };
        match self.gateway().execute(tx.id, &request).await {
            Ok(outcome) => {
                let saved = known.payee_preferences.cloned().unwrap_or_default();
                let read = Read {
                    transaction: tx,
                    parties: known.parties,
                    settles_escrow: known.settles_escrow,
                };
                self.record_outcome(read.transaction.id, outcome, Some(read), &saved)
                    .await
            }
            Err(_) => unchanged(tx),
        }
    }

    /// Records the provider's answer for a pending transaction: on success
    /// the money moves in the ledger (and escrow opens, or settles); on a
    /// decline the transaction fails. Recording twice changes nothing.
    ///
    /// `read` is the transaction as read before the gateway call (with the
    /// contract's parties, when the command that wrote it read them), used
    /// by the first attempt instead of reading them again: the change set's
    /// version guard refuses it if the row moved meanwhile, and the retry
    /// reads the stored rows. `payee_saved` is what the command that wrote
    /// the transaction knew of its payee's notification preferences.
    async fn record_outcome(
        &self,
        id: TransactionId,
        outcome: GatewayOutcome,
        read: Option<Read<'_>>,
        payee_saved: &SavedPreferences,
    ) -> Result<Executed> {
        let mut read = read.filter(|r| r.transaction.id == id);
        let (tx, opened_escrow, follow_up) = command!(self, async {
            let (mut tx, parties, settles_escrow) = match read.take() {
                Some(read) => (read.transaction, read.parties, read.settles_escrow),
                None => (
                    self.store()
                        .ledger()
                        .get_by_id(id)
                        .await?
                        .ok_or(Error::not_found("transaction"))?,
                    None,
                    None,
                ),
            };
            if !matches!(
                tx.status,
                TransactionStatus::Pending | TransactionStatus::Processing
            ) {
                return Ok((ChangeSet::new(), (tx, None, Settlement::default())));
            }
            let now = self.now();
            let old = tx.clone();
            let mut changes = ChangeSet::new();
            let mut follow_up = Settlement::default();
            match &outcome {
                GatewayOutcome::Unknown => return Ok((ChangeSet::new(), (tx, None, follow_up))),
                GatewayOutcome::Declined { reason } => {
                    tx.status = TransactionMachine::transition(tx.status, TransactionEvent::Fail)?;
                    tx.failed_at = Some(now);
                    tx.error_message = Some(reason.clone());
                    changes.update_from(&old, &tx);
                }
                GatewayOutcome::Succeeded { reference } => {
                    tx.status =
                        TransactionMachine::transition(tx.status, TransactionEvent::Complete)?;
                    tx.completed_at = Some(now);
                    tx.provider_transaction_id = Some(Text::parse(reference)?);
                    // The version-guarded update goes first: when `tx` was
                    // read before the gateway call and another process
                    // recorded the answer meanwhile, the change set is
                    // refused as a conflict (and retried from a fresh read)
                    // before any insert of the success can collide.
                    changes.update_from(&old, &tx);
                    follow_up = self
                        .plan_success(&mut changes, &tx, parties, settles_escrow, payee_saved)
                        .await?;
                }
            }
            changes.insert(self.audit_update(
                &Ctx::anonymous(),
                "transaction",
                tx.id.as_uuid(),
                tx.status.as_str(),
                &old,
                &tx,
            )?);
            tx.version += 1;
            let opened_escrow = changes.inserted().find_map(|r| match r {
                Record::EscrowAccount(escrow) => Some(escrow.clone()),
                _ => None,
            });
            Ok((changes, (tx, opened_escrow, follow_up)))
        })?;
        Box::pin(self.settle_with_gateway(follow_up)).await;
        Ok(Executed {
            transaction: tx,
            opened_escrow,
        })
    }

    /// The ledger and escrow writes of a transaction the provider completed.
    ///
    /// `read` is the contract with its parties as the command that wrote
    /// the charge read them, if it did; `settles_escrow` the escrow a
    /// payout's or refund's success settles, if that command knew it (see
    /// [`PendingCall::settles_escrow`]).
    async fn plan_success(
        &self,
        changes: &mut ChangeSet,
        tx: &Transaction,
        read: Option<&ContractParties>,
        settles_escrow: Option<&EscrowAccount>,
        payee_saved: &SavedPreferences,
    ) -> Result<Settlement> {
        let now = self.now();
        let mut follow_up = Settlement::default();
        // Only a charge into escrow and a tip look at the contract; their
        // parties' profiles come with it, for the statistics and notices.
        // What the charging command read serves: the escrow and the notices
        // need only who the parties are, and the profiles a tip updates are
        // guarded by their versions.
        let parties = match (tx.transaction_type, tx.contract_id) {
            (TransactionType::EscrowHold | TransactionType::Tip, Some(id)) => {
                match read.filter(|p| p.contract.id == id) {
                    Some(parties) => Some(parties.clone()),
                    None => self.store().contract_parties(id).await?,
                }
            }
            _ => None,
        };
        if let Some(parties) = &parties {
            changes.remember(&parties.client);
            changes.remember(&parties.creator);
        }
        // What the parties (or the payee) saved, so their notices need no
        // further read.
        let mut known: Vec<_> = parties
            .iter()
            .flat_map(|p| party_preferences(&p.client, &p.creator, &p.preferences))
            .collect();
        if let (SavedPreferences::Read(saved), Some(payee)) = (payee_saved, tx.payee_user_id)
            && !known.iter().any(|(user, _)| *user == payee)
        {
            known.push((payee, saved.as_ref()));
        }
        let contract = parties.as_ref().map(|p| p.contract.clone());
        match tx.transaction_type {
            TransactionType::EscrowHold => {
                let contract = contract.clone().ok_or(Error::not_found("contract"))?;
                let client = tx.payer_user_id.ok_or(Error::not_found("user"))?;
                let balance = EscrowBalance::funded(tx.amount)?;
                changes.insert(EscrowAccount {
                    id: EscrowAccountId::new(),
                    contract_id: contract.id,
                    total_amount: balance.total,
                    held_amount: balance.held,
                    released_amount: balance.released,
                    refunded_amount: balance.refunded,
                    status: EscrowMachine::INITIAL,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                });
                for p in Entry::new(tx.id)
                    .transfer(
                        LedgerAccount::External(client),
                        LedgerAccount::Escrow(contract.id),
                        tx.amount,
                    )
                    .into_postings(now)?
                {
                    changes.insert(p);
                }
            }
            TransactionType::Tip => {
                let contract = contract.clone().ok_or(Error::not_found("contract"))?;
                let client = tx.payer_user_id.ok_or(Error::not_found("user"))?;
                let creator_user = tx.payee_user_id.ok_or(Error::not_found("user"))?;
                for p in Entry::new(tx.id)
                    .transfer(
                        LedgerAccount::External(client),
                        LedgerAccount::CreatorPayable(creator_user),
                        tx.amount,
                    )
                    .into_postings(now)?
                {
                    changes.insert(p);
                }
                let mut payout = self.new_transaction(
                    TransactionType::Payout,
                    tx.amount,
                    Some(&contract),
                    None,
                    Some(creator_user),
                )?;
                payout.metadata = Some(serde_json::json!({ "tip": tx.id }));
                follow_up.payout(&payout, contract.creator_profile_id);
                changes.insert(payout);
                let mut creator = self
                    .creator_for_update(changes, contract.creator_profile_id)
                    .await?;
                creator.total_earnings = creator.total_earnings.checked_add(tx.amount)?;
                creator.updated_at = now;
                changes.update(&creator);
                let mut client_profile = self
                    .client_for_update(changes, contract.client_profile_id)
                    .await?;
                client_profile.total_spent = client_profile.total_spent.checked_add(tx.amount)?;
                client_profile.updated_at = now;
                changes.update(&client_profile);
            }
            TransactionType::Payout => {
                let creator_user = tx.payee_user_id.ok_or(Error::not_found("user"))?;
                for p in Entry::new(tx.id)
                    .transfer(
                        LedgerAccount::CreatorPayable(creator_user),
                        LedgerAccount::External(creator_user),
                        tx.amount,
                    )
                    .into_postings(now)?
                {
                    changes.insert(p);
                }
                self.plan_escrow_settled(changes, tx, settles_escrow)
                    .await?;
            }
            TransactionType::Refund => {
                let client = tx.payee_user_id.ok_or(Error::not_found("user"))?;
                for p in Entry::new(tx.id)
                    .transfer(
                        LedgerAccount::ClientRefundable(client),
                        LedgerAccount::External(client),
                        tx.amount,
                    )
                    .into_postings(now)?
                {
                    changes.insert(p);
                }
                self.plan_escrow_settled(changes, tx, settles_escrow)
                    .await?;
            }
            _ => {}
        }
        let notice = match tx.transaction_type {
            TransactionType::EscrowHold => tx
                .payer_user_id
                .zip(contract.as_ref())
                .map(|(_, c)| (c, "Escrow funded", NotificationKind::Payment)),
            _ => None,
        };
        if let Some((contract, title, kind)) = notice {
            let message = format!(
                "{} is held in escrow for {}",
                tx.amount,
                contract.title.as_str()
            );
            let notices = self
                .contract_notices_known(
                    contract,
                    parties.as_ref().map(|p| p.client.user_id),
                    parties.as_ref().map(|p| p.creator.user_id),
                    kind,
                    title,
                    &message,
                )
                .await?;
            self.plan_notices_known(&Ctx::anonymous(), changes, notices, &known)
                .await?;
        }
        let personal = match tx.transaction_type {
            TransactionType::Tip => tx.payee_user_id.map(|u| (u, "You received a tip")),
            TransactionType::Payout => tx.payee_user_id.map(|u| (u, "Payout sent")),
            TransactionType::Refund => tx.payee_user_id.map(|u| (u, "Refund sent")),
            _ => None,
        };
        if let Some((user, title)) = personal {
            self.plan_notices_known(
                &Ctx::anonymous(),
                changes,
                [Notice::new(
                    user,
                    NotificationKind::Payment,
                    title,
                    format!("{} ({})", tx.amount, tx.transaction_type),
                )
                .about("transaction", tx.id.as_uuid())],
                &known,
            )
            .await?;
        }
        Ok(follow_up)
    }

    /// When the last pending payout or refund of a fully paid-out escrow
    /// completes, the escrow settles (`releasing` → `released`,
    /// `refunding` → `refunded`). A split settlement (a dispute resolved
    /// partly each way) leaves both a payout and a refund pending; whichever
    /// completes last settles the escrow, whatever its kind.
    ///
    /// `known` is the escrow as the command that planned `tx` wrote it, when
    /// that command knew no other call was pending (see
    /// [`PendingCall::settles_escrow`]); otherwise the escrow and the
    /// contract's transactions are read. Either way the write carries the
    /// escrow's version. While another call is still pending the escrow is
    /// written all the same (its `updated_at`): two calls that succeed at
    /// the same time could otherwise each see the other pending and leave
    /// the escrow unsettled for good; this way the second one conflicts
    /// and its retry reads the first one's success.
    async fn plan_escrow_settled(
        &self,
        changes: &mut ChangeSet,
        tx: &Transaction,
        known: Option<&EscrowAccount>,
    ) -> Result<()> {
        let Some(contract) = tx.contract_id else {
            return Ok(());
        };
        let (mut escrow, waits) = match known.filter(|e| e.contract_id == contract) {
            Some(escrow) => (escrow.clone(), false),
            None => {
                // The escrow and the contract's transactions in one read:
                // settling needs both, and only a payout or refund gets here.
                let ContractMoney {
                    escrow,
                    transactions,
                } = self.store().contract_money(contract).await?;
                let Some(escrow) = escrow else {
                    return Ok(());
                };
                let waits = others_pending(&transactions, tx.id);
                (escrow, waits)
            }
        };
        if !matches!(
            escrow.status,
            EscrowStatus::Releasing | EscrowStatus::Refunding
        ) {
            return Ok(());
        }
        let read = escrow.clone();
        if !waits {
            escrow.status = EscrowMachine::transition(escrow.status, EscrowEvent::Settle)?;
        }
        escrow.updated_at = self.now();
        changes.update_from(&read, &escrow);
        Ok(())
    }

    /// Performs every time-based transition that is due at `now`: automatic
    /// approval of delivered work, expiry of unaccepted contract offers,
    /// reconciliation of pending payments with the provider, and removal of
    /// expired sessions. Running it twice changes nothing more.
    pub async fn run_due(&self, now: DateTime<Utc>) -> Result<DueReport> {
        let mut report = DueReport::default();
        let system = Ctx::anonymous();
        let cutoff = now - self.policy().auto_approve_after;
        for contract in self
            .store()
            .contracts()
            .list_in_review_submitted_before(cutoff, 500)
            .await?
        {
            match self
                .approve_delivery_as(&system, contract.id, None, false)
                .await
            {
                Ok(_) => report.auto_approved.push(contract.id),
                Err(Error::InvalidTransition(_)) | Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let offer_cutoff = now - self.policy().contract_acceptance_window;
        for contract in self
            .store()
            .contracts()
            .list_pending_acceptance_created_before(offer_cutoff, 500)
            .await?
        {
            match self.expire_offer(&system, contract.id).await {
                Ok(()) => report.expired_offers.push(contract.id),
                Err(Error::InvalidTransition(_)) => {}
                Err(e) => return Err(e),
            }
        }
        for status in [TransactionStatus::Pending, TransactionStatus::Processing] {
            for tx in self.store().ledger().list_by_status(status, 500).await? {
                let answered = match self.gateway().lookup(tx.id).await {
                    Ok(GatewayOutcome::Unknown) => self.execute_pending(tx.id).await?,
                    Ok(outcome) => {
                        self.record_outcome(tx.id, outcome, None, &SavedPreferences::Unknown)
                            .await?
                            .transaction
                    }
                    Err(_) => continue,
                };
                if !matches!(
                    answered.status,
                    TransactionStatus::Pending | TransactionStatus::Processing
                ) {
                    report.reconciled.push(tx.id);
                }
            }
        }
        report.alerts_announced = self.run_saved_search_alerts(now).await?;
        let expired = self.store().sessions().list_expired(now, 1_000).await?;
        if !expired.is_empty() {
            let mut changes = ChangeSet::new();
            for session in &expired {
                changes.delete(session);
            }
            match self.commit(changes).await {
                Ok(()) => report.sessions_removed = expired.len(),
                Err(e) if e.is_retryable() || matches!(e, Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    async fn expire_offer(&self, ctx: &Ctx, id: ContractId) -> Result<()> {
        let contract = self
            .store()
            .contracts()
            .get_by_id(id)
            .await?
            .ok_or(Error::not_found("contract"))?;
        if contract.status != ContractStatus::PendingAcceptance {
            return Err(crate::state::TransitionError {
                machine: "contract",
                state: contract.status.as_str(),
                event: "cancel",
            }
            .into());
        }
        self.end_contract_system(ctx, id).await.map(|_| ())
    }

    /// Cancels a contract on the system's behalf (expired offers).
    async fn end_contract_system(&self, ctx: &Ctx, id: ContractId) -> Result<Contract> {
        let (contract, settlement) = command!(self, async {
            let mut contract = self
                .store()
                .contracts()
                .get_by_id(id)
                .await?
                .ok_or(Error::not_found("contract"))?;
            let old = contract.clone();
            contract.status = ContractMachine::transition(contract.status, ContractEvent::Cancel)?;
            contract.cancelled_at = Some(self.now());
            let mut changes = ChangeSet::new();
            changes.update_from(&old, &contract);
            if let Some(job_id) = contract.job_id
                && let Some(mut job) = self.store().jobs().get_by_id(job_id).await?
                && crate::state::JobMachine::can(job.status, crate::state::JobEvent::Cancel)
            {
                job.status = crate::state::JobMachine::transition(
                    job.status,
                    crate::state::JobEvent::Cancel,
                )?;
                job.updated_at = self.now();
                changes.update(&job);
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
            self.log_contract_change(ctx, &mut changes, "expire", &old, &mut contract)?;
            let notices = self
                .contract_notices(
                    &contract,
                    NotificationKind::ContractUpdate,
                    "Contract offer expired",
                    contract.title.as_str(),
                )
                .await?;
            self.plan_notices(ctx, &mut changes, notices).await?;
            Ok((changes, (contract, settlement)))
        })?;
        if let Some(s) = settlement {
            self.settle_with_gateway(s).await;
        }
        Ok(contract)
    }
}
