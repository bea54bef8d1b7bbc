//! Workspace-level tests: the conformance suite of `reelbyte-core` stamped
//! for every backend (see `tests/*.rs`).

pub mod machine;
pub mod pg;
