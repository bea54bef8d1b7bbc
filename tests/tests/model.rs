//! The reference model against the real service, on every backend: the
//! memory store, PostgreSQL, and the Redis cache over PostgreSQL.
//!
//! Each case seeds the model's world in a fresh store, runs a random
//! sequence of up to 40 commands by random actors (legal and illegal mixed)
//! and fails on the first disagreement about acceptance, a status or a
//! balance, or any broken invariant; proptest shrinks it and records the
//! seed under `tests/proptest-regressions/`.
//!
//! `REELBYTE_MODEL_CASES` sets the number of cases (CI: the defaults below;
//! the soak in `docs/TESTING.md`: 100,000).

use proptest::test_runner::Config;
use proptest_state_machine::prop_state_machine;
use reelbyte_tests::machine::{Backend, WorkflowMachine, cases};

use std::sync::Arc;

use reelbyte_core::store::Store;
use reelbyte_core::testing::BoxFuture;

#[derive(Debug)]
struct Memory;

impl Backend for Memory {
    fn store() -> BoxFuture<Arc<dyn Store>> {
        Box::pin(async { Arc::new(reelbyte_memory::MemStore::new()) as Arc<dyn Store> })
    }
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: cases(256),
        max_shrink_iters: 4096,
        ..Config::default()
    })]

    #[test]
    fn memory_store_agrees_with_the_model(sequential 1..40 => WorkflowMachine<Memory>);
}

#[cfg(reelbyte_pg_tests)]
mod postgres {
    use super::*;

    #[derive(Debug)]
    struct Postgres;

    impl Backend for Postgres {
        fn store() -> BoxFuture<Arc<dyn Store>> {
            Box::pin(reelbyte_tests::pg::clean_store())
        }
    }

    prop_state_machine! {
        #![proptest_config(Config {
            cases: cases(16),
            max_shrink_iters: 256,
            ..Config::default()
        })]

        #[test]
        fn postgres_agrees_with_the_model(sequential 1..30 => WorkflowMachine<Postgres>);
    }

    #[derive(Debug)]
    struct RedisOverPostgres;

    impl Backend for RedisOverPostgres {
        fn store() -> BoxFuture<Arc<dyn Store>> {
            Box::pin(reelbyte_tests::redis_over_pg_store())
        }
    }

    prop_state_machine! {
        #![proptest_config(Config {
            cases: cases(16),
            max_shrink_iters: 256,
            ..Config::default()
        })]

        #[test]
        fn redis_over_postgres_agrees_with_the_model(sequential 1..30 => WorkflowMachine<RedisOverPostgres>);
    }
}
