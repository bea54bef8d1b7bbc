//! Workspace-level tests: the conformance suite of `reelbyte-core` stamped
//! for every backend (see `tests/*.rs`).
//!
//! The workspace README is included below so that its code samples are
//! compiled and run as doc tests.
#![doc = include_str!("../../README.md")]

pub mod machine;
pub mod pg;

/// The Redis URL of the integration tests, read at run time from
/// `REELBYTE_TEST_REDIS_URL`.
///
/// Without it, prints a skip line and returns `None`, unless
/// `REELBYTE_TEST_INTEGRATION=1`: then a missing server is a failure, so a
/// suite never passes silently without running.
///
/// # Panics
///
/// When the URL is unset and `REELBYTE_TEST_INTEGRATION=1`.
pub fn redis_url() -> Option<String> {
    match std::env::var("REELBYTE_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("REELBYTE_TEST_INTEGRATION").as_deref() != Ok("1"),
                "REELBYTE_TEST_INTEGRATION=1 but REELBYTE_TEST_REDIS_URL is not set"
            );
            println!("SKIP: REELBYTE_TEST_REDIS_URL is not set; Redis not exercised");
            None
        }
    }
}

/// A fresh PostgreSQL database behind [`reelbyte_redis::CachedStore`] with
/// its own key prefix: the production stack. Without a Redis URL (and
/// without `REELBYTE_TEST_INTEGRATION=1`) the bare PostgreSQL store.
pub async fn redis_over_pg_store() -> std::sync::Arc<dyn reelbyte_core::store::Store> {
    let inner = pg::clean_store().await;
    let Some(url) = redis_url() else {
        return inner;
    };
    let conn = reelbyte_redis::connect(&url)
        .await
        .expect("Redis at REELBYTE_TEST_REDIS_URL");
    let prefix = format!("reelbyte-test:{}", uuid::Uuid::new_v4().simple());
    std::sync::Arc::new(reelbyte_redis::CachedStore::new(
        inner,
        conn,
        reelbyte_redis::CacheConfig::with_prefix(prefix),
    ))
}
