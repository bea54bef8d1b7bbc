//! The payment provider, behind a trait.
//!
//! Charges, refunds and payouts are never made inside a store transaction:
//! the service records the movement as pending, calls the gateway, then
//! records the answer. A crash in between leaves a pending row that
//! [`Marketplace::run_due`](crate::service::Marketplace::run_due) reconciles
//! by asking the gateway with [`PaymentGateway::lookup`].

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::TransactionId;
use crate::money::Money;

/// What the provider is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GatewayRequest {
    /// Charge a client's payment method.
    Charge {
        /// The provider's token of the payment method.
        payment_method_token: String,
        /// How much.
        amount: Money,
    },
    /// Refund money to a client.
    Refund {
        /// The provider's id of the original charge.
        charge_reference: String,
        /// How much.
        amount: Money,
    },
    /// Pay money out to a creator's payout account.
    Payout {
        /// The provider's id of the payout account.
        payout_account: String,
        /// How much.
        amount: Money,
    },
}

/// The provider's answer about one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GatewayOutcome {
    /// Done; the provider's reference.
    Succeeded {
        /// The provider's id for the operation.
        reference: String,
    },
    /// Refused for good (card declined, account closed, ...).
    Declined {
        /// The provider's reason.
        reason: String,
    },
    /// The provider has no record of the operation.
    Unknown,
}

/// A payment provider. Every call carries the transaction id as the
/// provider-side idempotency key, so asking twice never moves money twice.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PaymentGateway: Send + Sync + std::fmt::Debug {
    /// The provider's name, stored in `transactions.payment_provider`.
    fn provider(&self) -> &'static str;

    /// Performs `request` for transaction `id`. An `Err` means the outcome is
    /// not known (a time-out, a network failure): the movement stays pending
    /// and is reconciled later with [`PaymentGateway::lookup`].
    async fn execute(&self, id: TransactionId, request: &GatewayRequest) -> Result<GatewayOutcome>;

    /// What became of the operation for transaction `id`.
    async fn lookup(&self, id: TransactionId) -> Result<GatewayOutcome>;
}

/// How the [`SimulatedGateway`] answers the next calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SimulatedBehaviour {
    /// Every operation succeeds.
    #[default]
    Approve,
    /// Every operation is declined (and recorded as declined).
    Decline,
    /// Every call fails before reaching the provider: nothing is recorded and
    /// the outcome is unknown to the caller.
    Fail,
    /// Every call reaches the provider and succeeds there, but the answer is
    /// lost: the caller gets an error and must reconcile with `lookup`.
    TimeOut,
}

/// A payment provider simulated in memory, for tests, examples and the
/// in-memory server: it can be told to decline, fail or time out.
#[derive(Debug, Default)]
pub struct SimulatedGateway {
    state: std::sync::Mutex<SimulatedState>,
}

#[derive(Debug, Default)]
struct SimulatedState {
    behaviour: SimulatedBehaviour,
    outcomes: std::collections::HashMap<TransactionId, GatewayOutcome>,
    calls: Vec<(TransactionId, GatewayRequest)>,
}

impl SimulatedGateway {
    /// A gateway that approves everything.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimulatedState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets how the next calls are answered.
    pub fn set_behaviour(&self, behaviour: SimulatedBehaviour) {
        self.lock().behaviour = behaviour;
    }

    /// Every request that reached the provider (including timed-out ones),
    /// in order. Repeated calls for one transaction are listed once.
    pub fn calls(&self) -> Vec<(TransactionId, GatewayRequest)> {
        self.lock().calls.clone()
    }

    /// The net amount the provider moved per request kind: charges, refunds
    /// and payouts that succeeded.
    pub fn succeeded(&self) -> Vec<(TransactionId, GatewayRequest)> {
        let state = self.lock();
        state
            .calls
            .iter()
            .filter(|(id, _)| {
                matches!(
                    state.outcomes.get(id),
                    Some(GatewayOutcome::Succeeded { .. })
                )
            })
            .cloned()
            .collect()
    }
}

#[async_trait]
impl PaymentGateway for SimulatedGateway {
    fn provider(&self) -> &'static str {
        "simulated"
    }

    async fn execute(&self, id: TransactionId, request: &GatewayRequest) -> Result<GatewayOutcome> {
        let mut state = self.lock();
        // The provider is idempotent on the transaction id.
        if let Some(outcome) = state.outcomes.get(&id) {
            return Ok(outcome.clone());
        }
        let outcome = match state.behaviour {
            SimulatedBehaviour::Fail => {
                return Err(crate::Error::Payment {
                    reason: "the provider could not be reached".into(),
                    source: None,
                });
            }
            SimulatedBehaviour::Decline => GatewayOutcome::Declined {
                reason: "declined by the simulated provider".into(),
            },
            SimulatedBehaviour::Approve | SimulatedBehaviour::TimeOut => {
                GatewayOutcome::Succeeded {
                    reference: format!("sim_{}", id.as_uuid().simple()),
                }
            }
        };
        state.calls.push((id, request.clone()));
        state.outcomes.insert(id, outcome.clone());
        if state.behaviour == SimulatedBehaviour::TimeOut {
            return Err(crate::Error::Payment {
                reason: "the provider did not answer in time".into(),
                source: None,
            });
        }
        Ok(outcome)
    }

    async fn lookup(&self, id: TransactionId) -> Result<GatewayOutcome> {
        let state = self.lock();
        if state.behaviour == SimulatedBehaviour::Fail {
            return Err(crate::Error::Payment {
                reason: "the provider could not be reached".into(),
                source: None,
            });
        }
        Ok(state
            .outcomes
            .get(&id)
            .cloned()
            .unwrap_or(GatewayOutcome::Unknown))
    }
}
