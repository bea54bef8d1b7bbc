//! The reference model as a proptest-state-machine test, over any backend.
//!
//! [`WorkflowMachine<B>`] generates command sequences against
//! [`Model`] and runs them on a
//! fresh store from backend `B`. After every step the service and the model
//! must agree on whether the command was accepted and on every status and
//! balance, and every money invariant must hold; a disagreement fails the
//! case, which proptest then shrinks to a minimal sequence. The marketplace
//! keeps unread counters as well (in memory), which must equal the store's
//! counts after every step.

use std::marker::PhantomData;
use std::sync::Arc;

use proptest::prelude::*;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};
use reelbyte_core::Marketplace;
use reelbyte_core::realtime::{UnreadCounters, UnreadKind};
use reelbyte_core::store::Store;
use reelbyte_core::strategies::workflow::{Command, Model, command, initial_model};
use reelbyte_core::testing::model::ModelWorld;
use reelbyte_core::testing::{BoxFuture, TestEnv, factory};
use reelbyte_memory::MemRealtime;

/// A storage backend the model test can run on.
pub trait Backend: 'static {
    /// A fresh, empty store.
    fn store() -> BoxFuture<Arc<dyn Store>>;
}

/// The reference side: the model and what it said about the last command.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The model after the last command.
    pub model: Model,
    /// Whether the model accepted the last command.
    pub last_accepted: bool,
}

/// The proptest-state-machine test of the marketplace on backend `B`.
#[derive(Debug)]
pub struct WorkflowMachine<B>(PhantomData<B>);

/// The reference state machine (shared by every backend).
#[derive(Debug)]
pub struct ReferenceMachine;

impl ReferenceStateMachine for ReferenceMachine {
    type State = Reference;
    type Transition = Command;

    fn init_state() -> BoxedStrategy<Reference> {
        initial_model()
            .prop_map(|model| Reference {
                model,
                last_accepted: true,
            })
            .boxed()
    }

    fn transitions(state: &Reference) -> BoxedStrategy<Command> {
        command(&state.model)
    }

    fn apply(mut state: Reference, transition: &Command) -> Reference {
        state.last_accepted = state.model.apply(transition);
        state
    }
}

/// The system under test: a runtime and the seeded world, whose
/// marketplace keeps `counters`; `plain` is the same marketplace without
/// them, which counts in the store.
#[derive(Debug)]
pub struct Sut {
    runtime: tokio::runtime::Runtime,
    world: ModelWorld,
    counters: Arc<MemRealtime>,
    plain: Marketplace,
}

impl Sut {
    /// Every seeded user's unread counts, as the counters hold them, equal
    /// the store's (a user the service no longer admits is skipped: nobody
    /// reads their counts).
    async fn check_counters(&self) -> Result<(), String> {
        for user in &self.world.users {
            let Ok(stored) = self.plain.unread_counts(&user.ctx).await else {
                continue;
            };
            for (kind, count) in [
                (UnreadKind::Messages, stored.messages),
                (UnreadKind::Notifications, stored.notifications),
            ] {
                let held = self
                    .counters
                    .unread(user.user_id, kind)
                    .await
                    .map_err(|e| e.to_string())?
                    .known();
                if held != Some(count) {
                    return Err(format!(
                        "user {}: {kind:?} counter {held:?}, store {count}",
                        user.user_id
                    ));
                }
            }
        }
        Ok(())
    }
}

impl<B: Backend> StateMachineTest for WorkflowMachine<B> {
    type SystemUnderTest = Sut;
    type Reference = ReferenceMachine;

    fn init_test(reference: &Reference) -> Sut {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let counters = Arc::new(MemRealtime::default());
        let (world, plain) = runtime.block_on(async {
            let mut env = TestEnv::new(&*factory(B::store)).await;
            let plain = env.market.clone();
            env.market = env.market.clone().with_unread_counters(counters.clone());
            let world = ModelWorld::seeded(env, &reference.model).await;
            // Every count known from the start, so that every commit moves it.
            for user in &world.users {
                world
                    .env
                    .market
                    .unread_counts(&user.ctx)
                    .await
                    .expect("seeded users are admitted");
            }
            (world, plain)
        });
        Sut {
            runtime,
            world,
            counters,
            plain,
        }
    }

    fn apply(mut sut: Sut, reference: &Reference, transition: Command) -> Sut {
        let Sut { runtime, world, .. } = &mut sut;
        let accepted = runtime
            .block_on(world.apply(&transition))
            .unwrap_or_else(|e| panic!("{transition:?} failed: {e}"));
        assert_eq!(
            accepted,
            reference.last_accepted,
            "{transition:?}: the service {} it, the model {} it",
            verdict(accepted),
            verdict(reference.last_accepted)
        );
        if let Err(e) = runtime.block_on(world.check(&reference.model)) {
            panic!("after {transition:?}: {e}");
        }
        if let Err(e) = sut.runtime.block_on(sut.check_counters()) {
            panic!("after {transition:?}: {e}");
        }
        sut
    }
}

fn verdict(accepted: bool) -> &'static str {
    if accepted { "accepted" } else { "refused" }
}

/// The number of cases to run: `REELBYTE_MODEL_CASES`, or `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("REELBYTE_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
