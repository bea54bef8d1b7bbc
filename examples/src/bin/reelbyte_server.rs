//! The ReelByte HTTP server. Run with `--help` for the options.

use clap::Parser;
use reelbyte_examples::server::{Config, serve};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's allocator: see `mimalloc` in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info")),
        )
        .init();
    let config = Config::parse();
    match serve(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("reelbyte-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
