//! Warm connections kept between single statements.
//!
//! sqlx checks every connection that goes back to its pool with a round
//! trip (a `Sync`, answered by `ReadyForQuery`) in a task it spawns for the
//! purpose: the check flushes a connection whose statement was cancelled
//! half-way. The store sends most reads and most change sets as one
//! statement each, so that check was one extra round trip per statement.
//!
//! A connection whose statement completed (its answer read to the end,
//! the server ready for the next one, no transaction open) needs no such
//! check, so the store keeps a few of them here and hands them to the next
//! statement directly. Everything else goes back to the pool as before: a
//! statement that failed or was cancelled drops its connection, which sqlx
//! checks as usual. In the benchmark's gig-order lifecycles this cut the
//! client's CPU per lifecycle by about a quarter at eight clients (see
//! `docs/BENCHMARKS.md`).
//!
//! Connections waiting here are out of the pool, so the lease bounds them:
//! - at most half of the pool's connections wait here, so
//!   transactions and other users of the pool always find the rest;
//! - while any statement of the store waits for the pool, a completed
//!   statement's connection goes back to the pool, which serves its queue
//!   in order; warm connections would go to whoever asks next and let
//!   later statements overtake the queue (at eight clients reading four
//!   lists each over eight connections, that took the p99 of a creator's
//!   page from 4 to 15 ms);
//! - a store built outside a Tokio runtime keeps none (the close watcher
//!   below needs a runtime to run on);
//! - one that waited longer than [`crate::LIVENESS_CHECK_AFTER`], or that
//!   has been out of the pool for longer than [`MAX_OUT`], goes back to the
//!   pool, which checks its liveness and its lifetime, at the store's next
//!   statement (a store that sends none keeps its warm connections out of
//!   the pool until it does, or until the pool closes);
//! - when the pool closes ([`sqlx::Pool::close`] waits for every connection
//!   to come back), a task started with the lease returns the waiting ones.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgPool};
use sqlx::{Error, Postgres};

/// How long a connection may stay out of the pool, going from statement to
/// statement through the lease, before it goes back for the pool's checks
/// (maximum lifetime, idle timeout).
pub(crate) const MAX_OUT: Duration = Duration::from_secs(60);

/// A connection waiting for the next statement.
struct Warm {
    conn: PoolConnection<Postgres>,
    /// When it left the pool.
    out_since: Instant,
    /// When its last statement completed.
    idle_since: Instant,
}

impl Warm {
    /// Whether it may serve another statement without the pool's checks.
    fn fresh(&self, now: Instant) -> bool {
        now.duration_since(self.idle_since) <= crate::LIVENESS_CHECK_AFTER
            && now.duration_since(self.out_since) <= MAX_OUT
    }
}

struct Shared {
    pool: PgPool,
    cap: usize,
    warm: Mutex<Vec<Warm>>,
    /// Statements of this lease waiting for the pool to hand out a
    /// connection.
    waiting: AtomicUsize,
}

/// Counts a statement as waiting for the pool while it lives (also when
/// the wait is cancelled).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn start(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Shared {
    /// Every waiting connection, taken out of the lease (they go back to
    /// the pool when the caller drops them).
    fn drain(&self) -> Vec<Warm> {
        match self.warm.lock() {
            Ok(mut warm) => std::mem::take(&mut *warm),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let warm = self.drain();
        if tokio::runtime::Handle::try_current().is_ok() {
            // Each goes back to the pool as any dropped connection does.
            drop(warm);
        } else {
            // Returning a connection to the pool spawns a task, which needs
            // a runtime; without one, close them apart from the pool.
            for entry in warm {
                drop(entry.conn.detach());
            }
        }
    }
}

/// The warm connections of one store (shared by its clones).
#[derive(Clone)]
pub(crate) struct Lease {
    shared: Arc<Shared>,
    /// Ends the close watcher when the last clone of the lease is dropped.
    _alive: Arc<tokio::sync::oneshot::Sender<()>>,
}

impl Lease {
    /// A lease over `pool` keeping at most half of its connections (none
    /// when the store is built outside a Tokio runtime, which the close
    /// watcher needs).
    pub(crate) fn new(pool: PgPool) -> Self {
        let runtime = tokio::runtime::Handle::try_current().ok();
        let max = usize::try_from(pool.options().get_max_connections()).unwrap_or(0);
        let cap = if runtime.is_some() { max / 2 } else { 0 };
        let shared = Arc::new(Shared {
            pool,
            cap,
            warm: Mutex::new(Vec::new()),
            waiting: AtomicUsize::new(0),
        });
        let (alive, dropped) = tokio::sync::oneshot::channel::<()>();
        if let Some(runtime) = runtime {
            let weak: Weak<Shared> = Arc::downgrade(&shared);
            let closed = shared.pool.close_event();
            runtime.spawn(async move {
                tokio::select! {
                    _ = closed => {
                        if let Some(shared) = weak.upgrade() {
                            drop(shared.drain());
                        }
                    }
                    _ = dropped => {}
                }
            });
        }
        Self {
            shared,
            _alive: Arc::new(alive),
        }
    }

    /// A connection for one statement: a warm one, or one from the pool.
    pub(crate) async fn take(&self) -> Result<Leased<'_>, Error> {
        let now = Instant::now();
        loop {
            let entry = match self.shared.warm.lock() {
                Ok(mut warm) => warm.pop(),
                Err(_) => None,
            };
            let Some(entry) = entry else { break };
            if entry.fresh(now) {
                return Ok(Leased {
                    lease: self,
                    conn: entry.conn,
                    out_since: entry.out_since,
                });
            }
            // Too old: the pool checks it before anyone uses it again.
            drop(entry);
        }
        let conn = {
            let _waiting = Waiting::start(&self.shared.waiting);
            self.shared.pool.acquire().await?
        };
        Ok(Leased {
            lease: self,
            conn,
            out_since: Instant::now(),
        })
    }
}

/// A connection taken for one statement. Dropped, it goes back to the pool
/// (and sqlx checks it); [`Leased::keep`] after a completed statement keeps
/// it warm for the next one instead.
pub(crate) struct Leased<'a> {
    lease: &'a Lease,
    conn: PoolConnection<Postgres>,
    out_since: Instant,
}

impl Leased<'_> {
    /// Keeps the connection for the next statement. Call it only after a
    /// statement that completed: its answer read whole, no transaction
    /// left open.
    pub(crate) fn keep(self) {
        let Leased {
            lease,
            conn,
            out_since,
        } = self;
        let shared = &lease.shared;
        // With statements queued at the pool, the connection goes back to
        // it: the pool serves its queue in order, while the warm ones go to
        // whoever asks next, so keeping it would let later statements
        // overtake the queue.
        if shared.pool.is_closed() || shared.waiting.load(Ordering::SeqCst) > 0 {
            return;
        }
        let now = Instant::now();
        let entry = Warm {
            conn,
            out_since,
            idle_since: now,
        };
        // The oldest wait at the bottom of the stack, where `take` reaches
        // them last: return those past their time to the pool now.
        let stale: Vec<Warm> = match shared.warm.lock() {
            Ok(mut warm) => {
                let stale = warm.extract_if(.., |w| !w.fresh(now)).collect();
                if warm.len() < shared.cap {
                    warm.push(entry);
                }
                stale
            }
            Err(_) => Vec::new(),
        };
        // Dropped outside the lock: each spawns sqlx's return to the pool.
        drop(stale);
    }
}

impl Deref for Leased<'_> {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        &self.conn
    }
}

impl DerefMut for Leased<'_> {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}
