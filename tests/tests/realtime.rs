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
