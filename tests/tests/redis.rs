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
    let prefix = reelbyte_tests::redis_prefix(&conn).await;
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

    use reelbyte_core::entities::{CreatorSkill, PortfolioItem};
    use reelbyte_core::ids::{CreatorSkillId, PortfolioItemId};
    use reelbyte_core::store::{ChangeSet, Counter, Store};
    use reelbyte_core::testing::TestEnv;
    use reelbyte_core::value::{Text, Url};
    use reelbyte_memory::MemStore;
    use reelbyte_redis::{CacheConfig, CachedStore, connect};
    use reelbyte_tests::redis_url;

    async fn pair(url: &str) -> (Arc<dyn Store>, Arc<dyn Store>) {
        let inner = MemStore::shared();
        let prefix = reelbyte_tests::redis_prefix(&connect(url).await.expect("Redis")).await;
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
        let env = TestEnv::over(a.clone());
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

    /// A creator's skills and portfolio, cached as lists by creator: an
    /// insert, an update, a counter and a delete through A each show through
    /// B at once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_creators_lists_follow_every_kind_of_write() {
        let Some(url) = redis_url() else {
            return;
        };
        let (a, b) = pair(&url).await;
        let env = TestEnv::over(a.clone());
        let creator = env.creator().await.creator_id();
        let skills = |s: &Arc<dyn Store>| {
            let s = s.clone();
            async move {
                s.creators()
                    .list_skills_by_creator_profile_id(creator)
                    .await
                    .expect("skills")
            }
        };
        let portfolio = |s: &Arc<dyn Store>| {
            let s = s.clone();
            async move {
                s.creators()
                    .list_portfolio_by_creator_profile_id(creator)
                    .await
                    .expect("portfolio")
            }
        };
        let before = skills(&b).await;
        assert!(portfolio(&b).await.is_empty());

        let now = chrono::Utc::now();
        let mut skill = CreatorSkill {
            id: CreatorSkillId::new(),
            creator_profile_id: creator,
            skill_name: Text::parse("colour grading").expect("a name"),
            proficiency_level: None,
            years_experience: Some(3),
            created_at: now,
            version: 1,
        };
        let item = PortfolioItem {
            id: PortfolioItemId::new(),
            creator_profile_id: creator,
            title: Text::parse("Launch reel").expect("a title"),
            description: None,
            video_url: Url::parse("https://cdn.example.com/r.mp4").expect("a url"),
            thumbnail_url: None,
            video_duration_seconds: Some(30),
            view_count: 0,
            like_count: 0,
            project_type: None,
            platform: None,
            display_order: 0,
            is_featured: true,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let mut changes = ChangeSet::new();
        changes.insert(skill.clone()).insert(item.clone());
        a.apply(changes).await.expect("insert");
        assert_eq!(skills(&b).await.len(), before.len() + 1);
        assert_eq!(portfolio(&b).await, vec![item.clone()]);
        // The three lists in one call read the same (and are cached alike).
        let (s, _, p) = b
            .creators()
            .list_parts_by_creator_profile_id(creator)
            .await
            .expect("parts");
        assert_eq!((s, p), (skills(&b).await, vec![item.clone()]));

        skill.years_experience = Some(4);
        let mut changes = ChangeSet::new();
        changes.update(&skill);
        a.apply(changes).await.expect("update");
        skill.version += 1;
        let seen = skills(&b).await;
        assert!(seen.contains(&skill), "{seen:?}");

        let mut changes = ChangeSet::new();
        changes.count(Counter::PortfolioViews(item.id), 5);
        a.apply(changes).await.expect("count");
        assert_eq!(portfolio(&b).await[0].view_count, 5);

        let mut changes = ChangeSet::new();
        changes.delete(&skill).delete(&item);
        a.apply(changes).await.expect("delete");
        assert_eq!(skills(&b).await, before);
        assert!(portfolio(&b).await.is_empty());
        let (s, _, p) = b
            .creators()
            .list_parts_by_creator_profile_id(creator)
            .await
            .expect("parts");
        assert_eq!(s, before);
        assert!(p.is_empty());
    }

    /// Readers filling a creator's list while skills come and go never
    /// leave a stale list behind.
    #[tokio::test(flavor = "multi_thread", worker_threads = 8)]
    async fn racing_readers_never_keep_a_stale_list() {
        let Some(url) = redis_url() else {
            return;
        };
        let (a, b) = pair(&url).await;
        let env = TestEnv::over(a.clone());
        let creator = env.creator().await.creator_id();
        for n in 0..20 {
            let readers: Vec<_> = (0..4)
                .map(|_| {
                    let b = b.clone();
                    tokio::spawn(async move {
                        b.creators()
                            .list_skills_by_creator_profile_id(creator)
                            .await
                    })
                })
                .collect();
            let skill = CreatorSkill {
                id: CreatorSkillId::new(),
                creator_profile_id: creator,
                skill_name: Text::parse(&format!("skill {n}")).expect("a name"),
                proficiency_level: None,
                years_experience: None,
                created_at: chrono::Utc::now(),
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.insert(skill.clone());
            a.apply(changes).await.expect("insert");
            let with = a
                .creators()
                .list_skills_by_creator_profile_id(creator)
                .await
                .expect("skills");
            assert_eq!(
                b.creators()
                    .list_skills_by_creator_profile_id(creator)
                    .await
                    .expect("skills"),
                with
            );
            // And the delete, which only names the row.
            let readers2: Vec<_> = (0..4)
                .map(|_| {
                    let b = b.clone();
                    tokio::spawn(async move {
                        b.creators()
                            .list_skills_by_creator_profile_id(creator)
                            .await
                    })
                })
                .collect();
            let mut changes = ChangeSet::new();
            changes.delete(&skill);
            a.apply(changes).await.expect("delete");
            for reader in readers.into_iter().chain(readers2) {
                reader.await.expect("joined").expect("read");
            }
            let seen = b
                .creators()
                .list_skills_by_creator_profile_id(creator)
                .await
                .expect("skills");
            assert!(!seen.contains(&skill), "a deleted skill is still listed");
            assert_eq!(seen.len(), with.len() - 1);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 8)]
    async fn racing_readers_never_keep_a_stale_row() {
        let Some(url) = redis_url() else {
            return;
        };
        let (a, b) = pair(&url).await;
        let env = TestEnv::over(a.clone());
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

/// `forget_prefix` deletes what the cache and the realtime features wrote
/// under a prefix, the brace-tagged keys included, and nothing of a
/// neighbouring prefix.
mod forgetting {
    use std::sync::Arc;

    use reelbyte_core::ids::UserId;
    use reelbyte_core::realtime::{ActivityFeeds, Board, Rankings};
    use reelbyte_core::store::Store;
    use reelbyte_core::testing::TestEnv;
    use reelbyte_memory::MemStore;
    use reelbyte_redis::{CacheConfig, CachedStore, RedisRealtime, connect, forget_prefix};
    use reelbyte_tests::{redis_prefix, redis_url, scan_keys};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_prefix_is_forgotten_whole_and_alone() {
        let Some(url) = redis_url() else {
            return;
        };
        let mut conn = connect(&url).await.expect("Redis");
        let prefix = redis_prefix(&conn).await;
        let neighbour = format!("{prefix}-neighbour");

        // Cached rows and a creator's page under `prefix`.
        let store: Arc<dyn Store> = Arc::new(CachedStore::new(
            MemStore::shared(),
            conn.clone(),
            CacheConfig::with_prefix(prefix.clone()),
        ));
        let env = TestEnv::over(store.clone());
        let creator = env.creator().await.creator_id();
        store.creators().get_by_id(creator).await.expect("read");
        store
            .creator_profile_bundle(creator)
            .await
            .expect("read the page");
        // A board (with its brace-tagged versions hash) and a feed, under
        // `prefix` and under its neighbour.
        for p in [&prefix, &neighbour] {
            let realtime = RedisRealtime::new(conn.clone(), p.as_str());
            realtime
                .set_score_at(Board::CreatorsByRating, creator.as_uuid(), 4.5, 1)
                .await
                .expect("set a score");
            realtime
                .push_activities(UserId::new(), &[serde_json::json!({"kind": "test"})])
                .await
                .expect("push an item");
        }
        let ours = [format!("{prefix}:*"), format!("{{{prefix}:*")];
        let mut written = 0;
        for pattern in &ours {
            written += scan_keys(&mut conn, pattern).await.len();
        }
        assert_eq!(
            scan_keys(&mut conn, &format!("{{{prefix}:*")).await.len(),
            1,
            "the board's versions hash is tagged"
        );
        let theirs_before = scan_keys(&mut conn, &format!("*{neighbour}:*")).await.len();
        assert!(
            theirs_before >= 3,
            "the neighbour has a board, its versions and a feed"
        );

        let deleted = forget_prefix(&mut conn, &prefix).await.expect("forget");

        assert_eq!(deleted as usize, written);
        for pattern in &ours {
            assert_eq!(scan_keys(&mut conn, pattern).await, Vec::<String>::new());
        }
        assert_eq!(
            scan_keys(&mut conn, &format!("*{neighbour}:*")).await.len(),
            theirs_before,
            "the neighbouring prefix keeps its keys"
        );
        forget_prefix(&mut conn, &neighbour).await.expect("forget");
    }
}
