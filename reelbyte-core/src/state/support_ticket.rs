//! The life cycle of a customer support ticket (`support_tickets.status`).
//!
//! Support picks a ticket up, may wait on the customer's answer, resolves it,
//! and closes it; a customer may reopen a resolved ticket, and a ticket may
//! be closed from any open state (a duplicate, or the customer gave up).

use super::StateMachine;
use crate::enums::TicketStatus;

use SupportTicketEvent as E;
use TicketStatus as S;

crate::string_enum! {
    /// What can happen to a support ticket.
    pub enum SupportTicketEvent: "event" {
        /// An agent starts working on the ticket.
        Start => "start",
        /// The agent needs an answer from the customer.
        WaitOnCustomer => "wait_on_customer",
        /// The customer answered; the ticket is back with support.
        CustomerReplied => "customer_replied",
        /// The agent considers the problem solved.
        Resolve => "resolve",
        /// The customer says the problem is not solved after all.
        Reopen => "reopen",
        /// The ticket is archived.
        Close => "close",
    }
}

/// The support ticket machine. Zero-sized: all of it is in the [`StateMachine`] table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SupportTicketMachine;

impl StateMachine for SupportTicketMachine {
    const NAME: &'static str = "support_ticket";
    type State = TicketStatus;
    type Event = SupportTicketEvent;
    const STATES: &'static [TicketStatus] = TicketStatus::ALL;
    const INITIAL: TicketStatus = S::Open;
    const TRANSITIONS: &'static [(TicketStatus, SupportTicketEvent, TicketStatus)] = &[
        (S::Open, E::Start, S::InProgress),
        (S::Open, E::WaitOnCustomer, S::WaitingOnCustomer),
        (S::InProgress, E::WaitOnCustomer, S::WaitingOnCustomer),
        (S::WaitingOnCustomer, E::CustomerReplied, S::InProgress),
        (S::Open, E::Resolve, S::Resolved),
        (S::InProgress, E::Resolve, S::Resolved),
        (S::WaitingOnCustomer, E::Resolve, S::Resolved),
        (S::Resolved, E::Reopen, S::InProgress),
        (S::Open, E::Close, S::Closed),
        (S::InProgress, E::Close, S::Closed),
        (S::WaitingOnCustomer, E::Close, S::Closed),
        (S::Resolved, E::Close, S::Closed),
    ];
    const TERMINAL: &'static [TicketStatus] = &[S::Closed];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{TransitionError, testing};

    const EXPECTED: &[(&str, &str, &str)] = &[
        ("open", "start", "in_progress"),
        ("open", "wait_on_customer", "waiting_on_customer"),
        ("in_progress", "wait_on_customer", "waiting_on_customer"),
        ("waiting_on_customer", "customer_replied", "in_progress"),
        ("open", "resolve", "resolved"),
        ("in_progress", "resolve", "resolved"),
        ("waiting_on_customer", "resolve", "resolved"),
        ("resolved", "reopen", "in_progress"),
        ("open", "close", "closed"),
        ("in_progress", "close", "closed"),
        ("waiting_on_customer", "close", "closed"),
        ("resolved", "close", "closed"),
    ];

    #[test]
    fn every_state_and_event_pair_follows_the_table() {
        testing::assert_table::<SupportTicketMachine>("support_ticket", EXPECTED);
    }

    #[test]
    fn the_table_is_well_formed() {
        testing::assert_well_formed::<SupportTicketMachine>();
    }

    #[test]
    fn random_event_sequences_stay_within_the_table() {
        testing::check_random_walks::<SupportTicketMachine>();
    }

    #[test]
    fn given_waiting_on_customer_when_customer_replied_then_in_progress() {
        assert_eq!(
            SupportTicketMachine::transition(S::WaitingOnCustomer, E::CustomerReplied),
            Ok(S::InProgress)
        );
    }

    #[test]
    fn given_resolved_when_reopen_then_in_progress() {
        assert_eq!(
            SupportTicketMachine::transition(S::Resolved, E::Reopen),
            Ok(S::InProgress)
        );
    }

    #[test]
    fn given_closed_when_reopen_then_refused() {
        assert_eq!(
            SupportTicketMachine::transition(S::Closed, E::Reopen),
            Err(TransitionError {
                machine: "support_ticket",
                state: "closed",
                event: "reopen"
            })
        );
    }

    #[test]
    fn given_in_progress_when_customer_replied_then_refused() {
        // Nobody was waiting on the customer.
        assert!(!SupportTicketMachine::can(
            S::InProgress,
            E::CustomerReplied
        ));
    }
}
