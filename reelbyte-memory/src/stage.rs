//! Validating a change set against the database without touching it.
//!
//! A [`Stage`] is an overlay over a [`Db`]: the writes of a change set are
//! applied in order to copies of just the rows they touch, each write seeing
//! the ones before it. If every write passes, the overlay becomes a
//! [`Staged`] that [`Db::commit`] applies in one go; if any write is refused,
//! the overlay is dropped and the database has not changed. Either way the
//! cost is proportional to the change set, not to the store.

use foldhash::HashMap;
use reelbyte_core::error::{Error, Result};
use reelbyte_core::store::{Counter, Record, RowKey, Table, UniqueKey, Write, keep_counters};

use crate::db::Db;

/// The outcome of a validated change set: the final state of every row and
/// unique key it touched (`None`: deleted or released).
#[derive(Debug, Default)]
pub(crate) struct Staged {
    /// Touched rows.
    pub(crate) rows: HashMap<(Table, RowKey), Option<Box<Record>>>,
    /// Touched unique keys, with their new owner.
    pub(crate) unique: HashMap<UniqueKey, Option<RowKey>>,
}

/// A change set being validated over a database.
#[derive(Debug)]
pub(crate) struct Stage<'a> {
    db: &'a Db,
    staged: Staged,
}

impl<'a> Stage<'a> {
    /// An empty overlay over `db`.
    pub(crate) fn new(db: &'a Db) -> Self {
        Self {
            db,
            staged: Staged::default(),
        }
    }

    /// Validates every write in order; the result is ready to commit.
    pub(crate) fn run(mut self, writes: Vec<Write>) -> Result<Staged> {
        // Most writes touch a row of their own: sizing the overlay once saves
        // the rehashes of growing it write by write.
        self.staged.rows.reserve(writes.len());
        for write in writes {
            self.write(write)?;
        }
        Ok(self.staged)
    }

    /// The row as the writes so far left it.
    fn row(&self, table: Table, key: &RowKey) -> Option<&Record> {
        match self.staged.rows.get(&(table, key.clone())) {
            Some(slot) => slot.as_deref(),
            None => self.db.row(table, key),
        }
    }

    /// The row holding `key` as the writes so far left it.
    fn owner(&self, key: &UniqueKey) -> Option<&RowKey> {
        match self.staged.unique.get(key) {
            Some(slot) => slot.as_ref(),
            None => self.db.owner(key),
        }
    }

    fn write(&mut self, write: Write) -> Result<()> {
        match write {
            Write::Insert(record) => self.insert(record),
            // The memory store replaces the whole row: `before` only saves
            // a store that sends rows over a wire.
            Write::Update {
                record,
                expected_version,
                ..
            } => self.update(record, expected_version),
            Write::Delete {
                table,
                key,
                expected_version,
            } => self.delete(table, key, expected_version),
            Write::Check {
                table,
                key,
                expected_version,
            } => self.check(table, &key, expected_version),
            Write::Count { counter, delta } => self.count(counter, delta),
        }
    }

    fn insert(&mut self, record: Box<Record>) -> Result<()> {
        let table = record.table();
        let key = record.row_key();
        if self.row(table, &key).is_some() {
            return Err(Error::AlreadyExists {
                entity: table.name(),
                key: key_column(&key).to_string(),
            });
        }
        let keys = record.unique_keys();
        for unique in &keys {
            if self.owner(unique).is_some() {
                return Err(taken(table, unique));
            }
        }
        for unique in keys {
            self.staged.unique.insert(unique, Some(key.clone()));
        }
        // The change set's box becomes the stored row's.
        self.staged.rows.insert((table, key), Some(record));
        Ok(())
    }

    fn update(&mut self, mut record: Box<Record>, expected_version: i64) -> Result<()> {
        let table = record.table();
        let key = record.row_key();
        let current = self.row(table, &key).ok_or(Error::NotFound {
            entity: table.name(),
        })?;
        expect_version(table, current, expected_version)?;
        // A versioned update must move the version forward by exactly one, or
        // a later `Check` at the old version could pass against new data.
        if table.versioned() && Some(record.version()) != expected_version.checked_add(1) {
            return Err(Error::validation(
                "version",
                format!(
                    "an update of {} read at version {expected_version} must carry version {}",
                    table.name(),
                    expected_version.saturating_add(1),
                ),
            ));
        }
        let old_keys = current.unique_keys();
        let new_keys = record.unique_keys();
        for unique in &new_keys {
            // Keys the row already holds are its own, not a collision.
            if self.owner(unique).is_some_and(|owner| *owner != key) {
                return Err(taken(table, unique));
            }
        }
        keep_counters(&mut record, current);

        for unique in old_keys.iter().filter(|k| !new_keys.contains(k)) {
            self.staged.unique.insert(unique.clone(), None);
        }
        for unique in new_keys.into_iter().filter(|k| !old_keys.contains(k)) {
            self.staged.unique.insert(unique, Some(key.clone()));
        }
        self.staged.rows.insert((table, key), Some(record));
        Ok(())
    }

    fn delete(&mut self, table: Table, key: RowKey, expected_version: Option<i64>) -> Result<()> {
        let current = self.row(table, &key).ok_or(Error::NotFound {
            entity: table.name(),
        })?;
        if let Some(expected) = expected_version {
            expect_version(table, current, expected)?;
        }
        for unique in current.unique_keys() {
            self.staged.unique.insert(unique, None);
        }
        self.staged.rows.insert((table, key), None);
        Ok(())
    }

    fn check(&self, table: Table, key: &RowKey, expected_version: i64) -> Result<()> {
        // The command read this row, so its disappearance is a lost race,
        // not a missing object.
        let current = self.row(table, key).ok_or_else(|| {
            Error::conflict(
                table.name(),
                format!("the row read at version {expected_version} was deleted"),
            )
        })?;
        expect_version(table, current, expected_version)
    }

    fn count(&mut self, counter: Counter, delta: i64) -> Result<()> {
        let (table, key) = counter.row();
        let slot = (table, key);
        if let Some(staged) = self.staged.rows.get_mut(&slot) {
            // Already copied into the overlay (inserted, updated or counted
            // earlier in this change set): add in place.
            let record = staged.as_mut().ok_or(Error::NotFound {
                entity: table.name(),
            })?;
            return counter.apply(record, delta);
        }
        let mut record = Box::new(
            self.db
                .row(table, &slot.1)
                .ok_or(Error::NotFound {
                    entity: table.name(),
                })?
                .clone(),
        );
        counter.apply(&mut record, delta)?;
        self.staged.rows.insert(slot, Some(record));
        Ok(())
    }
}

/// Refuses unless `current` is at `expected`.
fn expect_version(table: Table, current: &Record, expected: i64) -> Result<()> {
    let found = current.version();
    if found == expected {
        Ok(())
    } else {
        Err(Error::conflict(
            table.name(),
            format!("read at version {expected}, now at version {found}"),
        ))
    }
}

/// The error for a unique key already held by another row.
fn taken(table: Table, key: &UniqueKey) -> Error {
    Error::AlreadyExists {
        entity: table.name(),
        key: key.index.to_string(),
    }
}

/// The primary-key column of a row key, for [`Error::AlreadyExists`].
fn key_column(key: &RowKey) -> &'static str {
    match key {
        RowKey::Id(_) => "id",
        // `platform_settings` is keyed by its `key` column.
        RowKey::Name(_) => "key",
    }
}
