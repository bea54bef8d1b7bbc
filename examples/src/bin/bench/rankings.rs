//! Rebuilding the boards from the store: `Marketplace::rebuild_rankings`
//! over generated creators and open jobs, on the memory store with its
//! boards in memory, and on PostgreSQL with its boards in Redis.
//!
//! The first rebuild finds the boards empty, the second finds every score
//! already set at its row's version: both read every row and send every
//! board change, so they differ only in what the boards apply.

use super::*;

use reelbyte_core::entities::User;
use reelbyte_core::realtime::Rankings;

/// One backend's rebuilds.
#[derive(Debug, Clone)]
pub(crate) struct RankingsResult {
    /// "memory" or "PostgreSQL + Redis".
    pub(crate) backend: &'static str,
    /// Creators and open jobs in the store (as many of each).
    pub(crate) rows: usize,
    /// The rebuild that found the boards empty.
    pub(crate) first: Duration,
    /// The rebuild right after it.
    pub(crate) again: Duration,
    /// What the first rebuild reported.
    pub(crate) first_report: reelbyte_core::service::RankingsRebuilt,
}

/// Rebuilds on the memory store, and on PostgreSQL with Redis boards when
/// both URLs are given, over `rows` creators and `rows` open jobs.
pub(crate) async fn rankings_section(
    admin: Option<&str>,
    redis_url: Option<&str>,
    rows: usize,
) -> Outcome<Vec<RankingsResult>> {
    let mut out = Vec::new();
    let memory: Arc<dyn Store> = Arc::new(reelbyte_memory::MemStore::new());
    let boards: Arc<dyn Rankings> = Arc::new(reelbyte_memory::MemRealtime::default());
    out.push(rebuilds("memory", memory, boards, rows, None).await?);
    if let (Some(admin), Some(redis_url)) = (admin, redis_url) {
        let url = fresh_database(admin, "reelbyte_bench_rankings").await?;
        let pg = reelbyte_pg::PgStore::connect(&url, 8).await?;
        pg.migrate().await?;
        let conn = reelbyte_redis::connect(redis_url).await?;
        let prefix = format!("reelbyte-bench-{}", Uuid::new_v4().simple());
        let boards: Arc<dyn Rankings> = Arc::new(reelbyte_redis::RedisRealtime::new(
            conn.clone(),
            prefix.as_str(),
        ));
        let pool = pg.pool().clone();
        let result = rebuilds("PostgreSQL + Redis", Arc::new(pg), boards, rows, Some(pool)).await;
        reelbyte_redis::forget_prefix(&mut conn.clone(), &prefix).await?;
        out.push(result?);
    }
    Ok(out)
}

/// Fills `store` with `rows` creators and open jobs and times two rebuilds
/// of `boards` from it. `analyze` is the store's database: its statistics
/// are gathered after the load, as autovacuum would have gathered them in
/// a database that has been running (without them the planner takes the
/// fresh tables for empty ones).
async fn rebuilds(
    backend: &'static str,
    store: Arc<dyn Store>,
    boards: Arc<dyn Rankings>,
    rows: usize,
    analyze: Option<PgPool>,
) -> Outcome<RankingsResult> {
    let scale = Scale {
        creators: rows,
        clients: (rows / 10).max(1),
        gigs: 0,
        jobs: rows,
        messages: 0,
    };
    let generated = generate(&store, scale, 42, 2_000, &|_, _, _| {}).await?;
    let (staff_id, _) = generated.creators.first().ok_or("no creators generated")?;
    let mut staff: User = store
        .users()
        .get_by_id(*staff_id)
        .await?
        .ok_or("the generated user is missing")?;
    staff.is_staff = true;
    let mut changes = ChangeSet::new();
    changes.update(&staff);
    store.apply(changes).await?;
    if let Some(pool) = analyze {
        sqlx::query("ANALYZE").execute(&pool).await?;
    }
    let market = Marketplace::new(store, Arc::new(SimulatedGateway::new())).with_rankings(boards);
    let ctx = Ctx::user(staff.id);
    let started = Instant::now();
    let first_report = market.rebuild_rankings(&ctx).await?;
    let first = started.elapsed();
    let started = Instant::now();
    market.rebuild_rankings(&ctx).await?;
    let again = started.elapsed();
    eprintln!(
        "rankings, {backend}: rebuilt {rows} creators and {rows} jobs in {:.3} s, again in {:.3} s",
        first.as_secs_f64(),
        again.as_secs_f64()
    );
    Ok(RankingsResult {
        backend,
        rows,
        first,
        again,
        first_report,
    })
}

/// The section's table.
pub(crate) fn rankings_table(results: &[RankingsResult]) -> String {
    let mut s = String::from(
        "| backend | creators and open jobs (each) | first rebuild s | scores set | again s | rows/s (again) |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    for r in results {
        let rows_per_second = (2 * r.rows) as f64 / r.again.as_secs_f64().max(1e-9);
        let _ = writeln!(
            s,
            "| {} | {} | {:.3} | {} | {:.3} | {:.0} |",
            r.backend,
            r.rows,
            r.first.as_secs_f64(),
            r.first_report.set,
            r.again.as_secs_f64(),
            rows_per_second
        );
    }
    s
}
