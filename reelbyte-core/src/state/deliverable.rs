//! The life cycle of one submitted deliverable (`deliverables.status`).
//!
//! Each submission is its own row with a `version_number`: a revision is a
//! new deliverable, so every decision on a deliverable is final.

use super::StateMachine;
use crate::enums::DeliverableStatus;

use DeliverableEvent as E;
use DeliverableStatus as S;

crate::string_enum! {
    /// What can happen to a deliverable.
    pub enum DeliverableEvent: "event" {
        /// The client opens the submission for review.
        StartReview => "start_review",
        /// The client accepts the submission.
        Approve => "approve",
        /// The client asks for changes; the creator will submit a new version.
        RequestRevision => "request_revision",
        /// The client refuses the submission outright.
        Reject => "reject",
    }
}

/// The deliverable machine. Zero-sized: all of it is in the [`StateMachine`] table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliverableMachine;

impl StateMachine for DeliverableMachine {
    const NAME: &'static str = "deliverable";
    type State = DeliverableStatus;
    type Event = DeliverableEvent;
    const STATES: &'static [DeliverableStatus] = DeliverableStatus::ALL;
    const INITIAL: DeliverableStatus = S::Submitted;
    const TRANSITIONS: &'static [(DeliverableStatus, DeliverableEvent, DeliverableStatus)] = &[
        (S::Submitted, E::StartReview, S::UnderReview),
        (S::Submitted, E::Approve, S::Approved),
        (S::UnderReview, E::Approve, S::Approved),
        (S::Submitted, E::RequestRevision, S::RevisionRequested),
        (S::UnderReview, E::RequestRevision, S::RevisionRequested),
        (S::Submitted, E::Reject, S::Rejected),
        (S::UnderReview, E::Reject, S::Rejected),
    ];
    const TERMINAL: &'static [DeliverableStatus] =
        &[S::Approved, S::RevisionRequested, S::Rejected];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{TransitionError, testing};

    const EXPECTED: &[(&str, &str, &str)] = &[
        ("submitted", "start_review", "under_review"),
        ("submitted", "approve", "approved"),
        ("under_review", "approve", "approved"),
        ("submitted", "request_revision", "revision_requested"),
        ("under_review", "request_revision", "revision_requested"),
        ("submitted", "reject", "rejected"),
        ("under_review", "reject", "rejected"),
    ];

    #[test]
    fn every_state_and_event_pair_follows_the_table() {
        testing::assert_table::<DeliverableMachine>("deliverable", EXPECTED);
    }

    #[test]
    fn the_table_is_well_formed() {
        testing::assert_well_formed::<DeliverableMachine>();
    }

    #[test]
    fn random_event_sequences_stay_within_the_table() {
        testing::check_random_walks::<DeliverableMachine>();
    }

    #[test]
    fn given_submitted_when_start_review_then_under_review() {
        assert_eq!(
            DeliverableMachine::transition(S::Submitted, E::StartReview),
            Ok(S::UnderReview)
        );
    }

    #[test]
    fn given_under_review_when_request_revision_then_revision_requested() {
        assert_eq!(
            DeliverableMachine::transition(S::UnderReview, E::RequestRevision),
            Ok(S::RevisionRequested)
        );
    }

    #[test]
    fn given_revision_requested_when_approve_then_refused() {
        // The revised work arrives as a new deliverable; this one stays decided.
        assert_eq!(
            DeliverableMachine::transition(S::RevisionRequested, E::Approve),
            Err(TransitionError {
                machine: "deliverable",
                state: "revision_requested",
                event: "approve"
            })
        );
    }

    #[test]
    fn given_under_review_when_start_review_again_then_refused() {
        assert!(!DeliverableMachine::can(S::UnderReview, E::StartReview));
    }
}
