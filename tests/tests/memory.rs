//! The conformance suite against the in-memory store.

use std::sync::Arc;

use reelbyte_core::store::Store;
use reelbyte_memory::MemStore;

fn clean_store() -> impl std::future::Future<Output = Arc<dyn Store>> + Send {
    async { Arc::new(MemStore::new()) as Arc<dyn Store> }
}

reelbyte_core::conformance_suite!(super::clean_store);
