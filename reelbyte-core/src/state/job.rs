//! The life cycle of a job posting (`jobs.status`).
//!
//! A client drafts a job, publishes it to collect proposals, and either
//! closes it to new proposals, cancels it, or awards it by accepting a
//! proposal. An awarded job follows its contract: it completes when the
//! contract completes and is cancelled when the contract is cancelled.

use super::StateMachine;
use crate::enums::JobStatus;

use JobEvent as E;
use JobStatus as S;

crate::string_enum! {
    /// What can happen to a job posting.
    pub enum JobEvent: "event" {
        /// The client publishes a draft; the job starts accepting proposals.
        Publish => "publish",
        /// The client stops accepting proposals without awarding the job.
        Close => "close",
        /// The client withdraws the job, or its contract was cancelled.
        Cancel => "cancel",
        /// The client accepted a proposal; a contract now carries the work.
        Award => "award",
        /// The contract that carries the work completed.
        Complete => "complete",
    }
}

/// The job machine. Zero-sized: all of it is in the [`StateMachine`] table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobMachine;

impl StateMachine for JobMachine {
    const NAME: &'static str = "job";
    type State = JobStatus;
    type Event = JobEvent;
    const STATES: &'static [JobStatus] = JobStatus::ALL;
    const INITIAL: JobStatus = S::Draft;
    const TRANSITIONS: &'static [(JobStatus, JobEvent, JobStatus)] = &[
        (S::Draft, E::Publish, S::Open),
        (S::Open, E::Close, S::Closed),
        (S::Draft, E::Cancel, S::Cancelled),
        (S::Open, E::Cancel, S::Cancelled),
        (S::Closed, E::Cancel, S::Cancelled),
        (S::Open, E::Award, S::InProgress),
        (S::InProgress, E::Complete, S::Completed),
        (S::InProgress, E::Cancel, S::Cancelled),
    ];
    const TERMINAL: &'static [JobStatus] = &[S::Completed, S::Cancelled];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{TransitionError, testing};

    const EXPECTED: &[(&str, &str, &str)] = &[
        ("draft", "publish", "open"),
        ("open", "close", "closed"),
        ("draft", "cancel", "cancelled"),
        ("open", "cancel", "cancelled"),
        ("closed", "cancel", "cancelled"),
        ("open", "award", "in_progress"),
        ("in_progress", "complete", "completed"),
        ("in_progress", "cancel", "cancelled"),
    ];

    #[test]
    fn every_state_and_event_pair_follows_the_table() {
        testing::assert_table::<JobMachine>("job", EXPECTED);
    }

    #[test]
    fn the_table_is_well_formed() {
        testing::assert_well_formed::<JobMachine>();
    }

    #[test]
    fn random_event_sequences_stay_within_the_table() {
        testing::check_random_walks::<JobMachine>();
    }

    #[test]
    fn a_new_job_is_a_draft() {
        assert_eq!(JobMachine::INITIAL, S::Draft);
    }

    #[test]
    fn given_draft_when_publish_then_open() {
        assert_eq!(JobMachine::transition(S::Draft, E::Publish), Ok(S::Open));
    }

    #[test]
    fn given_open_when_award_then_in_progress() {
        assert_eq!(JobMachine::transition(S::Open, E::Award), Ok(S::InProgress));
    }

    #[test]
    fn given_closed_when_award_then_refused() {
        assert_eq!(
            JobMachine::transition(S::Closed, E::Award),
            Err(TransitionError {
                machine: "job",
                state: "closed",
                event: "award"
            })
        );
    }

    #[test]
    fn given_in_progress_when_cancel_then_cancelled() {
        assert_eq!(
            JobMachine::transition(S::InProgress, E::Cancel),
            Ok(S::Cancelled)
        );
    }

    #[test]
    fn given_completed_when_anything_then_refused() {
        for &event in JobEvent::ALL {
            assert!(!JobMachine::can(S::Completed, event), "{event}");
        }
    }

    #[test]
    fn given_draft_when_published_awarded_and_completed_then_completed() {
        let events = [E::Publish, E::Award, E::Complete];
        assert_eq!(
            testing::replay::<JobMachine>(S::Draft, &events),
            Ok(S::Completed)
        );
    }
}
