//! The ReelByte benchmark: gig-order lifecycles on the memory store, on
//! PostgreSQL (library and hand-written SQL) and on the Redis cache over
//! PostgreSQL, statements per command, search latency over generated gigs,
//! cached against uncached reads ([`redis`]), the HTTP server's requests per
//! second ([`http`]) and the memory footprint of the memory store.
//!
//! ```text
//! cargo run --release -p reelbyte-examples --bin bench -- \
//!     --admin-url postgres://postgres@127.0.0.1:5432/postgres \
//!     --redis-url redis://127.0.0.1:6379 --write-docs
//! ```
//!
//! Without `--admin-url` (or `REELBYTE_BENCH_ADMIN_URL`) only the memory
//! sections run; without `--redis-url` (or `REELBYTE_BENCH_REDIS_URL`) the
//! Redis sections are skipped. `--sections` picks sections by name. The
//! benchmark drops and recreates its own databases (`reelbyte_bench`,
//! `reelbyte_bench_redis`, `reelbyte_bench_http`, `reelbyte_bench_cache`,
//! `reelbyte_bench_search_<n>`); never point it at data you want to keep.

mod http;
mod redis;

use self::http::{HttpResult, http_section};
use self::redis::{
    CACHE_CASES, CacheResult, REDIS_LIFECYCLE, cache_section, redis_lifecycle_section,
};

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use reelbyte_core::entities::{PaymentMethod, PayoutMethod};
use reelbyte_core::enums::{GigTier, PaymentMethodType, PayoutMethodType};
use reelbyte_core::gateway::SimulatedGateway;
use reelbyte_core::ids::{
    ClientProfileId, CreatorProfileId, GigId, PaymentMethodId, PayoutMethodId, UserId,
};
use reelbyte_core::service::{DeliverableInput, OrderGigInput, ReviewInput};
use reelbyte_core::store::{ChangeSet, GigQuery, Page, Store};
use reelbyte_core::value::{Rating, Text, Url};
use reelbyte_core::{Ctx, Currency, Marketplace, Money};
use reelbyte_examples::generator::{Generated, Scale, generate};
use sqlx::postgres::{PgPool, PgPoolOptions};

type Failure = Box<dyn std::error::Error + Send + Sync>;
type Outcome<T> = Result<T, Failure>;

/// The six commands of one gig-order lifecycle, in order.
const COMMANDS: [&str; 6] = ["order", "fund", "accept", "deliver", "approve", "review"];

// ---------------------------------------------------------------------------
// Statement counting: sqlx logs every statement it sends at target
// "sqlx::query"; while counting is on, this logger counts them instead of
// printing them. Off (the default), `enabled` is false and sqlx skips the
// formatting, so timed runs pay nothing.

static COUNTING: AtomicBool = AtomicBool::new(false);
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

struct StatementCounter;

impl log::Log for StatementCounter {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        COUNTING.load(Ordering::Relaxed) && metadata.target().starts_with("sqlx::query")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            STATEMENTS.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn flush(&self) {}
}

static COUNTER: StatementCounter = StatementCounter;

/// Runs `f` and returns how many statements sqlx sent meanwhile (run it
/// alone: the count is global).
async fn count_statements<T, F: std::future::Future<Output = T>>(f: F) -> (T, u64) {
    let before = STATEMENTS.load(Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let out = f.await;
    COUNTING.store(false, Ordering::Relaxed);
    (out, STATEMENTS.load(Ordering::Relaxed) - before)
}

// ---------------------------------------------------------------------------
// Arguments.

#[derive(Debug, Clone)]
struct Args {
    admin_url: Option<String>,
    mem_lifecycles: usize,
    pg_lifecycles: usize,
    search_scales: Vec<usize>,
    search_queries: usize,
    footprint_gigs: usize,
    pairs_per_client: usize,
    redis_url: Option<String>,
    /// Reads per case and client count in the cache section.
    cache_ops: usize,
    /// Seconds per endpoint and client count in the HTTP section.
    http_seconds: f64,
    /// The sections to run (all of [`SECTIONS`] by default).
    sections: Vec<String>,
    write_docs: bool,
    /// Internal: run only the memory footprint measurement (a child process,
    /// so its peak is not mixed with the other sections').
    footprint_only: bool,
}

impl Default for Args {
    fn default() -> Self {
        Self {
            admin_url: std::env::var("REELBYTE_BENCH_ADMIN_URL")
                .ok()
                .filter(|u| !u.is_empty()),
            mem_lifecycles: 20_000,
            pg_lifecycles: 400,
            search_scales: vec![100_000],
            search_queries: 200,
            footprint_gigs: 1_000_000,
            pairs_per_client: 50,
            redis_url: std::env::var("REELBYTE_BENCH_REDIS_URL")
                .ok()
                .filter(|u| !u.is_empty()),
            cache_ops: 2_000,
            http_seconds: 3.0,
            sections: SECTIONS.iter().map(|s| (*s).to_owned()).collect(),
            write_docs: false,
            footprint_only: false,
        }
    }
}

/// The sections `--sections` can name, in the order they run.
const SECTIONS: [&str; 7] = [
    "memory",
    "postgres",
    "redis",
    "cache",
    "search",
    "http",
    "footprint",
];

impl Args {
    fn wants(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s == section)
    }
}

const USAGE: &str = "usage: bench [--admin-url URL] [--redis-url URL] [--mem-lifecycles N] \
[--pg-lifecycles N] [--search-scales N,N] [--search-queries N] [--footprint-gigs N] \
[--pairs-per-client N] [--cache-ops N] [--http-seconds S] \
[--sections memory,postgres,redis,cache,search,http,footprint] [--write-docs]";

fn parse_args(raw: impl IntoIterator<Item = String>) -> Outcome<Args> {
    let mut args = Args::default();
    let mut it = raw.into_iter();
    let number = |v: &str| -> Outcome<usize> { Ok(v.replace('_', "").parse::<usize>()?) };
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--write-docs" => args.write_docs = true,
            "--footprint-only" => args.footprint_only = true,
            _ => {
                let value = it.next().ok_or(format!("{flag} needs a value"))?;
                match flag.as_str() {
                    "--admin-url" => args.admin_url = Some(value).filter(|u| !u.is_empty()),
                    "--mem-lifecycles" => args.mem_lifecycles = number(&value)?,
                    "--pg-lifecycles" => args.pg_lifecycles = number(&value)?,
                    "--search-queries" => args.search_queries = number(&value)?,
                    "--footprint-gigs" => args.footprint_gigs = number(&value)?,
                    "--pairs-per-client" => args.pairs_per_client = number(&value)?.max(1),
                    "--redis-url" => args.redis_url = Some(value).filter(|u| !u.is_empty()),
                    "--cache-ops" => args.cache_ops = number(&value)?.max(1),
                    "--http-seconds" => args.http_seconds = value.parse::<f64>()?,
                    "--sections" => {
                        let names: Vec<String> = value
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect();
                        if let Some(bad) = names.iter().find(|n| !SECTIONS.contains(&n.as_str())) {
                            return Err(format!("unknown section {bad}\n{USAGE}").into());
                        }
                        args.sections = names;
                    }
                    "--search-scales" => {
                        args.search_scales = value
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(number)
                            .collect::<Outcome<_>>()?
                    }
                    other => return Err(format!("unknown flag {other}\n{USAGE}").into()),
                }
            }
        }
    }
    Ok(args)
}

// ---------------------------------------------------------------------------
// Latency statistics.

/// The `q`-quantile (0..=1) of sorted `samples`, nearest rank.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// Per-command latencies of a run, and (while statements are counted) the
/// statement counter after each command.
#[derive(Debug, Default, Clone)]
struct Latencies {
    by_command: BTreeMap<&'static str, Vec<Duration>>,
    marks: Vec<u64>,
}

impl Latencies {
    fn add(&mut self, command: &'static str, d: Duration) {
        self.by_command.entry(command).or_default().push(d);
        if COUNTING.load(Ordering::Relaxed) {
            self.marks.push(STATEMENTS.load(Ordering::Relaxed));
        }
    }

    fn merge(&mut self, other: Latencies) {
        for (k, mut v) in other.by_command {
            self.by_command.entry(k).or_default().append(&mut v);
        }
    }

    /// (p50, p99) in milliseconds of `command`.
    fn p50_p99(&self, command: &str) -> (f64, f64) {
        let mut v = self.by_command.get(command).cloned().unwrap_or_default();
        v.sort();
        (ms(quantile(&v, 0.50)), ms(quantile(&v, 0.99)))
    }
}

/// One throughput measurement.
#[derive(Debug, Clone)]
struct RunResult {
    name: String,
    clients: usize,
    lifecycles: usize,
    elapsed: Duration,
    latencies: Latencies,
}

impl RunResult {
    fn per_second(&self) -> f64 {
        self.lifecycles as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

// ---------------------------------------------------------------------------
// Seeding: users, profiles and gigs come from the generator (no argon2, no
// workflow), then one default card per client and one payout account per
// creator are written directly.

/// One benchmark client's cast: a brand, a creator and the creator's gig.
#[derive(Debug, Clone, Copy)]
struct Pair {
    client_user: UserId,
    client_profile: ClientProfileId,
    creator_user: UserId,
    creator_profile: CreatorProfileId,
    gig: GigId,
}

async fn seed(store: &Arc<dyn Store>, pairs: usize, seed: u64) -> Outcome<Vec<Pair>> {
    let scale = Scale {
        creators: pairs,
        clients: pairs,
        gigs: pairs * 20,
        jobs: 0,
        messages: 0,
    };
    let generated = generate(store, scale, seed, 1_000, &|_, _, _| {}).await?;
    let out = pick_pairs(store, &generated, pairs).await?;
    let now = Utc::now();
    let mut changes = ChangeSet::new();
    for (n, pair) in out.iter().enumerate() {
        changes.insert(PaymentMethod {
            id: PaymentMethodId::from_uuid(Uuid::new_v4()),
            user_id: pair.client_user,
            provider: Text::parse("simulated")?,
            provider_payment_method_id: Text::parse(&format!("pm_bench_{seed}_{n}"))?,
            r#type: Some(PaymentMethodType::Card),
            last_four: Some(Text::parse("4242")?),
            brand: Some(Text::parse("Visa")?),
            expiry_month: Some(12),
            expiry_year: Some(2035),
            is_default: true,
            is_verified: true,
            created_at: now,
            updated_at: now,
            version: 1,
        });
        changes.insert(PayoutMethod {
            id: PayoutMethodId::from_uuid(Uuid::new_v4()),
            creator_profile_id: pair.creator_profile,
            r#type: Some(PayoutMethodType::BankTransfer),
            provider: Text::parse("simulated")?,
            provider_account_id: Text::parse(&format!("acct_bench_{seed}_{n}"))?,
            account_name: None,
            last_four: Some(Text::parse("6789")?),
            is_default: true,
            is_verified: true,
            created_at: now,
            updated_at: now,
            version: 1,
        });
    }
    store.apply(changes).await?;
    Ok(out)
}

/// Gives every benchmark client its own client and its own creator (with a
/// gig of that creator), so that clients never contend on a row.
async fn pick_pairs(
    store: &Arc<dyn Store>,
    generated: &Generated,
    pairs: usize,
) -> Outcome<Vec<Pair>> {
    let mut out: Vec<Pair> = Vec::new();
    for gig_id in &generated.gigs {
        if out.len() == pairs {
            break;
        }
        let gig = store
            .gigs()
            .get_by_id(*gig_id)
            .await?
            .ok_or("a generated gig is missing")?;
        if out
            .iter()
            .any(|p| p.creator_profile == gig.creator_profile_id)
        {
            continue;
        }
        let Some(&(creator_user, creator_profile)) = generated
            .creators
            .iter()
            .find(|(_, p)| *p == gig.creator_profile_id)
        else {
            continue;
        };
        let (client_user, client_profile) = generated.clients[out.len()];
        out.push(Pair {
            client_user,
            client_profile,
            creator_user,
            creator_profile,
            gig: gig.id,
        });
    }
    if out.len() < pairs {
        return Err(format!("only {} distinct creators have gigs", out.len()).into());
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// The library lifecycle.

fn deliverable() -> Outcome<DeliverableInput> {
    Ok(DeliverableInput {
        title: Some(Text::parse("Final cut")?),
        description: None,
        video_urls: vec![Url::parse("https://cdn.example.com/reels/final.mp4")?],
        file_urls: vec![],
    })
}

fn review() -> Outcome<ReviewInput> {
    Ok(ReviewInput {
        overall_rating: Rating::parse(5)?,
        communication_rating: Some(Rating::parse(5)?),
        quality_rating: None,
        professionalism_rating: None,
        value_rating: None,
        title: None,
        comment: Some("Fast and on brand.".into()),
    })
}

/// Times one command into `lat`.
macro_rules! timed {
    ($lat:expr, $name:expr, $e:expr) => {{
        let started = Instant::now();
        let out = $e.await?;
        $lat.add($name, started.elapsed());
        out
    }};
}

/// Runs one full lifecycle through the service, timing each command.
async fn lifecycle(market: &Marketplace, pair: &Pair, lat: &mut Latencies) -> Outcome<()> {
    let client = Ctx::user(pair.client_user);
    let creator = Ctx::user(pair.creator_user);
    let order = OrderGigInput {
        tier: GigTier::Basic,
        requirements: None,
    };
    let contract = timed!(lat, "order", market.order_gig(&client, pair.gig, order));
    let id = contract.id;
    timed!(lat, "fund", market.fund_escrow(&client, id, None));
    timed!(lat, "accept", market.accept_contract(&creator, id));
    timed!(
        lat,
        "deliver",
        market.submit_deliverable(&creator, id, deliverable()?)
    );
    timed!(lat, "approve", market.approve_delivery(&client, id, None));
    timed!(lat, "review", market.leave_review(&client, id, review()?));
    Ok(())
}

/// Splits `pairs` into `clients` disjoint sets: each benchmark client works
/// for its own brands and creators, in turn, so no two clients contend on a
/// row and no single profile collects every order of the run.
fn own_pairs(pairs: &[Pair], clients: usize) -> Vec<Vec<Pair>> {
    let per = (pairs.len() / clients.max(1)).max(1);
    pairs
        .chunks(per)
        .take(clients)
        .map(<[Pair]>::to_vec)
        .collect()
}

/// `total` lifecycles spread over `clients` concurrent tasks.
async fn run_library(
    name: &str,
    market: &Marketplace,
    pairs: &[Pair],
    clients: usize,
    total: usize,
) -> Outcome<RunResult> {
    let per_client = total.div_ceil(clients).max(1);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for own in own_pairs(pairs, clients) {
        let market = market.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Latencies::default();
            for n in 0..per_client {
                lifecycle(&market, &own[n % own.len()], &mut lat).await?;
            }
            Outcome::Ok(lat)
        }));
    }
    let mut latencies = Latencies::default();
    for task in tasks {
        latencies.merge(task.await??);
    }
    Ok(RunResult {
        name: name.to_string(),
        clients,
        lifecycles: per_client * clients,
        elapsed: started.elapsed(),
        latencies,
    })
}

// ---------------------------------------------------------------------------
// The same lifecycle as hand-written SQL on the same schema: the writes a
// developer would issue without the library (no audit rows, notifications,
// idempotency records or version checks beyond status guards).

/// A quote as the hand-written code computes it: 10% platform fee of which
/// 3% processing, rounded to cents, payout the remainder.
fn hand_quote(total: Decimal) -> (Decimal, Decimal, Decimal) {
    let fee = (total * Decimal::new(10, 2)).round_dp(2);
    let processing = (total * Decimal::new(3, 2)).round_dp(2).min(fee);
    (fee, processing, total - fee)
}

async fn hand_lifecycle(
    pool: &PgPool,
    pair: &Pair,
    price: Decimal,
    lat: &mut Latencies,
) -> Outcome<()> {
    let contract = Uuid::now_v7();
    let (fee, processing, payout) = hand_quote(price);
    let today = Utc::now().date_naive();

    // order (contract + order counter), in one transaction.
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO contracts (id, gig_id, client_profile_id, creator_profile_id, title, \
         description, scope_of_work, total_amount, platform_fee, creator_payout, processing_fee, \
         currency, gig_tier, revisions_allowed, start_date, deadline_date, status, version) \
         VALUES ($1, $2, $3, $4, 'Gig order', 'One video', 'One video', $5, $6, $7, $8, 'USD', \
         'basic', 1, $9, $10, 'pending_acceptance', 1)",
    )
    .bind(contract)
    .bind(pair.gig.as_uuid())
    .bind(pair.client_profile.as_uuid())
    .bind(pair.creator_profile.as_uuid())
    .bind(price)
    .bind(fee)
    .bind(payout)
    .bind(processing)
    .bind(today)
    .bind(today + Days::days(7))
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE gigs SET order_count = order_count + 1 WHERE id = $1")
        .bind(pair.gig.as_uuid())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    lat.add("order", started.elapsed());

    // fund: escrow hold transaction, its postings and the escrow account.
    let started = Instant::now();
    let hold = Uuid::now_v7();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO transactions (id, payer_user_id, contract_id, transaction_type, amount, \
         currency, net_amount, payment_provider, status, completed_at, version) \
         VALUES ($1, $2, $3, 'escrow_hold', $4, 'USD', $4, 'simulated', 'completed', now(), 1)",
    )
    .bind(hold)
    .bind(pair.client_user.as_uuid())
    .bind(contract)
    .bind(price)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO ledger_postings (id, transaction_id, account, amount, currency) \
         VALUES ($1, $3, $4, -$6::numeric, 'USD'), ($2, $3, $5, $6, 'USD')",
    )
    .bind(Uuid::now_v7())
    .bind(Uuid::now_v7())
    .bind(hold)
    .bind(format!("external:{}", pair.client_user))
    .bind(format!("escrow:{contract}"))
    .bind(price)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO escrow_accounts (id, contract_id, total_amount, held_amount, \
         released_amount, refunded_amount, currency, status, version) \
         SELECT $1, $2, $3, $3, 0, 0, 'USD', 'active', 1 FROM contracts \
         WHERE id = $2 AND status = 'pending_acceptance'",
    )
    .bind(Uuid::now_v7())
    .bind(contract)
    .bind(price)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    lat.add("fund", started.elapsed());

    // accept: one guarded statement.
    let started = Instant::now();
    let done = sqlx::query(
        "UPDATE contracts SET status = 'active', accepted_at = now(), started_at = now(), \
         version = version + 1 WHERE id = $1 AND status = 'pending_acceptance' \
         AND EXISTS (SELECT 1 FROM escrow_accounts e WHERE e.contract_id = $1 AND e.status = 'active')",
    )
    .bind(contract)
    .execute(pool)
    .await?;
    if done.rows_affected() != 1 {
        return Err("hand-written accept found no fundable contract".into());
    }
    lat.add("accept", started.elapsed());

    // deliver: the deliverable and the contract's status.
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO deliverables (id, contract_id, version_number, title, video_urls, status, version) \
         VALUES ($1, $2, 1, 'Final cut', '[\"https://cdn.example.com/reels/final.mp4\"]'::jsonb, 'submitted', 1)",
    )
    .bind(Uuid::now_v7())
    .bind(contract)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE contracts SET status = 'in_review', submitted_at = now(), version = version + 1 \
         WHERE id = $1 AND status IN ('active', 'revision_requested')",
    )
    .bind(contract)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    lat.add("deliver", started.elapsed());

    // approve: release with the fee split, postings, a payout, statistics;
    // then the payout completes (as the library records the provider's
    // answer in a second step).
    let started = Instant::now();
    let release = Uuid::now_v7();
    let payout_tx = Uuid::now_v7();
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE escrow_accounts SET held_amount = held_amount - $2, \
         released_amount = released_amount + $2, status = 'released', updated_at = now(), \
         version = version + 1 WHERE contract_id = $1 AND status = 'active' AND held_amount >= $2",
    )
    .bind(contract)
    .bind(price)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err("hand-written release found no held escrow".into());
    }
    sqlx::query(
        "UPDATE deliverables SET status = 'approved', approved_at = now(), version = version + 1 \
         WHERE contract_id = $1 AND status = 'submitted'",
    )
    .bind(contract)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE contracts SET status = 'completed', completed_at = now(), version = version + 1 \
         WHERE id = $1 AND status = 'in_review'",
    )
    .bind(contract)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO transactions (id, payer_user_id, payee_user_id, contract_id, transaction_type, \
         amount, currency, platform_fee, processing_fee, net_amount, status, completed_at, version) \
         VALUES ($1, $2, $3, $4, 'escrow_release', $5, 'USD', $6, $7, $8, 'completed', now(), 1), \
         ($9, NULL, $3, $4, 'payout', $8, 'USD', 0, 0, $8, 'pending', NULL, 1)",
    )
    .bind(release)
    .bind(pair.client_user.as_uuid())
    .bind(pair.creator_user.as_uuid())
    .bind(contract)
    .bind(price)
    .bind(fee)
    .bind(processing)
    .bind(payout)
    .bind(payout_tx)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO ledger_postings (id, transaction_id, account, amount, currency) \
         VALUES ($1, $4, $5, -$8::numeric, 'USD'), ($2, $4, $6, $9, 'USD'), ($3, $4, $7, $10, 'USD')",
    )
    .bind(Uuid::now_v7())
    .bind(Uuid::now_v7())
    .bind(Uuid::now_v7())
    .bind(release)
    .bind(format!("escrow:{contract}"))
    .bind(format!("creator_payable:{}", pair.creator_user))
    .bind("platform_revenue")
    .bind(price)
    .bind(payout)
    .bind(fee)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE creator_profiles SET total_earnings = total_earnings + $2, \
         total_jobs_completed = total_jobs_completed + 1, contracts_closed = contracts_closed + 1, \
         version = version + 1 WHERE id = $1",
    )
    .bind(pair.creator_profile.as_uuid())
    .bind(payout)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE client_profiles SET total_spent = total_spent + $2, version = version + 1 WHERE id = $1",
    )
    .bind(pair.client_profile.as_uuid())
    .bind(price)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut tx = pool.begin().await?;
    sqlx::query(
        "UPDATE transactions SET status = 'completed', completed_at = now(), \
         provider_transaction_id = $2, version = version + 1 WHERE id = $1 AND status = 'pending'",
    )
    .bind(payout_tx)
    .bind(format!("sim_{payout_tx}"))
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO ledger_postings (id, transaction_id, account, amount, currency) \
         VALUES ($1, $3, $4, -$6::numeric, 'USD'), ($2, $3, $5, $6, 'USD')",
    )
    .bind(Uuid::now_v7())
    .bind(Uuid::now_v7())
    .bind(payout_tx)
    .bind(format!("creator_payable:{}", pair.creator_user))
    .bind(format!("external:{}", pair.creator_user))
    .bind(payout)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    lat.add("approve", started.elapsed());

    // review: the review and the creator's rating.
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO reviews (id, contract_id, reviewer_user_id, reviewee_user_id, reviewer_type, \
         overall_rating, communication_rating, comment, version) \
         VALUES ($1, $2, $3, $4, 'client', 5, 5, 'Fast and on brand.', 1)",
    )
    .bind(Uuid::now_v7())
    .bind(contract)
    .bind(pair.client_user.as_uuid())
    .bind(pair.creator_user.as_uuid())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE creator_profiles SET average_rating = \
         round((average_rating * total_reviews + 5) / (total_reviews + 1), 2), \
         total_reviews = total_reviews + 1, version = version + 1 WHERE id = $1",
    )
    .bind(pair.creator_profile.as_uuid())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    lat.add("review", started.elapsed());
    Ok(())
}

async fn run_hand(
    pool: &PgPool,
    pairs: &[Pair],
    price: Decimal,
    clients: usize,
    total: usize,
) -> Outcome<RunResult> {
    let per_client = total.div_ceil(clients).max(1);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for own in own_pairs(pairs, clients) {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Latencies::default();
            for n in 0..per_client {
                hand_lifecycle(&pool, &own[n % own.len()], price, &mut lat).await?;
            }
            Outcome::Ok(lat)
        }));
    }
    let mut latencies = Latencies::default();
    for task in tasks {
        latencies.merge(task.await??);
    }
    Ok(RunResult {
        name: "PostgreSQL, hand-written SQL".into(),
        clients,
        lifecycles: per_client * clients,
        elapsed: started.elapsed(),
        latencies,
    })
}

/// Statements per command: one lifecycle each way, counted by the logger
/// (the marks taken after each command split the count).
async fn statements_per_command(
    market: &Marketplace,
    pool: &PgPool,
    pair: &Pair,
    price: Decimal,
) -> Outcome<Vec<(&'static str, u64, u64)>> {
    fn split(start: u64, marks: &[u64]) -> Vec<u64> {
        let mut prev = start;
        marks
            .iter()
            .map(|m| {
                let n = m - prev;
                prev = *m;
                n
            })
            .collect()
    }
    let mut lib = Latencies::default();
    let start = STATEMENTS.load(Ordering::Relaxed);
    let (r, _) = count_statements(lifecycle(market, pair, &mut lib)).await;
    r?;
    let library = split(start, &lib.marks);
    let mut hand = Latencies::default();
    let start = STATEMENTS.load(Ordering::Relaxed);
    let (r, _) = count_statements(hand_lifecycle(pool, pair, price, &mut hand)).await;
    r?;
    let hand = split(start, &hand.marks);
    Ok(COMMANDS
        .iter()
        .zip(library)
        .zip(hand)
        .map(|((c, l), h)| (*c, l, h))
        .collect())
}

// ---------------------------------------------------------------------------
// Databases.

fn database_url(admin: &str, name: &str) -> String {
    let authority = admin.find("://").map(|i| i + 3).unwrap_or(0);
    let (base, query) = match admin.find('?') {
        Some(q) => admin.split_at(q),
        None => (admin, ""),
    };
    match base[authority..].find('/') {
        Some(slash) => format!("{}/{name}{query}", &base[..authority + slash]),
        None => format!("{base}/{name}{query}"),
    }
}

async fn fresh_database(admin: &str, name: &str) -> Outcome<String> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(admin)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&pool)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await?;
    pool.close().await;
    Ok(database_url(admin, name))
}

async fn open_database(admin: &str, name: &str) -> Outcome<Option<String>> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(admin)
        .await?;
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&pool)
        .await?;
    pool.close().await;
    Ok(exists.map(|_| database_url(admin, name)))
}

// ---------------------------------------------------------------------------
// Search.

#[derive(Debug, Clone)]
struct SearchResult {
    gigs: usize,
    kind: &'static str,
    library: (f64, f64),
    raw: (f64, f64),
    hits: usize,
}

/// The queries of the search section: full text with filters, and typos
/// that match nothing by words (so the library falls back to trigrams).
fn search_queries() -> Vec<(&'static str, GigQuery)> {
    let usd = |minor: i64| Money::from_minor(minor, Currency::USD).ok();
    let texts = [
        "cinematic reel editor",
        "ugc skincare",
        "motion designer saas",
        "playful animator restaurants",
        "video editor tiktok",
    ];
    let typos = [
        "cinematc reel edtor",
        "ugc creatr skincre",
        "motoin desiner",
        "animatr for restorants",
        "vidoe editr",
    ];
    let mut out = Vec::new();
    for (n, text) in texts.iter().enumerate() {
        out.push((
            "full text + filters",
            GigQuery {
                text: Some((*text).into()),
                category: if n % 2 == 0 {
                    Some("editing".into())
                } else {
                    None
                },
                min_price: None,
                max_price: usd(30_000),
                max_delivery_days: Some(5),
                page: Page::new(20, 0),
            },
        ));
    }
    for text in typos {
        out.push((
            "typo fallback",
            GigQuery {
                text: Some(text.into()),
                category: None,
                min_price: None,
                max_price: None,
                max_delivery_days: None,
                page: Page::new(20, 0),
            },
        ));
    }
    out
}

/// The same search as a developer would write it by hand: the full-text
/// index with the filters, or the trigram index for the typo fallback.
async fn raw_search(pool: &PgPool, q: &GigQuery, fuzzy: bool) -> Outcome<usize> {
    let text = q.text.clone().unwrap_or_default();
    let rows: Vec<(Uuid, String)> = if fuzzy {
        sqlx::query_as(
            "SELECT id, title FROM gigs WHERE status = 'active' AND title % $1 \
             ORDER BY similarity(title, $1) DESC, published_at DESC NULLS LAST LIMIT 20",
        )
        .bind(text)
        .fetch_all(pool)
        .await?
    } else {
        sqlx::query_as(
            "SELECT id, title FROM gigs WHERE status = 'active' \
             AND search_vector @@ plainto_tsquery('english', $1) \
             AND ($2::text IS NULL OR lower(category) = lower($2)) \
             AND ($3::numeric IS NULL OR (basic_price_currency = 'USD' AND basic_price <= $3)) \
             AND ($4::int IS NULL OR basic_delivery_days <= $4) \
             ORDER BY ts_rank(search_vector, plainto_tsquery('english', $1)) DESC, \
             published_at DESC NULLS LAST LIMIT 20",
        )
        .bind(text)
        .bind(q.category.clone())
        .bind(q.max_price.map(|m| m.amount()))
        .bind(q.max_delivery_days)
        .fetch_all(pool)
        .await?
    };
    Ok(rows.len())
}

async fn search_section(admin: &str, gigs: usize, queries: usize) -> Outcome<Vec<SearchResult>> {
    let name = format!("reelbyte_bench_search_{gigs}");
    // The generated data are reproducible (seed 42): reuse a database that a
    // previous run filled completely.
    let url = match open_database(admin, &name).await? {
        Some(url) if count_gigs(&url).await? == gigs => {
            eprintln!("search: reusing {name} ({gigs} gigs)");
            url
        }
        _ => {
            let url = fresh_database(admin, &name).await?;
            let store = reelbyte_pg::PgStore::connect(&url, 4).await?;
            store.migrate().await?;
            let store: Arc<dyn Store> = Arc::new(store);
            let started = Instant::now();
            let scale = Scale {
                creators: (gigs / 10).max(1),
                clients: 10,
                gigs,
                jobs: 0,
                messages: 0,
            };
            generate(&store, scale, 42, 2_000, &|section, done, total| {
                if section == "gigs" && done % 20_000 < 2_000 {
                    eprintln!("search: {done}/{total} gigs");
                }
            })
            .await?;
            eprintln!(
                "search: generated {gigs} gigs in {:.0} s",
                started.elapsed().as_secs_f64()
            );
            url
        }
    };
    let store = reelbyte_pg::PgStore::connect(&url, 2).await?;
    sqlx::query("ANALYZE gigs").execute(store.pool()).await?;
    let pool = store.pool().clone();
    let store: Arc<dyn Store> = Arc::new(store);
    let all = search_queries();
    let mut out = Vec::new();
    for kind in ["full text + filters", "typo fallback"] {
        let mine: Vec<&GigQuery> = all
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, q)| q)
            .collect();
        let fuzzy = kind == "typo fallback";
        // Warm the caches once.
        for q in &mine {
            store.gigs().search(q).await?;
            raw_search(&pool, q, fuzzy).await?;
        }
        let (mut lib, mut raw, mut hits) = (Vec::new(), Vec::new(), 0);
        for n in 0..queries {
            let q = mine[n % mine.len()];
            let started = Instant::now();
            hits += store.gigs().search(q).await?.len();
            lib.push(started.elapsed());
            let started = Instant::now();
            raw_search(&pool, q, fuzzy).await?;
            raw.push(started.elapsed());
        }
        lib.sort();
        raw.sort();
        out.push(SearchResult {
            gigs,
            kind,
            library: (ms(quantile(&lib, 0.5)), ms(quantile(&lib, 0.99))),
            raw: (ms(quantile(&raw, 0.5)), ms(quantile(&raw, 0.99))),
            hits: hits / queries.max(1),
        });
    }
    Ok(out)
}

async fn count_gigs(url: &str) -> Outcome<usize> {
    let pool = PgPoolOptions::new().max_connections(1).connect(url).await?;
    let n: Option<i64> = sqlx::query_scalar("SELECT count(*) FROM gigs")
        .fetch_one(&pool)
        .await
        .ok();
    pool.close().await;
    Ok(n.unwrap_or(0) as usize)
}

// ---------------------------------------------------------------------------
// Memory footprint (in a child process).

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

async fn footprint_child(gigs: usize) -> Outcome<()> {
    let before = status_kib("VmRSS:").unwrap_or(0);
    let store: Arc<dyn Store> = Arc::new(reelbyte_memory::MemStore::new());
    let scale = Scale {
        creators: (gigs / 10).max(1),
        clients: 1_000,
        gigs,
        jobs: 0,
        messages: 0,
    };
    let started = Instant::now();
    generate(&store, scale, 42, 10_000, &|_, _, _| {}).await?;
    let secs = started.elapsed().as_secs_f64();
    let hwm = status_kib("VmHWM:").unwrap_or(0);
    let rss = status_kib("VmRSS:").unwrap_or(0);
    println!("FOOTPRINT {gigs} {before} {rss} {hwm} {secs:.1}");
    drop(store);
    Ok(())
}

#[derive(Debug, Clone)]
struct Footprint {
    gigs: usize,
    creators: usize,
    baseline_kib: u64,
    rss_kib: u64,
    hwm_kib: u64,
    load_secs: f64,
}

fn footprint(gigs: usize) -> Outcome<Footprint> {
    let exe = std::env::current_exe()?;
    let output = std::process::Command::new(exe)
        .args(["--footprint-only", "--footprint-gigs", &gigs.to_string()])
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("FOOTPRINT "))
        .ok_or_else(|| {
            format!(
                "the footprint child failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })?;
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() != 6 {
        return Err(format!("unexpected footprint line {line:?}").into());
    }
    Ok(Footprint {
        gigs: f[1].parse()?,
        creators: (gigs / 10).max(1),
        baseline_kib: f[2].parse()?,
        rss_kib: f[3].parse()?,
        hwm_kib: f[4].parse()?,
        load_secs: f[5].parse()?,
    })
}

// ---------------------------------------------------------------------------
// Sections.

async fn memory_section(args: &Args) -> Outcome<Vec<RunResult>> {
    let mut out = Vec::new();
    for clients in [1, 8] {
        let store: Arc<dyn Store> = Arc::new(reelbyte_memory::MemStore::new());
        let pairs = seed(&store, 8 * args.pairs_per_client, 7).await?;
        let market = Marketplace::new(store, Arc::new(SimulatedGateway::new()));
        // Warm-up, untimed.
        run_library("warm-up", &market, &pairs, clients, 200).await?;
        let r = run_library(
            "memory store",
            &market,
            &pairs,
            clients,
            args.mem_lifecycles,
        )
        .await?;
        eprintln!(
            "memory, {clients} client(s): {:.0} lifecycles/s",
            r.per_second()
        );
        out.push(r);
    }
    Ok(out)
}

#[derive(Debug, Clone, Default)]
struct PgReport {
    runs: Vec<RunResult>,
    statements: Vec<(&'static str, u64, u64)>,
}

async fn postgres_section(admin: &str, args: &Args) -> Outcome<PgReport> {
    let url = fresh_database(admin, "reelbyte_bench").await?;
    let store = reelbyte_pg::PgStore::connect(&url, 8).await?;
    store.migrate().await?;
    let pool = store.pool().clone();
    let store: Arc<dyn Store> = Arc::new(store);
    let pairs = seed(&store, 8 * args.pairs_per_client, 7).await?;
    let market = Marketplace::new(store.clone(), Arc::new(SimulatedGateway::new()));
    let mut price = Decimal::new(100, 0);
    if let Some(gig) = store.gigs().get_by_id(pairs[0].gig).await? {
        price = gig.basic_price.amount();
    }
    let mut report = PgReport::default();
    // Warm-up, untimed.
    run_library("warm-up", &market, &pairs, 8, 40).await?;
    run_hand(&pool, &pairs, price, 8, 40).await?;
    for clients in [1, 8] {
        let lib = run_library(
            "PostgreSQL, library",
            &market,
            &pairs,
            clients,
            args.pg_lifecycles,
        )
        .await?;
        eprintln!(
            "postgres library, {clients} client(s): {:.0} lifecycles/s",
            lib.per_second()
        );
        let hand = run_hand(&pool, &pairs, price, clients, args.pg_lifecycles).await?;
        eprintln!(
            "postgres hand-written, {clients} client(s): {:.0} lifecycles/s",
            hand.per_second()
        );
        report.runs.push(lib);
        report.runs.push(hand);
    }
    report.statements = statements_per_command(&market, &pool, &pairs[0], price).await?;
    Ok(report)
}

// ---------------------------------------------------------------------------
// Output: a Markdown block and an SVG.

#[derive(Debug, Clone, Default)]
struct Report {
    memory: Vec<RunResult>,
    pg: Option<PgReport>,
    /// The lifecycle on the Redis decorator over PostgreSQL.
    redis: Vec<RunResult>,
    cache: Vec<CacheResult>,
    search: Vec<SearchResult>,
    http: Vec<HttpResult>,
    footprint: Option<Footprint>,
    started: String,
    seconds: f64,
}

impl Report {
    /// Every lifecycle run, in table order.
    fn lifecycles(&self) -> Vec<RunResult> {
        let mut runs = self.memory.clone();
        if let Some(pg) = &self.pg {
            runs.extend(pg.runs.iter().cloned());
        }
        runs.extend(self.redis.iter().cloned());
        runs
    }
}

fn throughput_table(runs: &[RunResult]) -> String {
    let mut s = String::from("| store | clients | lifecycles | lifecycles/s |");
    for c in COMMANDS {
        let _ = write!(s, " {c} p50/p99 ms |");
    }
    s.push_str("\n|---|---:|---:|---:|");
    for _ in COMMANDS {
        s.push_str("---:|");
    }
    s.push('\n');
    for r in runs {
        let _ = write!(
            s,
            "| {} | {} | {} | {:.0} |",
            r.name,
            r.clients,
            r.lifecycles,
            r.per_second()
        );
        for c in COMMANDS {
            let (p50, p99) = r.latencies.p50_p99(c);
            let _ = write!(s, " {p50:.3} / {p99:.3} |");
        }
        s.push('\n');
    }
    s
}

fn cache_table(results: &[CacheResult]) -> String {
    let mut s = String::from(
        "\n### Cached against uncached reads (PostgreSQL directly, and the Redis decorator over the same PostgreSQL with a warm cache)\n\n",
    );
    s.push_str("| read | clients | reads | uncached p50 / p99 ms | uncached reads/s | cached p50 / p99 ms | cached reads/s | speedup (p50) | throughput ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in results {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.3} / {:.3} | {:.0} | {:.3} / {:.3} | {:.0} | **{:.1}x** | {:.1}x |",
            r.case,
            r.clients,
            r.cached.ops,
            r.uncached.p50,
            r.uncached.p99,
            r.uncached.per_second(),
            r.cached.p50,
            r.cached.p99,
            r.cached.per_second(),
            r.speedup(),
            r.throughput_ratio()
        );
    }
    s
}

fn http_table(results: &[HttpResult]) -> String {
    let mut s = String::from(
        "\n### HTTP server (in process on 127.0.0.1, HTTP/1.1 keep-alive clients, rate limits off)\n\n",
    );
    s.push_str("| store | endpoint | clients | requests | requests/s | p50 / p99 ms | non-2xx |\n|---|---|---:|---:|---:|---:|---:|\n");
    for r in results {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.0} | {:.3} / {:.3} | {} |",
            r.store,
            r.endpoint,
            r.clients,
            r.requests,
            r.per_second(),
            r.p50,
            r.p99,
            r.non_2xx
        );
    }
    s
}

fn find_cache<'a>(
    results: &'a [CacheResult],
    case: &str,
    clients: usize,
) -> Option<&'a CacheResult> {
    results
        .iter()
        .find(|r| r.case == case && r.clients == clients)
}

fn find<'a>(runs: &'a [RunResult], name: &str, clients: usize) -> Option<&'a RunResult> {
    runs.iter().find(|r| r.name == name && r.clients == clients)
}

fn markdown(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Run started {} (UTC), {:.0} s in all.\n",
        report.started, report.seconds
    );
    s.push_str(
        "### Gig-order lifecycle (order, fund, accept, deliver, approve/release, review)\n\n",
    );
    let runs = report.lifecycles();
    s.push_str(&throughput_table(&runs));
    s.push('\n');
    if let Some(pg) = &report.pg {
        for clients in [1, 8] {
            if let (Some(l), Some(h)) = (
                find(&pg.runs, "PostgreSQL, library", clients),
                find(&pg.runs, "PostgreSQL, hand-written SQL", clients),
            ) {
                let _ = writeln!(
                    s,
                    "- library / hand-written throughput at {clients} client(s): **{:.2}**",
                    l.per_second() / h.per_second()
                );
            }
        }
        s.push_str("\n### Statements sent per command (one lifecycle, counted from sqlx's statement log = round trips; sqlx sends BEGIN with the first statement)\n\n");
        s.push_str("| command | library | hand-written |\n|---|---:|---:|\n");
        let (mut tl, mut th) = (0, 0);
        for (c, l, h) in &pg.statements {
            let _ = writeln!(s, "| {c} | {l} | {h} |");
            tl += l;
            th += h;
        }
        let _ = writeln!(s, "| **lifecycle** | **{tl}** | **{th}** |");
    }
    if let Some(pg) = &report.pg {
        for clients in [1, 8] {
            if let (Some(r), Some(l)) = (
                find(&report.redis, REDIS_LIFECYCLE, clients),
                find(&pg.runs, "PostgreSQL, library", clients),
            ) {
                let _ = writeln!(
                    s,
                    "{}- Redis over PostgreSQL / PostgreSQL library throughput at {clients} client(s): **{:.2}**",
                    if clients == 1 { "\n" } else { "" },
                    r.per_second() / l.per_second()
                );
            }
        }
    }
    if !report.cache.is_empty() {
        s.push_str(&cache_table(&report.cache));
    }
    if !report.search.is_empty() {
        s.push_str("\n### Search on PostgreSQL (20 results a page, one client)\n\n");
        s.push_str("| gigs | query | library p50 / p99 ms | hand-written SQL p50 / p99 ms | results |\n|---:|---|---:|---:|---:|\n");
        for r in &report.search {
            let _ = writeln!(
                s,
                "| {} | {} | {:.2} / {:.2} | {:.2} / {:.2} | {} |",
                r.gigs, r.kind, r.library.0, r.library.1, r.raw.0, r.raw.1, r.hits
            );
        }
    }
    if !report.http.is_empty() {
        s.push_str(&http_table(&report.http));
    }
    if let Some(f) = &report.footprint {
        let _ = writeln!(
            s,
            "\n### Memory store footprint\n\n{} gigs, {} creators, 1,000 clients generated into a `MemStore` in {:.1} s: \
             peak resident set (VmHWM) **{:.0} MiB**, resident after loading {:.0} MiB, before {:.0} MiB.",
            f.gigs,
            f.creators,
            f.load_secs,
            f.hwm_kib as f64 / 1024.0,
            f.rss_kib as f64 / 1024.0,
            f.baseline_kib as f64 / 1024.0
        );
    }
    s.push_str("\n### Targets\n\n");
    s.push_str(&targets(report));
    s
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

fn targets(report: &Report) -> String {
    let mut s = String::new();
    match find(&report.memory, "memory store", 1) {
        Some(r) => {
            let _ = writeln!(
                s,
                "- memory store >= 50,000 lifecycles/s on one client: {:.0}/s, **{}**",
                r.per_second(),
                verdict(r.per_second() >= 50_000.0)
            );
        }
        None => s.push_str("- memory store target: not measured\n"),
    }
    let ratio = report.pg.as_ref().and_then(|pg| {
        Some(
            find(&pg.runs, "PostgreSQL, library", 8)?.per_second()
                / find(&pg.runs, "PostgreSQL, hand-written SQL", 8)?.per_second(),
        )
    });
    match ratio {
        Some(r) => {
            let _ = writeln!(
                s,
                "- PostgreSQL library >= 0.8 of hand-written SQL at 8 clients: {r:.2}, **{}**",
                verdict(r >= 0.8)
            );
        }
        None => s.push_str("- PostgreSQL ratio target: not measured\n"),
    }
    let largest = report.search.iter().map(|r| r.gigs).max();
    match largest {
        Some(n) => {
            let worst = report
                .search
                .iter()
                .filter(|r| r.gigs == n)
                .map(|r| r.library.1)
                .fold(0.0, f64::max);
            let _ = writeln!(
                s,
                "- search p99 < 20 ms at 1,000,000 gigs: {} (worst library p99 {worst:.1} ms at {n} gigs)",
                if n >= 1_000_000 {
                    verdict(worst < 20.0).to_string()
                } else {
                    format!(
                        "**not measured at 1,000,000**; at {n} gigs it is {}",
                        if worst < 20.0 {
                            "under 20 ms"
                        } else {
                            "already over 20 ms"
                        }
                    )
                }
            );
        }
        None => s.push_str("- search target: not measured\n"),
    }
    for (case, label) in [
        (CACHE_CASES[1], "cached search page"),
        (CACHE_CASES[2], "cached creator profile"),
    ] {
        match (
            find_cache(&report.cache, case, 1),
            find_cache(&report.cache, case, 8),
        ) {
            (Some(one), Some(eight)) => {
                let _ = writeln!(
                    s,
                    "- {label} >= 3 times faster than PostgreSQL: p50 {:.1}x at 1 client, throughput {:.1}x at 8 clients, **{}**",
                    one.speedup(),
                    eight.throughput_ratio(),
                    verdict(one.speedup() >= 3.0 && eight.throughput_ratio() >= 3.0)
                );
            }
            _ => {
                let _ = writeln!(s, "- {label} target: not measured");
            }
        }
    }
    let single: Vec<&CacheResult> = report
        .cache
        .iter()
        .filter(|r| r.case == CACHE_CASES[0])
        .collect();
    if single.is_empty() {
        s.push_str("- single cached row never slower: not measured\n");
    } else {
        let detail: Vec<String> = single
            .iter()
            .map(|r| {
                format!(
                    "p50 {:.3} vs {:.3} ms and {:.0} vs {:.0} reads/s at {} client(s)",
                    r.cached.p50,
                    r.uncached.p50,
                    r.cached.per_second(),
                    r.uncached.per_second(),
                    r.clients
                )
            })
            .collect();
        let met = single
            .iter()
            .all(|r| r.cached.p50 <= r.uncached.p50 && r.throughput_ratio() >= 1.0);
        let _ = writeln!(
            s,
            "- a single cached row is never slower than PostgreSQL (cached vs uncached): {}, **{}**",
            detail.join("; "),
            verdict(met)
        );
    }
    if !report.http.is_empty() {
        let bad: usize = report.http.iter().map(|r| r.non_2xx).sum();
        let _ = writeln!(
            s,
            "- HTTP benchmark answers only 2xx: {bad} non-2xx responses, **{}**",
            verdict(bad == 0)
        );
    }
    s
}

/// Horizontal bars on a log scale: lifecycles/s per store and client count,
/// and search p99 per query kind.
fn svg(report: &Report) -> String {
    let mut bars: Vec<(String, f64, &str)> = Vec::new();
    let runs = report.lifecycles();
    for r in &runs {
        let colour = if r.name.starts_with("memory") {
            "#4e79a7"
        } else if r.name.contains("hand") {
            "#59a14f"
        } else if r.name == REDIS_LIFECYCLE {
            "#e15759"
        } else {
            "#f28e2b"
        };
        bars.push((
            format!("{}, {} client(s)", r.name, r.clients),
            r.per_second(),
            colour,
        ));
    }
    let mut search: Vec<(String, f64, &str)> = Vec::new();
    for r in &report.search {
        search.push((
            format!("{} gigs, {}, library", r.gigs, r.kind),
            r.library.1,
            "#f28e2b",
        ));
        search.push((
            format!("{} gigs, {}, hand-written", r.gigs, r.kind),
            r.raw.1,
            "#59a14f",
        ));
    }
    // Cached against uncached: median latency, one client, pairs of bars.
    let mut cache: Vec<(String, f64, &str)> = Vec::new();
    for r in report.cache.iter().filter(|r| r.clients == 1) {
        cache.push((format!("{}, PostgreSQL", r.case), r.uncached.p50, "#f28e2b"));
        cache.push((format!("{}, Redis cache", r.case), r.cached.p50, "#e15759"));
    }
    let mut http: Vec<(String, f64, &str)> = Vec::new();
    for r in &report.http {
        let verb = r.endpoint.split(':').next().unwrap_or(r.endpoint);
        http.push((
            format!("{}, {verb}, {} client(s)", r.store, r.clients),
            r.per_second(),
            if r.store.starts_with("memory") {
                "#4e79a7"
            } else {
                "#f28e2b"
            },
        ));
    }
    let row = 26.0;
    let left = 380.0;
    let width = 950.0;
    let plot = width - left - 90.0;
    let panels = [&bars, &search, &cache, &http]
        .iter()
        .filter(|p| !p.is_empty())
        .count();
    let height = 20.0
        + row * (bars.len() + search.len() + cache.len() + http.len()) as f64
        + 42.0 * panels as f64
        + 20.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
    );
    let mut y = 20.0;
    let panel =
        |s: &mut String, title: &str, items: &[(String, f64, &str)], unit: &str, y: &mut f64| {
            let _ = writeln!(
                s,
                "<text x=\"10\" y=\"{y}\" font-weight=\"bold\">{title} (log scale)</text>"
            );
            *y += 12.0;
            let max = items.iter().map(|i| i.1).fold(1.0_f64, f64::max);
            let top = max.log10().ceil().max(1.0);
            let floor = items
                .iter()
                .map(|i| i.1)
                .filter(|v| *v > 0.0)
                .fold(max, f64::min)
                .log10()
                .floor()
                .min(top - 1.0);
            for (label, value, colour) in items {
                let frac = ((value.max(1e-9).log10() - floor) / (top - floor)).clamp(0.0, 1.0);
                let w = (frac * plot).max(1.0);
                let _ = writeln!(
                    s,
                    "<text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
                 <rect x=\"{left}\" y=\"{ry}\" width=\"{w:.1}\" height=\"{h}\" fill=\"{colour}\"/>\
                 <text x=\"{vx:.1}\" y=\"{ty}\">{value:.1} {unit}</text>",
                    tx = left - 6.0,
                    ty = *y + 14.0,
                    ry = *y + 3.0,
                    h = row - 8.0,
                    vx = left + w + 4.0,
                );
                *y += row;
            }
            let _ = writeln!(
                s,
                "<text x=\"{left}\" y=\"{ty}\" fill=\"#666\">10^{floor:.0}</text>\
             <text x=\"{rx}\" y=\"{ty}\" fill=\"#666\" text-anchor=\"end\">10^{top:.0}</text>",
                ty = *y + 12.0,
                rx = left + plot,
            );
            *y += 30.0;
        };
    panel(
        &mut s,
        "Gig-order lifecycles per second",
        &bars,
        "/s",
        &mut y,
    );
    if !search.is_empty() {
        panel(
            &mut s,
            "Search p99 latency, ms (lower is better)",
            &search,
            "ms",
            &mut y,
        );
    }
    if !cache.is_empty() {
        panel(
            &mut s,
            "Reads, p50 latency at one client, ms (lower is better)",
            &cache,
            "ms",
            &mut y,
        );
    }
    if !http.is_empty() {
        panel(
            &mut s,
            "HTTP requests per second (GET a gig; PUT/DELETE a favorite)",
            &http,
            "/s",
            &mut y,
        );
    }
    s.push_str("</svg>\n");
    s
}

const BEGIN: &str = "<!-- bench:results:begin -->";
const END: &str = "<!-- bench:results:end -->";

/// Replaces the results block of `docs/BENCHMARKS.md` (keeping the prose
/// around it) and writes `docs/benchmarks.svg`.
fn write_docs(report: &Report, block: &str) -> Outcome<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let docs = root.join("docs");
    std::fs::create_dir_all(&docs)?;
    std::fs::write(docs.join("benchmarks.svg"), svg(report))?;
    let path = docs.join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        format!("# Benchmarks\n\n{BEGIN}\n{END}\n\n![benchmarks](benchmarks.svg)\n")
    });
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(b), Some(e)) if b < e => {
            format!("{}{BEGIN}\n{block}{}", &old[..b], &old[e..])
        }
        _ => format!("{old}\n{BEGIN}\n{block}{END}\n"),
    };
    std::fs::write(&path, new)?;
    eprintln!("wrote {} and docs/benchmarks.svg", path.display());
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Outcome<()> {
    let args = parse_args(std::env::args().skip(1))?;
    if args.footprint_only {
        return footprint_child(args.footprint_gigs).await;
    }
    log::set_logger(&COUNTER).map_err(|e| e.to_string())?;
    log::set_max_level(log::LevelFilter::Trace);
    let started = Instant::now();
    let mut report = Report {
        started: Utc::now().format("%Y-%m-%d %H:%M").to_string(),
        ..Report::default()
    };
    if args.wants("memory") {
        report.memory = memory_section(&args).await?;
    }
    if let Some(admin) = &args.admin_url {
        if args.wants("postgres") {
            report.pg = Some(postgres_section(admin, &args).await?);
        }
        match &args.redis_url {
            Some(redis_url) => {
                if args.wants("redis") {
                    report.redis = redis_lifecycle_section(admin, redis_url, &args).await?;
                }
                if args.wants("cache") {
                    report.cache = cache_section(admin, redis_url, args.cache_ops).await?;
                }
            }
            None => eprintln!("no --redis-url: Redis sections skipped"),
        }
        if args.wants("search") {
            for &gigs in &args.search_scales {
                report
                    .search
                    .extend(search_section(admin, gigs, args.search_queries).await?);
            }
        }
    } else {
        eprintln!("no --admin-url: PostgreSQL sections skipped");
    }
    if args.wants("http") {
        report.http = http_section(args.admin_url.as_deref(), args.http_seconds).await?;
    }
    if args.wants("footprint") && args.footprint_gigs > 0 {
        report.footprint = Some(footprint(args.footprint_gigs)?);
    }
    report.seconds = started.elapsed().as_secs_f64();
    let block = markdown(&report);
    println!("{block}");
    if args.write_docs {
        write_docs(&report, &block)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&v, 0.5), Duration::from_millis(50));
        assert_eq!(quantile(&v, 0.99), Duration::from_millis(99));
        assert_eq!(quantile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn database_urls_swap_the_database() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "b"),
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            database_url("postgres://u@h/postgres?sslmode=disable", "b"),
            "postgres://u@h/b?sslmode=disable"
        );
    }

    #[test]
    fn arguments_parse() -> Outcome<()> {
        let a = parse_args(
            [
                "--search-scales",
                "100_000,1000000",
                "--pg-lifecycles",
                "10",
            ]
            .map(String::from),
        )?;
        assert_eq!(a.search_scales, vec![100_000, 1_000_000]);
        assert_eq!(a.pg_lifecycles, 10);
        assert!(parse_args(["--nope".to_string(), "1".to_string()]).is_err());
        let a =
            parse_args(["--sections", "cache,http", "--http-seconds", "0.5"].map(String::from))?;
        assert!(a.wants("cache") && a.wants("http") && !a.wants("memory"));
        assert_eq!(a.http_seconds, 0.5);
        assert!(parse_args(["--sections", "cahce"].map(String::from)).is_err());
        Ok(())
    }

    #[test]
    fn cache_and_http_figures_render() {
        let run = |p50: f64, ops: usize| self::redis::ReadRun {
            ops,
            elapsed: Duration::from_secs(1),
            p50,
            p99: p50 * 2.0,
        };
        let mut cache = Vec::new();
        for case in CACHE_CASES {
            for clients in [1, 8] {
                cache.push(CacheResult {
                    case,
                    clients,
                    uncached: run(1.0, 1_000),
                    cached: run(0.1, 10_000),
                });
            }
        }
        let http = vec![HttpResult {
            store: "memory store",
            endpoint: "read: GET /api/v1/gigs/{gig}",
            clients: 1,
            requests: 100,
            non_2xx: 0,
            elapsed: Duration::from_secs(1),
            p50: 0.1,
            p99: 0.2,
        }];
        let report = Report {
            cache,
            http,
            ..Report::default()
        };
        let md = markdown(&report);
        assert!(md.contains("| creator profile (skills, categories, portfolio) | 8 | 10000 |"));
        assert!(md.contains("cached creator profile >= 3 times faster than PostgreSQL: p50 10.0x at 1 client, throughput 10.0x at 8 clients, **met**"));
        assert!(md.contains("0 non-2xx responses, **met**"));
        let svg = svg(&report);
        assert!(
            svg.contains("single gig by id, Redis cache")
                && svg.contains("memory store, read, 1 client(s)")
        );
    }

    #[tokio::test]
    async fn a_few_memory_lifecycles_run_and_render() -> Outcome<()> {
        let store: Arc<dyn Store> = Arc::new(reelbyte_memory::MemStore::new());
        let pairs = seed(&store, 2, 1).await?;
        let market = Marketplace::new(store, Arc::new(SimulatedGateway::new()));
        let run = run_library("memory store", &market, &pairs, 2, 4).await?;
        assert_eq!(run.lifecycles, 4);
        for c in COMMANDS {
            assert_eq!(run.latencies.by_command.get(c).map(Vec::len), Some(4));
        }
        let report = Report {
            memory: vec![run],
            ..Report::default()
        };
        assert!(markdown(&report).contains("memory store"));
        assert!(svg(&report).starts_with("<svg"));
        Ok(())
    }
}
