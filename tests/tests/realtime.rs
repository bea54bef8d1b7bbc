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

/// The marketplace moves its rankings as commands commit, and reads them
/// back as rows: the same behaviour on the memory implementation and on
/// Redis (over the memory store: which store commits does not matter to the
/// boards, the marketplace reads them off the change set).
mod marketplace_rankings {
    use std::sync::Arc;

    use async_trait::async_trait;
    use chrono::Datelike;
    use reelbyte_core::enums::UserType;
    use reelbyte_core::error::{Error, Result};
    use reelbyte_core::realtime::{Board, Rankings};
    use reelbyte_core::service::ReviewInput;
    use reelbyte_core::testing::contracts::{deliver_and_approve, fund_and_accept, ordered_gig};
    use reelbyte_core::testing::{TestEnv, factory};
    use reelbyte_core::value::Rating;
    use reelbyte_memory::{MemRealtime, MemStore};
    use reelbyte_redis::{RedisRealtime, connect};
    use reelbyte_tests::redis_url;
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
        assert!(market.recent_jobs(10).await.expect("read").is_empty());

        let staff = env.seed(UserType::Client, true).await;
        let refused = market.rebuild_rankings(&client.ctx).await;
        assert!(
            matches!(refused, Err(Error::Forbidden { .. })),
            "{refused:?}"
        );
        let report = market.rebuild_rankings(&staff.ctx).await.expect("rebuild");
        assert_eq!(report.removed, 1, "the member without a row");
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
        let prefix = format!("reelbyte-test:{}", Uuid::new_v4().simple());
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
