//! The conformance suite through [`CachedStore`] over the in-memory store,
//! each test under its own key prefix.
//!
//! Needs `REELBYTE_TEST_REDIS_URL`; without it every test prints a skip line
//! and passes, unless `REELBYTE_TEST_INTEGRATION=1`, when it fails.

use std::sync::Arc;

use reelbyte_core::store::Store;
use reelbyte_memory::MemStore;
use reelbyte_redis::{CacheConfig, CachedStore, connect};
use reelbyte_tests::redis_url;

async fn clean_store() -> Arc<dyn Store> {
    let inner = MemStore::shared();
    let Some(url) = redis_url() else {
        // Skipped (the skip line is printed by `redis_url`): the suite still
        // runs against the bare store so it stays meaningful.
        return inner;
    };
    let conn = connect(&url)
        .await
        .expect("Redis at REELBYTE_TEST_REDIS_URL");
    let prefix = format!("reelbyte-test:{}", uuid::Uuid::new_v4().simple());
    Arc::new(CachedStore::new(
        inner,
        conn,
        CacheConfig::with_prefix(prefix),
    ))
}

reelbyte_core::conformance_suite!(super::clean_store);
