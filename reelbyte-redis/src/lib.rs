//! Redis cache and real-time features for ReelByte.
//!
//! This crate is reserved in the workspace layout for the caching decorator
//! over any `reelbyte_core::store::Store` and the Redis-native counters, rate
//! limits, rankings and feeds of the plan. It exposes nothing yet.
#![deny(missing_docs)]
