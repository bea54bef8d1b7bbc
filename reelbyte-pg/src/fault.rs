//! Fault injection, for tests only.
//!
//! A [`FaultHook`] installed with [`PgStore::with_fault_hook`](crate::PgStore::with_fault_hook)
//! is awaited by `Store::apply` at every [`FaultPoint`] of the transaction
//! that applies a change set: before its one write statement (the
//! `reelbyte_apply` call carrying every write), before `COMMIT`, and after
//! `COMMIT` returned. The hook receives the backend process id of the
//! transaction's connection, so a test can kill it from another connection
//! (`SELECT pg_terminate_backend($1)`) and check that the change set is
//! applied entirely or not at all.
//!
//! The hook observes; it cannot change what `apply` does, and it decides
//! nothing about the data. Without a hook, `apply` runs exactly as before
//! (no extra statement, one `Option` test per point).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A point inside the transaction of one change set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultPoint {
    /// Before statement `index` (0-based) of the transaction. `apply`
    /// sends one statement holding every write, so `index` is 0.
    Statement {
        /// The statement's position in the transaction.
        index: usize,
    },
    /// Every write succeeded; `COMMIT` is next.
    Commit,
    /// `COMMIT` returned successfully; `apply` returns next.
    Committed,
}

/// Where the hook is called: the point, and the transaction's backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FaultSite {
    /// The point inside the transaction.
    pub point: FaultPoint,
    /// `pg_backend_pid()` of the connection running the transaction.
    pub backend_pid: i32,
    /// How many writes the change set has.
    pub writes: usize,
}

/// A boxed future returned by a [`FaultHook`].
pub type FaultFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A test's hook, awaited at every [`FaultPoint`] of every change set.
pub type FaultHook = Arc<dyn Fn(FaultSite) -> FaultFuture + Send + Sync>;
