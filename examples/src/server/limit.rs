//! An in-process fixed-window rate limiter, keyed by caller.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Allows `limit` hits per key in each window of `window`.
#[derive(Debug)]
pub struct FixedWindow {
    limit: u32,
    window: Duration,
    hits: Mutex<HashMap<String, (Instant, u32)>>,
}

/// Entries kept before expired windows are swept.
const SWEEP_AT: usize = 10_000;

impl FixedWindow {
    /// A limiter of `limit` hits per `window`; a limit of 0 disables it.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a hit for `key`: `Ok(())` when allowed, or the seconds until
    /// the window resets.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        if self.limit == 0 {
            return Ok(());
        }
        let now = Instant::now();
        // A poisoned lock only means another request panicked mid-count.
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() >= SWEEP_AT {
            let window = self.window;
            hits.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = hits.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let left = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(left.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_per_key() {
        let limiter = FixedWindow::new(2, Duration::from_secs(60));
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_err_and(|s| (1..=60).contains(&s)));
        assert!(limiter.check("b").is_ok());
    }

    #[test]
    fn zero_disables() {
        let limiter = FixedWindow::new(0, Duration::from_secs(60));
        for _ in 0..100 {
            assert!(limiter.check("a").is_ok());
        }
    }
}
