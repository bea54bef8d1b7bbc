//! What a committed change set changes in each user's favorites sets.
//!
//! A projection like the others ([`super::inbox`], [`super::projection`]):
//! read off each change set the [`Marketplace`](crate::Marketplace)
//! committed, applied after the commit.

use crate::entities::Favorite;
use crate::enums::FavoritedType;
use crate::ids::UserId;
use crate::store::{ChangeSet, Record, Table, Write};

use super::inbox::deleted_users;

/// A change to one user's favorites set of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FavoriteChange {
    /// Add `target` to the set.
    Add {
        /// Whose set.
        user: UserId,
        /// Which set.
        kind: FavoritedType,
        /// The favorite's target.
        target: uuid::Uuid,
    },
    /// Take `target` out of the set.
    Remove {
        /// Whose set.
        user: UserId,
        /// Which set.
        kind: FavoritedType,
        /// The favorite's target.
        target: uuid::Uuid,
    },
    /// Forget the set (its user was erased).
    Forget {
        /// Whose set.
        user: UserId,
        /// Which set.
        kind: FavoritedType,
    },
}

impl FavoriteChange {
    /// The set it changes: changes of one set depend on their order,
    /// changes of different sets never do.
    pub fn key(&self) -> (UserId, FavoritedType) {
        match *self {
            Self::Add { user, kind, .. }
            | Self::Remove { user, kind, .. }
            | Self::Forget { user, kind } => (user, kind),
        }
    }
}

/// Every kind of favorite.
const KINDS: [FavoritedType; 3] = [
    FavoritedType::Gig,
    FavoritedType::Creator,
    FavoritedType::Job,
];

/// The favorites sets `changes` moves once committed, in the order of its
/// writes: a favorite inserted joins its user's set of its kind, and one
/// deleted leaves it (the deleted row is looked up in the change set, so a
/// command deleting a favorite remembers it). A user written as deleted
/// (an erasure) has every set forgotten instead, after the others' changes.
pub fn favorite_changes(changes: &ChangeSet) -> Vec<FavoriteChange> {
    let deleted = deleted_users(changes);
    let moved = changes.writes.iter().filter_map(|write| {
        let (favorite, added) = match write {
            Write::Insert(record) => match &**record {
                Record::Favorite(f) => (f.clone(), true),
                _ => return None,
            },
            Write::Delete {
                table: Table::Favorites,
                key,
                ..
            } => (changes.known::<Favorite>(key)?, false),
            _ => return None,
        };
        let (user, kind, target) = (
            favorite.user_id,
            favorite.favorited_type,
            favorite.favorited_id,
        );
        if deleted.contains(&user) {
            None
        } else if added {
            Some(FavoriteChange::Add { user, kind, target })
        } else {
            Some(FavoriteChange::Remove { user, kind, target })
        }
    });
    let forgotten = deleted
        .iter()
        .flat_map(|&user| KINDS.map(|kind| FavoriteChange::Forget { user, kind }));
    moved.chain(forgotten).collect()
}
