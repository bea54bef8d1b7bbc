//! The data behind the lock: one map per table, the unique keys and the
//! secondary indexes, always consistent with each other.

use std::collections::BTreeSet;
use std::ops::Bound;

use foldhash::HashMap;

use reelbyte_core::store::{Entity, Record, RowKey, Table, UniqueKey};
use uuid::Uuid;

use crate::index::{self, Idx, Parent};
use crate::stage::Staged;
use crate::terms::Terms;

/// Every row, keyed for the lookups the repositories make.
///
/// Invariants, kept by [`Db::commit`]: `unique` holds exactly the
/// [`Record::unique_keys`] of the stored rows, each pointing at its row, and
/// `index` holds exactly the [`index::entries`] of the stored rows.
#[derive(Debug)]
pub(crate) struct Db {
    /// One primary map per table, at the position `table as usize`. Rows
    /// are boxed: `Record` is as large as its largest variant (over 500
    /// bytes), and boxes keep map slots small, so growing a map moves
    /// pointers rather than rows.
    tables: Vec<HashMap<RowKey, Box<Record>>>,
    /// Unique key → the row holding it. Index names are per table
    /// (`users_email`, `gigs_slug`, ...), so the row key alone is enough.
    unique: HashMap<UniqueKey, RowKey>,
    /// (index, parent) → ids of the rows listed under it. Ordered sets keep
    /// iteration deterministic; UUIDv7 ids make that roughly creation order.
    index: HashMap<(Idx, Parent), BTreeSet<Uuid>>,
    /// The search terms of gigs and jobs.
    terms: Terms,
}

impl Db {
    /// An empty database.
    pub(crate) fn new() -> Self {
        Self {
            tables: Table::ALL.iter().map(|_| HashMap::default()).collect(),
            unique: HashMap::default(),
            index: HashMap::default(),
            terms: Terms::default(),
        }
    }

    fn rows(&self, table: Table) -> &HashMap<RowKey, Box<Record>> {
        // `Table` is a field-less enum declared in the order of `Table::ALL`,
        // so its discriminant is its position (checked by a unit test).
        &self.tables[table as usize]
    }

    /// How many rows `table` holds.
    pub(crate) fn len(&self, table: Table) -> usize {
        self.rows(table).len()
    }

    /// The row `key` of `table`.
    pub(crate) fn row(&self, table: Table, key: &RowKey) -> Option<&Record> {
        self.rows(table).get(key).map(|row| &**row)
    }

    /// The row holding the unique key `key`.
    pub(crate) fn owner(&self, key: &UniqueKey) -> Option<&RowKey> {
        self.unique.get(key)
    }

    /// The entity with primary key `key`.
    pub(crate) fn get<E: Entity>(&self, key: &RowKey) -> Option<E> {
        self.row(E::TABLE, key)
            .and_then(E::from_record_ref)
            .cloned()
    }

    /// Borrows the entity with UUID primary key `id`.
    pub(crate) fn find<E: Entity>(&self, id: impl Into<Uuid>) -> Option<&E> {
        self.row(E::TABLE, &RowKey::Id(id.into()))
            .and_then(E::from_record_ref)
    }

    /// The entity with UUID primary key `id`.
    pub(crate) fn get_id<E: Entity>(&self, id: impl Into<Uuid>) -> Option<E> {
        self.get(&RowKey::Id(id.into()))
    }

    /// The entity holding the unique key `key` (`users_email`, `gigs_slug`, ...).
    pub(crate) fn get_unique<E: Entity>(&self, key: &UniqueKey) -> Option<E> {
        self.owner(key).and_then(|row| self.get(row))
    }

    /// Every row of `E`'s table, in no particular order (for scans).
    pub(crate) fn scan<E: Entity>(&self) -> impl Iterator<Item = &E> {
        self.rows(E::TABLE)
            .values()
            .filter_map(|row| E::from_record_ref(row))
    }

    /// The rows listed under `parent` in `idx`, in no particular order.
    pub(crate) fn children<E: Entity>(&self, idx: Idx, parent: Parent) -> impl Iterator<Item = &E> {
        debug_assert_eq!(
            idx.table(),
            E::TABLE,
            "{idx:?} does not list {:?}",
            E::TABLE
        );
        let rows = self.rows(E::TABLE);
        self.index
            .get(&(idx, parent))
            .into_iter()
            .flatten()
            .filter_map(move |id| rows.get(&RowKey::Id(*id)))
            .filter_map(|row| E::from_record_ref(row))
    }

    /// The first `limit` rows listed under `parent` in `idx` whose id is
    /// greater than `after` (all when `None`), in id order: a range of the
    /// index's ordered set, so a page costs the same wherever it starts.
    pub(crate) fn children_after<E: Entity>(
        &self,
        idx: Idx,
        parent: Parent,
        after: Option<Uuid>,
        limit: u32,
    ) -> impl Iterator<Item = &E> {
        debug_assert_eq!(idx.table(), E::TABLE);
        let rows = self.rows(E::TABLE);
        let from = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.index
            .get(&(idx, parent))
            .into_iter()
            .flat_map(move |ids| ids.range((from, Bound::Unbounded)))
            .filter_map(move |id| rows.get(&RowKey::Id(*id)))
            .filter_map(|row| E::from_record_ref(row))
            .take(limit as usize)
    }

    /// The search terms of gigs and jobs.
    pub(crate) fn terms(&self) -> &Terms {
        &self.terms
    }

    /// Every row, ordered by table and then by key.
    pub(crate) fn dump(&self) -> Vec<Record> {
        let mut out = Vec::with_capacity(self.tables.iter().map(HashMap::len).sum());
        // `Table::ALL` is in declaration order, which is `Table`'s `Ord`.
        for table in Table::ALL {
            let mut rows: Vec<(&RowKey, &Box<Record>)> = self.rows(*table).iter().collect();
            rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.extend(rows.into_iter().map(|(_, record)| Record::clone(record)));
        }
        out
    }

    /// Makes a validated change set permanent. Cannot fail: everything that
    /// could refuse it was checked while staging.
    pub(crate) fn commit(&mut self, staged: Staged) {
        for ((table, key), slot) in staged.rows {
            let rows = &mut self.tables[table as usize];
            let old = match slot {
                Some(record) => rows.insert(key.clone(), record),
                None => rows.remove(&key),
            };
            let new = rows.get(&key).map(|row| &**row);
            if let RowKey::Id(id) = key {
                reindex(&mut self.index, id, old.as_deref(), new);
                self.terms.reindex(id, old.as_deref(), new);
            }
        }
        for (key, owner) in staged.unique {
            match owner {
                Some(row) => self.unique.insert(key, row),
                None => self.unique.remove(&key),
            };
        }
    }
}

/// Moves row `id` from the index entries of `old` to those of `new`,
/// touching only the entries that differ (counter deltas touch none).
fn reindex(
    index: &mut HashMap<(Idx, Parent), BTreeSet<Uuid>>,
    id: Uuid,
    old: Option<&Record>,
    new: Option<&Record>,
) {
    let none = [None; index::MAX_ENTRIES];
    let old = old.map_or(none, index::entries);
    let new = new.map_or(none, index::entries);
    for entry in old.iter().flatten().filter(|e| !new.contains(&Some(**e))) {
        if let Some(ids) = index.get_mut(entry) {
            ids.remove(&id);
            if ids.is_empty() {
                index.remove(entry);
            }
        }
    }
    for entry in new.iter().flatten().filter(|e| !old.contains(&Some(**e))) {
        index.entry(*entry).or_default().insert(id);
    }
}

#[cfg(test)]
impl Db {
    /// Checks the invariants against a rebuild from the rows alone.
    pub(crate) fn assert_consistent(&self) {
        let mut unique = HashMap::default();
        let mut idx: HashMap<(Idx, Parent), BTreeSet<Uuid>> = HashMap::default();
        for table in Table::ALL {
            for (key, record) in self.rows(*table) {
                assert_eq!(&record.row_key(), key, "row stored under its own key");
                assert_eq!(record.table(), *table, "row stored in its own table");
                for uk in record.unique_keys() {
                    assert!(
                        unique.insert(uk, key.clone()).is_none(),
                        "unique key held twice"
                    );
                }
                if let RowKey::Id(id) = key {
                    for entry in index::entries(record).iter().flatten() {
                        idx.entry(*entry).or_default().insert(*id);
                    }
                }
            }
        }
        self.terms.assert_consistent(
            self.tables
                .iter()
                .flat_map(|rows| rows.values().map(|r| &**r)),
        );
        assert_eq!(unique, self.unique, "unique keys match the rows");
        assert_eq!(idx, self.index, "indexes match the rows");
    }
}
