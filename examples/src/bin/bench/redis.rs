//! The sections on Redis: the gig-order lifecycle through the cache decorator
//! over PostgreSQL, and cached against uncached reads of gigs, search pages
//! and creator profiles.

use super::*;

use ::redis::aio::ConnectionManager;
use reelbyte_core::entities::PortfolioItem;
use reelbyte_core::ids::PortfolioItemId;
use reelbyte_redis::{CacheConfig, CachedStore};

/// A key prefix of this run's own: values of an earlier run (or of a test
/// running meanwhile) never answer. [`forget_prefix`] deletes its keys.
fn run_prefix() -> String {
    format!("reelbyte-bench-{}", Uuid::new_v4().simple())
}

/// `inner` behind the Redis cache, under `prefix`.
fn cached(inner: Arc<dyn Store>, conn: ConnectionManager, prefix: &str) -> Arc<dyn Store> {
    Arc::new(CachedStore::new(
        inner,
        conn,
        CacheConfig::with_prefix(prefix),
    ))
}

/// The library lifecycle on the decorator over `PgStore`, as a row of the
/// lifecycle table.
pub(crate) async fn redis_lifecycle_section(
    admin: &str,
    redis_url: &str,
    args: &Args,
) -> Outcome<Vec<RunResult>> {
    let url = fresh_database(admin, "reelbyte_bench_redis").await?;
    let pg = reelbyte_pg::PgStore::connect(&url, 8).await?;
    pg.migrate().await?;
    let pg: Arc<dyn Store> = Arc::new(pg);
    let conn = reelbyte_redis::connect(redis_url).await?;
    let cache_prefix = run_prefix();
    let store = cached(pg.clone(), conn.clone(), &cache_prefix);
    let pairs = seed(&store, 8 * args.pairs_per_client, 7).await?;
    let gateway = Arc::new(SimulatedGateway::new());
    let market = Marketplace::new(store, gateway.clone());
    // The same database without the cache, with and without the four
    // projections a server keeps in Redis (rankings, unread counts,
    // activity feeds, favorites), under a key prefix of this run's own.
    let prefix = run_prefix();
    let plain = Marketplace::new(pg.clone(), gateway.clone());
    let projected = reelbyte_examples::server::keep_projections(
        Marketplace::new(pg, gateway),
        Arc::new(reelbyte_redis::RedisRealtime::new(
            conn.clone(),
            prefix.as_str(),
        )),
    );
    // Every benchmark user's counts read once, as a signed-in user's first
    // page would: a known count moves with each command, an unknown one
    // costs only the round trip that finds it unknown.
    for pair in &pairs {
        for user in [pair.client_user, pair.creator_user] {
            projected.unread_counts(&Ctx::user(user)).await?;
        }
    }
    // Warm-up, untimed.
    run_library("warm-up", &market, &pairs, 8, 40).await?;
    run_library("warm-up", &projected, &pairs, 8, 40).await?;
    let mut out = Vec::new();
    for clients in [1, 8] {
        let r = run_library(
            REDIS_LIFECYCLE,
            &market,
            &pairs,
            clients,
            args.pg_lifecycles,
        )
        .await?;
        eprintln!(
            "redis over postgres, {clients} client(s): {:.0} lifecycles/s",
            r.per_second()
        );
        out.push(r);
        // Without and with the projections in turns (`--pg-rounds`), as the
        // PostgreSQL section takes its sides: both see the database at the
        // same sizes and the machine's drift.
        let (without, with) = in_turns(
            args,
            clients,
            [NO_PROJECTIONS, PROJECTED_LIFECYCLE],
            async |slice| run_library("", &plain, &pairs, clients, slice).await,
            async |slice| run_library("", &projected, &pairs, clients, slice).await,
        )
        .await?;
        for side in [without, with] {
            eprintln!(
                "{}, {clients} client(s): {:.0} lifecycles/s",
                side.run.name,
                side.run.per_second()
            );
            out.push(side.run);
        }
    }
    forget_prefix(&conn, &prefix).await?;
    forget_prefix(&conn, &cache_prefix).await?;
    Ok(out)
}

/// The name of the decorator's row in the lifecycle table.
pub(crate) const REDIS_LIFECYCLE: &str = "Redis over PostgreSQL";
/// The library on PostgreSQL without projections, in the Redis section's
/// database: the baseline of [`PROJECTED_LIFECYCLE`].
pub(crate) const NO_PROJECTIONS: &str = "PostgreSQL, no projections";
/// The library on PostgreSQL keeping its projections in Redis, as the
/// example server does.
pub(crate) const PROJECTED_LIFECYCLE: &str = "PostgreSQL, projections in Redis";

/// Deletes every key under `prefix`, so that a run leaves nothing behind.
async fn forget_prefix(conn: &ConnectionManager, prefix: &str) -> Outcome<()> {
    reelbyte_redis::forget_prefix(&mut conn.clone(), prefix).await?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Cached against uncached reads.

/// One kind of read.
#[derive(Debug, Clone)]
enum Read {
    /// `gigs().get_by_id`.
    Gig(GigId),
    /// `gigs().search`: one page of 20.
    Search(GigQuery),
    /// `Marketplace::get_creator_profile`: the profile, its user's status,
    /// skills, categories and portfolio.
    Profile(CreatorProfileId),
}

/// The cases of the section, in report order.
pub(crate) const CACHE_CASES: [&str; 3] = [
    "single gig by id",
    "gig search page (20)",
    "creator profile (skills, categories, portfolio)",
];

async fn read(market: &Marketplace, r: &Read) -> Outcome<()> {
    match r {
        Read::Gig(id) => {
            market
                .store()
                .gigs()
                .get_by_id(*id)
                .await?
                .ok_or("a benchmark gig is missing")?;
        }
        Read::Search(q) => {
            market.store().gigs().search(q).await?;
        }
        Read::Profile(id) => {
            market.get_creator_profile(*id).await?;
        }
    }
    Ok(())
}

/// Latency and throughput of one batch of reads.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ReadRun {
    pub(crate) ops: usize,
    pub(crate) elapsed: Duration,
    pub(crate) p50: f64,
    pub(crate) p99: f64,
}

impl ReadRun {
    pub(crate) fn per_second(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// One case at one client count, both ways.
#[derive(Debug, Clone)]
pub(crate) struct CacheResult {
    pub(crate) case: &'static str,
    pub(crate) clients: usize,
    pub(crate) uncached: ReadRun,
    pub(crate) cached: ReadRun,
}

impl CacheResult {
    /// How many times faster the cached read is, by median latency.
    pub(crate) fn speedup(&self) -> f64 {
        self.uncached.p50 / self.cached.p50.max(1e-9)
    }

    /// Cached throughput over uncached throughput.
    pub(crate) fn throughput_ratio(&self) -> f64 {
        self.cached.per_second() / self.uncached.per_second().max(1e-9)
    }
}

/// `total` reads of `reads` spread over `clients` tasks; each task starts at
/// its own offset so that tasks do not read the same key in lockstep.
async fn run_reads(
    market: &Marketplace,
    reads: &Arc<Vec<Read>>,
    clients: usize,
    total: usize,
) -> Outcome<ReadRun> {
    let per_client = total.div_ceil(clients).max(1);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let market = market.clone();
        let reads = reads.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per_client);
            for n in 0..per_client {
                let r = &reads[(c * 37 + n) % reads.len()];
                let started = Instant::now();
                read(&market, r).await?;
                lat.push(started.elapsed());
            }
            Outcome::Ok(lat)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.append(&mut task.await??);
    }
    let elapsed = started.elapsed();
    all.sort();
    Ok(ReadRun {
        ops: all.len(),
        elapsed,
        p50: ms(quantile(&all, 0.50)),
        p99: ms(quantile(&all, 0.99)),
    })
}

/// Creators, clients and gigs of the cache section's database.
const CACHE_SCALE: Scale = Scale {
    creators: 1_000,
    clients: 10,
    gigs: 10_000,
    jobs: 0,
    messages: 0,
};
/// Portfolio items given to each sampled creator (the generator writes none).
const PORTFOLIO_ITEMS: usize = 6;
/// Creators whose profiles are read.
const PROFILES: usize = 200;
/// Gigs read by id.
const GIGS: usize = 500;

/// Fills a fresh database: generated users, profiles (with skills and a
/// category) and gigs, and a portfolio for the first creators.
async fn fill_cache_database(url: &str) -> Outcome<()> {
    let pg = reelbyte_pg::PgStore::connect(url, 4).await?;
    pg.migrate().await?;
    let store: Arc<dyn Store> = Arc::new(pg);
    let generated = generate(&store, CACHE_SCALE, 42, 2_000, &|_, _, _| {}).await?;
    let now = Utc::now();
    let mut changes = ChangeSet::new();
    for (_, creator) in generated.creators.iter().take(PROFILES) {
        for n in 0..PORTFOLIO_ITEMS {
            changes.insert(PortfolioItem {
                id: PortfolioItemId::from_uuid(Uuid::new_v4()),
                creator_profile_id: *creator,
                title: Text::parse(&format!("Launch reel {n}"))?,
                description: Some("A 30-second vertical reel for a product launch.".into()),
                video_url: Url::parse(&format!("https://cdn.example.com/reels/{n}.mp4"))?,
                thumbnail_url: Some(Url::parse(&format!(
                    "https://cdn.example.com/thumbs/{n}.jpg"
                ))?),
                video_duration_seconds: Some(30),
                view_count: 0,
                like_count: 0,
                project_type: Some(Text::parse("ugc")?),
                platform: Some(Text::parse("tiktok")?),
                display_order: n as i32,
                is_featured: n == 0,
                created_at: now,
                updated_at: now,
                version: 1,
            });
        }
    }
    store.apply(changes).await?;
    Ok(())
}

/// The reads of each case, from the database's contents.
async fn cache_reads(pool: &PgPool) -> Outcome<Vec<(&'static str, Vec<Read>)>> {
    let gigs: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM gigs WHERE status = 'active' ORDER BY id LIMIT $1")
            .bind(GIGS as i64)
            .fetch_all(pool)
            .await?;
    let profiles: Vec<Uuid> = sqlx::query_scalar(
        "SELECT c.id FROM creator_profiles c JOIN users u ON u.id = c.user_id \
         WHERE u.status = 'active' \
         AND EXISTS (SELECT 1 FROM portfolio_items p WHERE p.creator_profile_id = c.id) \
         ORDER BY c.id LIMIT $1",
    )
    .bind(PROFILES as i64)
    .fetch_all(pool)
    .await?;
    if gigs.is_empty() || profiles.is_empty() {
        return Err("the cache database has no active gigs or public profiles".into());
    }
    let searches = search_queries()
        .into_iter()
        .filter(|(kind, _)| *kind == "full text + filters")
        .map(|(_, q)| Read::Search(q))
        .collect();
    Ok(vec![
        (
            CACHE_CASES[0],
            gigs.into_iter()
                .map(|id| Read::Gig(GigId::from_uuid(id)))
                .collect(),
        ),
        (CACHE_CASES[1], searches),
        (
            CACHE_CASES[2],
            profiles
                .into_iter()
                .map(|id| Read::Profile(CreatorProfileId::from_uuid(id)))
                .collect(),
        ),
    ])
}

/// Every case at 1 and 8 clients, straight from `PgStore` and through the
/// decorator over the same `PgStore` with a warm cache.
pub(crate) async fn cache_section(
    admin: &str,
    redis_url: &str,
    ops: usize,
) -> Outcome<Vec<CacheResult>> {
    let name = "reelbyte_bench_cache";
    let expected_gigs = CACHE_SCALE.gigs;
    // The generated data are reproducible: reuse a database a previous run
    // filled completely (the portfolio is written last).
    let reusable = match open_database(admin, name).await? {
        Some(url) if count_gigs(&url).await? == expected_gigs => {
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await?;
            let items: i64 = sqlx::query_scalar("SELECT count(*) FROM portfolio_items")
                .fetch_one(&pool)
                .await?;
            pool.close().await;
            (items as usize == PROFILES * PORTFOLIO_ITEMS).then_some(url)
        }
        _ => None,
    };
    let url = match reusable {
        Some(url) => {
            eprintln!("cache: reusing {name}");
            url
        }
        None => {
            let url = fresh_database(admin, name).await?;
            let started = Instant::now();
            fill_cache_database(&url).await?;
            eprintln!(
                "cache: generated {name} in {:.0} s",
                started.elapsed().as_secs_f64()
            );
            url
        }
    };
    let pg = reelbyte_pg::PgStore::connect(&url, 8).await?;
    sqlx::query("ANALYZE").execute(pg.pool()).await?;
    let cases = cache_reads(pg.pool()).await?;
    let pg: Arc<dyn Store> = Arc::new(pg);
    let conn = reelbyte_redis::connect(redis_url).await?;
    let gateway = Arc::new(SimulatedGateway::new());
    let uncached = Marketplace::new(pg.clone(), gateway.clone());
    let prefix = run_prefix();
    let cached = Marketplace::new(cached(pg, conn.clone(), &prefix), gateway);
    let mut out = Vec::new();
    for (case, reads) in cases {
        let reads = Arc::new(reads);
        // Warm both: PostgreSQL's buffers, and every key of the cache.
        run_reads(&uncached, &reads, 1, reads.len()).await?;
        run_reads(&cached, &reads, 1, reads.len()).await?;
        for clients in [1, 8] {
            let u = run_reads(&uncached, &reads, clients, ops).await?;
            let c = run_reads(&cached, &reads, clients, ops).await?;
            let r = CacheResult {
                case,
                clients,
                uncached: u,
                cached: c,
            };
            eprintln!(
                "cache, {case}, {clients} client(s): p50 {:.3} ms uncached, {:.3} ms cached ({:.1}x)",
                u.p50,
                c.p50,
                r.speedup()
            );
            out.push(r);
        }
    }
    forget_prefix(&conn, &prefix).await?;
    Ok(out)
}
