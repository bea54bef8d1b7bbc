//! Example programs that wire ReelByte together, and the pieces they share.
//!
//! The `reelbyte-server` binary is a thin `main` over [`server`], so that the
//! tests can drive the same router in process; [`generator`] fills any store
//! with realistic data for the `generate` binary, the benchmarks and the
//! search tests.

pub mod generator;
pub mod server;
