//! State machines, one module each, for every status column of the plan.
//!
//! Each machine is data: a list of `(from, event, to)` rows
//! ([`StateMachine::TRANSITIONS`]) plus a pure [`StateMachine::transition`]
//! that looks the pair up. Nothing here reads a clock or a store, so every
//! rule can be tested as given/when/then without I/O, and the diagrams in
//! `docs/state-machines.md` are printed from the same tables the service uses.

pub mod contract;
pub mod deliverable;
pub mod dispute;
pub mod escrow;
pub mod gig;
pub mod job;
pub mod milestone;
pub mod proposal;
pub mod support_ticket;
pub mod transaction;
pub mod user;

pub use contract::{ContractEvent, ContractMachine};
pub use deliverable::{DeliverableEvent, DeliverableMachine};
pub use dispute::{DisputeEvent, DisputeMachine};
pub use escrow::{EscrowBalance, EscrowEvent, EscrowMachine};
pub use gig::{GigEvent, GigMachine};
pub use job::{JobEvent, JobMachine};
pub use milestone::{MilestoneEvent, MilestoneMachine};
pub use proposal::{ProposalEvent, ProposalMachine};
pub use support_ticket::{SupportTicketEvent, SupportTicketMachine};
pub use transaction::{TransactionEvent, TransactionMachine};
pub use user::{UserEvent, UserMachine};

use crate::enums::EnumStr;

/// A refused transition: names the machine, the state and the event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{machine}: event `{event}` is not allowed in state `{state}`")]
pub struct TransitionError {
    /// The machine, e.g. `"contract"`.
    pub machine: &'static str,
    /// The state the object was in.
    pub state: &'static str,
    /// The event that was refused.
    pub event: &'static str,
}

/// A finite state machine described by a transition table.
pub trait StateMachine {
    /// The machine's name, used in errors and diagrams.
    const NAME: &'static str;
    /// The state type (one of the plan's status enums).
    type State: EnumStr + 'static;
    /// The events that move the machine.
    type Event: EnumStr + 'static;
    /// Every state, in the plan's order.
    const STATES: &'static [Self::State];
    /// The state a new object starts in.
    const INITIAL: Self::State;
    /// Every allowed `(from, event, to)` transition.
    const TRANSITIONS: &'static [(Self::State, Self::Event, Self::State)];
    /// The states from which no event leads anywhere else.
    const TERMINAL: &'static [Self::State];

    /// Applies `event` to `state`, or says why it may not.
    fn transition(state: Self::State, event: Self::Event) -> Result<Self::State, TransitionError> {
        Self::TRANSITIONS
            .iter()
            .find(|(from, ev, _)| *from == state && *ev == event)
            .map(|(_, _, to)| *to)
            .ok_or_else(|| TransitionError {
                machine: Self::NAME,
                state: state.as_str(),
                event: event.as_str(),
            })
    }

    /// Whether `event` is allowed in `state`.
    fn can(state: Self::State, event: Self::Event) -> bool {
        Self::transition(state, event).is_ok()
    }

    /// The transition table as a Mermaid `stateDiagram-v2`.
    fn mermaid() -> String {
        let mut out = String::from("stateDiagram-v2\n");
        out.push_str(&format!("    [*] --> {}\n", Self::INITIAL));
        for (from, event, to) in Self::TRANSITIONS {
            out.push_str(&format!("    {from} --> {to}: {event}\n"));
        }
        for state in Self::TERMINAL {
            out.push_str(&format!("    {state} --> [*]\n"));
        }
        out
    }
}

/// Every machine's name and Mermaid `stateDiagram-v2`, in a fixed order
/// (the order of the plan's tables: accounts and listings first, then the
/// job → proposal → contract → delivery → money flow, then disputes and
/// support).
///
/// The order is part of the output so that the generated document is stable
/// and a diff of it shows only real changes to a table.
pub fn all_diagrams() -> Vec<(&'static str, String)> {
    fn diagram<M: StateMachine>() -> (&'static str, String) {
        (M::NAME, M::mermaid())
    }
    vec![
        diagram::<UserMachine>(),
        diagram::<GigMachine>(),
        diagram::<JobMachine>(),
        diagram::<ProposalMachine>(),
        diagram::<ContractMachine>(),
        diagram::<DeliverableMachine>(),
        diagram::<MilestoneMachine>(),
        diagram::<TransactionMachine>(),
        diagram::<EscrowMachine>(),
        diagram::<DisputeMachine>(),
        diagram::<SupportTicketMachine>(),
    ]
}

/// The command that regenerates `docs/state-machines.md`, quoted in the
/// document itself and in the test that keeps it up to date.
pub const REGENERATE_DIAGRAMS_COMMAND: &str =
    "cargo run -p reelbyte-examples --bin state-diagrams > docs/state-machines.md";

/// The Markdown document `docs/state-machines.md`: a title, how to regenerate
/// it, then one `## name` section with a Mermaid block per machine.
///
/// It lives here rather than in the example binary so that a test of this
/// crate can compare the committed document with the tables and fail when
/// someone changes a table without regenerating it.
pub fn state_machines_markdown() -> String {
    let mut out = String::from("# ReelByte state machines\n\n");
    out.push_str(&format!(
        "This document is generated by `{REGENERATE_DIAGRAMS_COMMAND}` from the transition \
         tables in `reelbyte-core/src/state/`; do not edit it by hand.\n"
    ));
    for (name, diagram) in all_diagrams() {
        out.push_str(&format!("\n## {name}\n\n```mermaid\n{diagram}```\n"));
    }
    out
}

/// Shared given/when/then checks that every machine's tests run.
#[cfg(test)]
pub(crate) mod testing {
    use proptest::collection::vec;
    use proptest::test_runner::{TestCaseError, TestRunner};

    use super::{StateMachine, TransitionError};
    use crate::enums::EnumStr;

    /// The machine's events, in declaration order.
    fn events<M: StateMachine>() -> &'static [M::Event] {
        <M::Event as EnumStr>::VALUES
    }

    /// The states reachable from `start` by any sequence of allowed events
    /// (including `start` itself), in discovery order.
    pub(crate) fn reachable_from<M: StateMachine>(start: M::State) -> Vec<M::State> {
        let mut seen = vec![start];
        let mut next = 0;
        while let Some(&state) = seen.get(next) {
            for &(from, _, to) in M::TRANSITIONS {
                if from == state && !seen.contains(&to) {
                    seen.push(to);
                }
            }
            next += 1;
        }
        seen
    }

    /// Applies `events` in order from `from`, stopping at the first refusal.
    pub(crate) fn replay<M: StateMachine>(
        from: M::State,
        events: &[M::Event],
    ) -> Result<M::State, TransitionError> {
        events
            .iter()
            .try_fold(from, |state, &event| M::transition(state, event))
    }

    fn sorted_names<T: EnumStr>(values: impl IntoIterator<Item = T>) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = values.into_iter().map(|v| v.as_str()).collect();
        names.sort_unstable();
        names
    }

    /// Checks the machine against `expected`, written as
    /// `(state, event, target)` strings so that it is independent of the
    /// Rust table: for every `(state, event)` pair, a listed pair must move
    /// to its target and any other pair must be refused with a
    /// [`TransitionError`] naming the machine, the state and the event.
    pub(crate) fn assert_table<M: StateMachine>(name: &str, expected: &[(&str, &str, &str)]) {
        assert_eq!(M::NAME, name, "machine name");
        let state_names: Vec<_> = M::STATES.iter().map(|s| s.as_str()).collect();
        let event_names: Vec<_> = events::<M>().iter().map(|e| e.as_str()).collect();
        for (from, event, to) in expected {
            assert!(
                state_names.contains(from),
                "{name}: unknown state {from:?} in expectation"
            );
            assert!(
                state_names.contains(to),
                "{name}: unknown state {to:?} in expectation"
            );
            assert!(
                event_names.contains(event),
                "{name}: unknown event {event:?} in expectation"
            );
        }

        let mut allowed = 0;
        for &state in M::STATES {
            for &event in events::<M>() {
                let want = expected
                    .iter()
                    .find(|(f, e, _)| *f == state.as_str() && *e == event.as_str())
                    .map(|(_, _, to)| *to);
                let got = M::transition(state, event);
                let context = format!("{name}: given {state}, when {event}");
                match (want, got) {
                    (Some(to), Ok(next)) => {
                        assert_eq!(next.as_str(), to, "{context}");
                        allowed += 1;
                    }
                    (Some(to), Err(err)) => panic!("{context}: expected {to}, got `{err}`"),
                    (None, Ok(next)) => panic!("{context}: expected a refusal, got {next}"),
                    (None, Err(err)) => assert_eq!(
                        err,
                        TransitionError {
                            machine: M::NAME,
                            state: state.as_str(),
                            event: event.as_str(),
                        },
                        "{context}"
                    ),
                }
                assert_eq!(M::can(state, event), want.is_some(), "{context}: can()");
            }
        }
        assert_eq!(
            allowed,
            expected.len(),
            "{name}: the expectation repeats a pair"
        );
        assert_eq!(
            M::TRANSITIONS.len(),
            expected.len(),
            "{name}: TRANSITIONS repeats a (state, event) pair"
        );
    }

    /// Structural properties every table must have: it covers the whole
    /// status enum, it is deterministic, `TERMINAL` is exactly the states
    /// without outgoing rows, every state is reachable from `INITIAL`, every
    /// event is used, and from every state some terminal state can be reached
    /// (no object can get stuck in a cycle forever).
    pub(crate) fn assert_well_formed<M: StateMachine>() {
        let name = M::NAME;
        assert_eq!(
            sorted_names(M::STATES.iter().copied()),
            sorted_names(<M::State as EnumStr>::VALUES.iter().copied()),
            "{name}: STATES must list every status value exactly once"
        );
        assert!(
            M::STATES.contains(&M::INITIAL),
            "{name}: INITIAL not in STATES"
        );

        for (i, (from, event, _)) in M::TRANSITIONS.iter().enumerate() {
            let repeated = M::TRANSITIONS[i + 1..]
                .iter()
                .any(|(f, e, _)| f == from && e == event);
            assert!(!repeated, "{name}: ({from}, {event}) appears twice");
        }

        let without_exits = M::STATES
            .iter()
            .copied()
            .filter(|s| !M::TRANSITIONS.iter().any(|(from, _, _)| from == s));
        assert_eq!(
            sorted_names(M::TERMINAL.iter().copied()),
            sorted_names(without_exits),
            "{name}: TERMINAL must be exactly the states without outgoing transitions"
        );

        let reachable = reachable_from::<M>(M::INITIAL);
        for state in M::STATES {
            assert!(
                reachable.contains(state),
                "{name}: {state} is unreachable from {}",
                M::INITIAL
            );
            let ends = reachable_from::<M>(*state);
            assert!(
                ends.iter().any(|s| M::TERMINAL.contains(s)),
                "{name}: no terminal state is reachable from {state}"
            );
        }
        for event in events::<M>() {
            assert!(
                M::TRANSITIONS.iter().any(|(_, e, _)| e == event),
                "{name}: event {event} is never allowed"
            );
        }
    }

    /// Property: random sequences of events applied from `INITIAL` (refused
    /// ones skipped) only ever move along rows of the table, only ever visit
    /// states of `STATES` reachable from `INITIAL`, refuse exactly the pairs
    /// the table lacks, and never leave a terminal state.
    pub(crate) fn check_random_walks<M: StateMachine>() {
        let reachable = reachable_from::<M>(M::INITIAL);
        let strategy = vec(0..events::<M>().len(), 0..64);
        let mut runner = TestRunner::default();
        let result = runner.run(&strategy, |picks| {
            let mut state = M::INITIAL;
            for pick in picks {
                let Some(&event) = events::<M>().get(pick) else {
                    return Err(TestCaseError::fail("event index out of range"));
                };
                let row = M::TRANSITIONS
                    .iter()
                    .find(|(from, ev, _)| *from == state && *ev == event);
                match (M::transition(state, event), row) {
                    (Ok(next), Some(&(_, _, to))) => {
                        proptest::prop_assert!(
                            next == to,
                            "{state} --{event}--> {next}, table says {to}"
                        );
                        proptest::prop_assert!(
                            !M::TERMINAL.contains(&state),
                            "left terminal state {state} by {event}"
                        );
                        state = next;
                    }
                    (Err(err), None) => {
                        proptest::prop_assert!(
                            err.machine == M::NAME
                                && err.state == state.as_str()
                                && err.event == event.as_str(),
                            "wrong error {err:?} for {state} --{event}"
                        );
                    }
                    (Ok(next), None) => {
                        return Err(TestCaseError::fail(format!(
                            "{state} --{event}--> {next} is not in the table"
                        )));
                    }
                    (Err(err), Some(_)) => {
                        return Err(TestCaseError::fail(format!("refused a table row: {err}")));
                    }
                }
                proptest::prop_assert!(M::STATES.contains(&state), "{state} is not in STATES");
                proptest::prop_assert!(reachable.contains(&state), "{state} is not reachable");
            }
            Ok(())
        });
        if let Err(failure) = result {
            panic!("{}: {failure}", M::NAME);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enums::ContractStatus;

    #[test]
    fn all_diagrams_lists_every_machine_once_in_a_fixed_order() {
        let names: Vec<_> = all_diagrams().into_iter().map(|(name, _)| name).collect();
        assert_eq!(
            names,
            [
                "user",
                "gig",
                "job",
                "proposal",
                "contract",
                "deliverable",
                "milestone",
                "transaction",
                "escrow",
                "dispute",
                "support_ticket",
            ]
        );
    }

    #[test]
    fn a_diagram_shows_the_initial_state_every_row_and_the_terminal_states() {
        let diagram = ContractMachine::mermaid();
        assert!(diagram.starts_with("stateDiagram-v2\n    [*] --> pending_acceptance\n"));
        for (from, event, to) in ContractMachine::TRANSITIONS {
            assert!(diagram.contains(&format!("    {from} --> {to}: {event}\n")));
        }
        assert!(diagram.ends_with("    completed --> [*]\n    cancelled --> [*]\n"));
    }

    #[test]
    fn the_markdown_has_a_title_the_regeneration_command_and_one_block_per_machine() {
        let doc = state_machines_markdown();
        assert!(doc.starts_with("# ReelByte state machines\n"));
        assert!(doc.contains(REGENERATE_DIAGRAMS_COMMAND));
        for (name, diagram) in all_diagrams() {
            assert!(doc.contains(&format!("\n## {name}\n\n```mermaid\n{diagram}```\n")));
        }
        assert_eq!(doc.matches("```mermaid").count(), all_diagrams().len());
    }

    #[test]
    fn a_refused_transition_is_an_invalid_transition_error() {
        let refused = ContractMachine::transition(ContractStatus::Completed, ContractEvent::Cancel);
        let err = crate::Error::from(refused.expect_err("completed contracts cannot be cancelled"));
        assert_eq!(err.code(), "invalid_transition");
        assert_eq!(
            err.to_string(),
            "contract: event `cancel` is not allowed in state `completed`"
        );
    }
}
