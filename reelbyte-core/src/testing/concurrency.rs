//! Conformance behaviour: many commands on shared contracts at once, then
//! the committed history replayed through the reference model.
//!
//! The check is Jepsen-style. After the race, the commands the service
//! accepted must have some order in which the model accepts every one of
//! them and ends in exactly the stored state (statuses, escrow figures,
//! milestones, earnings, spending); every command the service refused must
//! be one the model refuses at some point of that order; and the "exactly
//! one wins" groups (the same release, acceptance, approval or dispute
//! resolution sent several times) have one winner.

use std::sync::Arc;

use crate::enums::GigTier;
use crate::strategies::workflow::{Command, Model};
use crate::testing::StoreFactory;
use crate::testing::model::ModelWorld;

/// The world before the race: contracts in every interesting state.
fn prefix() -> Vec<Command> {
    use Command::*;
    vec![
        // Contract 0: client 0 and creator 0, three submitted milestones.
        AcceptProposal {
            actor: 1,
            proposal: 0,
            milestones: 3,
        },
        Fund {
            actor: 1,
            contract: 0,
        },
        AcceptContract {
            actor: 3,
            contract: 0,
        },
        SubmitMilestone {
            actor: 3,
            contract: 0,
            milestone: 0,
        },
        SubmitMilestone {
            actor: 3,
            contract: 0,
            milestone: 1,
        },
        SubmitMilestone {
            actor: 3,
            contract: 0,
            milestone: 2,
        },
        // Contract 1: client 0 and creator 1, two submitted milestones.
        AcceptProposal {
            actor: 1,
            proposal: 1,
            milestones: 2,
        },
        Fund {
            actor: 1,
            contract: 1,
        },
        AcceptContract {
            actor: 4,
            contract: 1,
        },
        SubmitMilestone {
            actor: 4,
            contract: 1,
            milestone: 0,
        },
        SubmitMilestone {
            actor: 4,
            contract: 1,
            milestone: 1,
        },
        // Contract 2: client 1 and creator 0, delivered, in review.
        AcceptProposal {
            actor: 2,
            proposal: 2,
            milestones: 0,
        },
        Fund {
            actor: 2,
            contract: 2,
        },
        AcceptContract {
            actor: 3,
            contract: 2,
        },
        Deliver {
            actor: 3,
            contract: 2,
        },
        // Contract 3: client 1 and creator 1, disputed.
        AcceptProposal {
            actor: 2,
            proposal: 3,
            milestones: 1,
        },
        Fund {
            actor: 2,
            contract: 3,
        },
        AcceptContract {
            actor: 4,
            contract: 3,
        },
        RaiseDispute {
            actor: 2,
            contract: 3,
        },
        // Contract 4: an order funded and awaiting the creator.
        OrderGig {
            actor: 1,
            creator: 0,
            tier: GigTier::Standard,
        },
        Fund {
            actor: 1,
            contract: 4,
        },
        // Contract 5: an order delivered and in review.
        OrderGig {
            actor: 2,
            creator: 1,
            tier: GigTier::Basic,
        },
        Fund {
            actor: 2,
            contract: 5,
        },
        AcceptContract {
            actor: 4,
            contract: 5,
        },
        Deliver {
            actor: 4,
            contract: 5,
        },
        // Contract 6: an active order of 100.00 that the creator will refund.
        OrderGig {
            actor: 1,
            creator: 1,
            tier: GigTier::Basic,
        },
        Fund {
            actor: 1,
            contract: 6,
        },
        AcceptContract {
            actor: 4,
            contract: 6,
        },
    ]
}

/// The race: (group, command), groups naming commands of which at most one
/// may win.
fn race() -> Vec<(&'static str, Command)> {
    use Command::*;
    let mut batch = Vec::new();
    let mut times = |n: usize, group: &'static str, c: Command| {
        for _ in 0..n {
            batch.push((group, c.clone()));
        }
    };
    times(
        4,
        "release c0 m0",
        ReleaseMilestone {
            actor: 1,
            contract: 0,
            milestone: 0,
        },
    );
    times(
        2,
        "release c0 m1",
        ReleaseMilestone {
            actor: 1,
            contract: 0,
            milestone: 1,
        },
    );
    times(
        2,
        "",
        Refund {
            actor: 3,
            contract: 0,
            cents: 500,
        },
    );
    times(
        2,
        "",
        Tip {
            actor: 1,
            contract: 0,
            cents: 300,
        },
    );
    times(
        2,
        "release c1 m0",
        ReleaseMilestone {
            actor: 1,
            contract: 1,
            milestone: 0,
        },
    );
    times(
        1,
        "",
        Cancel {
            actor: 1,
            contract: 1,
        },
    );
    times(
        4,
        "approve c2",
        Approve {
            actor: 2,
            contract: 2,
        },
    );
    times(
        2,
        "resolve c3",
        ResolveDispute {
            actor: 0,
            contract: 3,
            release_percent: 60,
            off_by: 0,
        },
    );
    times(
        2,
        "resolve c3",
        ResolveDispute {
            actor: 0,
            contract: 3,
            release_percent: 20,
            off_by: 0,
        },
    );
    times(
        4,
        "accept c4",
        AcceptContract {
            actor: 3,
            contract: 4,
        },
    );
    // Accepting then cancelling is legal; cancelling first refuses every
    // acceptance.
    times(
        1,
        "cancel c4",
        Cancel {
            actor: 1,
            contract: 4,
        },
    );
    times(
        2,
        "end of review c5",
        Approve {
            actor: 2,
            contract: 5,
        },
    );
    times(
        2,
        "end of review c5",
        RaiseDispute {
            actor: 4,
            contract: 5,
        },
    );
    // Three refunds of everything held: exactly one can succeed.
    times(
        3,
        "refund all c6",
        Refund {
            actor: 4,
            contract: 6,
            cents: 10_000,
        },
    );
    batch
}

/// Searches an order of `accepted` (indices into `commands`) that the model
/// accepts whole, depth first; returns the orders found (at most `want`).
fn linearizations(
    model: &Model,
    commands: &[Command],
    accepted: &[usize],
    want: usize,
) -> Vec<Vec<usize>> {
    fn go(
        model: &Model,
        commands: &[Command],
        left: &mut Vec<usize>,
        path: &mut Vec<usize>,
        found: &mut Vec<Vec<usize>>,
        budget: &mut usize,
        want: usize,
    ) {
        if found.len() >= want || *budget == 0 {
            return;
        }
        *budget -= 1;
        if left.is_empty() {
            found.push(path.clone());
            return;
        }
        let mut tried = Vec::new();
        for k in 0..left.len() {
            let i = left[k];
            // Identical commands are interchangeable: try one of each.
            if tried.contains(&&commands[i]) {
                continue;
            }
            tried.push(&commands[i]);
            let mut next = model.clone();
            if next.apply(&commands[i]) {
                left.remove(k);
                path.push(i);
                go(&next, commands, left, path, found, budget, want);
                path.pop();
                left.insert(k, i);
            }
        }
    }
    let mut found = Vec::new();
    let mut budget = 200_000;
    go(
        model,
        commands,
        &mut accepted.to_vec(),
        &mut Vec::new(),
        &mut found,
        &mut budget,
        want,
    );
    found
}

/// Many concurrent commands on shared contracts; the committed history
/// replays through the model to exactly the stored state, and each
/// "exactly one wins" group has at most one winner.
pub async fn concurrent_commands_replay_through_the_model(factory: &StoreFactory) {
    let mut model = Model::new([30_000, 20_001, 45_000, 9_999]);
    let mut world = ModelWorld::new(factory, &model).await;
    for command in prefix() {
        assert!(
            model.apply(&command),
            "the model refuses the prefix: {command:?}"
        );
        assert!(
            world.apply(&command).await.expect("no backend error"),
            "the service refuses the prefix: {command:?}"
        );
    }
    world.check(&model).await.expect("agree before the race");

    let batch = race();
    // Real tasks on the caller's multi-threaded runtime, started together.
    let world = Arc::new(world);
    let tasks: Vec<_> = batch
        .iter()
        .map(|(_, c)| {
            let world = world.clone();
            let c = c.clone();
            tokio::spawn(async move { world.run(&c).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("a race task panicked"));
    }
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    let commands: Vec<Command> = batch.iter().map(|(_, c)| c.clone()).collect();
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let (ok, _) = outcome.expect("no backend error in the race");
        if ok {
            accepted.push(i);
        } else {
            refused.push(i);
        }
    }

    // Exactly-one groups.
    let mut winners: std::collections::BTreeMap<&str, usize> = Default::default();
    for &i in &accepted {
        let group = batch[i].0;
        if !group.is_empty() {
            *winners.entry(group).or_default() += 1;
        }
    }
    for (group, n) in &winners {
        assert!(*n <= 1, "{n} winners in group {group:?}");
    }
    let accepted_c4 = winners.get("accept c4").copied().unwrap_or(0);
    let cancelled_c4 = winners.get("cancel c4").copied().unwrap_or(0);
    assert!(
        accepted_c4 + cancelled_c4 >= 1,
        "the offer is accepted, cancelled, or both in that order"
    );
    for group in [
        "release c0 m0",
        "approve c2",
        "resolve c3",
        "end of review c5",
        "refund all c6",
    ] {
        assert_eq!(
            winners.get(group).copied().unwrap_or(0),
            1,
            "exactly one of {group:?} wins"
        );
    }

    // The history replays through the model to the stored state.
    let orders = linearizations(&model, &commands, &accepted, 64);
    assert!(
        !orders.is_empty(),
        "no order of the accepted commands is legal in the model: {:?}",
        accepted.iter().map(|&i| &commands[i]).collect::<Vec<_>>()
    );
    let mut last_error = String::new();
    for order in orders {
        let mut replayed = model.clone();
        let mut states = vec![replayed.clone()];
        for &i in &order {
            replayed.apply(&commands[i]);
            states.push(replayed.clone());
        }
        // Every refused command is refused somewhere along the way.
        let explained = refused.iter().all(|&i| {
            states.iter().any(|s| {
                let mut probe = s.clone();
                !probe.apply(&commands[i])
            })
        });
        if !explained {
            last_error = "a refused command is accepted in every state of the order".into();
            continue;
        }
        match world.check(&replayed).await {
            Ok(()) => return,
            Err(e) => last_error = e,
        }
    }
    panic!("no replay of the committed history gives the stored state: {last_error}");
}

/// Stamps this area's behaviours for a backend.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_concurrency {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, concurrency;
            concurrent_commands_replay_through_the_model,
        );
    };
}
