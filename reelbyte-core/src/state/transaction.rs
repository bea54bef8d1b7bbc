//! The life cycle of a ledger transaction (`transactions.status`).
//!
//! A transaction is pending until the payment provider picks it up, then
//! completes or fails. Amounts are never edited: a refund is a new, reversing
//! transaction, and the `refund` event only marks the original charge as
//! fully refunded once that reversal exists.

use super::StateMachine;
use crate::enums::TransactionStatus;

use TransactionEvent as E;
use TransactionStatus as S;

crate::string_enum! {
    /// What can happen to a transaction.
    pub enum TransactionEvent: "event" {
        /// The payment provider started processing the transaction.
        Process => "process",
        /// The provider confirmed the transaction (or it needed no provider).
        Complete => "complete",
        /// The provider declined or the transaction could not be carried out.
        Fail => "fail",
        /// The transaction was called off before the provider saw it.
        Cancel => "cancel",
        /// A later reversing transaction refunded this one in full.
        Refund => "refund",
    }
}

/// The transaction machine. Zero-sized: all of it is in the [`StateMachine`] table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransactionMachine;

impl StateMachine for TransactionMachine {
    const NAME: &'static str = "transaction";
    type State = TransactionStatus;
    type Event = TransactionEvent;
    const STATES: &'static [TransactionStatus] = TransactionStatus::ALL;
    const INITIAL: TransactionStatus = S::Pending;
    const TRANSITIONS: &'static [(TransactionStatus, TransactionEvent, TransactionStatus)] = &[
        (S::Pending, E::Process, S::Processing),
        (S::Pending, E::Complete, S::Completed),
        (S::Processing, E::Complete, S::Completed),
        (S::Pending, E::Fail, S::Failed),
        (S::Processing, E::Fail, S::Failed),
        (S::Pending, E::Cancel, S::Cancelled),
        (S::Completed, E::Refund, S::Refunded),
    ];
    const TERMINAL: &'static [TransactionStatus] = &[S::Failed, S::Refunded, S::Cancelled];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{TransitionError, testing};

    const EXPECTED: &[(&str, &str, &str)] = &[
        ("pending", "process", "processing"),
        ("pending", "complete", "completed"),
        ("processing", "complete", "completed"),
        ("pending", "fail", "failed"),
        ("processing", "fail", "failed"),
        ("pending", "cancel", "cancelled"),
        ("completed", "refund", "refunded"),
    ];

    #[test]
    fn every_state_and_event_pair_follows_the_table() {
        testing::assert_table::<TransactionMachine>("transaction", EXPECTED);
    }

    #[test]
    fn the_table_is_well_formed() {
        testing::assert_well_formed::<TransactionMachine>();
    }

    #[test]
    fn random_event_sequences_stay_within_the_table() {
        testing::check_random_walks::<TransactionMachine>();
    }

    #[test]
    fn given_processing_when_complete_then_completed() {
        assert_eq!(
            TransactionMachine::transition(S::Processing, E::Complete),
            Ok(S::Completed)
        );
    }

    #[test]
    fn given_completed_when_refund_then_refunded() {
        assert_eq!(
            TransactionMachine::transition(S::Completed, E::Refund),
            Ok(S::Refunded)
        );
    }

    #[test]
    fn given_processing_when_cancel_then_refused() {
        // Once the provider has it, only the provider's answer ends it.
        assert_eq!(
            TransactionMachine::transition(S::Processing, E::Cancel),
            Err(TransitionError {
                machine: "transaction",
                state: "processing",
                event: "cancel"
            })
        );
    }

    #[test]
    fn given_failed_when_refund_then_refused() {
        // Nothing was charged, so there is nothing to refund.
        assert!(!TransactionMachine::can(S::Failed, E::Refund));
    }

    #[test]
    fn given_refunded_when_refund_again_then_refused() {
        assert!(!TransactionMachine::can(S::Refunded, E::Refund));
    }
}
