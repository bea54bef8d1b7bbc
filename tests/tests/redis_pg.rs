//! The conformance suite through [`CachedStore`] over PostgreSQL: the
//! decorator in its production position, each test with a fresh database
//! and its own key prefix.
//!
//! Needs `REELBYTE_TEST_PG_URL` at build time (like `tests/pg.rs`) and
//! `REELBYTE_TEST_REDIS_URL` at run time; under `REELBYTE_TEST_INTEGRATION=1`
//! a missing server fails the run.

#[cfg(not(reelbyte_pg_tests))]
#[test]
fn redis_over_postgres_suite() {
    let required = std::env::var("REELBYTE_TEST_INTEGRATION").as_deref() == Ok("1");
    assert!(
        !required,
        "REELBYTE_TEST_INTEGRATION=1 but REELBYTE_TEST_PG_URL was unset when the tests were built"
    );
    println!("skipping: REELBYTE_TEST_PG_URL unset");
}

#[cfg(reelbyte_pg_tests)]
reelbyte_core::conformance_suite!(reelbyte_tests::redis_over_pg_store);
