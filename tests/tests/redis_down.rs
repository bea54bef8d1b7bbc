//! Fault injection: the conformance suite through a [`CachedStore`] whose
//! Redis is unreachable (a closed port). Every cache call fails, and every
//! read and write must still be answered correctly by the inner store.

use std::sync::Arc;
use std::time::Duration;

use reelbyte_core::store::Store;
use reelbyte_memory::MemStore;
use reelbyte_redis::{CacheConfig, CachedStore, connect_lazy};

async fn clean_store() -> Arc<dyn Store> {
    let conn = connect_lazy("redis://127.0.0.1:1").expect("a valid URL");
    let config = CacheConfig {
        timeout: Duration::from_millis(200),
        retry_after: Duration::from_secs(30),
        ..CacheConfig::with_prefix("reelbyte-down")
    };
    Arc::new(CachedStore::new(MemStore::shared(), conn, config))
}

reelbyte_core::conformance_suite!(super::clean_store);
