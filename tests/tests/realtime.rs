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
        let prefix = reelbyte_tests::redis_prefix(&conn).await;
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
        let prefix = reelbyte_tests::redis_prefix(&conn).await;
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

/// A hold never ended (a commit dropped midway) keeps an unknown unread
/// count from being stored only until it lapses: checked on the memory
/// counters with a manual clock, and on Redis with a hold whose lapse time
/// is in the past by the server's clock.
mod unread_holds {
    use std::sync::Arc;

    use chrono::Duration;
    use reelbyte_core::clock::ManualClock;
    use reelbyte_core::ids::UserId;
    use reelbyte_core::realtime::{UnreadCounters, UnreadHold, UnreadKind, UnreadRead};
    use reelbyte_core::testing::epoch;
    use reelbyte_memory::MemRealtime;
    use reelbyte_redis::{RedisRealtime, connect};
    use reelbyte_tests::redis_url;

    /// Counts the store's 4 with a fresh ticket: whether it was stored.
    async fn stores(unread: &dyn UnreadCounters, user: UserId) -> bool {
        let kind = UnreadKind::Notifications;
        let UnreadRead::Unknown(ticket) = unread.unread(user, kind).await.expect("read") else {
            panic!("the count is known");
        };
        unread
            .init_unread(user, kind, 4, ticket)
            .await
            .expect("init");
        unread.unread(user, kind).await.expect("read") == UnreadRead::Known(4)
    }

    #[tokio::test]
    async fn memory_holds_lapse() {
        let clock = Arc::new(ManualClock::new(epoch()));
        let unread = MemRealtime::new(clock.clone());
        let user = UserId::new();
        unread
            .hold_unread(user, UnreadKind::Notifications, UnreadHold::new())
            .await
            .expect("hold");
        clock.advance(Duration::seconds(29));
        assert!(!stores(&unread, user).await, "held");
        clock.advance(Duration::seconds(2));
        assert!(stores(&unread, user).await, "lapsed");
    }

    #[tokio::test]
    async fn redis_holds_lapse() {
        let Some(url) = redis_url() else {
            return;
        };
        let conn = connect(&url).await.expect("Redis");
        let prefix = reelbyte_tests::redis_prefix(&conn).await;
        let unread = RedisRealtime::new(conn.clone(), prefix.clone());
        let (user, hold) = (UserId::new(), UnreadHold::new());
        unread
            .hold_unread(user, UnreadKind::Notifications, hold)
            .await
            .expect("hold");
        assert!(!stores(&unread, user).await, "held");
        // The same hold, lapsed a second after the epoch.
        let mut c = conn.clone();
        let _: i64 = redis::cmd("ZADD")
            .arg(format!("{prefix}:unread:{{{user}}}:notifications:holds"))
            .arg(1000)
            .arg(hold.as_uuid().to_string())
            .query_async(&mut c)
            .await
            .expect("ZADD");
        assert!(stores(&unread, user).await, "lapsed");
    }
}

/// Pending gig views land in `gigs.view_count`; views of a vanished gig are
/// dropped; nothing is left pending.
mod flush {
    use std::sync::Arc;

    use reelbyte_core::realtime::{Board, ViewCounters, ViewTarget, flush_gig_views};
    use reelbyte_core::store::Store;
    use reelbyte_core::testing::{TestEnv, factory};
    use reelbyte_memory::{MemRealtime, MemStore};

    async fn flushes_into_the_store(counters: &dyn ViewCounters) {
        let store: Arc<dyn Store> = MemStore::shared();
        let env = TestEnv::over(store.clone());
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

    /// Through a marketplace, the flushed views count on trending too; the
    /// store-only flush moves no board.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_marketplace_flush_moves_trending() {
        let env = TestEnv::new(&*factory(|| async { MemStore::shared() })).await;
        let rankings = Arc::new(MemRealtime::default());
        let market = env.market.clone().with_rankings(rankings.clone());
        let counters = MemRealtime::default();
        let creator = env.creator().await;
        let (direct, through) = (
            env.seed_gig(creator.creator_id()).await,
            env.seed_gig(creator.creator_id()).await,
        );
        counters
            .record_view(ViewTarget::Gig, direct.as_uuid(), 4)
            .await
            .expect("record");
        flush_gig_views(&counters, env.store.as_ref())
            .await
            .expect("flush");
        counters
            .record_view(ViewTarget::Gig, through.as_uuid(), 2)
            .await
            .expect("record");
        assert_eq!(market.flush_gig_views(&counters).await.expect("flush"), 2);
        let trending: Vec<_> = market
            .top_gigs(Board::TrendingGigs, 10)
            .await
            .expect("read")
            .into_iter()
            .map(|r| (r.item.id, r.item.view_count))
            .collect();
        assert_eq!(trending, vec![(through, 2)], "only the marketplace's flush");
        let stored = env.store.gigs().get_by_ids(&[direct]).await.expect("read");
        assert_eq!(stored[0].view_count, 4);
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
        let prefix = reelbyte_tests::redis_prefix(&conn).await;
        flushes_into_the_store(&reelbyte_redis::RedisRealtime::new(conn, prefix)).await;
    }
}

/// The marketplace moves its rankings as commands commit, and reads them
/// back as rows: the same behaviour on the memory implementation and on
/// Redis (over the memory store: which store commits does not matter to the
/// boards, the marketplace reads them off the change set).
mod marketplace_rankings {
    use std::collections::{HashMap, HashSet};
    use std::sync::Arc;

    use async_trait::async_trait;
    use chrono::Datelike;
    use reelbyte_core::enums::UserType;
    use reelbyte_core::error::{Error, Result};
    use reelbyte_core::ids::UserId;
    use reelbyte_core::realtime::{Board, Rankings};
    use reelbyte_core::service::{REBUILD_PAGE, ReviewInput};
    use reelbyte_core::store::ChangeSet;
    use reelbyte_core::testing::contracts::{deliver_and_approve, fund_and_accept, ordered_gig};
    use reelbyte_core::testing::{TestEnv, active_user, empty_creator_profile, factory};
    use reelbyte_core::value::Rating;
    use reelbyte_memory::{MemRealtime, MemStore};
    use reelbyte_redis::{RedisRealtime, connect};
    use reelbyte_tests::redis_url;
    use rust_decimal::Decimal;
    use uuid::Uuid;

    async fn env_with(rankings: Arc<dyn Rankings>) -> TestEnv {
        let stores = factory(|| async { MemStore::shared() });
        let mut env = TestEnv::new(&stores).await;
        env.market = env.market.clone().with_rankings(rankings);
        env
    }

    fn five_stars() -> ReviewInput {
        ReviewInput {
            overall_rating: Rating::parse(5).expect("valid"),
            communication_rating: None,
            quality_rating: None,
            professionalism_rating: None,
            value_rating: None,
            title: None,
            comment: Some("On brand and on time.".into()),
        }
    }

    async fn boards_follow_the_commands(rankings: Arc<dyn Rankings>) {
        let env = env_with(rankings.clone()).await;
        let market = &env.market;
        let (creator, client, gig, contract) = ordered_gig(&env).await;
        let viewer = env.seed(UserType::Client, false).await;
        market
            .record_gig_view(&viewer.ctx, gig)
            .await
            .expect("a view");
        fund_and_accept(&env, &creator, &client, contract).await;
        deliver_and_approve(&env, &creator, &client, contract).await;
        market
            .leave_review(&client.ctx, contract, five_stars())
            .await
            .expect("review");

        let popular = market.top_gigs(Board::PopularGigs, 10).await.expect("read");
        assert_eq!(popular.len(), 1);
        assert_eq!((popular[0].item.id, popular[0].score), (gig, 1.0));
        let trending = market
            .top_gigs(Board::TrendingGigs, 10)
            .await
            .expect("read");
        assert_eq!(trending.len(), 1, "the view counts on trending");
        assert!(trending[0].score > 0.0);

        let by_rating = market
            .top_creators(Board::CreatorsByRating, 10)
            .await
            .expect("read");
        assert_eq!(by_rating.len(), 1);
        assert_eq!(
            (by_rating[0].item.id, by_rating[0].score),
            (creator.creator_id(), 5.0)
        );
        let by_jobs = market
            .top_creators(Board::CreatorsByJobsCompleted, 10)
            .await
            .expect("read");
        assert_eq!(by_jobs[0].score, 1.0);
        let now = env.now();
        let earners = market
            .top_creators(
                Board::EarnersOfMonth {
                    year: now.year(),
                    month: now.month(),
                },
                10,
            )
            .await
            .expect("read");
        let profile = &earners[0].item;
        assert_eq!(profile.id, creator.creator_id());
        let earned: f64 = profile
            .total_earnings
            .amount()
            .to_string()
            .parse()
            .expect("a number");
        assert!(earned > 0.0);
        assert_eq!(earners[0].score, earned, "the payout, the fee kept back");

        // A paused gig leaves every gig board, and the board itself.
        market.pause_gig(&creator.ctx, gig).await.expect("pause");
        for board in [Board::PopularGigs, Board::TrendingGigs] {
            assert!(market.top_gigs(board, 10).await.expect("read").is_empty());
            assert!(rankings.top(board, 10).await.expect("read").is_empty());
        }
        assert_eq!(market.ranking_errors(), 0);
    }

    async fn rebuild_sets_what_the_store_knows(rankings: Arc<dyn Rankings>) {
        let env = env_with(rankings.clone()).await;
        let market = &env.market;
        let (creator, client, _gig, contract) = ordered_gig(&env).await;
        fund_and_accept(&env, &creator, &client, contract).await;
        deliver_and_approve(&env, &creator, &client, contract).await;
        // Rows written behind the marketplace's back: an open job, and a
        // member no row stands behind.
        let (job, _) = env
            .seed_job_with_proposal(
                client.client_id(),
                creator.creator_id(),
                reelbyte_core::Money::usd("300.00").expect("valid"),
            )
            .await;
        let ghost = Uuid::now_v7();
        rankings
            .set_score(Board::CreatorsByJobsCompleted, ghost, 9.0)
            .await
            .expect("set");
        // A job on the board that was closed behind the marketplace's back:
        // the pages of open jobs do not bring it, its row read by id does.
        let (closed, _) = env
            .seed_job_with_proposal(
                client.client_id(),
                creator.creator_id(),
                reelbyte_core::Money::usd("120.00").expect("valid"),
            )
            .await;
        let mut row = env
            .store
            .jobs()
            .get_by_id(closed)
            .await
            .expect("read")
            .expect("a job");
        rankings
            .set_score(Board::RecentJobs, closed.as_uuid(), 1.0)
            .await
            .expect("set");
        row.status = reelbyte_core::enums::JobStatus::Closed;
        let mut changes = reelbyte_core::store::ChangeSet::new();
        changes.update(&row);
        env.store.apply(changes).await.expect("close");
        assert!(market.recent_jobs(10).await.expect("read").is_empty());

        let staff = env.seed(UserType::Client, true).await;
        let refused = market.rebuild_rankings(&client.ctx).await;
        assert!(
            matches!(refused, Err(Error::Forbidden { .. })),
            "{refused:?}"
        );
        let report = market.rebuild_rankings(&staff.ctx).await.expect("rebuild");
        assert_eq!(
            report.removed, 2,
            "the member without a row, the closed job"
        );
        // The closed job left as of its closed row's version (read again by
        // id), so a change of it up to that version, applied late, does not
        // bring it back.
        let closed_version = row.version + 1;
        assert!(
            !rankings
                .set_score_at(Board::RecentJobs, closed.as_uuid(), 1.0, closed_version)
                .await
                .expect("set"),
            "the removal holds the closed row's version"
        );
        let recent = market.recent_jobs(10).await.expect("read");
        assert_eq!(recent.len(), 1);
        assert_eq!(recent[0].item.id, job);
        let by_jobs = rankings
            .top(Board::CreatorsByJobsCompleted, 10)
            .await
            .expect("read");
        assert_eq!(by_jobs, vec![(creator.creator_id().as_uuid(), 1.0)]);

        // Closing the job takes it off the board again.
        market.close_job(&client.ctx, job).await.expect("close");
        assert!(market.recent_jobs(10).await.expect("read").is_empty());
        assert!(
            rankings
                .top(Board::RecentJobs, 10)
                .await
                .expect("read")
                .is_empty()
        );
    }

    /// More rows than one page of the rebuild's sweep: two full pages of
    /// rated creators (so the sweep's last read finds nothing) and a full
    /// page and one more of open jobs. Every row lands on its boards once,
    /// at its score; a second rebuild finds nothing to set.
    async fn rebuild_sweeps_page_after_page(rankings: Arc<dyn Rankings>) {
        let env = env_with(rankings.clone()).await;
        let page = REBUILD_PAGE as usize;
        let now = env.now();
        let mut by_rating = HashMap::new();
        let mut by_jobs = HashMap::new();
        let mut changes = ChangeSet::new();
        for n in 0..2 * page {
            let user = active_user(UserId::new(), UserType::Creator, now);
            let mut profile = empty_creator_profile(user.id, now);
            let stars = 1 + (n % 5) as i64;
            profile.total_reviews = 1;
            profile.rating_sum = stars;
            profile.average_rating = Decimal::from(stars);
            profile.total_jobs_completed = 1 + (n % 7) as i32;
            by_rating.insert(profile.id.as_uuid(), stars as f64);
            by_jobs.insert(
                profile.id.as_uuid(),
                f64::from(profile.total_jobs_completed),
            );
            changes.insert(user);
            changes.insert(profile);
        }
        env.store.apply(changes).await.expect("seed creators");
        let client = env.client().await;
        let creator = env.creator().await;
        let mut jobs = HashSet::new();
        for _ in 0..=page {
            let budget = reelbyte_core::Money::usd("100.00").expect("valid");
            let (job, _) = env
                .seed_job_with_proposal(client.client_id(), creator.creator_id(), budget)
                .await;
            jobs.insert(job.as_uuid());
        }
        let staff = env.seed(UserType::Client, true).await;

        let report = env
            .market
            .rebuild_rankings(&staff.ctx)
            .await
            .expect("rebuild");
        assert_eq!(
            (report.set, report.removed),
            ((2 * 2 * page + page + 1) as u64, 0),
            "both creator boards for each rated creator, and each open job"
        );
        let board = async |board: Board| -> HashMap<Uuid, f64> {
            rankings
                .top(board, 4 * page)
                .await
                .expect("read")
                .into_iter()
                .collect()
        };
        assert_eq!(board(Board::CreatorsByRating).await, by_rating);
        assert_eq!(board(Board::CreatorsByJobsCompleted).await, by_jobs);
        let recent: HashSet<Uuid> = board(Board::RecentJobs).await.into_keys().collect();
        assert_eq!(recent, jobs);

        let again = env
            .market
            .rebuild_rankings(&staff.ctx)
            .await
            .expect("rebuild again");
        assert_eq!((again.set, again.removed), (0, 0));
        assert_eq!(board(Board::CreatorsByRating).await, by_rating);
    }

    async fn staff_feature_active_gigs(rankings: Arc<dyn Rankings>) {
        let env = env_with(rankings.clone()).await;
        let market = &env.market;
        let creator = env.seed(UserType::Creator, false).await;
        let staff = env.seed(UserType::Client, true).await;
        let (first, second) = (
            env.seed_gig(creator.creator_id()).await,
            env.seed_gig(creator.creator_id()).await,
        );
        let refused = market.feature_gig(&creator.ctx, first, 1.0).await;
        assert!(
            matches!(refused, Err(Error::Forbidden { .. })),
            "{refused:?}"
        );
        let refused = market.feature_gig(&staff.ctx, first, f64::NAN).await;
        assert!(
            matches!(refused, Err(Error::Validation { .. })),
            "{refused:?}"
        );
        market
            .feature_gig(&staff.ctx, first, 1.0)
            .await
            .expect("feature");
        market
            .feature_gig(&staff.ctx, second, 2.0)
            .await
            .expect("feature");
        let featured: Vec<_> = market
            .top_gigs(Board::FeaturedGigs, 10)
            .await
            .expect("read")
            .into_iter()
            .map(|r| (r.item.id, r.score))
            .collect();
        assert_eq!(featured, vec![(second, 2.0), (first, 1.0)]);
        let trail = market
            .audit_trail(&staff.ctx, "gig", first.as_uuid())
            .await
            .expect("audit");
        assert!(trail.iter().any(|e| e.action.as_str() == "feature"));

        // Paused, it leaves the board and cannot be featured again.
        market.pause_gig(&creator.ctx, second).await.expect("pause");
        let refused = market.feature_gig(&staff.ctx, second, 3.0).await;
        assert!(matches!(refused, Err(Error::Rule { .. })), "{refused:?}");
        market
            .unfeature_gig(&staff.ctx, first)
            .await
            .expect("unfeature");
        assert!(
            rankings
                .top(Board::FeaturedGigs, 10)
                .await
                .expect("read")
                .is_empty()
        );
    }

    /// Rankings that are always down.
    struct Down;

    #[async_trait]
    impl Rankings for Down {
        async fn set_score(&self, _: Board, _: Uuid, _: f64) -> Result<()> {
            Err(Error::rule("test", "down"))
        }
        async fn add_score(&self, _: Board, _: Uuid, _: f64) -> Result<f64> {
            Err(Error::rule("test", "down"))
        }
        async fn remove_member(&self, _: Board, _: Uuid) -> Result<()> {
            Err(Error::rule("test", "down"))
        }
        async fn set_score_at(&self, _: Board, _: Uuid, _: f64, _: i64) -> Result<bool> {
            Err(Error::rule("test", "down"))
        }
        async fn remove_member_at(&self, _: Board, _: Uuid, _: i64) -> Result<bool> {
            Err(Error::rule("test", "down"))
        }
        async fn top(&self, _: Board, _: usize) -> Result<Vec<(Uuid, f64)>> {
            Err(Error::rule("test", "down"))
        }
    }

    #[tokio::test]
    async fn rankings_that_are_down_never_fail_a_committed_command() {
        let env = env_with(Arc::new(Down)).await;
        let (creator, client, _gig, contract) = ordered_gig(&env).await;
        fund_and_accept(&env, &creator, &client, contract).await;
        deliver_and_approve(&env, &creator, &client, contract).await;
        assert!(env.market.ranking_errors() >= 3, "order, approval: counted");
        let contract = env
            .market
            .get_contract(&client.ctx, contract)
            .await
            .expect("read");
        assert_eq!(
            contract.contract.status,
            reelbyte_core::enums::ContractStatus::Completed
        );
    }

    #[tokio::test]
    async fn a_marketplace_without_rankings_says_so() {
        let stores = factory(|| async { MemStore::shared() });
        let env = TestEnv::new(&stores).await;
        let read = env.market.top_gigs(Board::PopularGigs, 10).await;
        assert!(matches!(read, Err(Error::Rule { .. })), "{read:?}");
        let env = env_with(Arc::new(MemRealtime::default())).await;
        let wrong = env.market.top_gigs(Board::CreatorsByRating, 10).await;
        assert!(matches!(wrong, Err(Error::Validation { .. })), "{wrong:?}");
        let too_many = env.market.recent_jobs(101).await;
        assert!(
            matches!(too_many, Err(Error::Validation { .. })),
            "{too_many:?}"
        );
    }

    async fn redis_rankings() -> Option<Arc<dyn Rankings>> {
        let url = redis_url()?;
        let conn = connect(&url)
            .await
            .expect("Redis at REELBYTE_TEST_REDIS_URL");
        let prefix = reelbyte_tests::redis_prefix(&conn).await;
        Some(Arc::new(RedisRealtime::new(conn, prefix)))
    }

    /// Stamps a scenario once on `MemRealtime` and once on Redis.
    macro_rules! on_both {
        ($($scenario:ident),* $(,)?) => {
            mod on_memory {
                $(
                    #[tokio::test]
                    async fn $scenario() {
                        super::$scenario(std::sync::Arc::new(super::MemRealtime::default())).await;
                    }
                )*
            }
            mod on_redis {
                $(
                    #[tokio::test]
                    async fn $scenario() {
                        if let Some(rankings) = super::redis_rankings().await {
                            super::$scenario(rankings).await;
                        }
                    }
                )*
            }
        };
    }

    on_both!(
        boards_follow_the_commands,
        staff_feature_active_gigs,
        rebuild_sets_what_the_store_knows,
        rebuild_sweeps_page_after_page,
    );
}

/// Which boards a change set moves, as pure given/when/then: no store, no
/// rankings.
mod ranking_rules {
    use chrono::Duration;
    use reelbyte_core::ids::{GigId, JobId, UserId};
    use reelbyte_core::realtime::projection::{DELETED, RankingChange, ranking_changes};
    use reelbyte_core::realtime::{Board, trending_weight};
    use reelbyte_core::store::{ChangeSet, Counter, RowKey, Table, Write};
    use reelbyte_core::testing::{empty_creator_profile, epoch};
    use rust_decimal::Decimal;

    #[test]
    fn a_creator_without_reviews_or_completed_jobs_leaves_both_boards() {
        let profile = empty_creator_profile(UserId::new(), epoch());
        let member = profile.id.as_uuid();
        let mut changes = ChangeSet::new();
        changes.insert(profile);
        assert_eq!(
            ranking_changes(&changes, epoch()),
            vec![
                RankingChange::Remove {
                    board: Board::CreatorsByRating,
                    member,
                    version: 1
                },
                RankingChange::Remove {
                    board: Board::CreatorsByJobsCompleted,
                    member,
                    version: 1
                },
            ]
        );
    }

    #[test]
    fn a_reviewed_creator_is_ranked_by_rating_and_completed_jobs() {
        let mut profile = empty_creator_profile(UserId::new(), epoch());
        profile.total_reviews = 2;
        profile.average_rating = Decimal::new(450, 2);
        profile.total_jobs_completed = 3;
        let member = profile.id.as_uuid();
        let mut changes = ChangeSet::new();
        changes.insert(profile);
        assert_eq!(
            ranking_changes(&changes, epoch()),
            vec![
                RankingChange::Set {
                    board: Board::CreatorsByRating,
                    member,
                    score: 4.5,
                    version: 1
                },
                RankingChange::Set {
                    board: Board::CreatorsByJobsCompleted,
                    member,
                    score: 3.0,
                    version: 1
                },
            ]
        );
    }

    #[test]
    fn an_update_that_keeps_the_ranked_fields_moves_no_board() {
        let before = empty_creator_profile(UserId::new(), epoch());
        let mut after = before.clone();
        after.tagline = None;
        after.updated_at = epoch() + Duration::minutes(1);
        let mut changes = ChangeSet::new();
        changes.update_from(&before, &after);
        assert!(ranking_changes(&changes, epoch()).is_empty());
        // Without the row it replaces, the update moves the boards as an
        // insert does,
        // as of the version the update writes.
        let mut blind = ChangeSet::new();
        blind.update(&after);
        let moved = ranking_changes(&blind, epoch());
        assert_eq!(moved.len(), 2);
        for change in moved {
            let RankingChange::Remove { version, .. } = change else {
                panic!("no reviews, no jobs: removals, got {change:?}");
            };
            assert_eq!(version, after.version + 1);
        }
    }

    #[test]
    fn views_weigh_more_as_time_passes_and_orders_count_one() {
        let gig = GigId::new();
        let later = epoch() + Duration::days(1);
        let mut changes = ChangeSet::new();
        changes.count(Counter::GigViews(gig), 2);
        changes.count(Counter::GigOrders(gig), 1);
        let moved = ranking_changes(&changes, later);
        assert_eq!(
            moved,
            vec![
                RankingChange::Add {
                    board: Board::TrendingGigs,
                    member: gig.as_uuid(),
                    delta: 2.0 * trending_weight(later)
                },
                RankingChange::Add {
                    board: Board::PopularGigs,
                    member: gig.as_uuid(),
                    delta: 1.0
                },
            ]
        );
        // A day's half-life: a view a day later weighs twice as much.
        let ratio = trending_weight(later) / trending_weight(epoch());
        assert!((ratio - 2.0).abs() < 1e-9, "{ratio}");
    }

    #[test]
    fn counters_going_down_and_other_counters_move_no_board() {
        let mut changes = ChangeSet::new();
        changes.count(Counter::GigViews(GigId::new()), -1);
        changes.count(Counter::JobViews(JobId::new()), 5);
        assert!(ranking_changes(&changes, epoch()).is_empty());
    }

    #[test]
    fn deleted_rows_leave_their_boards() {
        let (gig, job) = (GigId::new().as_uuid(), JobId::new().as_uuid());
        let mut changes = ChangeSet::new();
        for (table, id) in [(Table::Gigs, gig), (Table::Jobs, job)] {
            changes.writes.push(Write::Delete {
                table,
                key: RowKey::Id(id),
                expected_version: None,
            });
        }
        let removed: Vec<(Board, uuid::Uuid)> = ranking_changes(&changes, epoch())
            .into_iter()
            .map(|c| match c {
                RankingChange::Remove {
                    board,
                    member,
                    version: DELETED,
                } => (board, member),
                other => panic!("only removals of a deleted row, got {other:?}"),
            })
            .collect();
        assert_eq!(
            removed,
            vec![
                (Board::TrendingGigs, gig),
                (Board::PopularGigs, gig),
                (Board::FeaturedGigs, gig),
                (Board::RecentJobs, job),
            ]
        );
    }
}

/// Which unread counts and feeds a change set moves, as pure
/// given/when/then: no store, no counters.
mod inbox_rules {
    use chrono::Duration;
    use reelbyte_core::entities::{AuditLog, ConversationParticipant, Favorite, Notification};
    use reelbyte_core::enums::{FavoritedType, UserStatus, UserType};
    use reelbyte_core::ids::{
        AuditLogId, ConversationId, FavoriteId, NotificationId, ParticipantId, UserId,
    };
    use reelbyte_core::realtime::UnreadKind;
    use reelbyte_core::realtime::favorites::{FavoriteChange, favorite_changes};
    use reelbyte_core::realtime::inbox::{
        Activity, FeedChange, UnreadChange, feed_changes, unread_changes,
    };
    use reelbyte_core::store::{ChangeSet, Counter};
    use reelbyte_core::testing::{active_user, epoch};
    use reelbyte_core::value::Text;

    fn notification(user: UserId, is_read: bool) -> Notification {
        Notification {
            id: NotificationId::new(),
            user_id: user,
            notification_type: Text::parse("new_message").expect("valid"),
            title: Text::parse("New message").expect("valid"),
            message: "You have a new message".into(),
            related_entity_type: None,
            related_entity_id: None,
            action_url: None,
            is_read,
            read_at: None,
            created_at: epoch(),
            version: 1,
        }
    }

    fn participant(user: UserId, unread_count: i32) -> ConversationParticipant {
        ConversationParticipant {
            id: ParticipantId::new(),
            conversation_id: ConversationId::new(),
            user_id: user,
            unread_count,
            last_read_at: None,
            is_muted: false,
            is_archived: false,
            joined_at: epoch(),
            version: 1,
        }
    }

    fn add(user: UserId, kind: UnreadKind, delta: i64) -> UnreadChange {
        UnreadChange::Add { user, kind, delta }
    }

    #[test]
    fn a_notification_inserted_unread_counts_one_and_a_read_one_none() {
        let user = UserId::new();
        let mut changes = ChangeSet::new();
        changes.insert(notification(user, false));
        changes.insert(notification(user, false));
        changes.insert(notification(UserId::new(), true));
        assert_eq!(
            unread_changes(&changes),
            vec![add(user, UnreadKind::Notifications, 2)]
        );
    }

    #[test]
    fn reading_a_notification_takes_one_away_when_the_row_as_read_is_known() {
        let user = UserId::new();
        let before = notification(user, false);
        let mut after = before.clone();
        after.is_read = true;
        after.read_at = Some(epoch() + Duration::minutes(1));
        let mut changes = ChangeSet::new();
        changes.update_from(&before, &after);
        assert_eq!(
            unread_changes(&changes),
            vec![add(user, UnreadKind::Notifications, -1)]
        );
        // Without the row as read, the change is unknown: the count is
        // forgotten, even beside a known change of the same count.
        let mut blind = ChangeSet::new();
        blind.insert(notification(user, false));
        blind.update(&after);
        assert_eq!(
            unread_changes(&blind),
            vec![UnreadChange::Forget {
                user,
                kind: UnreadKind::Notifications
            }]
        );
    }

    #[test]
    fn a_participant_count_moves_its_users_messages_when_the_participant_is_known() {
        let (sender, recipient) = (UserId::new(), UserId::new());
        let p = participant(recipient, 0);
        let mut changes = ChangeSet::new();
        changes.remember(&p);
        changes.count(Counter::UnreadMessages(p.id), 1);
        changes.count(Counter::UnreadMessages(p.id), 1);
        // A counter on a participant the change set does not hold names
        // no user: skipped.
        changes.count(Counter::UnreadMessages(ParticipantId::new()), 5);
        assert_eq!(
            unread_changes(&changes),
            vec![add(recipient, UnreadKind::Messages, 2)]
        );
        assert!(
            !unread_changes(&changes)
                .iter()
                .any(|c| matches!(c, UnreadChange::Add { user, .. } if *user == sender))
        );
    }

    #[test]
    fn deltas_that_cancel_out_move_nothing() {
        let user = UserId::new();
        let p = participant(user, 3);
        let mut changes = ChangeSet::new();
        changes.remember(&p);
        changes.count(Counter::UnreadMessages(p.id), 3);
        changes.count(Counter::UnreadMessages(p.id), -3);
        assert!(unread_changes(&changes).is_empty());
    }

    #[test]
    fn deleting_a_known_unread_row_takes_its_count_away() {
        let user = UserId::new();
        let (n, p) = (notification(user, false), participant(user, 4));
        let mut changes = ChangeSet::new();
        changes.remember(&n).remember(&p);
        changes.delete(&n).delete(&p);
        assert_eq!(
            unread_changes(&changes),
            vec![
                add(user, UnreadKind::Messages, -4),
                add(user, UnreadKind::Notifications, -1),
            ]
        );
    }

    fn favorite(user: UserId, kind: FavoritedType) -> Favorite {
        Favorite {
            id: FavoriteId::new(),
            user_id: user,
            favorited_type: kind,
            favorited_id: uuid::Uuid::now_v7(),
            created_at: epoch(),
        }
    }

    #[test]
    fn favorites_join_and_leave_their_users_set_of_their_kind() {
        let user = UserId::new();
        let (gig, job, unknown) = (
            favorite(user, FavoritedType::Gig),
            favorite(user, FavoritedType::Job),
            favorite(user, FavoritedType::Creator),
        );
        let mut changes = ChangeSet::new();
        changes.insert(gig.clone());
        changes.remember(&job).delete(&job);
        // A deleted row the change set does not hold names no user: skipped.
        changes.delete(&unknown);
        assert_eq!(
            favorite_changes(&changes),
            vec![
                FavoriteChange::Add {
                    user,
                    kind: FavoritedType::Gig,
                    target: gig.favorited_id
                },
                FavoriteChange::Remove {
                    user,
                    kind: FavoritedType::Job,
                    target: job.favorited_id
                },
            ]
        );
    }

    fn audit(user: Option<UserId>, action: &str) -> AuditLog {
        AuditLog {
            id: AuditLogId::new(),
            user_id: user,
            ip_address: None,
            user_agent: None,
            entity_type: Text::parse("contract").expect("valid"),
            entity_id: uuid::Uuid::now_v7(),
            action: Text::parse(action).expect("valid"),
            old_values: Some(serde_json::json!({ "status": "active" })),
            new_values: None,
            created_at: epoch(),
        }
    }

    fn of(a: &AuditLog) -> Activity {
        Activity {
            action: a.action.clone(),
            entity_type: a.entity_type.clone(),
            entity_id: a.entity_id,
            at: a.created_at,
        }
    }

    #[test]
    fn each_audit_entry_of_a_user_is_one_activity_of_theirs_and_system_ones_none() {
        let user = UserId::new();
        let (first, system, second) = (
            audit(Some(user), "submit"),
            audit(None, "auto_approve"),
            audit(Some(user), "send"),
        );
        let mut changes = ChangeSet::new();
        changes.insert(first.clone());
        changes.insert(system);
        changes.insert(second.clone());
        assert_eq!(
            feed_changes(&changes),
            vec![
                FeedChange::Push {
                    user,
                    item: of(&first)
                },
                FeedChange::Push {
                    user,
                    item: of(&second)
                },
            ]
        );
    }

    #[test]
    fn a_user_written_as_deleted_loses_their_feed_and_counts() {
        let (erased, staff) = (UserId::new(), UserId::new());
        let mut user = active_user(erased, UserType::Creator, epoch());
        user.status = UserStatus::Deleted;
        let p = participant(erased, 2);
        let by_staff = audit(Some(staff), "erase");
        let mut changes = ChangeSet::new();
        changes.remember(&p);
        changes.count(Counter::UnreadMessages(p.id), -2);
        changes.insert(notification(erased, false));
        changes.update(&user);
        changes.insert(audit(Some(erased), "erase"));
        changes.insert(by_staff.clone());
        assert_eq!(
            unread_changes(&changes),
            vec![
                UnreadChange::Forget {
                    user: erased,
                    kind: UnreadKind::Messages
                },
                UnreadChange::Forget {
                    user: erased,
                    kind: UnreadKind::Notifications
                },
            ]
        );
        assert_eq!(
            feed_changes(&changes),
            vec![
                FeedChange::Push {
                    user: staff,
                    item: of(&by_staff)
                },
                FeedChange::Clear { user: erased },
            ]
        );
        let mut with_favorite = changes.clone();
        with_favorite.insert(favorite(erased, FavoritedType::Gig));
        assert_eq!(
            favorite_changes(&with_favorite),
            [
                FavoritedType::Gig,
                FavoritedType::Creator,
                FavoritedType::Job
            ]
            .map(|kind| FavoriteChange::Forget { user: erased, kind })
            .to_vec()
        );
    }
}

/// The marketplace moves each user's unread counters and activity feed as
/// commands commit and reads them back: the same behaviour on the memory
/// implementation and on Redis, checked against the store's own counts.
mod marketplace_inbox {
    use std::sync::Arc;

    use async_trait::async_trait;
    use reelbyte_core::enums::FavoritedType;
    use reelbyte_core::error::{Error, Result};
    use reelbyte_core::ids::{ConversationId, UserId};
    use reelbyte_core::realtime::inbox::Activity;
    use reelbyte_core::realtime::{
        ActivityFeeds, FavoriteSets, UnreadCounters, UnreadHold, UnreadKind, UnreadRead,
        UnreadTicket,
    };
    use reelbyte_core::service::{ConversationSubject, SendMessageInput, UnreadCounts};
    use reelbyte_core::store::Page;
    use reelbyte_core::testing::{Seeded, StoreFactory, TestEnv, factory};
    use reelbyte_core::{Ctx, Marketplace};
    use reelbyte_memory::{MemRealtime, MemStore};
    use reelbyte_redis::{RedisRealtime, connect};
    use reelbyte_tests::redis_url;
    use uuid::Uuid;

    /// Unread counters, activity feeds and favorites sets on one backend.
    trait Inbox: UnreadCounters + ActivityFeeds + FavoriteSets + 'static {}
    impl<T: UnreadCounters + ActivityFeeds + FavoriteSets + 'static> Inbox for T {}

    /// A marketplace over a store of `stores` keeping `inbox`, and one over
    /// the same store without it, whose reads count in the store.
    async fn env_with<I: Inbox>(
        stores: Box<StoreFactory>,
        inbox: Arc<I>,
    ) -> (TestEnv, Marketplace) {
        let mut env = TestEnv::new(&stores).await;
        let plain = env.market.clone();
        env.market = env
            .market
            .clone()
            .with_unread_counters(inbox.clone())
            .with_activity_feeds(inbox.clone())
            .with_favorite_sets(inbox);
        (env, plain)
    }

    /// A brand and a creator in a direct conversation (started by the
    /// brand), on a marketplace keeping `inbox`.
    struct Chat {
        env: TestEnv,
        plain: Marketplace,
        brand: Seeded,
        creator: Seeded,
        conversation: ConversationId,
    }

    async fn chat<I: Inbox>(stores: Box<StoreFactory>, inbox: Arc<I>) -> Chat {
        let (env, plain) = env_with(stores, inbox).await;
        let (brand, creator) = (env.client().await, env.creator().await);
        let conversation = direct(&env, &brand, &creator).await;
        Chat {
            env,
            plain,
            brand,
            creator,
            conversation,
        }
    }

    async fn direct(env: &TestEnv, from: &Seeded, to: &Seeded) -> ConversationId {
        env.market
            .start_conversation(&from.ctx, ConversationSubject::Direct { with: to.user_id })
            .await
            .expect("start")
            .id
    }

    /// A plain text message.
    fn message() -> SendMessageInput {
        SendMessageInput {
            content: "Can you cut a 15 second version?".into(),
            message_type: None,
            attachments: Vec::new(),
        }
    }

    async fn send(env: &TestEnv, from: &Ctx, conversation: ConversationId) {
        env.market
            .send_message(from, conversation, message())
            .await
            .expect("send");
    }

    /// The counts read through the counters equal the store's, and the
    /// counters hold them.
    async fn counts_agree<I: Inbox>(
        env: &TestEnv,
        plain: &Marketplace,
        inbox: &I,
        who: &Seeded,
    ) -> UnreadCounts {
        let counted = env.market.unread_counts(&who.ctx).await.expect("read");
        let stored = plain.unread_counts(&who.ctx).await.expect("read");
        assert_eq!(counted, stored, "counters against the store");
        assert_eq!(
            inbox
                .unread(who.user_id, UnreadKind::Messages)
                .await
                .expect("read")
                .known(),
            Some(counted.messages)
        );
        assert_eq!(
            inbox
                .unread(who.user_id, UnreadKind::Notifications)
                .await
                .expect("read")
                .known(),
            Some(counted.notifications)
        );
        counted
    }

    async fn counts_follow_messages_and_notifications<I: Inbox>(
        stores: Box<StoreFactory>,
        inbox: Arc<I>,
    ) {
        let Chat {
            env,
            plain,
            brand,
            creator,
            conversation,
        } = chat(stores, inbox.clone()).await;
        assert_eq!(
            counts_agree(&env, &plain, &*inbox, &creator).await,
            UnreadCounts::default()
        );
        counts_agree(&env, &plain, &*inbox, &brand).await;

        send(&env, &brand.ctx, conversation).await;
        send(&env, &brand.ctx, conversation).await;
        let counts = counts_agree(&env, &plain, &*inbox, &creator).await;
        assert_eq!(counts.messages, 2);
        assert_eq!(counts.notifications, 2, "one notice a message");
        assert_eq!(
            counts_agree(&env, &plain, &*inbox, &brand).await.messages,
            0,
            "the sender's own messages are read"
        );

        env.market
            .mark_conversation_read(&creator.ctx, conversation)
            .await
            .expect("read");
        assert_eq!(
            counts_agree(&env, &plain, &*inbox, &creator).await.messages,
            0
        );
        let unread = env
            .market
            .list_notifications(&creator.ctx, true, Page::new(10, 0))
            .await
            .expect("list");
        env.market
            .mark_notification_read(&creator.ctx, unread[0].id)
            .await
            .expect("read one");
        assert_eq!(
            env.market
                .unread_notification_count(&creator.ctx)
                .await
                .expect("read"),
            1
        );
        counts_agree(&env, &plain, &*inbox, &creator).await;
        env.market
            .mark_all_notifications_read(&creator.ctx)
            .await
            .expect("read all");
        assert_eq!(
            counts_agree(&env, &plain, &*inbox, &creator).await,
            UnreadCounts::default()
        );
        assert_eq!(env.market.projection_errors().unread, 0);
    }

    async fn an_unknown_count_is_rebuilt_from_the_store<I: Inbox>(
        stores: Box<StoreFactory>,
        inbox: Arc<I>,
    ) {
        let Chat {
            env,
            plain,
            brand,
            creator,
            conversation,
        } = chat(stores, inbox.clone()).await;
        send(&env, &brand.ctx, conversation).await;
        assert_eq!(
            inbox
                .unread(creator.user_id, UnreadKind::Messages)
                .await
                .expect("read")
                .known(),
            None,
            "never read: the commit moved no count"
        );
        assert_eq!(
            counts_agree(&env, &plain, &*inbox, &creator).await.messages,
            1
        );
        // A count lost (Redis restarted) is rebuilt on its next read, and
        // a wrong one by a refresh.
        inbox
            .forget_unread(creator.user_id, UnreadKind::Messages, UnreadHold::new())
            .await
            .expect("forget");
        send(&env, &brand.ctx, conversation).await;
        assert_eq!(
            counts_agree(&env, &plain, &*inbox, &creator).await.messages,
            2
        );
        inbox
            .add_unread(
                creator.user_id,
                UnreadKind::Notifications,
                40,
                UnreadHold::new(),
            )
            .await
            .expect("skew");
        let refreshed = env
            .market
            .refresh_unread_counts(&creator.ctx)
            .await
            .expect("refresh");
        assert_eq!(refreshed.notifications, 2);
        counts_agree(&env, &plain, &*inbox, &creator).await;
    }

    async fn concurrent_senders_lose_no_count<I: Inbox>(stores: Box<StoreFactory>, inbox: Arc<I>) {
        let (env, plain) = env_with(stores, inbox.clone()).await;
        let creator = env.creator().await;
        let mut brands = Vec::new();
        for _ in 0..4 {
            let brand = env.client().await;
            let conversation = direct(&env, &brand, &creator).await;
            brands.push((brand, conversation));
        }
        counts_agree(&env, &plain, &*inbox, &creator).await;
        let sends = brands.iter().flat_map(|(brand, conversation)| {
            (0..3).map(|_| send(&env, &brand.ctx, *conversation))
        });
        futures::future::join_all(sends).await;
        let counts = counts_agree(&env, &plain, &*inbox, &creator).await;
        assert_eq!((counts.messages, counts.notifications), (12, 12));
    }

    async fn the_feed_lists_what_the_user_did<I: Inbox>(stores: Box<StoreFactory>, inbox: Arc<I>) {
        let Chat {
            env,
            brand,
            creator,
            conversation,
            ..
        } = chat(stores, inbox).await;
        send(&env, &brand.ctx, conversation).await;
        let feed = feed_of(&env, &brand.ctx, 10).await;
        assert_eq!(actions(&feed), STARTED_AND_SENT, "newest first");
        assert!(feed.windows(2).all(|w| w[0].at >= w[1].at));
        let theirs = feed_of(&env, &creator.ctx, 10).await;
        assert!(
            theirs.iter().all(|a| a.entity_type.as_str() != "message"),
            "a message received is a notification, not the recipient's activity"
        );
        assert_eq!(feed_of(&env, &brand.ctx, 1).await.len(), 1);
        for n in [0, 101] {
            let refused = env.market.activity_feed(&brand.ctx, n).await;
            assert!(
                matches!(refused, Err(Error::Validation { .. })),
                "{refused:?}"
            );
        }
    }

    /// The feed of a conversation's starter after one message, newest first.
    const STARTED_AND_SENT: [(&str, &str); 2] = [("message", "send"), ("conversation", "create")];

    /// The newest `n` items of the actor's feed, through the marketplace.
    async fn feed_of(env: &TestEnv, ctx: &Ctx, n: usize) -> Vec<Activity> {
        env.market.activity_feed(ctx, n).await.expect("read")
    }

    /// The (object, action) pairs of a feed, newest first.
    fn actions(feed: &[Activity]) -> Vec<(&str, &str)> {
        feed.iter()
            .map(|a| (a.entity_type.as_str(), a.action.as_str()))
            .collect()
    }

    async fn a_lost_feed_is_read_again_from_the_audit_log<I: Inbox>(
        stores: Box<StoreFactory>,
        inbox: Arc<I>,
    ) {
        let Chat {
            env,
            brand,
            conversation,
            ..
        } = chat(stores, inbox.clone()).await;
        send(&env, &brand.ctx, conversation).await;
        let before = feed_of(&env, &brand.ctx, 10).await;
        assert_eq!(actions(&before), STARTED_AND_SENT);

        // Redis restarted without its data, or the feed expired.
        inbox.clear_activity(brand.user_id).await.expect("clear");
        assert_eq!(
            inbox
                .recent_activity(brand.user_id, 10)
                .await
                .expect("read"),
            None
        );
        // A command while the feed is unknown: its item is kept, and the
        // read that stores the feed again puts it with the record's.
        send(&env, &brand.ctx, conversation).await;
        let after = feed_of(&env, &brand.ctx, 10).await;
        assert_eq!(
            actions(&after),
            [
                ("message", "send"),
                ("message", "send"),
                ("conversation", "create")
            ]
        );
        assert_eq!(after[1..], before[..], "the same items as before");
        let stored = feed_of(&env, &brand.ctx, 10).await;
        assert_eq!(stored, after, "stored once, then read from the feed");
        assert!(
            inbox
                .recent_activity(brand.user_id, 10)
                .await
                .expect("read")
                .is_some()
        );
        assert_eq!(env.market.projection_errors(), Default::default());
    }

    async fn erasure_drops_the_feed_and_the_counts<I: Inbox>(
        stores: Box<StoreFactory>,
        inbox: Arc<I>,
    ) {
        let Chat {
            env,
            plain,
            brand,
            creator,
            conversation,
        } = chat(stores, inbox.clone()).await;
        send(&env, &creator.ctx, conversation).await;
        send(&env, &brand.ctx, conversation).await;
        counts_agree(&env, &plain, &*inbox, &creator).await;
        let feed = feed_of(&env, &creator.ctx, 10).await;
        assert_eq!(feed.len(), 1);
        assert_eq!(
            inbox
                .recent_activity(creator.user_id, 10)
                .await
                .expect("read")
                .map(|items| items.len()),
            Some(1),
            "reading the feed stored it"
        );

        env.market
            .erase_user(&creator.ctx, creator.user_id)
            .await
            .expect("erase");
        assert_eq!(
            inbox
                .recent_activity(creator.user_id, 10)
                .await
                .expect("read"),
            None
        );
        for kind in [UnreadKind::Messages, UnreadKind::Notifications] {
            assert_eq!(
                inbox
                    .unread(creator.user_id, kind)
                    .await
                    .expect("read")
                    .known(),
                None
            );
        }
        assert_eq!(
            feed_of(&env, &brand.ctx, 10).await.len(),
            2,
            "the other party's feed stays"
        );
        assert_eq!(env.market.projection_errors(), Default::default());
    }

    /// A reader finds the creator's messages count unknown and counts it
    /// in the store; a message commits before the reader stores its count.
    async fn a_count_read_before_a_commit_is_not_stored<I: Inbox>(
        stores: Box<StoreFactory>,
        inbox: Arc<I>,
    ) {
        let Chat {
            env,
            plain,
            brand,
            creator,
            conversation,
        } = chat(stores, inbox.clone()).await;
        let messages = UnreadKind::Messages;
        // The reader's ticket and store read (nothing unread)...
        let UnreadRead::Unknown(ticket) =
            inbox.unread(creator.user_id, messages).await.expect("read")
        else {
            panic!("never read: unknown");
        };
        let read = plain
            .unread_counts(&creator.ctx)
            .await
            .expect("read")
            .messages;
        assert_eq!(read, 0);
        // ...a message commits, and its move finds the count unknown...
        send(&env, &brand.ctx, conversation).await;
        // ...so what the reader read is not stored: it would miss the
        // message until the count expired.
        assert_eq!(
            inbox
                .init_unread(creator.user_id, messages, read, ticket)
                .await
                .expect("init"),
            0
        );
        assert_eq!(
            inbox
                .unread(creator.user_id, messages)
                .await
                .expect("read")
                .known(),
            None
        );
        assert_eq!(
            counts_agree(&env, &plain, &*inbox, &creator).await.messages,
            1
        );
        assert_eq!(env.market.projection_errors(), Default::default());
    }

    /// Unread counters whose moves wait until the test lets them through:
    /// a commit is in the store and its move still to come.
    struct DelayedMoves<I> {
        inner: Arc<I>,
        /// A permit per move that arrived.
        arrived: tokio::sync::Semaphore,
        /// Permits let moves through.
        go: tokio::sync::Semaphore,
    }

    #[async_trait]
    impl<I: Inbox> UnreadCounters for DelayedMoves<I> {
        async fn hold_unread(
            &self,
            user: UserId,
            kind: UnreadKind,
            hold: UnreadHold,
        ) -> Result<()> {
            self.inner.hold_unread(user, kind, hold).await
        }
        async fn add_unread(
            &self,
            user: UserId,
            kind: UnreadKind,
            delta: i64,
            hold: UnreadHold,
        ) -> Result<Option<u64>> {
            self.arrived.add_permits(1);
            self.go.acquire().await.expect("open").forget();
            self.inner.add_unread(user, kind, delta, hold).await
        }
        async fn unread(&self, user: UserId, kind: UnreadKind) -> Result<UnreadRead> {
            self.inner.unread(user, kind).await
        }
        async fn init_unread(
            &self,
            user: UserId,
            kind: UnreadKind,
            count: u64,
            ticket: UnreadTicket,
        ) -> Result<u64> {
            self.inner.init_unread(user, kind, count, ticket).await
        }
        async fn forget_unread(
            &self,
            user: UserId,
            kind: UnreadKind,
            hold: UnreadHold,
        ) -> Result<()> {
            self.inner.forget_unread(user, kind, hold).await
        }
    }

    /// A message commits, and a reader counts the store (which has it)
    /// before the commit's move arrives: the move must not count it again.
    async fn a_count_read_after_a_commit_takes_its_move_once<I: Inbox>(
        stores: Box<StoreFactory>,
        inbox: Arc<I>,
    ) {
        let Chat {
            env,
            plain,
            brand,
            creator,
            conversation,
        } = chat(stores, inbox.clone()).await;
        let delayed = Arc::new(DelayedMoves {
            inner: inbox.clone(),
            arrived: tokio::sync::Semaphore::new(0),
            go: tokio::sync::Semaphore::new(0),
        });
        let market = plain.clone().with_unread_counters(delayed.clone());
        let sending = tokio::spawn({
            let (market, ctx) = (market.clone(), brand.ctx.clone());
            async move { market.send_message(&ctx, conversation, message()).await }
        });
        // The message is committed once a move arrived.
        delayed.arrived.acquire().await.expect("arrived").forget();
        let counted = market.unread_counts(&creator.ctx).await.expect("read");
        assert_eq!(counted.messages, 1, "the store has the message");
        assert_eq!(
            inbox
                .unread(creator.user_id, UnreadKind::Messages)
                .await
                .expect("read")
                .known(),
            None,
            "not stored while the commit holds the count"
        );
        delayed.go.add_permits(1_000);
        sending.await.expect("join").expect("send");
        assert_eq!(
            counts_agree(&env, &plain, &*inbox, &creator).await.messages,
            1,
            "counted once"
        );
        assert_eq!(market.projection_errors(), Default::default());
    }

    async fn a_favorite_added_while_a_reader_stores_the_set_is_kept<I: Inbox>(
        stores: Box<StoreFactory>,
        inbox: Arc<I>,
    ) {
        let Chat {
            env,
            brand,
            creator,
            ..
        } = chat(stores, inbox.clone()).await;
        let g = FavoritedType::Gig;
        let (gig, other) = (
            env.seed_gig(creator.creator_id()).await.as_uuid(),
            env.seed_gig(creator.creator_id()).await.as_uuid(),
        );
        env.market
            .add_favorite(&brand.ctx, g, other)
            .await
            .expect("add");
        // A reader reads the table (one favorite)...
        let read = env
            .store
            .discovery()
            .list_favorites_by_user_id(brand.user_id, Some(g))
            .await
            .expect("read")
            .into_iter()
            .map(|f| f.favorited_id)
            .collect::<Vec<_>>();
        assert_eq!(read, vec![other]);
        assert_eq!(
            inbox.favorites(brand.user_id, g).await.expect("read"),
            None,
            "no one has stored the set yet"
        );
        // ...a command commits and moves the set, still unknown...
        env.market
            .add_favorite(&brand.ctx, g, gig)
            .await
            .expect("add");
        env.market
            .remove_favorite(&brand.ctx, g, other)
            .await
            .expect("remove");
        // ...and the reader stores what it read: the moves are not lost.
        let stored = inbox
            .init_favorites(brand.user_id, g, &read)
            .await
            .expect("init");
        assert_eq!(stored, vec![gig]);
        assert_eq!(
            env.market.favorite_ids(&brand.ctx, g).await.expect("read"),
            vec![gig]
        );
        assert_eq!(env.market.projection_errors(), Default::default());
    }

    async fn favorites_follow_the_commands<I: Inbox>(stores: Box<StoreFactory>, inbox: Arc<I>) {
        let Chat {
            env,
            plain,
            brand,
            creator,
            ..
        } = chat(stores, inbox.clone()).await;
        let market = &env.market;
        let gig = env.seed_gig(creator.creator_id()).await.as_uuid();
        let (g, c) = (FavoritedType::Gig, FavoritedType::Creator);
        assert!(!market.is_favorite(&brand.ctx, g, gig).await.expect("read"));
        assert_eq!(
            inbox.favorites(brand.user_id, g).await.expect("read"),
            Some(vec![]),
            "read from the store, and known from now on"
        );
        market.add_favorite(&brand.ctx, g, gig).await.expect("add");
        assert_eq!(
            inbox
                .is_favorite(brand.user_id, g, gig)
                .await
                .expect("read"),
            Some(true),
            "the commit moved the set"
        );
        assert!(market.is_favorite(&brand.ctx, g, gig).await.expect("read"));
        // A set never read stays unknown through commits, and is read from
        // the store when it is first asked for.
        let profile = creator.creator_id().as_uuid();
        market
            .add_favorite(&brand.ctx, c, profile)
            .await
            .expect("add");
        assert_eq!(inbox.favorites(brand.user_id, c).await.expect("read"), None);
        for kind in [g, c] {
            assert_eq!(
                market.favorite_ids(&brand.ctx, kind).await.expect("read"),
                plain.favorite_ids(&brand.ctx, kind).await.expect("read"),
            );
        }
        assert_eq!(
            market.favorite_ids(&brand.ctx, c).await.expect("read"),
            vec![profile]
        );
        market
            .remove_favorite(&brand.ctx, g, gig)
            .await
            .expect("remove");
        assert!(
            market
                .favorite_ids(&brand.ctx, g)
                .await
                .expect("read")
                .is_empty()
        );
        assert_eq!(
            inbox
                .is_favorite(brand.user_id, g, gig)
                .await
                .expect("read"),
            Some(false)
        );

        market
            .erase_user(&brand.ctx, brand.user_id)
            .await
            .expect("erase");
        for kind in [g, c] {
            assert_eq!(
                inbox.favorites(brand.user_id, kind).await.expect("read"),
                None
            );
        }
        assert_eq!(market.projection_errors(), Default::default());
    }

    /// Counters and feeds that are always down.
    struct Down;

    #[async_trait]
    impl UnreadCounters for Down {
        async fn hold_unread(&self, _: UserId, _: UnreadKind, _: UnreadHold) -> Result<()> {
            Err(Error::rule("test", "down"))
        }
        async fn add_unread(
            &self,
            _: UserId,
            _: UnreadKind,
            _: i64,
            _: UnreadHold,
        ) -> Result<Option<u64>> {
            Err(Error::rule("test", "down"))
        }
        async fn unread(&self, _: UserId, _: UnreadKind) -> Result<UnreadRead> {
            Err(Error::rule("test", "down"))
        }
        async fn init_unread(
            &self,
            _: UserId,
            _: UnreadKind,
            _: u64,
            _: UnreadTicket,
        ) -> Result<u64> {
            Err(Error::rule("test", "down"))
        }
        async fn forget_unread(&self, _: UserId, _: UnreadKind, _: UnreadHold) -> Result<()> {
            Err(Error::rule("test", "down"))
        }
    }

    #[async_trait]
    impl ActivityFeeds for Down {
        async fn push_activities(&self, _: UserId, _: &[serde_json::Value]) -> Result<()> {
            Err(Error::rule("test", "down"))
        }
        async fn recent_activity(
            &self,
            _: UserId,
            _: usize,
        ) -> Result<Option<Vec<serde_json::Value>>> {
            Err(Error::rule("test", "down"))
        }
        async fn init_activity(&self, _: UserId, _: &[serde_json::Value]) -> Result<()> {
            Err(Error::rule("test", "down"))
        }
        async fn clear_activity(&self, _: UserId) -> Result<()> {
            Err(Error::rule("test", "down"))
        }
    }

    #[async_trait]
    impl FavoriteSets for Down {
        async fn add_favorite(&self, _: UserId, _: FavoritedType, _: Uuid) -> Result<Option<bool>> {
            Err(Error::rule("test", "down"))
        }
        async fn remove_favorite(
            &self,
            _: UserId,
            _: FavoritedType,
            _: Uuid,
        ) -> Result<Option<bool>> {
            Err(Error::rule("test", "down"))
        }
        async fn is_favorite(&self, _: UserId, _: FavoritedType, _: Uuid) -> Result<Option<bool>> {
            Err(Error::rule("test", "down"))
        }
        async fn favorites(&self, _: UserId, _: FavoritedType) -> Result<Option<Vec<Uuid>>> {
            Err(Error::rule("test", "down"))
        }
        async fn init_favorites(
            &self,
            _: UserId,
            _: FavoritedType,
            _: &[Uuid],
        ) -> Result<Vec<Uuid>> {
            Err(Error::rule("test", "down"))
        }
        async fn forget_favorites(&self, _: UserId, _: FavoritedType) -> Result<()> {
            Err(Error::rule("test", "down"))
        }
    }

    #[tokio::test]
    async fn counters_that_are_down_never_fail_a_command_and_the_store_answers() {
        let Chat {
            env,
            plain,
            brand,
            creator,
            conversation,
        } = chat(in_memory(), Arc::new(Down)).await;
        send(&env, &brand.ctx, conversation).await;
        let counts = env.market.unread_counts(&creator.ctx).await.expect("read");
        assert_eq!(
            counts,
            plain.unread_counts(&creator.ctx).await.expect("read")
        );
        assert_eq!(counts.messages, 1);
        assert_eq!(
            env.market
                .refresh_unread_counts(&creator.ctx)
                .await
                .expect("a repair that cannot reach the counters still answers"),
            counts
        );
        let errors = env.market.projection_errors();
        assert!(
            errors.unread >= 3,
            "the send's two counts, the reads: {errors:?}"
        );
        assert!(errors.activity >= 2, "start, send: {errors:?}");
        assert_eq!(errors.rankings, 0);
        let feed = env
            .market
            .activity_feed(&brand.ctx, 10)
            .await
            .expect("the audit log answers");
        assert_eq!(actions(&feed), STARTED_AND_SENT);
        assert!(
            env.market.projection_errors().activity > errors.activity,
            "the failed read is counted"
        );
        let gig = env.seed_gig(creator.creator_id()).await.as_uuid();
        env.market
            .add_favorite(&brand.ctx, FavoritedType::Gig, gig)
            .await
            .expect("add");
        assert!(
            env.market
                .is_favorite(&brand.ctx, FavoritedType::Gig, gig)
                .await
                .expect("read")
        );
        assert_eq!(
            env.market
                .favorite_ids(&brand.ctx, FavoritedType::Gig)
                .await
                .expect("read"),
            vec![gig]
        );
        assert!(env.market.projection_errors().favorites >= 3);
    }

    #[tokio::test]
    async fn a_marketplace_without_counters_counts_and_reads_the_feed_in_the_store() {
        let stores = factory(|| async { MemStore::shared() });
        let env = TestEnv::new(&stores).await;
        let (brand, creator) = (env.client().await, env.creator().await);
        let conversation = direct(&env, &brand, &creator).await;
        send(&env, &brand.ctx, conversation).await;
        let counts = env.market.unread_counts(&creator.ctx).await.expect("read");
        assert_eq!((counts.messages, counts.notifications), (1, 1));
        let feed = feed_of(&env, &brand.ctx, 10).await;
        assert_eq!(actions(&feed), STARTED_AND_SENT);
        let newest = feed_of(&env, &brand.ctx, 1).await;
        assert_eq!(actions(&newest), [("message", "send")]);
        assert_eq!(env.market.projection_errors(), Default::default());
    }

    #[tokio::test]
    async fn redis_counts_expire_and_keep_the_plans_key() {
        let Some(url) = redis_url() else { return };
        let conn = connect(&url)
            .await
            .expect("Redis at REELBYTE_TEST_REDIS_URL");
        let prefix = reelbyte_tests::redis_prefix(&conn).await;
        let inbox = RedisRealtime::new(conn.clone(), prefix.clone())
            .with_rebuild_after(std::time::Duration::from_secs(120));
        let user = UserId::new();
        let UnreadRead::Unknown(ticket) = inbox
            .unread(user, UnreadKind::Messages)
            .await
            .expect("read")
        else {
            panic!("a new user's count is unknown");
        };
        inbox
            .init_unread(user, UnreadKind::Messages, 3, ticket)
            .await
            .expect("init");
        let commit = UnreadHold::new();
        inbox
            .hold_unread(user, UnreadKind::Messages, commit)
            .await
            .expect("hold");
        let key = format!("{prefix}:unread:{{{user}}}:messages");
        let mut c = conn.clone();
        let ttl_of = |key: String| {
            let mut c = conn.clone();
            async move {
                redis::cmd("PTTL")
                    .arg(key)
                    .query_async::<i64>(&mut c)
                    .await
                    .expect("ttl")
            }
        };
        let holds = ttl_of(format!("{key}:holds")).await;
        assert!(
            (1..=30_000).contains(&holds),
            "a hold lapses on its own: {holds} ms"
        );
        inbox
            .add_unread(user, UnreadKind::Messages, 2, commit)
            .await
            .expect("add");
        let ttl = ttl_of(key.clone()).await;
        assert!(
            (1..=120_000).contains(&ttl),
            "moves keep the expiry: {ttl} ms"
        );
        let moves = ttl_of(format!("{key}:moves")).await;
        assert!(
            (1..=120_000).contains(&moves),
            "the moves are forgotten: {moves} ms"
        );
        assert_eq!(
            ttl_of(format!("{key}:holds")).await,
            -2,
            "the last hold ended with its move"
        );
        let held: u64 = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut c)
            .await
            .expect("get");
        assert_eq!(held, 5, "the plan's key");

        // A feed stored from the record expires with its marker; items
        // pushed to an unknown feed expire too.
        inbox
            .init_activity(user, &[serde_json::json!({"n": 1})])
            .await
            .expect("init");
        let other = UserId::new();
        inbox
            .push_activities(other, &[serde_json::json!({"n": 2})])
            .await
            .expect("push");
        for key in [
            format!("{prefix}:feed:{{{user}}}"),
            format!("{prefix}:feed:{{{user}}}:known"),
            format!("{prefix}:feed:{{{other}}}"),
        ] {
            let ttl: i64 = redis::cmd("TTL")
                .arg(&key)
                .query_async(&mut c)
                .await
                .expect("ttl");
            assert!((1..=120).contains(&ttl), "{key} expires: {ttl}");
        }
    }

    async fn redis_inbox() -> Option<Arc<RedisRealtime<redis::aio::ConnectionManager>>> {
        let url = redis_url()?;
        let conn = connect(&url)
            .await
            .expect("Redis at REELBYTE_TEST_REDIS_URL");
        let prefix = reelbyte_tests::redis_prefix(&conn).await;
        Some(Arc::new(RedisRealtime::new(conn, prefix)))
    }

    fn in_memory() -> Box<StoreFactory> {
        factory(|| async { MemStore::shared() })
    }

    /// Stamps a scenario on `MemRealtime` and on Redis over the memory
    /// store, and on Redis over the production stack (the Redis decorator
    /// over PostgreSQL) when the PostgreSQL suite is built.
    macro_rules! on_both {
        ($($scenario:ident),* $(,)?) => {
            mod on_memory {
                $(
                    #[tokio::test]
                    async fn $scenario() {
                        let inbox = std::sync::Arc::new(super::MemRealtime::default());
                        super::$scenario(super::in_memory(), inbox).await;
                    }
                )*
            }
            mod on_redis {
                $(
                    #[tokio::test]
                    async fn $scenario() {
                        if let Some(inbox) = super::redis_inbox().await {
                            super::$scenario(super::in_memory(), inbox).await;
                        }
                    }
                )*
            }
            #[cfg(reelbyte_pg_tests)]
            mod on_redis_over_postgres {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                    async fn $scenario() {
                        if let Some(inbox) = super::redis_inbox().await {
                            let stores = reelbyte_core::testing::factory(
                                reelbyte_tests::redis_over_pg_store,
                            );
                            super::$scenario(stores, inbox).await;
                        }
                    }
                )*
            }
        };
    }

    on_both!(
        counts_follow_messages_and_notifications,
        an_unknown_count_is_rebuilt_from_the_store,
        a_count_read_before_a_commit_is_not_stored,
        a_count_read_after_a_commit_takes_its_move_once,
        concurrent_senders_lose_no_count,
        the_feed_lists_what_the_user_did,
        a_lost_feed_is_read_again_from_the_audit_log,
        a_favorite_added_while_a_reader_stores_the_set_is_kept,
        erasure_drops_the_feed_and_the_counts,
        favorites_follow_the_commands,
    );
}
