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

/// Two processes sharing one database and one Redis: a write through one
/// `CachedStore` is never hidden by what the other cached.
mod shared_cache {
    use std::sync::Arc;

    use reelbyte_core::store::{ChangeSet, Counter, Store};
    use reelbyte_core::testing::{TestEnv, factory};
    use reelbyte_memory::MemStore;
    use reelbyte_redis::{CacheConfig, CachedStore, connect};
    use reelbyte_tests::redis_url;

    async fn pair(url: &str) -> (Arc<dyn Store>, Arc<dyn Store>) {
        let inner = MemStore::shared();
        let prefix = format!("reelbyte-test:{}", uuid::Uuid::new_v4().simple());
        let mut stores = Vec::new();
        for _ in 0..2 {
            let conn = connect(url).await.expect("Redis");
            let store: Arc<dyn Store> = Arc::new(CachedStore::new(
                inner.clone(),
                conn,
                CacheConfig::with_prefix(prefix.clone()),
            ));
            stores.push(store);
        }
        let b = stores.pop().expect("two stores");
        let a = stores.pop().expect("two stores");
        (a, b)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn writes_through_one_instance_invalidate_the_other() {
        let Some(url) = redis_url() else {
            return;
        };
        let (a, b) = pair(&url).await;
        let for_env = a.clone();
        let env = TestEnv::new(&*factory(move || {
            let store = for_env.clone();
            async move { store }
        }))
        .await;
        let creator = env.creator().await.creator_id();

        // Cached by B, updated through A, read again through B.
        let before = b.creators().get_by_id(creator).await.expect("read");
        let before = before.expect("seeded");
        let mut changes = ChangeSet::new();
        changes.update(&before);
        a.apply(changes).await.expect("update");
        let after = b.creators().get_by_id(creator).await.expect("read");
        assert_eq!(after.expect("still there").version, before.version + 1);

        // Counters invalidate the row they live in.
        let gig = env.seed_gig(creator).await;
        let cached = b
            .gigs()
            .get_by_id(gig)
            .await
            .expect("read")
            .expect("seeded");
        let mut changes = ChangeSet::new();
        changes.count(Counter::GigViews(gig), 3);
        a.apply(changes).await.expect("count");
        let fresh = b
            .gigs()
            .get_by_id(gig)
            .await
            .expect("read")
            .expect("seeded");
        assert_eq!(fresh.view_count, cached.view_count + 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 8)]
    async fn racing_readers_never_keep_a_stale_row() {
        let Some(url) = redis_url() else {
            return;
        };
        let (a, b) = pair(&url).await;
        let for_env = a.clone();
        let env = TestEnv::new(&*factory(move || {
            let store = for_env.clone();
            async move { store }
        }))
        .await;
        let creator = env.creator().await.creator_id();
        for _ in 0..20 {
            let readers: Vec<_> = (0..4)
                .map(|_| {
                    let b = b.clone();
                    tokio::spawn(async move { b.creators().get_by_id(creator).await })
                })
                .collect();
            let current = a
                .creators()
                .get_by_id(creator)
                .await
                .expect("read")
                .expect("seeded");
            let mut changes = ChangeSet::new();
            changes.update(&current);
            a.apply(changes).await.expect("update");
            for reader in readers {
                reader.await.expect("joined").expect("read");
            }
            // Once apply returned, every instance reads the new version.
            let seen = b
                .creators()
                .get_by_id(creator)
                .await
                .expect("read")
                .expect("seeded");
            assert_eq!(seen.version, current.version + 1);
        }
    }
}
