//! The conformance suite against PostgreSQL, each test in a fresh database.
//!
//! `REELBYTE_TEST_PG_URL` names a server and a role that may create
//! databases (e.g. `postgres://postgres@127.0.0.1:5432/postgres`). Every test
//! creates its own uniquely named database, migrates it and works in it;
//! databases left by earlier runs are dropped on a best-effort basis. Without
//! the URL the suite is skipped with a printed line, unless
//! `REELBYTE_TEST_INTEGRATION=1`, which makes the missing server a failure.

#[cfg(not(reelbyte_pg_tests))]
#[test]
fn postgres_suite() {
    let required = std::env::var("REELBYTE_TEST_INTEGRATION").as_deref() == Ok("1");
    assert!(
        !required,
        "REELBYTE_TEST_INTEGRATION=1 but REELBYTE_TEST_PG_URL was unset when the tests were built"
    );
    println!("skipping: REELBYTE_TEST_PG_URL unset");
}

#[cfg(reelbyte_pg_tests)]
reelbyte_core::conformance_suite!(reelbyte_tests::pg::clean_store);

/// What only PostgreSQL has: typo-tolerant search, index use, row-level
/// security and the plan's schema.
#[cfg(reelbyte_pg_tests)]
mod postgres_only {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use reelbyte_core::ids::{GigId, UserId};
    use reelbyte_core::store::{ChangeSet, Counter, GigQuery, Store};
    use reelbyte_core::testing::contracts::{active_gig_contract, video};
    use reelbyte_core::testing::{TestEnv, factory, gigs::active_gig};
    use reelbyte_pg::PgStore;
    use sqlx::postgres::PgPoolOptions;
    use sqlx::{AssertSqlSafe, PgPool, Row};
    use uuid::Uuid;

    use reelbyte_tests::pg::{clean_store, fresh_named, fresh_store};

    fn gig_text(text: &str) -> GigQuery {
        GigQuery {
            text: Some(text.to_string()),
            ..GigQuery::default()
        }
    }

    /// The memory store finds rows by `reelbyte_core::text_search`; this
    /// store by PostgreSQL's `english` full-text search. Over a grid of
    /// titles and queries (inflections, term prefixes, infixes, stop words,
    /// numbers, punctuation, hyphenated words in titles and in queries) both
    /// find the same gigs.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_core_text_rule_agrees_with_postgres_full_text_search() {
        use reelbyte_core::text_search::{TextQuery, gig_texts};

        let env = TestEnv::new(&*factory(clean_store)).await;
        let creator = env.creator().await;
        let titles = [
            "Video editor for reels",
            "Credit union explainer",
            "Editing in 4K",
            "E-commerce product cuts",
            "Running shoes campaign",
            "Happiness is a brand's story",
            "Podcast clips",
            "The theme park",
            "Behind the scenes vlog",
            "Behind-the-scenes reel",
            "X-ray style cuts",
        ];
        let mut gigs = Vec::new();
        for title in titles {
            gigs.push(active_gig(&env, &creator, title).await);
        }
        let queries = [
            "edit",
            "editor",
            "editors",
            "editing",
            "redit",
            "vid",
            "videos",
            "the",
            "the video",
            "reel",
            "reels",
            "4k",
            "4ks",
            "cut",
            "cuts",
            "cutting",
            "e-commerce",
            "commerce",
            "ecommerce",
            "run",
            "running",
            "ran",
            "happy",
            "happiness",
            "brand's",
            "brands",
            "x",
            "--",
            "podcasts",
            "pod",
            "ugc",
            "theme",
            "them",
            "shot",
            "scripted",
            "punchy video",
            "behind-the-scenes",
            "behind the scenes",
            "scenes-behind",
            "e commerce",
            "e-comm",
            "x-ray",
            "xray",
            "ray",
            "x-r",
        ];
        for text in queries {
            let found: BTreeSet<GigId> = env
                .store
                .gigs()
                .search(&gig_text(text))
                .await
                .expect("search")
                .into_iter()
                .map(|g| g.id)
                .collect();
            let rule: BTreeSet<GigId> = gigs
                .iter()
                .filter(|g| TextQuery::parse(text).is_some_and(|q| q.matches(gig_texts(g))))
                .map(|g| g.id)
                .collect();
            assert_eq!(found, rule, "{text:?}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn gig_search_ranks_words_and_tolerates_typos() {
        let env = TestEnv::new(&*factory(clean_store)).await;
        let creator = env.creator().await;
        let editor = active_gig(&env, &creator, "Video editor for reels").await;
        let logo = active_gig(&env, &creator, "Logo animation").await;

        // Both descriptions say "video"; the title match ranks first.
        let found = env
            .store
            .gigs()
            .search(&gig_text("video"))
            .await
            .expect("search");
        assert_eq!(
            found.iter().map(|g| g.id).collect::<Vec<_>>(),
            vec![editor.id, logo.id]
        );
        let animation = env
            .store
            .gigs()
            .search(&gig_text("animation"))
            .await
            .expect("search");
        assert_eq!(
            animation.iter().map(|g| g.id).collect::<Vec<_>>(),
            vec![logo.id]
        );

        // No word matches "viedo": the store alone finds nothing; the
        // service corrects it to "video" from the store's vocabulary, and
        // the word search finds the title.
        assert!(
            env.store
                .gigs()
                .search(&gig_text("viedo editor"))
                .await
                .expect("search")
                .is_empty()
        );
        let fuzzy = env
            .market
            .browse_gigs(&gig_text("viedo editor"))
            .await
            .expect("search");
        assert_eq!(fuzzy.first().map(|g| g.id), Some(editor.id));
        assert!(fuzzy.iter().all(|g| g.id != logo.id));

        let nothing = env
            .market
            .browse_gigs(&gig_text("zzzzqqq"))
            .await
            .expect("search");
        assert!(nothing.is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn searches_past_their_time_limit_are_cancelled() {
        let store = fresh_store().await;
        let env = env_over(&store).await;
        let creator = env.creator().await;
        let gig = active_gig(&env, &creator, "Video editor for reels").await;
        let bounded = store
            .clone()
            .with_search_timeout(std::time::Duration::from_millis(200));
        // Another session holds the table: the search waits for it, so it
        // runs past any limit, deterministically.
        let mut holder = store.pool().begin().await.expect("begin");
        sqlx::query("LOCK TABLE gigs IN ACCESS EXCLUSIVE MODE")
            .execute(&mut *holder)
            .await
            .expect("lock");
        let started = std::time::Instant::now();
        let error = bounded
            .gigs()
            .search(&gig_text("video"))
            .await
            .expect_err("cancelled");
        assert!(
            matches!(error, reelbyte_core::Error::TimedOut { what: "search" }),
            "{error:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        holder.rollback().await.expect("release");
        // Within the limit the same search answers, on the same pool.
        let found = bounded
            .gigs()
            .search(&gig_text("video"))
            .await
            .expect("search");
        assert_eq!(found.iter().map(|g| g.id).collect::<Vec<_>>(), vec![gig.id]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_vocabulary_learns_titles_and_tags_once() {
        let store = fresh_store().await;
        let env = env_over(&store).await;
        let creator = env.creator().await;
        let gig = active_gig(&env, &creator, "Cinematic reel editor").await;
        let filed = |variant: &'static str| {
            let pool = store.pool().clone();
            async move {
                let words: Vec<String> = sqlx::query_scalar(
                    "SELECT word FROM search_words WHERE variant = $1 ORDER BY word",
                )
                .bind(variant)
                .fetch_all(&pool)
                .await
                .expect("read the vocabulary");
                words
            }
        };
        // Each title and tag word under itself and with one character
        // deleted; too short words ("ugc" is 3, kept) are left out below 3.
        assert_eq!(filed("cinematic").await, vec!["cinematic".to_string()]);
        assert_eq!(filed("cinmatic").await, vec!["cinematic".to_string()]);
        assert_eq!(filed("ugc").await, vec!["ugc".to_string()]);
        assert_eq!(filed("reels").await, vec!["reels".to_string()]);
        let vector = |pool: PgPool| async move {
            let text: String =
                sqlx::query_scalar("SELECT search_vector::text FROM gigs WHERE id = $1")
                    .bind(gig.id.as_uuid())
                    .fetch_one(&pool)
                    .await
                    .expect("read the vector");
            text
        };
        let before = vector(store.pool().clone()).await;
        // A counter moves without touching the text: the vector stays.
        let mut changes = ChangeSet::new();
        changes.count(Counter::GigOrders(gig.id), 1);
        store.apply(changes).await.expect("count an order");
        assert_eq!(vector(store.pool().clone()).await, before);
        // A new title moves the vector and teaches its words.
        let mut renamed = store
            .gigs()
            .get_by_id(gig.id)
            .await
            .expect("read")
            .expect("the gig");
        renamed.title = reelbyte_core::value::Text::parse("Playful animator").expect("valid");
        let mut changes = ChangeSet::new();
        changes.update(&renamed);
        store.apply(changes).await.expect("rename");
        assert_ne!(vector(store.pool().clone()).await, before);
        assert_eq!(filed("animator").await, vec!["animator".to_string()]);
    }

    async fn plan_of(pool: &PgPool, sql: &str) -> String {
        let mut tx = pool.begin().await.expect("begin");
        // A tiny table looks cheapest to scan: ask for the index plan.
        sqlx::query("SET LOCAL enable_seqscan = off")
            .execute(&mut *tx)
            .await
            .expect("set");
        let lines: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!("EXPLAIN {sql}")))
            .fetch_all(&mut *tx)
            .await
            .expect("explain");
        lines.join("\n")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn search_queries_use_the_indexes() {
        let store = fresh_store().await;
        let pool = store.pool();
        let cases = [
            (
                "SELECT id FROM gigs WHERE search_vector @@ plainto_tsquery('english', 'video editor')",
                "idx_gigs_search_vector",
            ),
            (
                // The library's word match: stemmed or prefix, one index.
                "SELECT id FROM gigs WHERE search_vector @@ \
                 (plainto_tsquery('english', 'video edit') || to_tsquery('simple', 'video:* & edit:*'))",
                "idx_gigs_search_vector",
            ),
            (
                "SELECT id FROM gigs WHERE title % 'viedo editor'",
                "idx_gigs_title_trigram",
            ),
            (
                "SELECT id FROM jobs WHERE search_vector @@ plainto_tsquery('english', 'reel')",
                "idx_jobs_search_vector",
            ),
            (
                // The typo fallback's vocabulary lookup.
                "SELECT DISTINCT word FROM search_words WHERE variant = ANY('{viedo,vido,vieo}')",
                "search_words_pkey",
            ),
            (
                "SELECT creator_profile_id FROM creator_skills WHERE lower(skill_name) = 'editing'",
                "idx_creator_skills_skill_name_lower",
            ),
        ];
        for (sql, index) in cases {
            let plan = plan_of(pool, sql).await;
            assert!(plan.contains(index), "{sql} should use {index}:\n{plan}");
        }
    }

    /// A test environment whose store is `store` (a clone sharing its pool
    /// and counters), so the test can also look at the store directly.
    async fn env_over(store: &PgStore) -> TestEnv {
        let shared = store.clone();
        TestEnv::new(&*factory(move || {
            let store = shared.clone();
            async move { Arc::new(store) as Arc<dyn Store> }
        }))
        .await
    }

    async fn visible_users(store: &PgStore, acting: Option<UserId>, role: &str) -> BTreeSet<Uuid> {
        let mut tx = store.begin_acting_as(acting).await.expect("begin");
        sqlx::query(AssertSqlSafe(format!("SET LOCAL ROLE {role}")))
            .execute(&mut *tx)
            .await
            .expect("set role");
        let users: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM users")
            .fetch_all(&mut *tx)
            .await
            .expect("read users");
        let profiles: Vec<Uuid> = sqlx::query_scalar("SELECT user_id FROM creator_profiles")
            .fetch_all(&mut *tx)
            .await
            .expect("read profiles");
        users.into_iter().chain(profiles).collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn row_level_security_isolates_users() {
        let store = fresh_store().await;
        let env = env_over(&store).await;
        let alice = env.creator().await.user_id;
        let bob = env.creator().await.user_id;
        let pool = store.pool().clone();

        let as_alice = visible_users(&store, Some(alice), "reelbyte_app").await;
        assert_eq!(as_alice, BTreeSet::from([Uuid::from(alice)]));
        let as_nobody = visible_users(&store, None, "reelbyte_app").await;
        assert!(as_nobody.is_empty(), "an unset user sees nothing");
        let readonly = visible_users(&store, None, "reelbyte_readonly").await;
        assert_eq!(readonly, BTreeSet::from([alice.into(), bob.into()]));

        // The read-only role cannot write.
        let mut tx = pool.begin().await.expect("begin");
        sqlx::query("SET LOCAL ROLE reelbyte_readonly")
            .execute(&mut *tx)
            .await
            .expect("set role");
        let write = sqlx::query("UPDATE users SET login_count = 0")
            .execute(&mut *tx)
            .await;
        assert!(write.is_err(), "the read-only role wrote");
    }

    /// The plan's CREATE TABLE statements, verbatim.
    const PLAN_TABLES: &str = include_str!("../fixtures/plan_tables.sql");

    /// (table, column, type, length, precision, scale, nullable).
    type Column = (String, String, String, i32, i32, i32, bool);

    async fn columns(pool: &PgPool) -> BTreeSet<Column> {
        let rows = sqlx::query(
            "SELECT table_name::text, column_name::text, data_type::text, \
             coalesce(character_maximum_length, -1)::int, coalesce(numeric_precision, -1)::int, \
             coalesce(numeric_scale, -1)::int, is_nullable = 'YES' \
             FROM information_schema.columns WHERE table_schema = 'public'",
        )
        .fetch_all(pool)
        .await
        .expect("columns");
        rows.iter()
            .map(|r| {
                (
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    r.get(3),
                    r.get(4),
                    r.get(5),
                    r.get(6),
                )
            })
            .collect()
    }

    /// (table, column, referenced table, ON DELETE action) of every foreign
    /// key declared on a table (not inherited by a partition).
    async fn foreign_keys(pool: &PgPool) -> BTreeSet<(String, String, String, String)> {
        let rows = sqlx::query(
            "SELECT c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text, \
             c.confdeltype::text FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.contype = 'f' \
             AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.conrelid)",
        )
        .fetch_all(pool)
        .await
        .expect("foreign keys");
        rows.iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn migrations_keep_the_plans_schema() {
        let plan = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(fresh_named("_plan").await)
            .await
            .expect("plan database");
        sqlx::raw_sql(AssertSqlSafe(PLAN_TABLES))
            .execute(&plan)
            .await
            .expect("the plan's tables");
        let migrated = fresh_store().await;

        let ours = columns(migrated.pool()).await;
        let theirs = columns(&plan).await;
        assert!(theirs.len() > 300, "the plan has {} columns", theirs.len());
        for column in &theirs {
            // A partitioned table's key must be NOT NULL, where the plan's
            // unpartitioned version left it nullable.
            let partition_key =
                column.1 == "created_at" && (column.0 == "messages" || column.0 == "audit_logs");
            let found = if partition_key {
                ours.iter()
                    .any(|c| (&c.0, &c.1, &c.2) == (&column.0, &column.1, &column.2))
            } else {
                ours.contains(column)
            };
            assert!(
                found,
                "the migrations lose or change the plan's column {column:?}"
            );
        }

        let our_keys = foreign_keys(migrated.pool()).await;
        let plan_keys = foreign_keys(&plan).await;
        assert!(
            plan_keys.len() > 40,
            "the plan has {} foreign keys",
            plan_keys.len()
        );
        for key in &plan_keys {
            assert!(our_keys.contains(key), "missing foreign key {key:?}");
        }
        plan.close().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn monthly_partitions_take_over_their_rows_from_the_default() {
        use chrono::{Datelike, TimeZone, Utc};
        use reelbyte_core::entities::AuditLog;
        use reelbyte_core::ids::AuditLogId;
        use reelbyte_core::store::Record;
        use reelbyte_core::value::Text;

        let store = fresh_store().await;
        // Far enough ahead that the migrations made no partition for it.
        let year = Utc::now().year() + 2;
        let at = Utc
            .with_ymd_and_hms(year, 5, 17, 12, 0, 0)
            .single()
            .expect("a valid instant");
        let entry = AuditLog {
            id: AuditLogId::new(),
            user_id: None,
            ip_address: None,
            user_agent: None,
            entity_type: Text::parse("contract").expect("valid"),
            entity_id: Uuid::new_v4(),
            action: Text::parse("test").expect("valid"),
            old_values: None,
            new_values: Some(serde_json::json!({ "status": "active" })),
            created_at: at,
        };
        let mut changes = ChangeSet::new();
        changes.insert(entry.clone());
        store.apply(changes).await.expect("insert the entry");

        let partition = |pool: PgPool, id: Uuid| async move {
            sqlx::query_scalar::<_, String>(
                "SELECT tableoid::regclass::text FROM audit_logs WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .expect("the entry")
        };
        let id = Uuid::from(entry.id);
        assert_eq!(
            partition(store.pool().clone(), id).await,
            "audit_logs_default"
        );

        let start = chrono::NaiveDate::from_ymd_opt(year, 5, 1).expect("a valid date");
        let created: i32 =
            sqlx::query_scalar("SELECT create_monthly_partitions('audit_logs', $1, 2)")
                .bind(start)
                .fetch_one(store.pool())
                .await
                .expect("create partitions");
        assert_eq!(created, 2);
        assert_eq!(
            partition(store.pool().clone(), id).await,
            format!("audit_logs_{year}_05")
        );
        let dump = store.dump().await.expect("dump");
        assert!(dump.contains(&Record::AuditLog(entry)));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_counters_and_versioned_updates_lose_nothing() {
        let store = fresh_store().await;
        let env = env_over(&store).await;
        let creator = env.creator().await;
        let gig = active_gig(&env, &creator, "Counted gig").await;

        // Counter deltas commute: every one of them lands.
        let mut tasks = Vec::new();
        for _ in 0..24 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut changes = ChangeSet::new();
                changes.count(Counter::GigViews(gig.id), 1);
                store.apply(changes).await
            }));
        }
        for task in tasks {
            task.await
                .expect("join")
                .expect("a counter delta never conflicts");
        }

        // Updates read at one version: exactly one wins, the others conflict.
        let mut tasks = Vec::new();
        for i in 0..8 {
            let store = store.clone();
            let mut copy = gig.clone();
            copy.requirements = Some(format!("writer {i}"));
            tasks.push(tokio::spawn(async move {
                let mut changes = ChangeSet::new();
                changes.update(&copy);
                store.apply(changes).await
            }));
        }
        let mut won = 0;
        for task in tasks {
            match task.await.expect("join") {
                Ok(()) => won += 1,
                Err(reelbyte_core::Error::Conflict { .. }) => {}
                Err(other) => panic!("unexpected error {other:?}"),
            }
        }
        assert_eq!(won, 1);

        let stored = store
            .gigs()
            .get_by_id(gig.id)
            .await
            .expect("read")
            .expect("the gig");
        assert_eq!(stored.view_count, gig.view_count + 24);
        assert_eq!(stored.version, gig.version + 1);
    }

    /// The gig-order lifecycle's change sets all go as one prepared
    /// statement each; a change set that statement refuses goes to the
    /// function, which refuses it with the typed error, and nothing changes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn change_sets_go_as_one_statement_and_refusals_fall_back() {
        let store = fresh_store().await;
        let env = env_over(&store).await;
        let (creator, client, id) = active_gig_contract(&env).await;
        env.market
            .submit_deliverable(&creator.ctx, id, video())
            .await
            .expect("deliver");
        let before = store.apply_paths();
        env.market
            .approve_delivery(&client.ctx, id, None)
            .await
            .expect("approve");
        let after = store.apply_paths();
        assert_eq!(
            after.function, before.function,
            "approval, release and payout are single statements"
        );
        assert!(after.statement >= before.statement + 2, "{after:?}");

        // A stale update: the statement refuses it, the function says why.
        let contract = store
            .contracts()
            .get_by_id(id)
            .await
            .expect("read")
            .expect("contract");
        let mut stale = contract.clone();
        stale.version -= 1;
        stale.scope_of_work = "rewritten".into();
        let mut changes = ChangeSet::new();
        changes.update(&stale);
        let dump = store.dump().await.expect("dump");
        let refused = store.apply(changes).await.expect_err("a stale version");
        assert!(
            matches!(refused, reelbyte_core::Error::Conflict { .. }),
            "{refused:?}"
        );
        assert_eq!(store.apply_paths().function, after.function + 1);
        assert_eq!(store.dump().await.expect("dump"), dump, "nothing changed");
    }

    /// Every index the plan names, as `index table` lines.
    const PLAN_INDEXES: &str = include_str!("../fixtures/plan_indexes.txt");

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn migrations_keep_the_plans_indexes_and_checks() {
        let migrated = fresh_store().await;
        let ours: BTreeSet<(String, String)> =
            sqlx::query_as("SELECT indexname::text, tablename::text FROM pg_indexes")
                .fetch_all(migrated.pool())
                .await
                .expect("indexes")
                .into_iter()
                .collect();
        let expected: Vec<(String, String)> = PLAN_INDEXES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once(' '))
            .map(|(i, t)| (i.to_string(), t.to_string()))
            .collect();
        assert!(
            expected.len() > 80,
            "the plan names {} indexes",
            expected.len()
        );
        for index in &expected {
            assert!(ours.contains(index), "missing index {index:?}");
        }

        // Every CHECK of the plan's tables, by its definition.
        let plan = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(fresh_named("_plan").await)
            .await
            .expect("plan database");
        sqlx::raw_sql(AssertSqlSafe(PLAN_TABLES))
            .execute(&plan)
            .await
            .expect("the plan's tables");
        let checks = |pool: PgPool| async move {
            sqlx::query_as::<_, (String, String)>(
                "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE contype = 'c' \
                 AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = conrelid)",
            )
            .fetch_all(&pool)
            .await
            .expect("checks")
            .into_iter()
            .collect::<BTreeSet<_>>()
        };
        let ours = checks(migrated.pool().clone()).await;
        let theirs = checks(plan.clone()).await;
        assert!(theirs.len() > 30, "the plan has {} checks", theirs.len());
        for check in &theirs {
            assert!(ours.contains(check), "missing CHECK {check:?}");
        }
        plan.close().await;
    }

    /// Reads `n` gigs at once, so that the store's pool opens connections
    /// and keeps some of them warm between statements.
    async fn read_concurrently(store: &PgStore, n: usize) {
        let reads = (0..n).map(|_| store.gigs().get_by_id(GigId::new()));
        for read in futures::future::join_all(reads).await {
            assert!(read.expect("read").is_none());
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn closing_the_pool_ends_while_the_store_keeps_warm_connections() {
        let store = fresh_store().await;
        read_concurrently(&store, 16).await;
        // `Pool::close` waits for every connection to come back.
        tokio::time::timeout(std::time::Duration::from_secs(10), store.pool().close())
            .await
            .expect("the pool closed");
        assert!(store.gigs().get_by_id(GigId::new()).await.is_err());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn transactions_find_connections_beside_the_warm_ones() {
        // The test pool holds 8 connections; the store keeps at most 4.
        let store = fresh_store().await;
        read_concurrently(&store, 16).await;
        let wait = std::time::Duration::from_secs(10);
        let mut open = Vec::new();
        for _ in 0..4 {
            let tx = tokio::time::timeout(wait, store.pool().begin())
                .await
                .expect("a connection within 10 s")
                .expect("begin");
            open.push(tx);
        }
        // The store goes on reading, on its warm connections, while the
        // four transactions hold the rest.
        read_concurrently(&store, 4).await;
        drop(open);
    }

    #[test]
    fn a_store_outliving_its_runtime_drops_quietly() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let store = runtime.block_on(async {
            let store = fresh_store().await;
            read_concurrently(&store, 8).await;
            store
        });
        drop(runtime);
        // Its warm connections cannot go back to a pool whose tasks are
        // gone; dropping the store closes them without a panic.
        drop(store);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn search_reads_from_the_replica_pool() {
        let primary = fresh_store().await;
        // A second pool on the same database stands in for a replica.
        let replica = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(primary.pool().connect_options().as_ref().clone())
            .await
            .expect("replica pool");
        let store = primary.clone().with_read_replica(replica.clone());
        let env = env_over(&store).await;
        let creator = env.creator().await;
        let gig = active_gig(&env, &creator, "Replica reel").await;
        let found = store
            .gigs()
            .search(&gig_text("replica"))
            .await
            .expect("search");
        assert_eq!(found.iter().map(|g| g.id).collect::<Vec<_>>(), vec![gig.id]);
        // A closed replica fails the search: it did not read the primary.
        replica.close().await;
        assert!(store.gigs().search(&gig_text("replica")).await.is_err());
        assert!(
            store
                .gigs()
                .get_by_id(gig.id)
                .await
                .expect("primary")
                .is_some()
        );
    }
}
