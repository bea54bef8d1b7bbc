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

mod rate_limits_without_redis {
    use std::time::Duration;

    use reelbyte_core::realtime::{RateLimiter, ViewCounters, ViewTarget};
    use reelbyte_redis::{FailMode, RedisRealtime, connect_lazy};

    fn limiter(mode: FailMode) -> RedisRealtime<redis::aio::ConnectionManager> {
        let conn = connect_lazy("redis://127.0.0.1:1").expect("a valid URL");
        RedisRealtime::new(conn, "reelbyte-down")
            .with_fail_mode(mode)
            .with_timeout(Duration::from_millis(200))
    }

    #[tokio::test]
    async fn fail_open_allows() {
        let limiter = limiter(FailMode::Open);
        for _ in 0..3 {
            assert!(
                limiter
                    .hit_fixed_window("k", 1, 60)
                    .await
                    .expect("a decision")
                    .allowed
            );
            assert!(
                limiter
                    .hit_sliding_window("k", 1, 60)
                    .await
                    .expect("a decision")
                    .allowed
            );
        }
    }

    #[tokio::test]
    async fn fail_closed_refuses() {
        let limiter = limiter(FailMode::Closed);
        assert!(
            !limiter
                .hit_fixed_window("k", 10, 60)
                .await
                .expect("a decision")
                .allowed
        );
        assert!(
            !limiter
                .hit_sliding_window("k", 10, 60)
                .await
                .expect("a decision")
                .allowed
        );
    }

    #[tokio::test]
    async fn counters_report_the_outage() {
        let counters = limiter(FailMode::Open);
        let id = uuid::Uuid::new_v4();
        assert!(counters.record_view(ViewTarget::Gig, id, 1).await.is_err());
    }
}
