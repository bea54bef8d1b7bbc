//! Workspace-level tests: the conformance suite of `reelbyte-core` stamped
//! for every backend (see `tests/*.rs`).
//!
//! The workspace README is included below so that its code samples are
//! compiled and run as doc tests.
#![doc = include_str!("../../README.md")]

pub mod machine;
pub mod pg;

/// The Redis URL of the integration tests, read at run time from
/// `REELBYTE_TEST_REDIS_URL`.
///
/// Without it, prints a skip line and returns `None`, unless
/// `REELBYTE_TEST_INTEGRATION=1`: then a missing server is a failure, so a
/// suite never passes silently without running.
///
/// # Panics
///
/// When the URL is unset and `REELBYTE_TEST_INTEGRATION=1`.
pub fn redis_url() -> Option<String> {
    match std::env::var("REELBYTE_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("REELBYTE_TEST_INTEGRATION").as_deref() != Ok("1"),
                "REELBYTE_TEST_INTEGRATION=1 but REELBYTE_TEST_REDIS_URL is not set"
            );
            println!("SKIP: REELBYTE_TEST_REDIS_URL is not set; Redis not exercised");
            None
        }
    }
}

/// A fresh PostgreSQL database behind [`reelbyte_redis::CachedStore`] with
/// its own key prefix: the production stack. Without a Redis URL (and
/// without `REELBYTE_TEST_INTEGRATION=1`) the bare PostgreSQL store.
pub async fn redis_over_pg_store() -> std::sync::Arc<dyn reelbyte_core::store::Store> {
    let inner = pg::clean_store().await;
    let Some(url) = redis_url() else {
        return inner;
    };
    let conn = reelbyte_redis::connect(&url)
        .await
        .expect("Redis at REELBYTE_TEST_REDIS_URL");
    let prefix = redis_prefix(&conn).await;
    std::sync::Arc::new(reelbyte_redis::CachedStore::new(
        inner,
        conn,
        reelbyte_redis::CacheConfig::with_prefix(prefix),
    ))
}

/// The start of every test's key prefix.
const TEST_PREFIX: &str = "reelbyte-test";

/// Prefixes of earlier runs older than this are deleted (a test of this run
/// is never this old).
const STALE_AFTER_SECS: u64 = 60 * 60;

/// A key prefix of one test's own: `reelbyte-test:<unix seconds>:<uuid>`.
///
/// The first call of a test process deletes the keys of prefixes made more
/// than an hour ago, left by earlier runs: the realtime keys (boards,
/// feeds, favorites) carry no expiry, so without the sweep every run would
/// add to the server's keys for good. A failed sweep is a failed test.
pub async fn redis_prefix(conn: &redis::aio::ConnectionManager) -> String {
    static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let now = pg::now_secs();
    if !SWEPT.swap(true, std::sync::atomic::Ordering::SeqCst) {
        sweep_stale_prefixes(&mut conn.clone(), now).await;
    }
    format!("{TEST_PREFIX}:{now}:{}", uuid::Uuid::new_v4().simple())
}

/// Deletes the keys of every test prefix made before `now` less an hour,
/// and of prefixes without a time (made before prefixes carried one). One
/// pass over the test keys: each stale key goes as it is found.
async fn sweep_stale_prefixes(conn: &mut redis::aio::ConnectionManager, now: u64) {
    for pattern in [format!("{TEST_PREFIX}:*"), format!("{{{TEST_PREFIX}:*")] {
        let stale: Vec<String> = scan_keys(conn, &pattern)
            .await
            .into_iter()
            .filter(|key| is_stale(key, now))
            .collect();
        for batch in stale.chunks(1000) {
            let _: u64 = redis::cmd("UNLINK")
                .arg(batch)
                .query_async(conn)
                .await
                .expect("UNLINK stale test keys");
        }
    }
}

/// Every key that matches `pattern` (`SCAN`, so the server never blocks).
pub async fn scan_keys(conn: &mut redis::aio::ConnectionManager, pattern: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(conn)
            .await
            .expect("SCAN");
        found.extend(keys);
        if next == 0 {
            return found;
        }
        cursor = next;
    }
}

/// Whether `key` belongs to a test prefix that is stale at `now`.
fn is_stale(key: &str, now: u64) -> bool {
    let Some(rest) = key
        .trim_start_matches('{')
        .strip_prefix(TEST_PREFIX)
        .and_then(|rest| rest.strip_prefix(':'))
    else {
        return false;
    };
    let made = rest.split(':').next().unwrap_or_default();
    match made.parse::<u64>() {
        Ok(made) => made.saturating_add(STALE_AFTER_SECS) <= now,
        // An older prefix, `reelbyte-test:<uuid>`: from a run before this one.
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::{STALE_AFTER_SECS, TEST_PREFIX, is_stale, redis_url, scan_keys};

    #[tokio::test]
    async fn the_sweep_deletes_stale_test_keys_and_keeps_fresh_ones() {
        let Some(url) = redis_url() else {
            return;
        };
        let mut conn = reelbyte_redis::connect(&url).await.expect("Redis");
        let now = crate::pg::now_secs();
        let id = uuid::Uuid::new_v4().simple();
        let old = now - STALE_AFTER_SECS - 1;
        let stale = [
            format!("{TEST_PREFIX}:{old}:{id}:gig:{{1}}"),
            format!("{{{TEST_PREFIX}:{old}:{id}:rankings:x}}:versions"),
        ];
        let fresh = format!("{TEST_PREFIX}:{now}:{id}:gig:{{1}}");
        for key in stale.iter().chain([&fresh]) {
            let _: () = redis::cmd("SET")
                .arg(key)
                .arg(1)
                .query_async(&mut conn)
                .await
                .expect("SET");
        }

        super::sweep_stale_prefixes(&mut conn, now).await;

        let left = scan_keys(&mut conn, &format!("*{id}*")).await;
        assert_eq!(left, vec![fresh.clone()]);
        let _: u64 = redis::cmd("UNLINK")
            .arg(&fresh)
            .query_async(&mut conn)
            .await
            .expect("UNLINK");
    }

    #[test]
    fn only_prefixes_older_than_an_hour_are_stale() {
        let now = 1_000_000;
        assert!(is_stale("reelbyte-test:990000:abc:gig:{1}", now));
        assert!(is_stale(
            "{reelbyte-test:990000:abc:rankings:x}:versions",
            now
        ));
        assert!(!is_stale("reelbyte-test:999000:abc:gig:{1}", now));
        assert!(!is_stale(
            "{reelbyte-test:999000:abc:rankings:x}:versions",
            now
        ));
        // The time-less prefixes of earlier runs.
        assert!(is_stale("reelbyte-test:0f3a:feed:u", now));
        assert!(!is_stale("reelbyte:gig:{1}", now));
        assert!(!is_stale("reelbyte-testing:990000:abc", now));
    }
}
