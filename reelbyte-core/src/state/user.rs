//! The life cycle of a user account (`users.status`).
//!
//! A new account waits for its email to be verified, an administrator may
//! suspend and reinstate it, and the account may be deleted (a soft delete
//! that keeps the ledger's references intact) from any other state.

use super::StateMachine;
use crate::enums::UserStatus;

use UserEvent as E;
use UserStatus as S;

crate::string_enum! {
    /// What can happen to a user account.
    pub enum UserEvent: "event" {
        /// The user proved they own their email address.
        VerifyEmail => "verify_email",
        /// An administrator blocks the account.
        Suspend => "suspend",
        /// An administrator lifts the suspension.
        Reinstate => "reinstate",
        /// The user or an administrator deletes the account.
        Delete => "delete",
    }
}

/// The user machine. Zero-sized: all of it is in the [`StateMachine`] table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserMachine;

impl StateMachine for UserMachine {
    const NAME: &'static str = "user";
    type State = UserStatus;
    type Event = UserEvent;
    const STATES: &'static [UserStatus] = UserStatus::ALL;
    const INITIAL: UserStatus = S::PendingVerification;
    const TRANSITIONS: &'static [(UserStatus, UserEvent, UserStatus)] = &[
        (S::PendingVerification, E::VerifyEmail, S::Active),
        (S::Active, E::Suspend, S::Suspended),
        (S::PendingVerification, E::Suspend, S::Suspended),
        (S::Suspended, E::Reinstate, S::Active),
        (S::Active, E::Delete, S::Deleted),
        (S::Suspended, E::Delete, S::Deleted),
        (S::PendingVerification, E::Delete, S::Deleted),
    ];
    const TERMINAL: &'static [UserStatus] = &[S::Deleted];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{TransitionError, testing};

    const EXPECTED: &[(&str, &str, &str)] = &[
        ("pending_verification", "verify_email", "active"),
        ("active", "suspend", "suspended"),
        ("pending_verification", "suspend", "suspended"),
        ("suspended", "reinstate", "active"),
        ("active", "delete", "deleted"),
        ("suspended", "delete", "deleted"),
        ("pending_verification", "delete", "deleted"),
    ];

    #[test]
    fn every_state_and_event_pair_follows_the_table() {
        testing::assert_table::<UserMachine>("user", EXPECTED);
    }

    #[test]
    fn the_table_is_well_formed() {
        testing::assert_well_formed::<UserMachine>();
    }

    #[test]
    fn random_event_sequences_stay_within_the_table() {
        testing::check_random_walks::<UserMachine>();
    }

    #[test]
    fn given_pending_verification_when_verify_email_then_active() {
        assert_eq!(
            UserMachine::transition(S::PendingVerification, E::VerifyEmail),
            Ok(S::Active)
        );
    }

    #[test]
    fn given_suspended_when_reinstate_then_active() {
        assert_eq!(
            UserMachine::transition(S::Suspended, E::Reinstate),
            Ok(S::Active)
        );
    }

    #[test]
    fn given_active_when_verify_email_again_then_refused() {
        assert_eq!(
            UserMachine::transition(S::Active, E::VerifyEmail),
            Err(TransitionError {
                machine: "user",
                state: "active",
                event: "verify_email"
            })
        );
    }

    #[test]
    fn given_deleted_when_reinstate_then_refused() {
        assert!(!UserMachine::can(S::Deleted, E::Reinstate));
    }
}
