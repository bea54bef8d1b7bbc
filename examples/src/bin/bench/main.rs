//! The ReelByte benchmark: gig-order lifecycles on the memory store, on
//! PostgreSQL (library and hand-written SQL) and on the Redis cache over
//! PostgreSQL, statements per command, search latency over generated gigs,
//! cached against uncached reads ([`redis`]), rebuilding the boards from the
//! store ([`rankings`]), the HTTP server's requests per second ([`http`])
//! and the memory footprint of the memory store.
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
//! `reelbyte_bench_rankings`, `reelbyte_bench_search_<n>`); never point it
//! at data you want to keep.

mod http;
mod rankings;
mod redis;

use self::http::{HttpResult, http_section};
use self::rankings::{RankingsResult, rankings_section, rankings_table};
use self::redis::{
    CACHE_CASES, CacheResult, NO_PROJECTIONS, PROJECTED_LIFECYCLE, REDIS_LIFECYCLE, cache_section,
    redis_lifecycle_section,
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
use reelbyte_core::store::{ChangeSet, GigQuery, Page, Store, Table};
use reelbyte_core::value::{Rating, Text, Url};
use reelbyte_core::{Ctx, Currency, Marketplace, Money};
use reelbyte_examples::generator::{Generated, Scale, generate};
use sqlx::postgres::{PgPool, PgPoolOptions};

mod search;

use search::{SearchResult, count_gigs, search_queries, search_section};

/// The allocator `reelbyte-server` uses too (mimalloc, see
/// `examples/Cargo.toml`), so the HTTP figures are the server's as shipped.
/// A service that embeds the library picks its own allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
static LIST_STATEMENTS: AtomicBool = AtomicBool::new(false);

struct StatementCounter;

impl log::Log for StatementCounter {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        COUNTING.load(Ordering::Relaxed) && metadata.target().starts_with("sqlx::query")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            STATEMENTS.fetch_add(1, Ordering::Relaxed);
            if LIST_STATEMENTS.load(Ordering::Relaxed) {
                // `--list-statements`: what each command sends, one line
                // per statement (sqlx's summary: the statement's start).
                eprintln!("  sql: {}", record.args());
            }
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
    /// How many alternating slices the PostgreSQL lifecycles of each side
    /// are cut into (library, hand-written, hand-written, library, ...),
    /// so that a machine slowing down or speeding up mid-run weighs on both
    /// sides alike.
    pg_rounds: usize,
    search_scales: Vec<usize>,
    search_queries: usize,
    footprint_gigs: usize,
    pairs_per_client: usize,
    /// The database of the PostgreSQL lifecycle section (dropped and
    /// recreated), so that two runs on one server do not collide.
    pg_db: String,
    /// Print every statement counted (to stderr).
    list_statements: bool,
    redis_url: Option<String>,
    /// Reads per case and client count in the cache section.
    cache_ops: usize,
    /// Creators, and as many open jobs, in the rankings section.
    rankings_rows: usize,
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
            pg_rounds: 4,
            search_scales: vec![100_000],
            search_queries: 200,
            footprint_gigs: 1_000_000,
            pairs_per_client: 50,
            pg_db: "reelbyte_bench".into(),
            list_statements: false,
            redis_url: std::env::var("REELBYTE_BENCH_REDIS_URL")
                .ok()
                .filter(|u| !u.is_empty()),
            cache_ops: 2_000,
            rankings_rows: 20_000,
            http_seconds: 3.0,
            sections: SECTIONS.iter().map(|s| (*s).to_owned()).collect(),
            write_docs: false,
            footprint_only: false,
        }
    }
}

/// The sections `--sections` can name, in the order they run.
const SECTIONS: [&str; 8] = [
    "memory",
    "postgres",
    "redis",
    "cache",
    "search",
    "rankings",
    "http",
    "footprint",
];

impl Args {
    fn wants(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s == section)
    }
}

const USAGE: &str = "usage: bench [--admin-url URL] [--redis-url URL] [--mem-lifecycles N] \
[--pg-lifecycles N] [--pg-rounds N] [--search-scales N,N] [--search-queries N] [--footprint-gigs N] \
[--pairs-per-client N] [--cache-ops N] [--rankings-rows N] [--http-seconds S] [--pg-db NAME] \
[--list-statements] [--sections memory,postgres,redis,cache,search,rankings,http,footprint] [--write-docs]";

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
            "--list-statements" => args.list_statements = true,
            "--footprint-only" => args.footprint_only = true,
            _ => {
                let value = it.next().ok_or(format!("{flag} needs a value"))?;
                match flag.as_str() {
                    "--admin-url" => args.admin_url = Some(value).filter(|u| !u.is_empty()),
                    "--mem-lifecycles" => args.mem_lifecycles = number(&value)?,
                    "--pg-lifecycles" => args.pg_lifecycles = number(&value)?,
                    "--pg-rounds" => args.pg_rounds = number(&value)?.max(1),
                    "--search-queries" => args.search_queries = number(&value)?,
                    "--footprint-gigs" => args.footprint_gigs = number(&value)?,
                    "--pairs-per-client" => args.pairs_per_client = number(&value)?.max(1),
                    "--pg-db" => {
                        if value.is_empty()
                            || !value
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                        {
                            return Err("--pg-db takes a name of [a-z0-9_]".into());
                        }
                        args.pg_db = value
                    }
                    "--redis-url" => args.redis_url = Some(value).filter(|u| !u.is_empty()),
                    "--cache-ops" => args.cache_ops = number(&value)?.max(1),
                    "--rankings-rows" => args.rankings_rows = number(&value)?.max(1),
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
            if LIST_STATEMENTS.load(Ordering::Relaxed) {
                eprintln!("-- {command}: above");
            }
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

/// The side records of one hand-written command: audit rows and notices.
#[derive(Default)]
struct Records {
    audit_type: Vec<&'static str>,
    audit_id: Vec<Uuid>,
    audit_action: Vec<&'static str>,
    audit_new: Vec<serde_json::Value>,
    notice_user: Vec<Uuid>,
    notice_kind: Vec<&'static str>,
    notice_title: Vec<String>,
    notice_message: Vec<String>,
    notice_entity_type: Vec<&'static str>,
    notice_entity_id: Vec<Uuid>,
}

impl Records {
    fn audit(
        &mut self,
        entity_type: &'static str,
        id: Uuid,
        action: &'static str,
        new: serde_json::Value,
    ) -> &mut Self {
        self.audit_type.push(entity_type);
        self.audit_id.push(id);
        self.audit_action.push(action);
        self.audit_new.push(new);
        self
    }

    #[allow(clippy::too_many_arguments)]
    fn notice(
        &mut self,
        user: UserId,
        kind: &'static str,
        title: &str,
        message: &str,
        entity_type: &'static str,
        entity_id: Uuid,
    ) -> &mut Self {
        self.notice_user.push(user.as_uuid());
        self.notice_kind.push(kind);
        self.notice_title.push(title.to_string());
        self.notice_message.push(message.to_string());
        self.notice_entity_type.push(entity_type);
        self.notice_entity_id.push(entity_id);
        self
    }

    /// One statement: the audit rows, the in-app notifications and the
    /// email/push outbox rows, with the recipients' preferences joined in
    /// (defaults when they stored none), as the library decides them.
    async fn write(&self, conn: &mut sqlx::PgConnection, actor: Option<UserId>) -> Outcome<()> {
        sqlx::query(
            "WITH a AS ( \
               INSERT INTO audit_logs (id, user_id, entity_type, entity_id, action, new_values, created_at) \
               SELECT gen_random_uuid(), $1, e.t, e.i, e.a, e.n, now() \
               FROM unnest($2::text[], $3::uuid[], $4::text[], $5::jsonb[]) AS e(t, i, a, n)), \
             v AS MATERIALIZED ( \
               SELECT v.*, gen_random_uuid() AS nid, coalesce(p.inapp_enabled, true) AS inapp, \
                 CASE v.kind WHEN 'payment' THEN coalesce(p.email_payment, true) \
                   WHEN 'review' THEN coalesce(p.email_reviews, true) \
                   ELSE coalesce(p.email_contract_updates, true) END AS email, \
                 CASE v.kind WHEN 'payment' THEN coalesce(p.push_payment, true) \
                   WHEN 'review' THEN false \
                   ELSE coalesce(p.push_contract_updates, true) END AS push \
               FROM unnest($6::uuid[], $7::text[], $8::text[], $9::text[], $10::text[], $11::uuid[]) \
                 AS v(user_id, kind, title, message, et, ei) \
               LEFT JOIN notification_preferences p ON p.user_id = v.user_id), \
             n AS ( \
               INSERT INTO notifications (id, user_id, notification_type, title, message, \
                 related_entity_type, related_entity_id, is_read, created_at, version) \
               SELECT nid, user_id, kind, title, message, et, ei, false, now(), 1 FROM v WHERE inapp) \
             INSERT INTO notification_outbox (id, user_id, channel, notification_type, title, message, \
               notification_id, created_at, version) \
             SELECT gen_random_uuid(), v.user_id, c.channel, v.kind, v.title, v.message, \
               CASE WHEN v.inapp THEN v.nid END, now(), 1 \
             FROM v CROSS JOIN LATERAL (VALUES ('email', v.email), ('push', v.push)) AS c(channel, wanted) \
             WHERE c.wanted",
        )
        .bind(actor.map(|a| a.as_uuid()))
        .bind(&self.audit_type)
        .bind(&self.audit_id)
        .bind(&self.audit_action)
        .bind(&self.audit_new)
        .bind(&self.notice_user)
        .bind(&self.notice_kind)
        .bind(&self.notice_title)
        .bind(&self.notice_message)
        .bind(&self.notice_entity_type)
        .bind(&self.notice_entity_id)
        .execute(conn)
        .await?;
        Ok(())
    }
}

/// Fails unless a guarded statement changed exactly one row.
fn one_row(done: sqlx::postgres::PgQueryResult, what: &str) -> Outcome<()> {
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(format!("hand-written {what}: the guard matched no row").into())
    }
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
    let client = Some(pair.client_user);
    let creator = Some(pair.creator_user);
    let title = "Gig order";

    // order: the contract (if the gig is still active), the order counter,
    // audit and the creator's notice.
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "INSERT INTO contracts (id, gig_id, client_profile_id, creator_profile_id, title, \
         description, scope_of_work, total_amount, platform_fee, creator_payout, processing_fee, \
         currency, gig_tier, revisions_allowed, start_date, deadline_date, status, version) \
         SELECT $1, $2, $3, $4, 'Gig order', 'One video', 'One video', $5, $6, $7, $8, 'USD', \
         'basic', 1, $9, $10, 'pending_acceptance', 1 FROM gigs WHERE id = $2 AND status = 'active'",
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
    one_row(done, "order")?;
    sqlx::query("UPDATE gigs SET order_count = order_count + 1 WHERE id = $1")
        .bind(pair.gig.as_uuid())
        .execute(&mut *tx)
        .await?;
    Records::default()
        .audit(
            "contract",
            contract,
            "order_gig",
            serde_json::json!({"status": "pending_acceptance"}),
        )
        .notice(
            pair.creator_user,
            "contract_update",
            "New order",
            title,
            "contract",
            contract,
        )
        .write(&mut tx, client)
        .await?;
    tx.commit().await?;
    lat.add("order", started.elapsed());

    // fund: the pending escrow-hold transaction and its audit row, then
    // (after the gateway answered, as the library does) the completed
    // transaction, the escrow account, its two postings, the notices to both
    // parties and the audit of the completion.
    let started = Instant::now();
    let hold = Uuid::now_v7();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "WITH t AS (INSERT INTO transactions (id, payer_user_id, contract_id, transaction_type, \
           amount, currency, net_amount, payment_provider, status, version) \
           SELECT $1, $2, $3, 'escrow_hold', $4, 'USD', $4, 'simulated', 'pending', 1 \
           FROM contracts WHERE id = $3 AND status = 'pending_acceptance' RETURNING id) \
         INSERT INTO audit_logs (id, user_id, entity_type, entity_id, action, new_values, created_at) \
         SELECT gen_random_uuid(), $2, 'transaction', t.id, 'create', '{\"status\": \"pending\"}', now() FROM t",
    )
    .bind(hold)
    .bind(pair.client_user.as_uuid())
    .bind(contract)
    .bind(price)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE transactions SET status = 'completed', completed_at = now(), \
         provider_transaction_id = $2, version = version + 1 WHERE id = $1 AND status = 'pending'",
    )
    .bind(hold)
    .bind(format!("sim_{hold}"))
    .execute(&mut *tx)
    .await?;
    one_row(done, "fund")?;
    sqlx::query(
        "WITH e AS (INSERT INTO escrow_accounts (id, contract_id, total_amount, held_amount, \
           released_amount, refunded_amount, currency, status, version) \
           VALUES ($1, $2, $3, $3, 0, 0, 'USD', 'active', 1)) \
         INSERT INTO ledger_postings (id, transaction_id, account, amount, currency) \
         VALUES (gen_random_uuid(), $4, $5, -$3::numeric, 'USD'), (gen_random_uuid(), $4, $6, $3, 'USD')",
    )
    .bind(Uuid::now_v7())
    .bind(contract)
    .bind(price)
    .bind(hold)
    .bind(format!("external:{}", pair.client_user))
    .bind(format!("escrow:{contract}"))
    .execute(&mut *tx)
    .await?;
    let held = format!("{price} USD is held in escrow for {title}");
    Records::default()
        .audit(
            "transaction",
            hold,
            "complete",
            serde_json::json!({"status": "completed"}),
        )
        .notice(
            pair.client_user,
            "payment",
            "Escrow funded",
            &held,
            "contract",
            contract,
        )
        .notice(
            pair.creator_user,
            "payment",
            "Escrow funded",
            &held,
            "contract",
            contract,
        )
        .write(&mut tx, None)
        .await?;
    tx.commit().await?;
    lat.add("fund", started.elapsed());

    // accept: one guarded update, then audit and the client's notice.
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE contracts SET status = 'active', accepted_at = now(), started_at = now(), \
         version = version + 1 WHERE id = $1 AND status = 'pending_acceptance' \
         AND EXISTS (SELECT 1 FROM escrow_accounts e WHERE e.contract_id = $1 AND e.status = 'active')",
    )
    .bind(contract)
    .execute(&mut *tx)
    .await?;
    one_row(done, "accept")?;
    Records::default()
        .audit(
            "contract",
            contract,
            "accept",
            serde_json::json!({"status": "active"}),
        )
        .notice(
            pair.client_user,
            "contract_update",
            "Contract accepted",
            title,
            "contract",
            contract,
        )
        .write(&mut tx, creator)
        .await?;
    tx.commit().await?;
    lat.add("accept", started.elapsed());

    // deliver: the status, the deliverable, audit and the client's notice.
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE contracts SET status = 'in_review', submitted_at = now(), version = version + 1 \
         WHERE id = $1 AND status IN ('active', 'revision_requested')",
    )
    .bind(contract)
    .execute(&mut *tx)
    .await?;
    one_row(done, "deliver")?;
    let deliverable = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO deliverables (id, contract_id, version_number, title, video_urls, status, version) \
         VALUES ($1, $2, 1, 'Final cut', '[\"https://cdn.example.com/reels/final.mp4\"]'::jsonb, 'submitted', 1)",
    )
    .bind(deliverable)
    .bind(contract)
    .execute(&mut *tx)
    .await?;
    Records::default()
        .audit(
            "deliverable",
            deliverable,
            "submit",
            serde_json::json!({"status": "submitted"}),
        )
        .notice(
            pair.client_user,
            "deliverable",
            "Work delivered",
            title,
            "contract",
            contract,
        )
        .write(&mut tx, creator)
        .await?;
    tx.commit().await?;
    lat.add("deliver", started.elapsed());

    // approve: release with the fee split, six postings, a pending payout,
    // statistics, audit and the creator's notice; then the payout completes
    // (as the library records the provider's answer in a second step), with
    // its two postings, the escrow settled, audit and a notice.
    let started = Instant::now();
    let release = Uuid::now_v7();
    let payout_tx = Uuid::now_v7();
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE escrow_accounts SET held_amount = held_amount - $2, \
         released_amount = released_amount + $2, status = 'releasing', updated_at = now(), \
         version = version + 1 WHERE contract_id = $1 AND status = 'active' AND held_amount >= $2",
    )
    .bind(contract)
    .bind(price)
    .execute(&mut *tx)
    .await?;
    one_row(done, "release")?;
    sqlx::query(
        "UPDATE deliverables SET status = 'approved', approved_at = now(), reviewed_at = now(), \
         version = version + 1 WHERE contract_id = $1 AND status = 'submitted'",
    )
    .bind(contract)
    .execute(&mut *tx)
    .await?;
    let done = sqlx::query(
        "UPDATE contracts SET status = 'completed', completed_at = now(), version = version + 1 \
         WHERE id = $1 AND status = 'in_review'",
    )
    .bind(contract)
    .execute(&mut *tx)
    .await?;
    one_row(done, "approve")?;
    sqlx::query(
        "WITH t AS (INSERT INTO transactions (id, payer_user_id, payee_user_id, contract_id, \
           transaction_type, amount, currency, platform_fee, processing_fee, net_amount, status, \
           completed_at, payment_provider, metadata, version) \
           VALUES ($1, $2, $3, $4, 'escrow_release', $5, 'USD', $6, $7, $8, 'completed', now(), NULL, NULL, 1), \
           ($9, NULL, $3, $4, 'payout', $8, 'USD', 0, 0, $8, 'pending', NULL, 'simulated', \
           '{\"closes_escrow\": true}'::jsonb, 1)) \
         INSERT INTO ledger_postings (id, transaction_id, account, amount, currency) VALUES \
           (gen_random_uuid(), $1, $10, -$8::numeric, 'USD'), (gen_random_uuid(), $1, $11, $8, 'USD'), \
           (gen_random_uuid(), $1, $10, -($6::numeric - $7::numeric), 'USD'), \
           (gen_random_uuid(), $1, 'platform_revenue', $6::numeric - $7::numeric, 'USD'), \
           (gen_random_uuid(), $1, $10, -$7::numeric, 'USD'), (gen_random_uuid(), $1, 'processor_fees', $7, 'USD')",
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
    .bind(format!("escrow:{contract}"))
    .bind(format!("creator_payable:{}", pair.creator_user))
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
    Records::default()
        .audit(
            "escrow_account",
            contract,
            "release",
            serde_json::json!({"status": "releasing"}),
        )
        .audit(
            "contract",
            contract,
            "approve",
            serde_json::json!({"status": "completed"}),
        )
        .notice(
            pair.creator_user,
            "deliverable",
            "Delivery approved",
            title,
            "contract",
            contract,
        )
        .write(&mut tx, client)
        .await?;
    tx.commit().await?;
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE transactions SET status = 'completed', completed_at = now(), \
         provider_transaction_id = $2, version = version + 1 WHERE id = $1 AND status = 'pending'",
    )
    .bind(payout_tx)
    .bind(format!("sim_{payout_tx}"))
    .execute(&mut *tx)
    .await?;
    one_row(done, "payout")?;
    sqlx::query(
        "WITH e AS (UPDATE escrow_accounts SET status = 'released', updated_at = now(), \
           version = version + 1 WHERE contract_id = $5 AND status = 'releasing') \
         INSERT INTO ledger_postings (id, transaction_id, account, amount, currency) \
         VALUES (gen_random_uuid(), $1, $2, -$4::numeric, 'USD'), (gen_random_uuid(), $1, $3, $4, 'USD')",
    )
    .bind(payout_tx)
    .bind(format!("creator_payable:{}", pair.creator_user))
    .bind(format!("external:{}", pair.creator_user))
    .bind(payout)
    .bind(contract)
    .execute(&mut *tx)
    .await?;
    Records::default()
        .audit(
            "transaction",
            payout_tx,
            "complete",
            serde_json::json!({"status": "completed"}),
        )
        .notice(
            pair.creator_user,
            "payment",
            "Payout sent",
            &format!("{payout} USD (payout)"),
            "transaction",
            payout_tx,
        )
        .write(&mut tx, None)
        .await?;
    tx.commit().await?;
    lat.add("approve", started.elapsed());

    // review: the review (once per contract and reviewer: the unique index
    // guards it), the creator's rating, audit and the creator's notice.
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    let review = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO reviews (id, contract_id, reviewer_user_id, reviewee_user_id, reviewer_type, \
         overall_rating, communication_rating, comment, version) \
         VALUES ($1, $2, $3, $4, 'client', 5, 5, 'Fast and on brand.', 1)",
    )
    .bind(review)
    .bind(contract)
    .bind(pair.client_user.as_uuid())
    .bind(pair.creator_user.as_uuid())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE creator_profiles SET average_rating = \
         round((rating_sum + 5)::numeric / (total_reviews + 1), 2), \
         rating_sum = rating_sum + 5, total_reviews = total_reviews + 1, \
         version = version + 1 WHERE id = $1",
    )
    .bind(pair.creator_profile.as_uuid())
    .execute(&mut *tx)
    .await?;
    Records::default()
        .audit(
            "review",
            review,
            "create",
            serde_json::json!({"overall_rating": 5}),
        )
        .notice(
            pair.creator_user,
            "review",
            "New review",
            "5 stars",
            "review",
            review,
        )
        .write(&mut tx, client)
        .await?;
    tx.commit().await?;
    lat.add("review", started.elapsed());
    Ok(())
}

/// Rows per table, for the check that both lifecycles write the same rows.
async fn row_counts(pool: &PgPool) -> Outcome<BTreeMap<&'static str, i64>> {
    let sql = Table::ALL
        .iter()
        .map(|t| format!("SELECT '{0}', count(*) FROM {0}", t.name()))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?;
    let mut out = BTreeMap::new();
    for (name, count) in rows {
        let table = Table::ALL
            .iter()
            .find(|t| t.name() == name)
            .ok_or("unknown table")?;
        out.insert(table.name(), count);
    }
    Ok(out)
}

fn delta(
    before: &BTreeMap<&'static str, i64>,
    after: &BTreeMap<&'static str, i64>,
) -> BTreeMap<&'static str, i64> {
    after
        .iter()
        .map(|(t, n)| (*t, n - before.get(t).copied().unwrap_or(0)))
        .filter(|(_, d)| *d != 0)
        .collect()
}

/// Runs one lifecycle each way (untimed) and fails unless both added the
/// same number of rows to every table: the comparison is only fair when
/// the hand-written SQL does the same work.
async fn check_same_rows(
    market: &Marketplace,
    pool: &PgPool,
    pair: &Pair,
    price: Decimal,
) -> Outcome<()> {
    let mut lat = Latencies::default();
    let before = row_counts(pool).await?;
    lifecycle(market, pair, &mut lat).await?;
    let middle = row_counts(pool).await?;
    hand_lifecycle(pool, pair, price, &mut lat).await?;
    let after = row_counts(pool).await?;
    let library = delta(&before, &middle);
    let hand = delta(&middle, &after);
    if library != hand {
        return Err(format!(
            "the hand-written lifecycle does not write the rows the library writes:\n\
             library      {library:?}\nhand-written {hand:?}"
        )
        .into());
    }
    eprintln!("rows per lifecycle, both ways: {library:?}");
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
        let total = args.mem_lifecycles;
        let r = if clients == 1 {
            // "On one thread": the single client runs on a current-thread
            // runtime of its own thread, so nothing else of the benchmark's
            // runtime shares or migrates its work.
            tokio::task::spawn_blocking(move || -> Outcome<RunResult> {
                let runtime = tokio::runtime::Builder::new_current_thread().build()?;
                runtime.block_on(async {
                    // Warm-up, untimed.
                    run_library("warm-up", &market, &pairs, clients, 200).await?;
                    run_library("memory store", &market, &pairs, clients, total).await
                })
            })
            .await??
        } else {
            run_library("warm-up", &market, &pairs, clients, 200).await?;
            run_library("memory store", &market, &pairs, clients, total).await?
        };
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
    /// CPU per lifecycle of each timed run, in the order of `runs`.
    cpu: Vec<CpuPerLifecycle>,
}

/// CPU time from `/proc`, in clock ticks (USER_HZ, 100 a second on Linux):
/// this process's, and the sum over every process named `postgres` on this
/// machine (`None` when there is none, e.g. a remote server).
#[derive(Debug, Clone, Copy, Default)]
struct CpuTicks {
    own: u64,
    server: Option<u64>,
}

/// Ticks a second in `/proc/<pid>/stat` (USER_HZ, fixed at 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

fn cpu_ticks() -> CpuTicks {
    /// utime + stime of a `/proc/<pid>/stat` line; the command name may
    /// hold spaces, so fields are counted after its closing parenthesis.
    fn ticks(stat: &str) -> Option<u64> {
        let rest = stat.get(stat.rfind(')')? + 1..)?;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
    }
    let own = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| ticks(&s))
        .unwrap_or(0);
    let mut server = None;
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let path = entry.path();
            let is_postgres = std::fs::read_to_string(path.join("comm"))
                .is_ok_and(|c| c.trim_end() == "postgres");
            if let Some(t) = is_postgres
                .then(|| std::fs::read_to_string(path.join("stat")).ok())
                .flatten()
                .and_then(|s| ticks(&s))
            {
                *server.get_or_insert(0) += t;
            }
        }
    }
    CpuTicks { own, server }
}

/// Runs `args.pg_lifecycles` of each of two sides at `clients` clients, in
/// `args.pg_rounds` turns each, the order swapped every round (`first`
/// first, then `second` first), and sums each side's slices under its
/// name: on a shared machine whose speed drifts during a run, both sides
/// see the same drift. Each turn is at least one lifecycle per client.
async fn in_turns(
    args: &Args,
    clients: usize,
    names: [&str; 2],
    mut first: impl AsyncFnMut(usize) -> Outcome<RunResult>,
    mut second: impl AsyncFnMut(usize) -> Outcome<RunResult>,
) -> Outcome<(Slices, Slices)> {
    let rounds = args.pg_rounds.max(1);
    let slice = args.pg_lifecycles.div_ceil(rounds).max(clients);
    let mut a = Slices::new(names[0], clients);
    let mut b = Slices::new(names[1], clients);
    for round in 0..rounds {
        for first_turn in [round % 2 == 0, round % 2 == 1] {
            let before = cpu_ticks();
            if first_turn {
                let run = first(slice).await?;
                a.add(run, before, cpu_ticks());
            } else {
                let run = second(slice).await?;
                b.add(run, before, cpu_ticks());
            }
        }
    }
    Ok((a, b))
}

/// One side's slices of a PostgreSQL run, summed: lifecycles, time,
/// latencies and CPU ticks.
struct Slices {
    run: RunResult,
    own_ticks: u64,
    server_ticks: Option<u64>,
}

impl Slices {
    fn new(name: &str, clients: usize) -> Self {
        Self {
            run: RunResult {
                name: name.to_owned(),
                clients,
                lifecycles: 0,
                elapsed: Duration::ZERO,
                latencies: Latencies::default(),
            },
            own_ticks: 0,
            server_ticks: Some(0),
        }
    }

    /// Adds a slice that ran between CPU samples `before` and `after`.
    fn add(&mut self, slice: RunResult, before: CpuTicks, after: CpuTicks) {
        self.run.lifecycles += slice.lifecycles;
        self.run.elapsed += slice.elapsed;
        self.run.latencies.merge(slice.latencies);
        self.own_ticks += after.own.saturating_sub(before.own);
        self.server_ticks = self
            .server_ticks
            .zip(after.server.zip(before.server))
            .map(|(sum, (a, b))| sum + a.saturating_sub(b));
    }

    fn cpu(&self) -> CpuPerLifecycle {
        let zero = CpuTicks {
            own: 0,
            server: self.server_ticks.map(|_| 0),
        };
        CpuPerLifecycle::between(
            zero,
            CpuTicks {
                own: self.own_ticks,
                server: self.server_ticks,
            },
            self.run.lifecycles,
        )
    }
}

/// Milliseconds of CPU per lifecycle between two samples: the benchmark
/// process and the PostgreSQL server. A backend that exits takes its ticks
/// with it, but the pools keep theirs open through a run.
#[derive(Debug, Clone, Copy)]
struct CpuPerLifecycle {
    own: f64,
    server: Option<f64>,
}

impl CpuPerLifecycle {
    fn between(before: CpuTicks, after: CpuTicks, lifecycles: usize) -> Self {
        let ms = |ticks: u64| ticks as f64 / TICKS_PER_SECOND * 1000.0 / lifecycles.max(1) as f64;
        Self {
            own: ms(after.own.saturating_sub(before.own)),
            server: after
                .server
                .zip(before.server)
                .map(|(a, b)| ms(a.saturating_sub(b))),
        }
    }
}

async fn postgres_section(admin: &str, args: &Args) -> Outcome<PgReport> {
    let url = fresh_database(admin, &args.pg_db).await?;
    let store = reelbyte_pg::PgStore::connect(&url, 8).await?;
    store.migrate().await?;
    // The hand-written side gets a pool of its own with the store's
    // settings, so that neither side runs on connections the other holds
    // (the store keeps some warm between statements).
    let pool = reelbyte_pg::pool_options(8).connect(&url).await?;
    let store: Arc<dyn Store> = Arc::new(store);
    let pairs = seed(&store, 8 * args.pairs_per_client, 7).await?;
    let market = Marketplace::new(store.clone(), Arc::new(SimulatedGateway::new()));
    let mut price = Decimal::new(100, 0);
    if let Some(gig) = store.gigs().get_by_id(pairs[0].gig).await? {
        price = gig.basic_price.amount();
    }
    let mut report = PgReport::default();
    check_same_rows(&market, &pool, &pairs[0], price).await?;
    // Warm-up, untimed.
    run_library("warm-up", &market, &pairs, 8, 40).await?;
    run_hand(&pool, &pairs, price, 8, 40).await?;
    for clients in [1, 8] {
        let (lib, hand) = in_turns(
            args,
            clients,
            ["PostgreSQL, library", "PostgreSQL, hand-written SQL"],
            async |slice| run_library("", &market, &pairs, clients, slice).await,
            async |slice| run_hand(&pool, &pairs, price, clients, slice).await,
        )
        .await?;
        for side in [lib, hand] {
            eprintln!(
                "postgres {}, {clients} client(s): {:.0} lifecycles/s",
                side.run.name,
                side.run.per_second()
            );
            report.cpu.push(side.cpu());
            report.runs.push(side.run);
        }
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
    rankings: Vec<RankingsResult>,
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
        s.push_str("\n### CPU per lifecycle (ms, from /proc: the PostgreSQL server's processes and this benchmark process)\n\n");
        s.push_str("| run | clients | server | benchmark process | together |\n|---|---:|---:|---:|---:|\n");
        for (run, cpu) in pg.runs.iter().zip(&pg.cpu) {
            let server = cpu
                .server
                .map_or("n/a".to_string(), |ms| format!("{ms:.2}"));
            let together = cpu
                .server
                .map_or("n/a".to_string(), |ms| format!("{:.2}", ms + cpu.own));
            let _ = writeln!(
                s,
                "| {} | {} | {server} | {:.2} | {together} |",
                run.name, run.clients, cpu.own
            );
        }
        s.push_str("\n### Statements sent per command (one lifecycle, counted from sqlx's statement log; sqlx sends BEGIN with the first statement, and every connection it returns to its pool costs one more round trip, a Sync, which the log does not show: once per transaction by hand; the library keeps its single statements' connections warm instead)\n\n");
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
    for clients in [1, 8] {
        if let (Some(with), Some(without)) = (
            find(&report.redis, PROJECTED_LIFECYCLE, clients),
            find(&report.redis, NO_PROJECTIONS, clients),
        ) {
            let _ = writeln!(
                s,
                "{}- PostgreSQL with projections in Redis / without, same database, in turns, at {clients} client(s): **{:.2}**",
                if clients == 1 { "\n" } else { "" },
                with.per_second() / without.per_second()
            );
        }
    }
    if !report.cache.is_empty() {
        s.push_str(&cache_table(&report.cache));
    }
    if !report.search.is_empty() {
        s.push_str("\n### Search on PostgreSQL (20 results a page, one client)\n\n");
        s.push_str(
            "| gigs | query | gigs matching the words and filters | library p50 / p99 ms | \
             same SQL by hand p50 / p99 ms | library / hand p50 | results |\n\
             |---:|---|---:|---:|---:|---:|---:|\n",
        );
        for r in &report.search {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {:.2} / {:.2} | {:.2} / {:.2} | {:.2} | {} |",
                r.gigs,
                r.kind,
                r.matching,
                r.library.0,
                r.library.1,
                r.raw.0,
                r.raw.1,
                r.library.0 / r.raw.0.max(f64::EPSILON),
                r.hits
            );
        }
    }
    if !report.rankings.is_empty() {
        s.push_str("\n### Rebuilding the boards (`Marketplace::rebuild_rankings`, one caller)\n\n");
        s.push_str(&rankings_table(&report.rankings));
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
                    format!("**{}**", verdict(worst < 20.0))
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
        } else if r.name == PROJECTED_LIFECYCLE {
            "#b07aa1"
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
                 <text x=\"{vx:.1}\" y=\"{ty}\">{shown} {unit}</text>",
                    // Sub-unit values (cached reads in ms) need more digits.
                    shown = if *value < 1.0 {
                        format!("{value:.3}")
                    } else {
                        format!("{value:.1}")
                    },
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
    LIST_STATEMENTS.store(args.list_statements, Ordering::Relaxed);
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
    if args.wants("rankings") {
        report.rankings = rankings_section(
            args.admin_url.as_deref(),
            args.redis_url.as_deref(),
            args.rankings_rows,
        )
        .await?;
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
                "--pg-rounds",
                "0",
            ]
            .map(String::from),
        )?;
        assert_eq!(a.search_scales, vec![100_000, 1_000_000]);
        assert_eq!(a.pg_lifecycles, 10);
        assert_eq!(a.pg_rounds, 1, "at least one round");
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
