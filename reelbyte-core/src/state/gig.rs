//! The life cycle of a gig, a creator's pre-packaged service (`gigs.status`).
//!
//! A creator drafts a gig, publishes it, may pause and resume it, and may
//! delete it at any point. Deletion is a soft delete: contracts keep pointing
//! at the row.

use super::StateMachine;
use crate::enums::GigStatus;

use GigEvent as E;
use GigStatus as S;

crate::string_enum! {
    /// What can happen to a gig.
    pub enum GigEvent: "event" {
        /// The creator publishes the draft; clients can now order it.
        Publish => "publish",
        /// The creator stops taking orders for a while.
        Pause => "pause",
        /// The creator takes orders again.
        Resume => "resume",
        /// The creator removes the gig for good.
        Delete => "delete",
    }
}

/// The gig machine. Zero-sized: all of it is in the [`StateMachine`] table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GigMachine;

impl StateMachine for GigMachine {
    const NAME: &'static str = "gig";
    type State = GigStatus;
    type Event = GigEvent;
    const STATES: &'static [GigStatus] = GigStatus::ALL;
    const INITIAL: GigStatus = S::Draft;
    const TRANSITIONS: &'static [(GigStatus, GigEvent, GigStatus)] = &[
        (S::Draft, E::Publish, S::Active),
        (S::Active, E::Pause, S::Paused),
        (S::Paused, E::Resume, S::Active),
        (S::Draft, E::Delete, S::Deleted),
        (S::Active, E::Delete, S::Deleted),
        (S::Paused, E::Delete, S::Deleted),
    ];
    const TERMINAL: &'static [GigStatus] = &[S::Deleted];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{TransitionError, testing};

    const EXPECTED: &[(&str, &str, &str)] = &[
        ("draft", "publish", "active"),
        ("active", "pause", "paused"),
        ("paused", "resume", "active"),
        ("draft", "delete", "deleted"),
        ("active", "delete", "deleted"),
        ("paused", "delete", "deleted"),
    ];

    #[test]
    fn every_state_and_event_pair_follows_the_table() {
        testing::assert_table::<GigMachine>("gig", EXPECTED);
    }

    #[test]
    fn the_table_is_well_formed() {
        testing::assert_well_formed::<GigMachine>();
    }

    #[test]
    fn random_event_sequences_stay_within_the_table() {
        testing::check_random_walks::<GigMachine>();
    }

    #[test]
    fn given_draft_when_publish_then_active() {
        assert_eq!(GigMachine::transition(S::Draft, E::Publish), Ok(S::Active));
    }

    #[test]
    fn given_active_when_paused_and_resumed_then_active() {
        assert_eq!(
            testing::replay::<GigMachine>(S::Active, &[E::Pause, E::Resume]),
            Ok(S::Active)
        );
    }

    #[test]
    fn given_paused_when_publish_then_refused() {
        assert_eq!(
            GigMachine::transition(S::Paused, E::Publish),
            Err(TransitionError {
                machine: "gig",
                state: "paused",
                event: "publish"
            })
        );
    }

    #[test]
    fn given_deleted_when_resume_then_refused() {
        assert!(!GigMachine::can(S::Deleted, E::Resume));
    }
}
