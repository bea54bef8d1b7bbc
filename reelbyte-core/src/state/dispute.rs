//! The life cycle of a contract dispute (`disputes.status`).
//!
//! Support reviews an open dispute, may escalate it (and take it back into
//! review), resolves it once, and closes it after the resolution was carried
//! out.

use super::StateMachine;
use crate::enums::DisputeStatus;

use DisputeEvent as E;
use DisputeStatus as S;

crate::string_enum! {
    /// What can happen to a dispute.
    pub enum DisputeEvent: "event" {
        /// Support starts (or, after escalation, resumes) reviewing the dispute.
        Review => "review",
        /// The dispute is handed to a higher level of support.
        Escalate => "escalate",
        /// A settlement was decided and applied to the contract's escrow.
        Resolve => "resolve",
        /// The resolved dispute is archived.
        Close => "close",
    }
}

/// The dispute machine. Zero-sized: all of it is in the [`StateMachine`] table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DisputeMachine;

impl StateMachine for DisputeMachine {
    const NAME: &'static str = "dispute";
    type State = DisputeStatus;
    type Event = DisputeEvent;
    const STATES: &'static [DisputeStatus] = DisputeStatus::ALL;
    const INITIAL: DisputeStatus = S::Open;
    const TRANSITIONS: &'static [(DisputeStatus, DisputeEvent, DisputeStatus)] = &[
        (S::Open, E::Review, S::UnderReview),
        (S::Open, E::Escalate, S::Escalated),
        (S::UnderReview, E::Escalate, S::Escalated),
        (S::Escalated, E::Review, S::UnderReview),
        (S::Open, E::Resolve, S::Resolved),
        (S::UnderReview, E::Resolve, S::Resolved),
        (S::Escalated, E::Resolve, S::Resolved),
        (S::Resolved, E::Close, S::Closed),
    ];
    const TERMINAL: &'static [DisputeStatus] = &[S::Closed];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{TransitionError, testing};

    const EXPECTED: &[(&str, &str, &str)] = &[
        ("open", "review", "under_review"),
        ("open", "escalate", "escalated"),
        ("under_review", "escalate", "escalated"),
        ("escalated", "review", "under_review"),
        ("open", "resolve", "resolved"),
        ("under_review", "resolve", "resolved"),
        ("escalated", "resolve", "resolved"),
        ("resolved", "close", "closed"),
    ];

    #[test]
    fn every_state_and_event_pair_follows_the_table() {
        testing::assert_table::<DisputeMachine>("dispute", EXPECTED);
    }

    #[test]
    fn the_table_is_well_formed() {
        testing::assert_well_formed::<DisputeMachine>();
    }

    #[test]
    fn random_event_sequences_stay_within_the_table() {
        testing::check_random_walks::<DisputeMachine>();
    }

    #[test]
    fn given_escalated_when_review_then_under_review() {
        assert_eq!(
            DisputeMachine::transition(S::Escalated, E::Review),
            Ok(S::UnderReview)
        );
    }

    #[test]
    fn given_escalated_when_resolve_then_resolved() {
        assert_eq!(
            DisputeMachine::transition(S::Escalated, E::Resolve),
            Ok(S::Resolved)
        );
    }

    #[test]
    fn given_resolved_when_resolve_again_then_refused() {
        // A dispute is resolved once.
        assert_eq!(
            DisputeMachine::transition(S::Resolved, E::Resolve),
            Err(TransitionError {
                machine: "dispute",
                state: "resolved",
                event: "resolve"
            })
        );
    }

    #[test]
    fn given_open_when_close_then_refused() {
        // Only a resolved dispute can be closed.
        assert!(!DisputeMachine::can(S::Open, E::Close));
    }
}
