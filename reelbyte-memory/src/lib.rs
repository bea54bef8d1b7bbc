#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod db;
mod index;
mod query;
mod realtime;
mod repos;
mod stage;
mod terms;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use reelbyte_core::error::Result;
use reelbyte_core::store::{
    AdminRepo, ChangeSet, ClientRepo, ContractRepo, CreatorRepo, DiscoveryRepo, GigRepo, JobRepo,
    LedgerRepo, MessagingRepo, NotificationRepo, PaymentMethodRepo, Record, ReviewRepo,
    SessionRepo, Store, SupportRepo, Table, UserRepo,
};

pub use reelbyte_core::gateway::{SimulatedBehaviour, SimulatedGateway};

pub use crate::realtime::MemRealtime;

use crate::db::Db;
use crate::stage::Stage;

/// An in-memory [`Store`]: every table in a map, behind one lock.
///
/// Reads share the lock; [`Store::apply`] takes it exclusively, validates the
/// whole change set against a copy of only the rows it touches, and commits
/// it only when every write passed. Change sets are therefore atomic and
/// linearizable, and a refused one leaves every row as it was.
///
/// Nothing is persisted: dropping the store drops the data. Share one store
/// between tasks and threads through an [`Arc`] (see [`MemStore::shared`]).
pub struct MemStore {
    db: RwLock<Db>,
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        Self {
            db: RwLock::new(Db::new()),
        }
    }

    /// An empty store, ready to hand to
    /// [`Marketplace::new`](reelbyte_core::Marketplace::new).
    pub fn shared() -> Arc<dyn Store> {
        Arc::new(Self::new())
    }

    /// Shared access for a read.
    ///
    /// No code panics while holding the lock in a way that leaves the data
    /// half-changed (validation happens before the commit, and the commit
    /// cannot fail), so a poisoned lock still guards consistent data.
    fn read(&self) -> RwLockReadGuard<'_, Db> {
        self.db.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Exclusive access for applying a change set (see [`MemStore::read`]
    /// about poisoning).
    fn write(&self) -> RwLockWriteGuard<'_, Db> {
        self.db.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies `changes` all or nothing; what [`Store::apply`] does, without
    /// the future.
    fn apply_now(&self, changes: ChangeSet) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        // A pure check that needs no lock: refuse unbalanced ledger postings
        // before looking at the data.
        changes.validate()?;
        let mut db = self.write();
        let staged = Stage::new(&db).run(changes.writes)?;
        db.commit(staged);
        Ok(())
    }
}

impl Default for MemStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemStore {
    /// Prints how many rows each non-empty table holds, never the rows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let db = self.read();
        let mut out = f.debug_struct("MemStore");
        for table in Table::ALL {
            let rows = db.len(*table);
            if rows > 0 {
                out.field(table.name(), &rows);
            }
        }
        out.finish()
    }
}

#[async_trait]
impl Store for MemStore {
    fn backend(&self) -> &'static str {
        "memory"
    }

    fn users(&self) -> &dyn UserRepo {
        self
    }

    fn sessions(&self) -> &dyn SessionRepo {
        self
    }

    fn creators(&self) -> &dyn CreatorRepo {
        self
    }

    fn clients(&self) -> &dyn ClientRepo {
        self
    }

    fn payment_methods(&self) -> &dyn PaymentMethodRepo {
        self
    }

    fn gigs(&self) -> &dyn GigRepo {
        self
    }

    fn jobs(&self) -> &dyn JobRepo {
        self
    }

    fn contracts(&self) -> &dyn ContractRepo {
        self
    }

    fn ledger(&self) -> &dyn LedgerRepo {
        self
    }

    fn reviews(&self) -> &dyn ReviewRepo {
        self
    }

    fn messaging(&self) -> &dyn MessagingRepo {
        self
    }

    fn notifications(&self) -> &dyn NotificationRepo {
        self
    }

    fn discovery(&self) -> &dyn DiscoveryRepo {
        self
    }

    fn support(&self) -> &dyn SupportRepo {
        self
    }

    fn admin(&self) -> &dyn AdminRepo {
        self
    }

    async fn apply(&self, changes: ChangeSet) -> Result<()> {
        self.apply_now(changes)
    }

    async fn dump(&self) -> Result<Vec<Record>> {
        Ok(self.read().dump())
    }
}
