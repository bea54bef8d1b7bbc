//! Connecting to Redis.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

fn config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(Duration::from_secs(1)))
        .set_number_of_retries(1)
        .set_min_delay(Duration::from_millis(50))
}

/// A [`ConnectionManager`] for `url`, connected now: fails when Redis is
/// unreachable.
///
/// The manager reconnects in the background but does not retry a failed
/// command; the types of this crate treat such a failure as a cache miss.
pub async fn connect(url: &str) -> redis::RedisResult<ConnectionManager> {
    let client = redis::Client::open(url)?;
    ConnectionManager::new_with_config(client, config()).await
}

/// A [`ConnectionManager`] for `url` that connects on first use, so that a
/// service can start (and serve from its store) while Redis is down.
pub fn connect_lazy(url: &str) -> redis::RedisResult<ConnectionManager> {
    let client = redis::Client::open(url)?;
    ConnectionManager::new_lazy_with_config(client, config())
}
