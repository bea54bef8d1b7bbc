//! What a committed change set changes in each user's unread counts and
//! activity feed.
//!
//! Like the rankings ([`super::projection`]), both are projections of the
//! store, read off each change set the [`Marketplace`](crate::Marketplace)
//! committed and applied after the commit, so one rule covers every command
//! that writes the rows and a refused change set moves nothing:
//!
//! - [`unread_changes`]: the unread counters follow the writes that move
//!   `conversation_participants.unread_count` and the unread
//!   `notifications`. Deltas, not values, so concurrent commits applied in
//!   any order add up to the store's count.
//! - [`feed_changes`]: a user's activity feed lists what the user did, one
//!   item per audit entry the user's commands wrote (what others did that
//!   concerns the user reaches them as notifications).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{AuditLog, ConversationParticipant, Notification};
use crate::enums::UserStatus;
use crate::ids::UserId;
use crate::store::{ChangeSet, Counter, Record, RowKey, Table, Write};
use crate::value::Text;

use super::UnreadKind;

/// A change to one user's unread count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnreadChange {
    /// Add `delta` (negative to subtract) to the count.
    Add {
        /// Whose count.
        user: UserId,
        /// Which count.
        kind: UnreadKind,
        /// What to add.
        delta: i64,
    },
    /// The change set moved the count by an amount it does not show (it
    /// updated a notification without the row as read): forget the count,
    /// so that its next read rebuilds it from the store.
    Forget {
        /// Whose count.
        user: UserId,
        /// Which count.
        kind: UnreadKind,
    },
}

impl UnreadChange {
    /// The count it changes: changes of one count depend on their order,
    /// changes of different counts never do.
    pub fn key(&self) -> (UserId, UnreadKind) {
        match *self {
            Self::Add { user, kind, .. } | Self::Forget { user, kind } => (user, kind),
        }
    }
}

/// The unread counts `changes` moves once committed, one change per user
/// and kind (their deltas summed, none when they cancel out), ordered by
/// user and kind.
///
/// - A notification inserted unread adds one to its user's notifications;
///   one deleted while unread takes one away, and one updated moves the
///   count by the change of its `is_read` (which needs the row as read:
///   without it the count is forgotten).
/// - A `conversation_participants.unread_count` delta moves the
///   participant's user's messages by the same amount, as does a
///   participant inserted or deleted with unread messages.
///
/// A user written as deleted (an erasure) has both counts forgotten.
///
/// A participant or a deleted row is looked up in the change set (written,
/// or remembered by the command with [`ChangeSet::remember`]): a command
/// that moves a participant's count or deletes a row that counts must keep
/// the row there, or its change is skipped.
pub fn unread_changes(changes: &ChangeSet) -> Vec<UnreadChange> {
    let mut deltas: BTreeMap<(UserId, UnreadKind), Option<i64>> = BTreeMap::new();
    let mut add = |user: UserId, kind: UnreadKind, delta: i64| {
        if let Some(sum) = deltas.entry((user, kind)).or_insert(Some(0)) {
            *sum += delta;
        }
    };
    let mut forgotten = Vec::new();
    for write in &changes.writes {
        match write {
            Write::Insert(record) => match &**record {
                Record::Notification(n) => {
                    add(n.user_id, UnreadKind::Notifications, unread(n));
                }
                Record::ConversationParticipant(p) => {
                    add(p.user_id, UnreadKind::Messages, i64::from(p.unread_count));
                }
                _ => {}
            },
            Write::Update { record, before, .. } => {
                if let Record::Notification(after) = &**record {
                    match before.as_deref() {
                        Some(Record::Notification(before)) => add(
                            after.user_id,
                            UnreadKind::Notifications,
                            unread(after) - unread(before),
                        ),
                        _ => forgotten.push((after.user_id, UnreadKind::Notifications)),
                    }
                }
            }
            Write::Delete {
                table: Table::Notifications,
                key,
                ..
            } => {
                if let Some(n) = changes.known::<Notification>(key) {
                    add(n.user_id, UnreadKind::Notifications, -unread(&n));
                }
            }
            Write::Delete {
                table: Table::ConversationParticipants,
                key,
                ..
            } => {
                if let Some(p) = changes.known::<ConversationParticipant>(key) {
                    add(p.user_id, UnreadKind::Messages, -i64::from(p.unread_count));
                }
            }
            Write::Count {
                counter: Counter::UnreadMessages(participant),
                delta,
            } => {
                let key = RowKey::Id(participant.as_uuid());
                if let Some(p) = changes.known::<ConversationParticipant>(&key) {
                    add(p.user_id, UnreadKind::Messages, *delta);
                }
            }
            _ => {}
        }
    }
    for user in deleted_users(changes) {
        for kind in [UnreadKind::Messages, UnreadKind::Notifications] {
            forgotten.push((user, kind));
        }
    }
    for (user, kind) in forgotten {
        deltas.insert((user, kind), None);
    }
    deltas
        .into_iter()
        .filter_map(|((user, kind), delta)| match delta {
            None => Some(UnreadChange::Forget { user, kind }),
            Some(0) => None,
            Some(delta) => Some(UnreadChange::Add { user, kind, delta }),
        })
        .collect()
}

fn unread(n: &Notification) -> i64 {
    i64::from(!n.is_read)
}

/// The users `changes` writes with the status `deleted`.
pub(crate) fn deleted_users(changes: &ChangeSet) -> Vec<UserId> {
    changes
        .writes
        .iter()
        .filter_map(|w| match w.written()? {
            Record::User(u) if u.status == UserStatus::Deleted => Some(u.id),
            _ => None,
        })
        .collect()
}

/// One item of a user's activity feed: something the user did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// What was done, as the audit log names it (e.g. `"accept"`).
    pub action: Text<50>,
    /// The kind of object acted on (e.g. `"contract"`).
    pub entity_type: Text<50>,
    /// The object's id.
    pub entity_id: Uuid,
    /// When.
    #[serde(with = "crate::timestamp")]
    pub at: DateTime<Utc>,
}

impl Activity {
    /// The item an audit entry puts in its actor's feed: the action and
    /// its object, never the entry's values.
    pub fn of(entry: &AuditLog) -> Self {
        Self {
            action: entry.action.clone(),
            entity_type: entry.entity_type.clone(),
            entity_id: entry.entity_id,
            at: entry.created_at,
        }
    }
}

/// A change to one user's activity feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedChange {
    /// Add `item` at the head of `user`'s feed.
    Push {
        /// Whose feed.
        user: UserId,
        /// What the user did.
        item: Activity,
    },
    /// Drop `user`'s whole feed.
    Clear {
        /// Whose feed.
        user: UserId,
    },
}

impl FeedChange {
    /// Whose feed it changes: changes of one feed depend on their order,
    /// changes of different feeds never do.
    pub fn user(&self) -> UserId {
        match *self {
            Self::Push { user, .. } | Self::Clear { user } => user,
        }
    }
}

/// The feed changes of `changes` once committed, in the order of its
/// writes: one item for each audit entry with an acting user (system
/// actions have none, and appear in no feed), only the action and its
/// object (an audit entry's values stay in the audit log). A user written
/// as deleted (an erasure) has their feed dropped instead, after the items
/// of everyone else.
pub fn feed_changes(changes: &ChangeSet) -> Vec<FeedChange> {
    let deleted = deleted_users(changes);
    let pushes = changes.inserted().filter_map(|record| match record {
        Record::AuditLog(entry) => {
            entry
                .user_id
                .filter(|user| !deleted.contains(user))
                .map(|user| FeedChange::Push {
                    user,
                    item: Activity::of(entry),
                })
        }
        _ => None,
    });
    let clears = deleted.iter().map(|&user| FeedChange::Clear { user });
    pushes.chain(clears).collect()
}
