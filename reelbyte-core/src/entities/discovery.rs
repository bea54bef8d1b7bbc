//! Section 10 of the plan, search and discovery: `saved_searches` and
//! `favorites`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::{AlertFrequency, FavoritedType, SearchType};
use crate::ids::{FavoriteId, SavedSearchId, UserId};
use crate::value::Text;

/// A row of `saved_searches`: a search a user named and may be alerted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedSearch {
    /// Primary key.
    pub id: SavedSearchId,
    /// The owning user.
    pub user_id: UserId,
    /// What is searched.
    pub search_type: Option<SearchType>,
    /// The user's name for the search.
    pub name: Text<100>,
    /// The search's filters, as the search API takes them.
    pub search_params: serde_json::Value,
    /// Whether new matches are announced.
    pub alert_enabled: bool,
    /// How often new matches are announced.
    pub alert_frequency: Option<AlertFrequency>,
    /// When the search was saved.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `favorites`: a bookmarked gig, creator or job (unique per user,
/// type and target). Rows are only inserted and deleted, never updated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Favorite {
    /// Primary key.
    pub id: FavoriteId,
    /// The user who bookmarked.
    pub user_id: UserId,
    /// What kind of object is bookmarked. Required, although the plan's
    /// column is nullable: `favorited_id` means nothing without it, and the
    /// unique index on `(user_id, favorited_type, favorited_id)` would not
    /// hold for `NULL`s.
    pub favorited_type: FavoritedType,
    /// The bookmarked object's id. A bare UUID because it names a gig, a
    /// creator profile or a job; `favorited_type` says which.
    pub favorited_id: Uuid,
    /// When it was bookmarked.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
}
