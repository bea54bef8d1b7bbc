//! [`MemRealtime`]: the real-time traits of `reelbyte_core::realtime` in
//! memory, for embedding and tests.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use reelbyte_core::clock::{Clock, SystemClock};
use reelbyte_core::enums::FavoritedType;
use reelbyte_core::error::{Error, Result};
use reelbyte_core::ids::UserId;
use reelbyte_core::realtime::{
    ActivityFeeds, Board, FEED_LENGTH, FavoriteSets, Rankings, RateDecision, RateLimiter,
    UNREAD_HOLD, UnreadCounters, UnreadHold, UnreadKind, UnreadRead, UnreadTicket, ViewCounters,
    ViewTarget, initial_favorites, merged_feed,
};
use uuid::Uuid;

/// A user's feed, newest first, and whether it was stored from the record.
#[derive(Debug, Default)]
struct Feed {
    items: VecDeque<serde_json::Value>,
    known: bool,
}

/// A user's favorites of one kind: the set once known, and before that the
/// moves kept for its initialisation (target -> added).
#[derive(Debug, Default)]
struct FavoriteSet {
    members: BTreeSet<Uuid>,
    known: bool,
    moved: HashMap<Uuid, bool>,
}

impl FavoriteSet {
    /// Applies a move: to the members of a known set (whether it changed
    /// them), else kept for the initialisation.
    fn apply(&mut self, target: Uuid, added: bool) -> Option<bool> {
        if !self.known {
            self.moved.insert(target, added);
            return None;
        }
        Some(if added {
            self.members.insert(target)
        } else {
            self.members.remove(&target)
        })
    }
}

/// A user's unread count of one kind (see [`UnreadCounters`]).
#[derive(Debug, Default)]
struct Unread {
    /// The count, once known.
    known: Option<u64>,
    /// The live holds, each with the time it lapses.
    holds: HashMap<UnreadHold, DateTime<Utc>>,
    /// How many moves the count has seen: what a ticket records.
    moves: u64,
}

impl Unread {
    /// Ends `hold` and counts a move.
    fn moved(&mut self, hold: UnreadHold) {
        self.holds.remove(&hold);
        self.moves += 1;
    }
}

#[derive(Debug, Default)]
struct State {
    views: HashMap<ViewTarget, HashMap<Uuid, u64>>,
    unread: HashMap<(UserId, UnreadKind), Unread>,
    fixed: HashMap<String, (u64, DateTime<Utc>)>,
    sliding: HashMap<String, VecDeque<DateTime<Utc>>>,
    boards: HashMap<Board, HashMap<Uuid, f64>>,
    /// The row version of the last versioned change of each member.
    versions: HashMap<(Board, Uuid), i64>,
    feeds: HashMap<UserId, Feed>,
    favorites: HashMap<(UserId, FavoritedType), FavoriteSet>,
}

impl State {
    /// Records `version` for `member` and answers true, unless a change at
    /// `version` or later was recorded before.
    fn newer(&mut self, board: Board, member: Uuid, version: i64) -> bool {
        let seen = self.versions.entry((board, member)).or_insert(i64::MIN);
        if *seen >= version {
            return false;
        }
        *seen = version;
        true
    }
}

/// Every real-time trait in memory, behind one lock (so each call is atomic).
#[derive(Debug)]
pub struct MemRealtime {
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

impl Default for MemRealtime {
    fn default() -> Self {
        Self::new(Arc::new(SystemClock))
    }
}

impl MemRealtime {
    /// Empty, with rate-limit windows measured by `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every method leaves the state consistent before it could panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn window(secs: u64) -> Duration {
    Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX / 1000))
}

#[async_trait]
impl ViewCounters for MemRealtime {
    async fn record_view(&self, target: ViewTarget, id: Uuid, by: u64) -> Result<()> {
        *self
            .state()
            .views
            .entry(target)
            .or_default()
            .entry(id)
            .or_default() += by;
        Ok(())
    }

    async fn pending_views(&self, target: ViewTarget, id: Uuid) -> Result<u64> {
        Ok(self
            .state()
            .views
            .get(&target)
            .and_then(|m| m.get(&id))
            .copied()
            .unwrap_or(0))
    }

    async fn drain_views(&self, target: ViewTarget) -> Result<Vec<(Uuid, u64)>> {
        let drained = self.state().views.remove(&target).unwrap_or_default();
        let sorted: BTreeMap<_, _> = drained.into_iter().collect();
        Ok(sorted.into_iter().collect())
    }
}

#[async_trait]
impl UnreadCounters for MemRealtime {
    async fn hold_unread(&self, user: UserId, kind: UnreadKind, hold: UnreadHold) -> Result<()> {
        let lapses = self.clock.now() + window(UNREAD_HOLD.as_secs());
        let mut state = self.state();
        let count = state.unread.entry((user, kind)).or_default();
        count.holds.insert(hold, lapses);
        Ok(())
    }

    async fn add_unread(
        &self,
        user: UserId,
        kind: UnreadKind,
        delta: i64,
        hold: UnreadHold,
    ) -> Result<Option<u64>> {
        let mut state = self.state();
        let count = state.unread.entry((user, kind)).or_default();
        count.moved(hold);
        Ok(count.known.as_mut().map(|known| {
            *known = known.saturating_add_signed(delta);
            *known
        }))
    }

    async fn unread(&self, user: UserId, kind: UnreadKind) -> Result<UnreadRead> {
        Ok(match self.state().unread.get(&(user, kind)) {
            Some(Unread {
                known: Some(count), ..
            }) => UnreadRead::Known(*count),
            Some(count) => UnreadRead::Unknown(UnreadTicket(count.moves)),
            None => UnreadRead::Unknown(UnreadTicket(0)),
        })
    }

    async fn init_unread(
        &self,
        user: UserId,
        kind: UnreadKind,
        count: u64,
        ticket: UnreadTicket,
    ) -> Result<u64> {
        let now = self.clock.now();
        let mut state = self.state();
        let held = state.unread.entry((user, kind)).or_default();
        if let Some(known) = held.known {
            return Ok(known);
        }
        held.holds.retain(|_, lapses| *lapses > now);
        if held.holds.is_empty() && held.moves == ticket.0 {
            held.known = Some(count);
        }
        Ok(count)
    }

    async fn forget_unread(&self, user: UserId, kind: UnreadKind, hold: UnreadHold) -> Result<()> {
        let mut state = self.state();
        let count = state.unread.entry((user, kind)).or_default();
        count.moved(hold);
        count.known = None;
        Ok(())
    }
}

#[async_trait]
impl RateLimiter for MemRealtime {
    async fn hit_fixed_window(
        &self,
        key: &str,
        limit: u64,
        window_secs: u64,
    ) -> Result<RateDecision> {
        let now = self.clock.now();
        let mut state = self.state();
        let entry = state.fixed.entry(key.to_owned()).or_insert((0, now));
        if now >= entry.1 + window(window_secs) {
            *entry = (0, now);
        }
        entry.0 += 1;
        Ok(RateDecision {
            allowed: entry.0 <= limit,
            count: entry.0,
            limit,
        })
    }

    async fn hit_sliding_window(
        &self,
        key: &str,
        limit: u64,
        window_secs: u64,
    ) -> Result<RateDecision> {
        let now = self.clock.now();
        let mut state = self.state();
        let hits = state.sliding.entry(key.to_owned()).or_default();
        while hits
            .front()
            .is_some_and(|t| *t <= now - window(window_secs))
        {
            hits.pop_front();
        }
        let allowed = (hits.len() as u64) < limit;
        if allowed {
            hits.push_back(now);
        }
        Ok(RateDecision {
            allowed,
            count: hits.len() as u64,
            limit,
        })
    }
}

#[async_trait]
impl Rankings for MemRealtime {
    async fn set_score(&self, board: Board, member: Uuid, score: f64) -> Result<()> {
        self.state()
            .boards
            .entry(board)
            .or_default()
            .insert(member, score);
        Ok(())
    }

    async fn add_score(&self, board: Board, member: Uuid, delta: f64) -> Result<f64> {
        let mut state = self.state();
        let score = state
            .boards
            .entry(board)
            .or_default()
            .entry(member)
            .or_default();
        *score += delta;
        Ok(*score)
    }

    async fn remove_member(&self, board: Board, member: Uuid) -> Result<()> {
        if let Some(members) = self.state().boards.get_mut(&board) {
            members.remove(&member);
        }
        Ok(())
    }

    async fn set_score_at(
        &self,
        board: Board,
        member: Uuid,
        score: f64,
        version: i64,
    ) -> Result<bool> {
        if !score.is_finite() {
            // As Redis refuses it.
            return Err(Error::validation("score", "must be a finite number"));
        }
        let mut state = self.state();
        if !state.newer(board, member, version) {
            return Ok(false);
        }
        state.boards.entry(board).or_default().insert(member, score);
        Ok(true)
    }

    async fn remove_member_at(&self, board: Board, member: Uuid, version: i64) -> Result<bool> {
        let mut state = self.state();
        if !state.newer(board, member, version) {
            return Ok(false);
        }
        if let Some(members) = state.boards.get_mut(&board) {
            members.remove(&member);
        }
        Ok(true)
    }

    async fn top(&self, board: Board, n: usize) -> Result<Vec<(Uuid, f64)>> {
        let state = self.state();
        let mut members: Vec<(Uuid, f64)> = state
            .boards
            .get(&board)
            .map(|m| m.iter().map(|(id, score)| (*id, *score)).collect())
            .unwrap_or_default();
        // Like ZREVRANGE: score descending, then member descending.
        members.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
        members.truncate(n);
        Ok(members)
    }
}

#[async_trait]
impl ActivityFeeds for MemRealtime {
    async fn push_activities(&self, user: UserId, items: &[serde_json::Value]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let mut state = self.state();
        let feed = &mut state.feeds.entry(user).or_default().items;
        for item in items {
            feed.push_front(item.clone());
        }
        feed.truncate(FEED_LENGTH);
        Ok(())
    }

    async fn recent_activity(
        &self,
        user: UserId,
        n: usize,
    ) -> Result<Option<Vec<serde_json::Value>>> {
        Ok(self
            .state()
            .feeds
            .get(&user)
            .filter(|feed| feed.known)
            .map(|feed| feed.items.iter().take(n).cloned().collect()))
    }

    async fn init_activity(&self, user: UserId, record: &[serde_json::Value]) -> Result<()> {
        let mut state = self.state();
        let feed = state.feeds.entry(user).or_default();
        if !feed.known {
            let pushed: Vec<_> = feed.items.drain(..).collect();
            feed.items = merged_feed(&pushed, record).into();
            feed.known = true;
        }
        Ok(())
    }

    async fn clear_activity(&self, user: UserId) -> Result<()> {
        self.state().feeds.remove(&user);
        Ok(())
    }
}

#[async_trait]
impl FavoriteSets for MemRealtime {
    async fn add_favorite(
        &self,
        user: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<bool>> {
        let mut state = self.state();
        Ok(state
            .favorites
            .entry((user, kind))
            .or_default()
            .apply(target, true))
    }

    async fn remove_favorite(
        &self,
        user: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<bool>> {
        let mut state = self.state();
        Ok(state
            .favorites
            .entry((user, kind))
            .or_default()
            .apply(target, false))
    }

    async fn is_favorite(
        &self,
        user: UserId,
        kind: FavoritedType,
        target: Uuid,
    ) -> Result<Option<bool>> {
        Ok(self
            .state()
            .favorites
            .get(&(user, kind))
            .filter(|set| set.known)
            .map(|set| set.members.contains(&target)))
    }

    async fn favorites(&self, user: UserId, kind: FavoritedType) -> Result<Option<Vec<Uuid>>> {
        Ok(self
            .state()
            .favorites
            .get(&(user, kind))
            .filter(|set| set.known)
            .map(|set| set.members.iter().copied().collect()))
    }

    async fn init_favorites(
        &self,
        user: UserId,
        kind: FavoritedType,
        targets: &[Uuid],
    ) -> Result<Vec<Uuid>> {
        let mut state = self.state();
        let set = state.favorites.entry((user, kind)).or_default();
        if !set.known {
            let moved = std::mem::take(&mut set.moved);
            set.members = initial_favorites(targets, moved).into_iter().collect();
            set.known = true;
        }
        Ok(set.members.iter().copied().collect())
    }

    async fn forget_favorites(&self, user: UserId, kind: FavoritedType) -> Result<()> {
        self.state().favorites.remove(&(user, kind));
        Ok(())
    }
}
