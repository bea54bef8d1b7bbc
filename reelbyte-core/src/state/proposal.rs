//! The life cycle of a creator's proposal for a job (`proposals.status`).
//!
//! The client may shortlist a pending proposal, and accept or reject it
//! whether shortlisted or not; the creator may withdraw it until the client
//! has decided. Every decision is final.

use super::StateMachine;
use crate::enums::ProposalStatus;

use ProposalEvent as E;
use ProposalStatus as S;

crate::string_enum! {
    /// What can happen to a proposal.
    pub enum ProposalEvent: "event" {
        /// The client marks the proposal as a candidate.
        Shortlist => "shortlist",
        /// The client accepts the proposal; a contract is created from it.
        Accept => "accept",
        /// The client turns the proposal down (or another one was accepted).
        Reject => "reject",
        /// The creator takes the proposal back.
        Withdraw => "withdraw",
    }
}

/// The proposal machine. Zero-sized: all of it is in the [`StateMachine`] table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProposalMachine;

impl StateMachine for ProposalMachine {
    const NAME: &'static str = "proposal";
    type State = ProposalStatus;
    type Event = ProposalEvent;
    const STATES: &'static [ProposalStatus] = ProposalStatus::ALL;
    const INITIAL: ProposalStatus = S::Pending;
    const TRANSITIONS: &'static [(ProposalStatus, ProposalEvent, ProposalStatus)] = &[
        (S::Pending, E::Shortlist, S::Shortlisted),
        (S::Pending, E::Accept, S::Accepted),
        (S::Shortlisted, E::Accept, S::Accepted),
        (S::Pending, E::Reject, S::Rejected),
        (S::Shortlisted, E::Reject, S::Rejected),
        (S::Pending, E::Withdraw, S::Withdrawn),
        (S::Shortlisted, E::Withdraw, S::Withdrawn),
    ];
    const TERMINAL: &'static [ProposalStatus] = &[S::Accepted, S::Rejected, S::Withdrawn];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{TransitionError, testing};

    const EXPECTED: &[(&str, &str, &str)] = &[
        ("pending", "shortlist", "shortlisted"),
        ("pending", "accept", "accepted"),
        ("shortlisted", "accept", "accepted"),
        ("pending", "reject", "rejected"),
        ("shortlisted", "reject", "rejected"),
        ("pending", "withdraw", "withdrawn"),
        ("shortlisted", "withdraw", "withdrawn"),
    ];

    #[test]
    fn every_state_and_event_pair_follows_the_table() {
        testing::assert_table::<ProposalMachine>("proposal", EXPECTED);
    }

    #[test]
    fn the_table_is_well_formed() {
        testing::assert_well_formed::<ProposalMachine>();
    }

    #[test]
    fn random_event_sequences_stay_within_the_table() {
        testing::check_random_walks::<ProposalMachine>();
    }

    #[test]
    fn given_pending_when_shortlist_then_shortlisted() {
        assert_eq!(
            ProposalMachine::transition(S::Pending, E::Shortlist),
            Ok(S::Shortlisted)
        );
    }

    #[test]
    fn given_shortlisted_when_accept_then_accepted() {
        assert_eq!(
            ProposalMachine::transition(S::Shortlisted, E::Accept),
            Ok(S::Accepted)
        );
    }

    #[test]
    fn given_shortlisted_when_shortlist_again_then_refused() {
        assert_eq!(
            ProposalMachine::transition(S::Shortlisted, E::Shortlist),
            Err(TransitionError {
                machine: "proposal",
                state: "shortlisted",
                event: "shortlist"
            })
        );
    }

    #[test]
    fn given_accepted_when_withdraw_then_refused() {
        assert_eq!(
            ProposalMachine::transition(S::Accepted, E::Withdraw),
            Err(TransitionError {
                machine: "proposal",
                state: "accepted",
                event: "withdraw"
            })
        );
    }
}
