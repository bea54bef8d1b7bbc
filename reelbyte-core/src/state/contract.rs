//! The life cycle of a contract (`contracts.status`).
//!
//! The creator accepts or declines an offered contract. While it is active
//! the creator submits deliverables; each submission puts the contract in
//! review, where the client requests a revision, approves part of the work
//! (milestones remain) or approves it all. Either party may raise a dispute
//! while work is active or in review; the dispute's settlement ends the
//! contract as completed (something was released to the creator) or
//! cancelled (everything was refunded).

use super::StateMachine;
use crate::enums::ContractStatus;

use ContractEvent as E;
use ContractStatus as S;

crate::string_enum! {
    /// What can happen to a contract.
    pub enum ContractEvent: "event" {
        /// The creator accepts the offered contract; work starts.
        Accept => "accept",
        /// The creator declines the offered contract.
        Decline => "decline",
        /// The contract is called off while no submission awaits review.
        Cancel => "cancel",
        /// The creator submitted a deliverable for review.
        Submit => "submit",
        /// The client asks for changes to the submitted work.
        RequestRevision => "request_revision",
        /// The client (or auto-approval after the review period) approves the
        /// final submission; the contract is done.
        Approve => "approve",
        /// The client approves a submission while milestones remain; work
        /// goes on.
        ApprovePart => "approve_part",
        /// Every milestone has been paid.
        Complete => "complete",
        /// A party disputes the work or the payment.
        RaiseDispute => "raise_dispute",
        /// The dispute was settled with money released to the creator.
        ResolveComplete => "resolve_complete",
        /// The dispute was settled by refunding everything to the client.
        ResolveCancel => "resolve_cancel",
    }
}

/// The contract machine. Zero-sized: all of it is in the [`StateMachine`] table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContractMachine;

impl StateMachine for ContractMachine {
    const NAME: &'static str = "contract";
    type State = ContractStatus;
    type Event = ContractEvent;
    const STATES: &'static [ContractStatus] = ContractStatus::ALL;
    const INITIAL: ContractStatus = S::PendingAcceptance;
    const TRANSITIONS: &'static [(ContractStatus, ContractEvent, ContractStatus)] = &[
        (S::PendingAcceptance, E::Accept, S::Active),
        (S::PendingAcceptance, E::Decline, S::Cancelled),
        (S::PendingAcceptance, E::Cancel, S::Cancelled),
        (S::Active, E::Cancel, S::Cancelled),
        (S::RevisionRequested, E::Cancel, S::Cancelled),
        (S::Active, E::Submit, S::InReview),
        (S::RevisionRequested, E::Submit, S::InReview),
        (S::InReview, E::RequestRevision, S::RevisionRequested),
        (S::InReview, E::Approve, S::Completed),
        (S::InReview, E::ApprovePart, S::Active),
        (S::Active, E::Complete, S::Completed),
        (S::InReview, E::Complete, S::Completed),
        (S::Active, E::RaiseDispute, S::Disputed),
        (S::InReview, E::RaiseDispute, S::Disputed),
        (S::Disputed, E::ResolveComplete, S::Completed),
        (S::Disputed, E::ResolveCancel, S::Cancelled),
    ];
    const TERMINAL: &'static [ContractStatus] = &[S::Completed, S::Cancelled];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{TransitionError, testing};

    const EXPECTED: &[(&str, &str, &str)] = &[
        ("pending_acceptance", "accept", "active"),
        ("pending_acceptance", "decline", "cancelled"),
        ("pending_acceptance", "cancel", "cancelled"),
        ("active", "cancel", "cancelled"),
        ("revision_requested", "cancel", "cancelled"),
        ("active", "submit", "in_review"),
        ("revision_requested", "submit", "in_review"),
        ("in_review", "request_revision", "revision_requested"),
        ("in_review", "approve", "completed"),
        ("in_review", "approve_part", "active"),
        ("active", "complete", "completed"),
        ("in_review", "complete", "completed"),
        ("active", "raise_dispute", "disputed"),
        ("in_review", "raise_dispute", "disputed"),
        ("disputed", "resolve_complete", "completed"),
        ("disputed", "resolve_cancel", "cancelled"),
    ];

    #[test]
    fn every_state_and_event_pair_follows_the_table() {
        testing::assert_table::<ContractMachine>("contract", EXPECTED);
    }

    #[test]
    fn the_table_is_well_formed() {
        testing::assert_well_formed::<ContractMachine>();
    }

    #[test]
    fn random_event_sequences_stay_within_the_table() {
        testing::check_random_walks::<ContractMachine>();
    }

    #[test]
    fn given_pending_acceptance_when_accept_then_active() {
        assert_eq!(
            ContractMachine::transition(S::PendingAcceptance, E::Accept),
            Ok(S::Active)
        );
    }

    #[test]
    fn given_in_review_when_request_revision_then_revision_requested() {
        assert_eq!(
            ContractMachine::transition(S::InReview, E::RequestRevision),
            Ok(S::RevisionRequested)
        );
    }

    #[test]
    fn given_in_review_when_approve_part_then_active() {
        assert_eq!(
            ContractMachine::transition(S::InReview, E::ApprovePart),
            Ok(S::Active)
        );
    }

    #[test]
    fn given_in_review_when_cancel_then_refused() {
        // Work under review can only end by a decision or a dispute.
        assert_eq!(
            ContractMachine::transition(S::InReview, E::Cancel),
            Err(TransitionError {
                machine: "contract",
                state: "in_review",
                event: "cancel"
            })
        );
    }

    #[test]
    fn given_disputed_when_submit_then_refused() {
        assert!(!ContractMachine::can(S::Disputed, E::Submit));
    }

    #[test]
    fn given_disputed_when_resolved_with_a_full_refund_then_cancelled() {
        assert_eq!(
            ContractMachine::transition(S::Disputed, E::ResolveCancel),
            Ok(S::Cancelled)
        );
    }

    #[test]
    fn given_a_new_contract_when_two_revision_rounds_then_approval_completes_it() {
        let events = [
            E::Accept,
            E::Submit,
            E::RequestRevision,
            E::Submit,
            E::RequestRevision,
            E::Submit,
            E::Approve,
        ];
        assert_eq!(
            testing::replay::<ContractMachine>(ContractMachine::INITIAL, &events),
            Ok(S::Completed)
        );
    }

    #[test]
    fn given_a_milestone_contract_when_parts_are_approved_then_it_stays_active() {
        let events = [
            E::Accept,
            E::Submit,
            E::ApprovePart,
            E::Submit,
            E::ApprovePart,
        ];
        assert_eq!(
            testing::replay::<ContractMachine>(ContractMachine::INITIAL, &events),
            Ok(S::Active)
        );
    }
}
