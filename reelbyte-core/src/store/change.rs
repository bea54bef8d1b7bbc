//! The change set: everything one command writes, applied atomically.
//!
//! The service loads what it needs through the repository traits, decides with
//! the pure rules of this crate, and hands the store one [`ChangeSet`]. The
//! store applies all of it or none of it: every [`Write::Update`] and
//! [`Write::Check`] must find its row at the expected version, every insert
//! must respect the unique keys of [`Record::unique_keys`], and counter deltas
//! are added in place. A store that cannot apply a change set refuses it with
//! [`Error::Conflict`](crate::Error::Conflict) (a version moved: the service
//! retries) or [`Error::AlreadyExists`](crate::Error::AlreadyExists) (a unique
//! key is taken), and changes nothing.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::ids::{ConversationId, GigId, JobId, ParticipantId, PortfolioItemId, UserId};
use crate::store::Record;

/// The primary key of a row: a UUID, or a name for `platform_settings`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RowKey {
    /// A UUID primary key.
    Id(Uuid),
    /// A text primary key (`platform_settings.key`).
    Name(String),
}

/// A unique index of the schema, as a name and the key's value.
///
/// Stores enforce these on insert and update; PostgreSQL has the matching
/// unique (sometimes partial) indexes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UniqueKey {
    /// The index name, e.g. `"users_email"`.
    pub index: &'static str,
    /// The key's value, e.g. the email address.
    pub value: String,
}

impl UniqueKey {
    /// A unique key of `index` with `value`.
    pub fn new(index: &'static str, value: impl std::fmt::Display) -> Self {
        Self {
            index,
            value: value.to_string(),
        }
    }
}

/// A counter column changed by a delta rather than by a versioned update, so
/// that concurrent increments neither conflict nor get lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Counter {
    /// `gigs.view_count`.
    GigViews(GigId),
    /// `gigs.order_count`.
    GigOrders(GigId),
    /// `gigs.favorite_count`.
    GigFavorites(GigId),
    /// `jobs.view_count`.
    JobViews(JobId),
    /// `jobs.proposal_count`.
    JobProposals(JobId),
    /// `portfolio_items.view_count`.
    PortfolioViews(PortfolioItemId),
    /// `portfolio_items.like_count`.
    PortfolioLikes(PortfolioItemId),
    /// `conversation_participants.unread_count`.
    UnreadMessages(ParticipantId),
}

/// One write of a change set.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Insert a new row; refused when its key or a unique key is taken.
    ///
    /// Rows are boxed here, as in [`Write::Update`]: a `Record` is as large
    /// as its largest variant (over 500 bytes), and a change set's writes
    /// are moved several times on their way into a store, so they move as
    /// pointers.
    Insert(Box<Record>),
    /// Replace a row whose version is `expected_version`; the record carries
    /// `expected_version + 1`. Counter columns keep their stored values.
    Update {
        /// The new row.
        record: Box<Record>,
        /// The version the command read.
        expected_version: i64,
        /// The row as the command read it (at `expected_version`), when the
        /// command kept it. A versioned row at that version holds exactly
        /// this, so a store may write only the columns that differ from it
        /// and get the same row; without it, a store writes them all.
        before: Option<Box<Record>>,
    },
    /// Delete a row, optionally only at a version.
    Delete {
        /// The table.
        table: Table,
        /// The row's key.
        key: RowKey,
        /// The version the command read, when the row is versioned.
        expected_version: Option<i64>,
    },
    /// Write nothing, but refuse the change set unless the row is still at
    /// `expected_version`: the decision depended on it.
    Check {
        /// The table.
        table: Table,
        /// The row's key.
        key: RowKey,
        /// The version the command read.
        expected_version: i64,
    },
    /// Add `delta` to a counter column.
    Count {
        /// The counter.
        counter: Counter,
        /// The amount to add (may be negative).
        delta: i64,
    },
}

impl Write {
    /// The row an insert writes.
    pub fn inserted(&self) -> Option<&Record> {
        match self {
            Self::Insert(record) => Some(record),
            _ => None,
        }
    }

    /// The new row an update writes.
    pub fn updated(&self) -> Option<&Record> {
        match self {
            Self::Update { record, .. } => Some(record),
            _ => None,
        }
    }

    /// The row an insert or an update writes.
    pub fn written(&self) -> Option<&Record> {
        match self {
            Self::Insert(record) | Self::Update { record, .. } => Some(record),
            _ => None,
        }
    }
}

/// Every write of one command, applied all or nothing.
///
/// It also carries the rows the command read and chose to remember
/// ([`ChangeSet::remember`]): the planners a command calls one after the
/// other find them there instead of reading the store again. Stores never
/// see them; two change sets are equal when their writes are.
#[derive(Debug, Clone, Default)]
pub struct ChangeSet {
    /// The writes, in order.
    pub writes: Vec<Write>,
    /// Rows read by the command, at the version read. Not applied.
    read: Vec<Record>,
}

impl PartialEq for ChangeSet {
    fn eq(&self, other: &Self) -> bool {
        self.writes == other.writes
    }
}

impl ChangeSet {
    /// An empty change set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts `record`.
    pub fn insert(&mut self, record: impl Into<Record>) -> &mut Self {
        self.writes.push(Write::Insert(Box::new(record.into())));
        self
    }

    /// Updates `entity`, which was read at its current version; bumps the
    /// version of the written copy.
    ///
    /// A second update of the same row in one change set replaces the first
    /// one's content (planners that touch a row twice start from
    /// [`ChangeSet::staged`], so no change is lost), keeping one version step.
    pub fn update<E: Entity>(&mut self, entity: &E) -> &mut Self {
        let before = self
            .read
            .iter()
            .find(|r| {
                r.table() == E::TABLE
                    && r.row_key() == entity.row_key()
                    && r.version() == entity.version()
            })
            .cloned();
        self.push_update(entity, before)
    }

    /// [`ChangeSet::update`] of `after`, a changed copy of `before` as the
    /// command read it (both at the version read): the store may then
    /// write only the columns that changed. A `before` at another version
    /// is ignored.
    pub fn update_from<E: Entity>(&mut self, before: &E, after: &E) -> &mut Self {
        let before = (before.version() == after.version() && before.row_key() == after.row_key())
            .then(|| before.clone().into());
        self.push_update(after, before)
    }

    fn push_update<E: Entity>(&mut self, entity: &E, before: Option<Record>) -> &mut Self {
        let mut copy = entity.clone();
        let expected_version = copy.version();
        copy.set_version(expected_version + 1);
        let key = copy.row_key();
        let existing = self.writes.iter_mut().find(|w| {
            matches!(w, Write::Update { record, expected_version: v, .. }
                if record.table() == E::TABLE && record.row_key() == key && *v == expected_version)
        });
        match existing {
            // The first update's `before` is still the row as read.
            Some(Write::Update { record, .. }) => **record = copy.into(),
            _ => self.writes.push(Write::Update {
                record: Box::new(copy.into()),
                expected_version,
                before: before.map(Box::new),
            }),
        }
        self
    }

    /// The copy of a row this change set already updates, at the version it
    /// was read (so that updating it again composes with the earlier change).
    pub fn staged<E: Entity>(&self, key: &RowKey) -> Option<E> {
        self.writes.iter().rev().find_map(|w| match w {
            Write::Update {
                record,
                expected_version,
                ..
            } if record.table() == E::TABLE && &record.row_key() == key => {
                let mut entity = E::from_record(Record::clone(record))?;
                entity.set_version(*expected_version);
                Some(entity)
            }
            _ => None,
        })
    }

    /// Remembers `entity` as read by this command (nothing is written), so
    /// that a later planner of the same command finds it with
    /// [`ChangeSet::known`] instead of reading the store again. Any write
    /// that relies on it still carries its version guard.
    pub fn remember<E: Entity>(&mut self, entity: &E) -> &mut Self {
        let key = entity.row_key();
        self.read
            .retain(|r| !(r.table() == E::TABLE && r.row_key() == key));
        self.read.push(entity.clone().into());
        self
    }

    /// The row as this command has it: the copy it already updates (see
    /// [`ChangeSet::staged`]), else the copy it remembered reading.
    pub fn known<E: Entity>(&self, key: &RowKey) -> Option<E> {
        self.staged(key).or_else(|| {
            self.read
                .iter()
                .filter(|r| r.table() == E::TABLE && &r.row_key() == key)
                .find_map(|r| E::from_record(r.clone()))
        })
    }

    /// Deletes `entity`, which was read at its current version.
    pub fn delete<E: Entity>(&mut self, entity: &E) -> &mut Self {
        self.writes.push(Write::Delete {
            table: E::TABLE,
            key: entity.row_key(),
            expected_version: E::VERSIONED.then(|| entity.version()),
        });
        self
    }

    /// Refuses the change set unless `entity` is still at the version read.
    pub fn check<E: Entity>(&mut self, entity: &E) -> &mut Self {
        self.writes.push(Write::Check {
            table: E::TABLE,
            key: entity.row_key(),
            expected_version: entity.version(),
        });
        self
    }

    /// Adds `delta` to `counter`.
    pub fn count(&mut self, counter: Counter, delta: i64) -> &mut Self {
        self.writes.push(Write::Count { counter, delta });
        self
    }

    /// Appends every write of `other`.
    pub fn extend(&mut self, other: ChangeSet) -> &mut Self {
        self.writes.extend(other.writes);
        self
    }

    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// The records this change set inserts.
    pub fn inserted(&self) -> impl Iterator<Item = &Record> {
        self.writes.iter().filter_map(Write::inserted)
    }

    /// Checks what a store cannot: the ledger postings of the change set sum
    /// to zero per transaction and currency.
    pub fn validate(&self) -> Result<()> {
        let postings: Vec<_> = self
            .inserted()
            .filter_map(|r| match r {
                Record::LedgerPosting(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        crate::ledger::check_balanced(&postings)
    }
}

/// A row type of the schema.
pub trait Entity: Clone + std::fmt::Debug + Send + Sync + Into<Record> + 'static {
    /// The table it lives in.
    const TABLE: Table;
    /// Whether rows carry a `version` (append-only rows do not).
    const VERSIONED: bool;
    /// The row's primary key.
    fn row_key(&self) -> RowKey;
    /// The row's version (0 for append-only rows).
    fn version(&self) -> i64;
    /// Sets the row's version (ignored by append-only rows).
    fn set_version(&mut self, version: i64);
    /// Extracts this entity from a record of its table.
    fn from_record(record: Record) -> Option<Self>;
    /// Borrows this entity from a record of its table.
    fn from_record_ref(record: &Record) -> Option<&Self>;
}

/// Who a counter belongs to, for stores that apply deltas in place.
impl Counter {
    /// The table and row the counter lives in.
    pub fn row(&self) -> (Table, RowKey) {
        match *self {
            Self::GigViews(id) | Self::GigOrders(id) | Self::GigFavorites(id) => {
                (Table::Gigs, RowKey::Id(id.as_uuid()))
            }
            Self::JobViews(id) | Self::JobProposals(id) => (Table::Jobs, RowKey::Id(id.as_uuid())),
            Self::PortfolioViews(id) | Self::PortfolioLikes(id) => {
                (Table::PortfolioItems, RowKey::Id(id.as_uuid()))
            }
            Self::UnreadMessages(id) => (Table::ConversationParticipants, RowKey::Id(id.as_uuid())),
        }
    }

    /// The column the counter lives in.
    pub fn column(&self) -> &'static str {
        match self {
            Self::GigViews(_) | Self::JobViews(_) | Self::PortfolioViews(_) => "view_count",
            Self::GigOrders(_) => "order_count",
            Self::GigFavorites(_) => "favorite_count",
            Self::JobProposals(_) => "proposal_count",
            Self::PortfolioLikes(_) => "like_count",
            Self::UnreadMessages(_) => "unread_count",
        }
    }

    /// Adds `delta` to the counter in `record` (a row of [`Counter::row`]'s
    /// table); counters never go below zero.
    pub fn apply(&self, record: &mut Record, delta: i64) -> Result<()> {
        fn add(field: &mut i32, delta: i64) -> Result<()> {
            let next = i64::from(*field) + delta;
            *field = i32::try_from(next.max(0))
                .map_err(|_| Error::validation("counter", "counter overflow"))?;
            Ok(())
        }
        match (self, record) {
            (Self::GigViews(_), Record::Gig(g)) => add(&mut g.view_count, delta),
            (Self::GigOrders(_), Record::Gig(g)) => add(&mut g.order_count, delta),
            (Self::GigFavorites(_), Record::Gig(g)) => add(&mut g.favorite_count, delta),
            (Self::JobViews(_), Record::Job(j)) => add(&mut j.view_count, delta),
            (Self::JobProposals(_), Record::Job(j)) => add(&mut j.proposal_count, delta),
            (Self::PortfolioViews(_), Record::PortfolioItem(p)) => add(&mut p.view_count, delta),
            (Self::PortfolioLikes(_), Record::PortfolioItem(p)) => add(&mut p.like_count, delta),
            (Self::UnreadMessages(_), Record::ConversationParticipant(p)) => {
                add(&mut p.unread_count, delta)
            }
            (counter, record) => Err(Error::validation(
                "counter",
                format!(
                    "{counter:?} does not belong to a {} row",
                    record.table().name()
                ),
            )),
        }
    }
}

/// Copies the counter columns of `current` into `next`: a versioned update
/// never overwrites a counter, which only [`Write::Count`] changes.
pub fn keep_counters(next: &mut Record, current: &Record) {
    match (next, current) {
        (Record::Gig(n), Record::Gig(c)) => {
            n.view_count = c.view_count;
            n.order_count = c.order_count;
            n.favorite_count = c.favorite_count;
        }
        (Record::Job(n), Record::Job(c)) => {
            n.view_count = c.view_count;
            n.proposal_count = c.proposal_count;
        }
        (Record::PortfolioItem(n), Record::PortfolioItem(c)) => {
            n.view_count = c.view_count;
            n.like_count = c.like_count;
        }
        (Record::ConversationParticipant(n), Record::ConversationParticipant(c)) => {
            n.unread_count = c.unread_count;
        }
        _ => {}
    }
}

/// A unique key for a user's idempotency key.
pub fn idempotency_unique_key(actor: UserId, key: &str) -> UniqueKey {
    UniqueKey::new("idempotency_actor_key", format!("{actor}:{key}"))
}

/// A conversation's unique key for a participant.
pub fn participant_unique_key(conversation: ConversationId, user: UserId) -> UniqueKey {
    UniqueKey::new(
        "conversation_participants_unique",
        format!("{conversation}:{user}"),
    )
}

pub use super::records::Table;

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::entities::CreatorCategory;
    use crate::ids::{CreatorCategoryId, CreatorProfileId};
    use crate::value::Text;

    fn category(name: &str) -> CreatorCategory {
        CreatorCategory {
            id: CreatorCategoryId::new(),
            creator_profile_id: CreatorProfileId::new(),
            category: Text::parse(name).expect("valid"),
            is_primary: false,
            created_at: Utc::now(),
            version: 3,
        }
    }

    fn key(c: &CreatorCategory) -> RowKey {
        RowKey::Id(c.id.as_uuid())
    }

    #[test]
    fn a_write_gives_the_row_it_writes() {
        let (beauty, fashion) = (category("beauty"), category("fashion"));
        let mut changes = ChangeSet::new();
        changes.insert(beauty.clone());
        changes.update(&fashion);
        changes.delete(&fashion);
        let beauty: Record = beauty.into();
        let written = |w: &Write| w.written().map(Record::row_key);
        let [insert, update, delete] = &changes.writes[..] else {
            panic!("three writes: {:?}", changes.writes);
        };
        assert_eq!(insert.inserted(), Some(&beauty));
        assert_eq!(insert.updated(), None);
        assert_eq!(written(insert), Some(beauty.row_key()));
        assert_eq!(update.inserted(), None);
        assert_eq!(update.updated().map(Record::row_key), Some(key(&fashion)));
        assert_eq!(written(update), Some(key(&fashion)));
        assert_eq!(
            (delete.inserted(), delete.updated(), delete.written()),
            (None, None, None)
        );
        assert_eq!(changes.inserted().collect::<Vec<_>>(), vec![&beauty]);
    }

    #[test]
    fn a_remembered_row_is_known_but_never_written() {
        let beauty = category("beauty");
        let mut changes = ChangeSet::new();
        changes.remember(&beauty);
        assert_eq!(
            changes.known::<CreatorCategory>(&key(&beauty)),
            Some(beauty.clone())
        );
        assert_eq!(changes.staged::<CreatorCategory>(&key(&beauty)), None);
        assert!(changes.is_empty(), "remembering writes nothing");
        assert_eq!(changes, ChangeSet::new(), "equality compares writes only");
        assert_eq!(
            changes.known::<CreatorCategory>(&key(&category("other"))),
            None
        );
    }

    #[test]
    fn a_staged_update_wins_over_the_remembered_read() {
        let beauty = category("beauty");
        let mut changes = ChangeSet::new();
        changes.remember(&beauty);
        let mut primary = beauty.clone();
        primary.is_primary = true;
        changes.update(&primary);
        let known: CreatorCategory = changes.known(&key(&beauty)).expect("known");
        assert!(known.is_primary);
        assert_eq!(
            known.version, 3,
            "at the version read, as staged returns it"
        );
    }

    #[test]
    fn remembering_again_replaces_the_earlier_copy() {
        let beauty = category("beauty");
        let mut changes = ChangeSet::new();
        changes.remember(&beauty);
        let mut newer = beauty.clone();
        newer.version = 4;
        changes.remember(&newer);
        assert_eq!(changes.known::<CreatorCategory>(&key(&beauty)), Some(newer));
        assert_eq!(changes.read.len(), 1);
    }
    fn before_of(changes: &ChangeSet) -> Option<Record> {
        match changes.writes.as_slice() {
            [Write::Update { before, .. }] => before.as_deref().cloned(),
            other => panic!("one update expected: {other:?}"),
        }
    }

    #[test]
    fn an_update_from_the_read_copy_carries_it() {
        let beauty = category("beauty");
        let mut primary = beauty.clone();
        primary.is_primary = true;
        let mut changes = ChangeSet::new();
        changes.update_from(&beauty, &primary);
        assert_eq!(before_of(&changes), Some(beauty.clone().into()));

        // Updating the same row again keeps the row as first read.
        let mut renamed = primary.clone();
        renamed.category = Text::parse("fashion").expect("valid");
        changes.update_from(&primary, &renamed);
        assert_eq!(before_of(&changes), Some(beauty.clone().into()));
        match &changes.writes[0] {
            Write::Update { record, .. } => {
                let written =
                    CreatorCategory::from_record(Record::clone(record)).expect("category");
                assert_eq!(written.category.as_str(), "fashion");
                assert_eq!(written.version, 4);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_update_finds_the_remembered_read_at_its_version() {
        let beauty = category("beauty");
        let mut primary = beauty.clone();
        primary.is_primary = true;
        let mut changes = ChangeSet::new();
        changes.remember(&beauty);
        changes.update(&primary);
        assert_eq!(before_of(&changes), Some(beauty.clone().into()));

        // A copy read at another version is not the row the update replaces.
        let mut changes = ChangeSet::new();
        let mut older = beauty.clone();
        older.version = 2;
        changes.remember(&older);
        changes.update(&primary);
        assert_eq!(before_of(&changes), None);
        let mut changes = ChangeSet::new();
        changes.update_from(&older, &primary);
        assert_eq!(before_of(&changes), None);
        let mut changes = ChangeSet::new();
        changes.update(&primary);
        assert_eq!(before_of(&changes), None, "nothing read, nothing carried");
    }
}
