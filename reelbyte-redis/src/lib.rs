#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod cache;
mod connect;
mod forget;
pub mod realtime;
mod store;

pub use cache::CacheTtls;
pub use connect::{connect, connect_lazy};
pub use forget::forget_prefix;
pub use realtime::{FailMode, RedisRealtime};
pub use store::{CacheConfig, CachedStore};
