//! The conformance suite against the in-memory store.

use std::sync::Arc;

use reelbyte_core::store::Store;
use reelbyte_memory::MemStore;

async fn clean_store() -> Arc<dyn Store> {
    Arc::new(MemStore::new())
}

reelbyte_core::conformance_suite!(super::clean_store);
