//! The real-time suite against the in-memory implementation and Redis.
//!
//! The Redis half needs `REELBYTE_TEST_REDIS_URL` (see
//! [`reelbyte_tests::redis_url`]); each test gets its own key prefix.

use reelbyte_core::realtime::{
    ActivityFeeds, FavoriteSets, Rankings, RateLimiter, UnreadCounters, ViewCounters,
};

/// Every real-time trait, so one factory serves the whole suite.
trait AllRealtime:
    ViewCounters + UnreadCounters + RateLimiter + Rankings + ActivityFeeds + FavoriteSets
{
}

impl<T> AllRealtime for T where
    T: ViewCounters + UnreadCounters + RateLimiter + Rankings + ActivityFeeds + FavoriteSets
{
}

mod memory {
    use reelbyte_memory::MemRealtime;

    use super::AllRealtime;

    async fn fresh() -> Box<dyn AllRealtime> {
        Box::new(MemRealtime::default())
    }

    reelbyte_core::realtime_suite!(
        views: super::fresh,
        unread: super::fresh,
        limiter: super::fresh,
        rankings: super::fresh,
        feeds: super::fresh,
        favorites: super::fresh,
    );
}

mod redis {
    use reelbyte_memory::MemRealtime;
    use reelbyte_redis::{RedisRealtime, connect};
    use reelbyte_tests::redis_url;

    use super::AllRealtime;

    async fn fresh() -> Box<dyn AllRealtime> {
        let Some(url) = redis_url() else {
            return Box::new(MemRealtime::default());
        };
        let conn = connect(&url)
            .await
            .expect("Redis at REELBYTE_TEST_REDIS_URL");
        let prefix = format!("reelbyte-test:{}", uuid::Uuid::new_v4().simple());
        Box::new(RedisRealtime::new(conn, prefix))
    }

    reelbyte_core::realtime_suite!(
        views: super::fresh,
        unread: super::fresh,
        limiter: super::fresh,
        rankings: super::fresh,
        feeds: super::fresh,
        favorites: super::fresh,
    );
}

/// Windows end: checked on the memory limiter with a manual clock, and on
/// Redis by the expiry every rate-limit key carries.
mod windows {
    use std::sync::Arc;

    use chrono::Duration;
    use reelbyte_core::clock::ManualClock;
    use reelbyte_core::realtime::RateLimiter;
    use reelbyte_core::testing::epoch;
    use reelbyte_memory::MemRealtime;
    use reelbyte_redis::{RedisRealtime, connect};
    use reelbyte_tests::redis_url;

    #[tokio::test]
    async fn memory_windows_reopen_when_time_passes() {
        let clock = Arc::new(ManualClock::new(epoch()));
        let limiter = MemRealtime::new(clock.clone());
        assert!(
            limiter
                .hit_fixed_window("k", 1, 60)
                .await
                .expect("hit")
                .allowed
        );
        assert!(
            !limiter
                .hit_fixed_window("k", 1, 60)
                .await
                .expect("hit")
                .allowed
        );
        assert!(
            limiter
                .hit_sliding_window("s", 1, 60)
                .await
                .expect("hit")
                .allowed
        );
        clock.advance(Duration::seconds(30));
        assert!(
            !limiter
                .hit_sliding_window("s", 1, 60)
                .await
                .expect("hit")
                .allowed
        );
        clock.advance(Duration::seconds(31));
        assert!(
            limiter
                .hit_fixed_window("k", 1, 60)
                .await
                .expect("hit")
                .allowed
        );
        assert!(
            limiter
                .hit_sliding_window("s", 1, 60)
                .await
                .expect("hit")
                .allowed
        );
    }

    #[tokio::test]
    async fn redis_rate_limit_keys_always_expire() {
        let Some(url) = redis_url() else {
            return;
        };
        let conn = connect(&url).await.expect("Redis");
        let prefix = format!("reelbyte-test:{}", uuid::Uuid::new_v4().simple());
        let limiter = RedisRealtime::new(conn.clone(), prefix.clone());
        for _ in 0..3 {
            limiter
                .hit_fixed_window("u:search", 2, 60)
                .await
                .expect("hit");
            limiter
                .hit_sliding_window("u:login", 2, 60)
                .await
                .expect("hit");
        }
        for key in [
            format!("{prefix}:ratelimit:{{u:search}}"),
            format!("{prefix}:ratelimit-sliding:{{u:login}}"),
        ] {
            let mut conn = conn.clone();
            let ttl: i64 = redis::cmd("PTTL")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .expect("PTTL");
            assert!(ttl > 0 && ttl <= 60_000, "{key} has PTTL {ttl}");
        }
    }
}

/// Pending gig views land in `gigs.view_count`; views of a vanished gig are
/// dropped; nothing is left pending.
mod flush {
    use std::sync::Arc;

    use reelbyte_core::realtime::{ViewCounters, ViewTarget, flush_gig_views};
    use reelbyte_core::store::Store;
    use reelbyte_core::testing::{TestEnv, factory};
    use reelbyte_memory::{MemRealtime, MemStore};

    async fn flushes_into_the_store(counters: &dyn ViewCounters) {
        let store: Arc<dyn Store> = MemStore::shared();
        let for_env = store.clone();
        let env = TestEnv::new(&*factory(move || {
            let store = for_env.clone();
            async move { store }
        }))
        .await;
        let creator = env.creator().await;
        let gig = env.seed_gig(creator.creator_id()).await;
        counters
            .record_view(ViewTarget::Gig, gig.as_uuid(), 3)
            .await
            .expect("record");
        counters
            .record_view(ViewTarget::Gig, uuid::Uuid::new_v4(), 5)
            .await
            .expect("record a view of nothing");
        let flushed = flush_gig_views(counters, store.as_ref())
            .await
            .expect("flush");
        assert_eq!(flushed, 3);
        let stored = store
            .gigs()
            .get_by_id(gig)
            .await
            .expect("read")
            .expect("gig");
        assert_eq!(stored.view_count, 3);
        assert_eq!(
            counters
                .pending_views(ViewTarget::Gig, gig.as_uuid())
                .await
                .expect("pending"),
            0
        );
        assert_eq!(
            flush_gig_views(counters, store.as_ref())
                .await
                .expect("again"),
            0
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn memory_counts_flush_into_the_store() {
        flushes_into_the_store(&MemRealtime::default()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn redis_counts_flush_into_the_store() {
        let Some(url) = reelbyte_tests::redis_url() else {
            return;
        };
        let conn = reelbyte_redis::connect(&url).await.expect("Redis");
        let prefix = format!("reelbyte-test:{}", uuid::Uuid::new_v4().simple());
        flushes_into_the_store(&reelbyte_redis::RedisRealtime::new(conn, prefix)).await;
    }
}
