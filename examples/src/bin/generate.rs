//! Fills a backend with realistic data, reproducibly from a seed, with a
//! progress bar.
//!
//! ```text
//! cargo run --release -p reelbyte-examples --bin generate -- \
//!     --creators 10000 --gigs 100000 --messages 1000000 --seed 42 \
//!     --database-url postgres://postgres@127.0.0.1/reelbyte_bench
//! ```
//!
//! Without `--database-url` (or `DATABASE_URL`) it fills an in-memory store
//! and reports how long that took, which is useful as a smoke test.

use std::sync::Arc;
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use reelbyte_core::store::Store;
use reelbyte_examples::generator::{Scale, generate};

type Failure = Box<dyn std::error::Error>;

struct Args {
    scale: Scale,
    seed: u64,
    batch: usize,
    database_url: Option<String>,
}

fn parse_args() -> Result<Args, Failure> {
    let mut args = Args {
        scale: Scale {
            creators: 1_000,
            clients: 500,
            gigs: 10_000,
            jobs: 2_000,
            messages: 20_000,
        },
        seed: 42,
        batch: 1_000,
        database_url: std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            println!(
                "usage: generate [--creators N] [--clients N] [--gigs N] [--jobs N] \
                 [--messages N] [--seed N] [--batch N] [--database-url URL]"
            );
            std::process::exit(0);
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = || value.replace('_', "").parse::<usize>();
        match flag.as_str() {
            "--creators" => args.scale.creators = number()?,
            "--clients" => args.scale.clients = number()?,
            "--gigs" => args.scale.gigs = number()?,
            "--jobs" => args.scale.jobs = number()?,
            "--messages" => args.scale.messages = number()?,
            "--seed" => args.seed = value.parse()?,
            "--batch" => args.batch = number()?,
            "--database-url" => args.database_url = Some(value),
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    Ok(args)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Failure> {
    let args = parse_args()?;
    let store: Arc<dyn Store> = match &args.database_url {
        Some(url) => {
            let store = reelbyte_pg::PgStore::connect(url, 4).await?;
            store.migrate().await?;
            Arc::new(store)
        }
        None => Arc::new(reelbyte_memory::MemStore::new()),
    };
    let bars = MultiProgress::new();
    let style =
        ProgressStyle::with_template("{prefix:>9} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")?
            .progress_chars("=> ");
    let make = |name: &str, len: usize| {
        let bar = bars.add(ProgressBar::new(len as u64));
        bar.set_style(style.clone());
        bar.set_prefix(name.to_string());
        bar
    };
    let sections = [
        ("creators", make("creators", args.scale.creators)),
        ("clients", make("clients", args.scale.clients)),
        ("gigs", make("gigs", args.scale.gigs)),
        ("jobs", make("jobs", args.scale.jobs)),
        ("messages", make("messages", args.scale.messages)),
    ];
    let progress = |section: &str, done: usize, _total: usize| {
        if let Some((_, bar)) = sections.iter().find(|(name, _)| *name == section) {
            bar.set_position(done as u64);
        }
    };
    let started = Instant::now();
    let generated = generate(&store, args.scale, args.seed, args.batch, &progress).await?;
    for (_, bar) in &sections {
        bar.finish();
    }
    println!(
        "generated {} creators, {} clients, {} gigs, {} jobs, {} messages in {} conversations \
         (seed {}) in {:.1} s",
        generated.creators.len(),
        generated.clients.len(),
        generated.gigs.len(),
        generated.jobs.len(),
        generated.messages,
        generated.conversations.len(),
        args.seed,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
