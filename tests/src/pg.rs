//! Fresh PostgreSQL databases for tests: one per test, migrated, named
//! `reelbyte_test_<secs>_<uuid>`; left-overs of earlier runs are swept.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use reelbyte_core::store::Store;
use reelbyte_pg::PgStore;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// Databases of this suite start with this prefix, then the creation
/// time in seconds.
const PREFIX: &str = "reelbyte_test_";

/// Databases older than this are left-overs of earlier runs (dropped
/// only when nobody is connected to them).
const STALE_AFTER_SECS: u64 = 120;

static SWEPT: AtomicBool = AtomicBool::new(false);

/// The admin URL; its absence fails the test (the suite was built for a
/// server).
pub fn admin_url() -> String {
    std::env::var("REELBYTE_TEST_PG_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .expect("REELBYTE_TEST_PG_URL must name the PostgreSQL server the suite was built for")
}

/// Seconds since the Unix epoch, which database names and Redis test
/// prefixes carry (0 when the clock is before it).
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Drops the suite's databases of earlier runs, once per process.
async fn sweep(admin: &mut PgConnection) {
    if SWEPT.swap(true, Ordering::SeqCst) {
        return;
    }
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'reelbyte_test_%'")
            .fetch_all(&mut *admin)
            .await
            .unwrap_or_default();
    let cutoff = now_secs().saturating_sub(STALE_AFTER_SECS);
    for name in names {
        let created = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse::<u64>().ok());
        if created.is_some_and(|secs| secs < cutoff) {
            let sql = format!("DROP DATABASE IF EXISTS \"{name}\"");
            // Best effort: a database still in use, or being dropped by
            // another run, is left alone.
            let _ = sqlx::query(AssertSqlSafe(sql)).execute(&mut *admin).await;
        }
    }
}

/// A new, empty database; returns its connect options.
pub async fn fresh_database() -> PgConnectOptions {
    fresh_named("").await
}

/// A new, empty database whose name ends with `tag`.
pub async fn fresh_named(tag: &str) -> PgConnectOptions {
    let url = admin_url();
    let mut admin = PgConnection::connect(&url)
        .await
        .expect("connect to REELBYTE_TEST_PG_URL");
    sweep(&mut admin).await;
    let name = format!(
        "{PREFIX}{}_{}{tag}",
        now_secs(),
        uuid::Uuid::new_v4().simple()
    );
    let sql = format!("CREATE DATABASE \"{name}\"");
    sqlx::query(AssertSqlSafe(sql))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    let _ = admin.close().await;
    PgConnectOptions::from_str(&url)
        .expect("a valid REELBYTE_TEST_PG_URL")
        .database(&name)
}

/// A store over a fresh database.
pub async fn fresh_store() -> PgStore {
    let options = fresh_database().await;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .expect("pool for the test database");
    let store = PgStore::new(pool);
    store.migrate().await.expect("migrate the test database");
    store
}

/// The suite's factory.
pub async fn clean_store() -> Arc<dyn Store> {
    Arc::new(fresh_store().await)
}
