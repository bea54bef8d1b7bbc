//! The life cycle of a payment milestone of a contract (`milestones.status`).
//!
//! The creator starts a milestone (or submits it straight away), the client
//! approves it or sends it back for more work, and an approved milestone is
//! paid exactly once, from escrow.

use super::StateMachine;
use crate::enums::MilestoneStatus;

use MilestoneEvent as E;
use MilestoneStatus as S;

crate::string_enum! {
    /// What can happen to a milestone.
    pub enum MilestoneEvent: "event" {
        /// The creator starts working on the milestone.
        Start => "start",
        /// The creator submits the milestone's work for review.
        Submit => "submit",
        /// The client sends the submitted work back for changes.
        RequestRevision => "request_revision",
        /// The client approves the submitted work.
        Approve => "approve",
        /// The milestone's amount was released from escrow to the creator.
        Pay => "pay",
    }
}

/// The milestone machine. Zero-sized: all of it is in the [`StateMachine`] table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MilestoneMachine;

impl StateMachine for MilestoneMachine {
    const NAME: &'static str = "milestone";
    type State = MilestoneStatus;
    type Event = MilestoneEvent;
    const STATES: &'static [MilestoneStatus] = MilestoneStatus::ALL;
    const INITIAL: MilestoneStatus = S::Pending;
    const TRANSITIONS: &'static [(MilestoneStatus, MilestoneEvent, MilestoneStatus)] = &[
        (S::Pending, E::Start, S::InProgress),
        (S::Pending, E::Submit, S::Submitted),
        (S::InProgress, E::Submit, S::Submitted),
        (S::Submitted, E::RequestRevision, S::InProgress),
        (S::Submitted, E::Approve, S::Approved),
        (S::Approved, E::Pay, S::Paid),
    ];
    const TERMINAL: &'static [MilestoneStatus] = &[S::Paid];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{TransitionError, testing};

    const EXPECTED: &[(&str, &str, &str)] = &[
        ("pending", "start", "in_progress"),
        ("pending", "submit", "submitted"),
        ("in_progress", "submit", "submitted"),
        ("submitted", "request_revision", "in_progress"),
        ("submitted", "approve", "approved"),
        ("approved", "pay", "paid"),
    ];

    #[test]
    fn every_state_and_event_pair_follows_the_table() {
        testing::assert_table::<MilestoneMachine>("milestone", EXPECTED);
    }

    #[test]
    fn the_table_is_well_formed() {
        testing::assert_well_formed::<MilestoneMachine>();
    }

    #[test]
    fn random_event_sequences_stay_within_the_table() {
        testing::check_random_walks::<MilestoneMachine>();
    }

    #[test]
    fn given_submitted_when_request_revision_then_in_progress() {
        assert_eq!(
            MilestoneMachine::transition(S::Submitted, E::RequestRevision),
            Ok(S::InProgress)
        );
    }

    #[test]
    fn given_approved_when_pay_then_paid() {
        assert_eq!(
            MilestoneMachine::transition(S::Approved, E::Pay),
            Ok(S::Paid)
        );
    }

    #[test]
    fn given_paid_when_pay_again_then_refused() {
        // A milestone is released at most once.
        assert_eq!(
            MilestoneMachine::transition(S::Paid, E::Pay),
            Err(TransitionError {
                machine: "milestone",
                state: "paid",
                event: "pay"
            })
        );
    }

    #[test]
    fn given_in_progress_when_approve_then_refused() {
        // Only submitted work can be approved.
        assert!(!MilestoneMachine::can(S::InProgress, E::Approve));
    }

    #[test]
    fn given_pending_when_started_revised_and_approved_then_paid() {
        let events = [
            E::Start,
            E::Submit,
            E::RequestRevision,
            E::Submit,
            E::Approve,
            E::Pay,
        ];
        assert_eq!(
            testing::replay::<MilestoneMachine>(S::Pending, &events),
            Ok(S::Paid)
        );
    }
}
