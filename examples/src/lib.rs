//! Shared code of the example programs: the data generator used by the
//! `generate` binary, the benchmarks and the search tests.

#![deny(missing_docs)]

pub mod generator;
