//! Real-time features: view and unread counters, rate limits, rankings,
//! activity feeds and favorites.
//!
//! Each is a small trait, implemented in memory by `reelbyte-memory` and in
//! Redis by `reelbyte-redis`; the suite in `realtime::suite` (feature
//! `testing`) runs against both. None of this is the system of record: the
//! store keeps the durable counts (flushed from [`ViewCounters::drain_views`]),
//! these traits keep what is hot.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::FavoritedType;
use crate::error::{Error, Result};
use crate::ids::{GigId, UserId};
use crate::store::{ChangeSet, Counter, Store};

pub mod favorites;
pub mod inbox;
pub mod projection;
#[cfg(feature = "testing")]
pub mod suite;

/// What is viewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ViewTarget {
    /// A gig page.
    Gig,
    /// A creator profile.
    Creator,
}

impl ViewTarget {
    /// The name used in keys.
    pub fn as_str(self) -> &'static str {
        match self {
            ViewTarget::Gig => "gig",
            ViewTarget::Creator => "creator",
        }
    }
}

/// View counts collected between flushes to the store.
#[async_trait]
pub trait ViewCounters: Send + Sync {
    /// Adds `by` views of `id`.
    async fn record_view(&self, target: ViewTarget, id: Uuid, by: u64) -> Result<()>;
    /// The views of `id` not yet drained.
    async fn pending_views(&self, target: ViewTarget, id: Uuid) -> Result<u64>;
    /// Takes every pending count of `target` atomically, resetting them: a
    /// view recorded concurrently is in this drain or the next, never lost or
    /// counted twice.
    async fn drain_views(&self, target: ViewTarget) -> Result<Vec<(Uuid, u64)>>;
}

/// Moves the pending gig view counts into `gigs.view_count`, in one change
/// set; returns how many views were flushed.
///
/// Views of gigs that no longer exist are dropped. If the store refuses the
/// change set, the drained counts are recorded again, so a failed flush
/// loses nothing (a flush racing another may count a view in either, never
/// both: the drain is atomic). Creator profile views have no counter column
/// in the plan (`profile_views` rows are the record), so only gig views are
/// flushed here.
///
/// The change set goes to the store directly, so it moves no ranking:
/// [`Marketplace::flush_gig_views`](crate::Marketplace::flush_gig_views)
/// commits it through a marketplace, whose trending board then counts the
/// views.
pub async fn flush_gig_views(counters: &dyn ViewCounters, store: &dyn Store) -> Result<u64> {
    flush_gig_views_by(counters, store, async |changes| store.apply(changes).await).await
}

/// [`flush_gig_views`], the change set handed to `apply`.
pub(crate) async fn flush_gig_views_by(
    counters: &dyn ViewCounters,
    store: &dyn Store,
    apply: impl AsyncFnOnce(ChangeSet) -> Result<()>,
) -> Result<u64> {
    let drained = counters.drain_views(ViewTarget::Gig).await?;
    // One read for every drained gig, not one per gig.
    let ids: Vec<GigId> = drained
        .iter()
        .map(|(id, _)| GigId::from_uuid(*id))
        .collect();
    let existing: HashSet<GigId> = store
        .gigs()
        .get_by_ids(&ids)
        .await?
        .into_iter()
        .map(|g| g.id)
        .collect();
    let mut changes = ChangeSet::new();
    let mut flushed = 0u64;
    for (id, views) in &drained {
        let gig = GigId::from_uuid(*id);
        if !existing.contains(&gig) {
            continue;
        }
        let delta = i64::try_from(*views).map_err(|_| Error::validation("views", "too many"))?;
        changes.count(Counter::GigViews(gig), delta);
        flushed += views;
    }
    if changes.is_empty() {
        return Ok(0);
    }
    if let Err(e) = apply(changes).await {
        for (id, views) in drained {
            counters.record_view(ViewTarget::Gig, id, views).await?;
        }
        return Err(e);
    }
    Ok(flushed)
}

/// What is unread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum UnreadKind {
    /// Messages.
    Messages,
    /// Notifications.
    Notifications,
}

impl UnreadKind {
    /// The name used in keys.
    pub fn as_str(self) -> &'static str {
        match self {
            UnreadKind::Messages => "messages",
            UnreadKind::Notifications => "notifications",
        }
    }
}

/// Per-user unread counters: a hot copy of counts the store keeps
/// (`conversation_participants.unread_count` summed over a user's
/// conversations, and the user's unread `notifications`).
///
/// A count is *known* once [`UnreadCounters::init_unread`] stored it, and
/// only a known count moves: a delta for an unknown count is dropped. After
/// a Redis restart every count is unknown, and adding to a missing key (as
/// a bare `INCR` would) would store a wrong count for good; instead the
/// next read rebuilds the count from the store
/// ([`Marketplace::unread_counts`](crate::Marketplace::unread_counts)).
///
/// # Counting a count again while commits move it
///
/// Rebuilding races the commits that move the count: the store's count is
/// read at one moment, stored at a later one, and a commit's delta arrives
/// after its commit. A delta applied to a count that already included its
/// commit would count it twice; one dropped because the count was still
/// unknown, after a store read that missed its commit, would be lost. So:
///
/// 1. before committing, a command *holds* each count it will move
///    ([`UnreadCounters::hold_unread`], with one [`UnreadHold`] per
///    commit);
/// 2. after the commit, each move ([`UnreadCounters::add_unread`],
///    [`UnreadCounters::forget_unread`]) ends its hold and counts as a
///    move of the count;
/// 3. a reader that finds the count unknown gets an [`UnreadTicket`] with
///    the answer ([`UnreadCounters::unread`]), reads the store, and
///    [`UnreadCounters::init_unread`] stores the store's count only if no
///    hold is live and no move happened since the ticket.
///
/// A stored count then either includes a commit whose move came before the
/// ticket, or excludes one whose hold was taken after the count was
/// stored, and that move adds to it. The guarantee lasts as long as a hold
/// ([`UNREAD_HOLD`]): a commit slower than that, or a hold that failed to
/// be taken, can still leave a count wrong until it expires or is
/// forgotten.
#[async_trait]
pub trait UnreadCounters: Send + Sync {
    /// Holds the count for `hold`, a commit about to move it, for
    /// [`UNREAD_HOLD`] at most: while it is held, an unknown count is not
    /// stored.
    async fn hold_unread(&self, user: UserId, kind: UnreadKind, hold: UnreadHold) -> Result<()>;
    /// Ends `hold` (a hold never taken ends nothing) and adds `delta`
    /// (negative to subtract; the count never goes below zero) to a known
    /// count. Returns the new count, or `None`, moving nothing, when the
    /// count is unknown. Either way it counts as a move, so a ticket given
    /// before it no longer stores a count. A delta of 0 (a refused commit)
    /// ends the hold without changing the count.
    async fn add_unread(
        &self,
        user: UserId,
        kind: UnreadKind,
        delta: i64,
        hold: UnreadHold,
    ) -> Result<Option<u64>>;
    /// The count, or a ticket to store one when it is unknown.
    async fn unread(&self, user: UserId, kind: UnreadKind) -> Result<UnreadRead>;
    /// Stores `count`, read from the store after `ticket` was given, unless
    /// the count is known, a hold on it is live or it moved since the
    /// ticket; returns the count now known, or `count` when it was not
    /// stored.
    async fn init_unread(
        &self,
        user: UserId,
        kind: UnreadKind,
        count: u64,
        ticket: UnreadTicket,
    ) -> Result<u64>;
    /// Ends `hold` and forgets the count: it is unknown until initialised
    /// again.
    async fn forget_unread(&self, user: UserId, kind: UnreadKind, hold: UnreadHold) -> Result<()>;
}

/// How long a hold on an unread count lasts at most
/// ([`UnreadCounters::hold_unread`]): longer than any commit should take,
/// short enough that a hold never ended (a request dropped mid-commit)
/// delays the count's rebuild by little.
pub const UNREAD_HOLD: std::time::Duration = std::time::Duration::from_secs(30);

/// One commit's hold on the unread counts it moves (see
/// [`UnreadCounters`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnreadHold(Uuid);

impl UnreadHold {
    /// A new hold, unlike any other.
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }

    /// The hold's id.
    pub fn as_uuid(self) -> Uuid {
        self.0
    }
}

impl Default for UnreadHold {
    fn default() -> Self {
        Self::new()
    }
}

/// Which moves of an unknown count a reader has seen: the number of moves
/// when it found the count unknown (see [`UnreadCounters::init_unread`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnreadTicket(pub u64);

/// What reading an unread count found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnreadRead {
    /// The count is known.
    Known(u64),
    /// The count is unknown: count it in the store and store it with this
    /// ticket.
    Unknown(UnreadTicket),
}

impl UnreadRead {
    /// The count, when known.
    pub fn known(self) -> Option<u64> {
        match self {
            Self::Known(count) => Some(count),
            Self::Unknown(_) => None,
        }
    }
}

/// The answer of a rate limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateDecision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// Requests counted in the current window, this one included when allowed.
    pub count: u64,
    /// The limit applied.
    pub limit: u64,
}

/// Rate limits per key (e.g. `"<user id>:<endpoint>"`).
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Fixed window: at most `limit` requests per window of `window_secs`
    /// starting at the first request; every hit counts, allowed or not.
    async fn hit_fixed_window(
        &self,
        key: &str,
        limit: u64,
        window_secs: u64,
    ) -> Result<RateDecision>;
    /// Sliding window: at most `limit` allowed requests in any `window_secs`
    /// ending now; refused requests are not counted.
    async fn hit_sliding_window(
        &self,
        key: &str,
        limit: u64,
        window_secs: u64,
    ) -> Result<RateDecision>;
}

/// A ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Board {
    /// Creators by average rating.
    CreatorsByRating,
    /// Creators by completed jobs.
    CreatorsByJobsCompleted,
    /// Creators by earnings in one calendar month.
    EarnersOfMonth {
        /// The year.
        year: i32,
        /// The month, 1..=12.
        month: u32,
    },
    /// Gigs by time-decayed views (see [`trending_weight`]).
    TrendingGigs,
    /// Gigs by orders.
    PopularGigs,
    /// Featured gigs, by editorial score.
    FeaturedGigs,
    /// Recently published jobs, by publication time (seconds).
    RecentJobs,
}

impl Board {
    /// The name used in keys.
    pub fn key(&self) -> String {
        match self {
            Board::CreatorsByRating => "rankings:creators:rating".to_owned(),
            Board::CreatorsByJobsCompleted => "rankings:creators:jobs_completed".to_owned(),
            Board::EarnersOfMonth { year, month } => {
                format!("leaderboard:earners:{year:04}-{month:02}")
            }
            Board::TrendingGigs => "trending:gigs".to_owned(),
            Board::PopularGigs => "rankings:gigs:popular".to_owned(),
            Board::FeaturedGigs => "featured:gigs".to_owned(),
            Board::RecentJobs => "recent:jobs".to_owned(),
        }
    }
}

/// Half-life of a view's weight on [`Board::TrendingGigs`]: one day.
pub const TRENDING_HALF_LIFE_SECS: f64 = 86_400.0;

/// The weight of one view at `at` for [`Board::TrendingGigs`]:
/// `2^((at - 2026-01-01) / half-life)`.
///
/// Forward decay: instead of shrinking every old score as time passes, each
/// new view weighs more than the last by the decay factor, so ranking by the
/// plain sum equals ranking by decayed views, and no score is ever rewritten.
/// Scores grow by 2^365 a year; rebase (rebuild the board) yearly.
pub fn trending_weight(at: DateTime<Utc>) -> f64 {
    let base = DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
    let age = (at - base).num_milliseconds() as f64 / 1000.0;
    (age / TRENDING_HALF_LIFE_SECS).exp2()
}

/// Sorted rankings.
#[async_trait]
pub trait Rankings: Send + Sync {
    /// Sets `member`'s score.
    async fn set_score(&self, board: Board, member: Uuid, score: f64) -> Result<()>;
    /// Adds `delta` to `member`'s score and returns the new score.
    async fn add_score(&self, board: Board, member: Uuid, delta: f64) -> Result<f64>;
    /// Removes `member`.
    async fn remove_member(&self, board: Board, member: Uuid) -> Result<()>;
    /// Sets `member`'s score as of `version` of the row it ranks, unless a
    /// versioned change of `member` on this board at `version` or later was
    /// applied before; returns whether it applied. Changes that reach the
    /// board out of order (two commits of one row whose boards move
    /// concurrently) so leave the later one in place.
    async fn set_score_at(
        &self,
        board: Board,
        member: Uuid,
        score: f64,
        version: i64,
    ) -> Result<bool>;
    /// Removes `member` as of `version`, under the rule of
    /// [`Rankings::set_score_at`]; returns whether it applied.
    async fn remove_member_at(&self, board: Board, member: Uuid, version: i64) -> Result<bool>;
    /// The `n` best members, highest score first (ties by member id, descending).
    async fn top(&self, board: Board, n: usize) -> Result<Vec<(Uuid, f64)>>;
}

/// How many items an activity feed keeps.
pub const FEED_LENGTH: usize = 100;

/// Per-user activity feeds of the newest [`FEED_LENGTH`] items: a hot copy
/// of the newest entries of the audit log that the user wrote (the audit
/// log stays the record).
///
/// As with [`UnreadCounters`], a feed is *known* once
/// [`ActivityFeeds::init_activity`] stored it from the record; until then
/// reads answer `None`, so an empty feed and a feed Redis lost differ.
/// Items pushed while a feed is unknown are kept all the same, and
/// `init_activity` puts them ahead of the record's: a command that commits
/// after the reader read the record, and pushes before the reader stores
/// it, is not lost.
#[async_trait]
pub trait ActivityFeeds: Send + Sync {
    /// Adds `items` (JSON, oldest first) at the head of `user`'s feed,
    /// known or not, so that the last becomes the newest, dropping the
    /// oldest beyond [`FEED_LENGTH`]: the same feed as pushing them one at
    /// a time, in one call. All of them or none.
    async fn push_activities(&self, user: UserId, items: &[serde_json::Value]) -> Result<()>;
    /// The newest `n` items, newest first, or `None` when the feed is not
    /// known (never stored, expired or lost).
    async fn recent_activity(
        &self,
        user: UserId,
        n: usize,
    ) -> Result<Option<Vec<serde_json::Value>>>;
    /// Makes an unknown feed known: the items pushed while it was unknown,
    /// then those of `record` (newest first, as read from the audit log)
    /// that are not among them, cut to [`FEED_LENGTH`]. A known feed is
    /// left as it is. Atomic.
    async fn init_activity(&self, user: UserId, record: &[serde_json::Value]) -> Result<()>;
    /// Drops `user`'s whole feed: it is unknown afterwards.
    async fn clear_activity(&self, user: UserId) -> Result<()>;
}

/// The feed [`ActivityFeeds::init_activity`] stores: `pushed` (what the
/// feed held while unknown, newest first), then the items of `record` that
/// `pushed` does not hold, at most [`FEED_LENGTH`]. Every backend applies
/// this one rule.
pub fn merged_feed(
    pushed: &[serde_json::Value],
    record: &[serde_json::Value],
) -> Vec<serde_json::Value> {
    pushed
        .iter()
        .chain(record.iter().filter(|item| !pushed.contains(item)))
        .take(FEED_LENGTH)
        .cloned()
        .collect()
}

/// Per-user favorites sets: a hot copy of a user's `favorites` rows of
/// one kind (the table stays the record).
///
/// As with [`UnreadCounters`], a set is *known* once
/// [`FavoriteSets::init_favorites`] stored it: an empty set and a set Redis
/// lost must not look alike. Unlike a count, a set can take what happened
/// while it was unknown: adds and removes of an unknown set are kept aside,
/// the latest per target, and `init_favorites` applies them over the
/// table's set it is given ([`initial_favorites`]). So a favorite added or
/// removed after a reader read the table, and moved before the reader
/// stored the set, is not lost.
#[async_trait]
pub trait FavoriteSets: Send + Sync {
    /// Adds `target` to the set: `Some(true)` when it was new in a known
    /// set, `None` when the set is unknown (the add is kept for
    /// [`FavoriteSets::init_favorites`]).
    async fn add_favorite(
        &self,
        user: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<bool>>;
    /// Removes `target` from the set: `Some(true)` when a known set held
    /// it, `None` when the set is unknown (the removal is kept for
    /// [`FavoriteSets::init_favorites`]).
    async fn remove_favorite(
        &self,
        user: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<bool>>;
    /// Whether `target` is in the set, or `None` when the set is unknown.
    async fn is_favorite(
        &self,
        user: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<bool>>;
    /// The set, sorted by id, or `None` when it is unknown.
    async fn favorites(&self, user: UserId, kind: FavoritedType) -> Result<Option<Vec<Uuid>>>;
    /// Stores `targets` (the table's set), with the moves kept while the
    /// set was unknown applied over them, unless the set is known; returns
    /// the set now known (the one stored, or the one already there), sorted
    /// by id.
    async fn init_favorites(
        &self,
        user: UserId,
        kind: FavoritedType,
        targets: &[Uuid],
    ) -> Result<Vec<Uuid>>;
    /// Forgets the set and the moves kept for it: it is unknown until
    /// initialised again.
    async fn forget_favorites(&self, user: UserId, kind: FavoritedType) -> Result<()>;
}

/// The set [`FavoriteSets::init_favorites`] stores: the table's `record`
/// with the moves kept while the set was unknown applied over it (`true`
/// added, `false` removed; one per target, the latest), sorted by id. Every
/// backend applies this one rule.
pub fn initial_favorites(
    record: &[Uuid],
    moved: impl IntoIterator<Item = (Uuid, bool)>,
) -> Vec<Uuid> {
    let mut set: std::collections::BTreeSet<Uuid> = record.iter().copied().collect();
    for (target, added) in moved {
        if added {
            set.insert(target);
        } else {
            set.remove(&target);
        }
    }
    set.into_iter().collect()
}
