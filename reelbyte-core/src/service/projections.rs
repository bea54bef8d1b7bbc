//! The projections a marketplace keeps beside its store: rankings, unread
//! counters, activity feeds and favorites sets (see [`crate::realtime`]).
//!
//! Each is read off a change set before it is committed and applied once
//! it committed, so a refused change set moves none. None is the record:
//! a change that fails to apply (Redis down) never fails the command that
//! committed; it is counted ([`Marketplace::projection_errors`]) and set
//! right later (rankings by the next write of the row or a rebuild, unread
//! counts and favorites sets when they expire or are forgotten; a feed item
//! is lost).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enums::FavoritedType;
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::realtime::favorites::{FavoriteChange, favorite_changes};
use crate::realtime::inbox::{Activity, FeedChange, UnreadChange, feed_changes, unread_changes};
use crate::realtime::projection::{RankingChange, ranking_changes};
use crate::realtime::{
    ActivityFeeds, FEED_LENGTH, FavoriteSets, Rankings, UnreadCounters, UnreadHold, UnreadKind,
    UnreadRead,
};
use crate::service::{Ctx, Marketplace};
use crate::store::ChangeSet;

/// A projection target, and how many of its changes failed.
pub(crate) struct Sink<T: ?Sized> {
    pub(crate) target: Arc<T>,
    errors: Arc<AtomicU64>,
}

impl<T: ?Sized> Clone for Sink<T> {
    fn clone(&self) -> Self {
        Self {
            target: self.target.clone(),
            errors: self.errors.clone(),
        }
    }
}

impl<T: ?Sized> fmt::Debug for Sink<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sink")
            .field("errors", &self.errors())
            .finish_non_exhaustive()
    }
}

impl<T: ?Sized> Sink<T> {
    pub(crate) fn new(target: Arc<T>) -> Self {
        Self {
            target,
            errors: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Counts a failed change.
    pub(crate) fn failed<E>(&self, outcome: Result<E>) {
        if outcome.is_err() {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }
}

fn errors_of<T: ?Sized>(sink: Option<&Sink<T>>) -> u64 {
    sink.map_or(0, Sink::errors)
}

impl Sink<dyn Rankings> {
    /// Applies `changes`: those of one board member in their order, the
    /// members side by side. A failure is counted and the rest are still
    /// applied (each change stands on its own).
    async fn apply(&self, changes: Vec<RankingChange>) {
        in_groups(changes, RankingChange::key, |group| async move {
            for change in group {
                self.apply_one(change).await;
            }
        })
        .await;
    }

    async fn apply_one(&self, change: RankingChange) {
        let rankings = &self.target;
        let outcome = match change {
            RankingChange::Set {
                board,
                member,
                score,
                version,
            } => rankings
                .set_score_at(board, member, score, version)
                .await
                .map(drop),
            RankingChange::Add {
                board,
                member,
                delta,
            } => rankings.add_score(board, member, delta).await.map(drop),
            RankingChange::Remove {
                board,
                member,
                version,
            } => rankings
                .remove_member_at(board, member, version)
                .await
                .map(drop),
        };
        self.failed(outcome);
    }
}

impl Sink<dyn UnreadCounters> {
    /// Holds the counts `changes` will move, before their commit (see
    /// [`UnreadCounters`]): side by side, one count per change.
    async fn hold(&self, changes: &[UnreadChange], hold: UnreadHold) {
        futures::future::join_all(changes.iter().map(|change| async move {
            let (user, kind) = change.key();
            self.failed(self.target.hold_unread(user, kind, hold).await);
        }))
        .await;
    }

    /// Applies `changes`, one per count (see [`unread_changes`]), side by
    /// side, each ending its count's hold.
    async fn apply(&self, changes: Vec<UnreadChange>, hold: UnreadHold) {
        futures::future::join_all(changes.into_iter().map(|change| async move {
            let outcome = match change {
                UnreadChange::Add { user, kind, delta } => self
                    .target
                    .add_unread(user, kind, delta, hold)
                    .await
                    .map(drop),
                UnreadChange::Forget { user, kind } => {
                    self.target.forget_unread(user, kind, hold).await
                }
            };
            self.failed(outcome);
        }))
        .await;
    }

    /// Ends the holds of a refused commit, moving nothing.
    async fn release(&self, changes: &[UnreadChange], hold: UnreadHold) {
        futures::future::join_all(changes.iter().map(|change| async move {
            let (user, kind) = change.key();
            let outcome = self.target.add_unread(user, kind, 0, hold).await;
            self.failed(outcome);
        }))
        .await;
    }
}

/// An activity as the feeds hold it: the one encoding of both the items a
/// commit pushes and those stored from the audit log, which a feed
/// compares when it merges them.
fn feed_item(item: &Activity) -> Result<serde_json::Value> {
    serde_json::to_value(item).map_err(|e| Error::backend("activity_feed", e))
}

impl Sink<dyn ActivityFeeds> {
    /// Applies `changes`: those of one user's feed in their order, the
    /// feeds side by side. A run of items pushed to one feed goes in one
    /// call (a command's audit entries mostly share their actor); if that
    /// call fails, each of its items counts as failed.
    async fn apply(&self, changes: Vec<FeedChange>) {
        in_groups(changes, FeedChange::user, |group| async move {
            let mut pending: Option<(UserId, Vec<serde_json::Value>)> = None;
            for change in group {
                match change {
                    FeedChange::Push { user, item } => match feed_item(&item) {
                        Ok(json) => pending
                            .get_or_insert_with(|| (user, Vec::new()))
                            .1
                            .push(json),
                        Err(e) => self.failed::<()>(Err(e)),
                    },
                    FeedChange::Clear { user } => {
                        self.push(pending.take()).await;
                        self.failed(self.target.clear_activity(user).await);
                    }
                }
            }
            self.push(pending).await;
        })
        .await;
    }

    async fn push(&self, items: Option<(UserId, Vec<serde_json::Value>)>) {
        let Some((user, items)) = items else { return };
        if self.target.push_activities(user, &items).await.is_err() {
            self.errors.fetch_add(items.len() as u64, Ordering::Relaxed);
        }
    }
}

impl Sink<dyn FavoriteSets> {
    /// Applies `changes`: those of one set in their order, the sets side by
    /// side.
    async fn apply(&self, changes: Vec<FavoriteChange>) {
        in_groups(changes, FavoriteChange::key, |group| async move {
            for change in group {
                let sets = &self.target;
                let outcome = match change {
                    FavoriteChange::Add { user, kind, target } => {
                        sets.add_favorite(user, kind, target).await.map(drop)
                    }
                    FavoriteChange::Remove { user, kind, target } => {
                        sets.remove_favorite(user, kind, target).await.map(drop)
                    }
                    FavoriteChange::Forget { user, kind } => {
                        sets.forget_favorites(user, kind).await
                    }
                };
                self.failed(outcome);
            }
        })
        .await;
    }
}

/// `changes` split by `key`: each group keeps the changes' order, and the
/// groups come in the order of their first change.
fn grouped<C, K: PartialEq>(changes: Vec<C>, key: impl Fn(&C) -> K) -> Vec<Vec<C>> {
    let mut groups: Vec<(K, Vec<C>)> = Vec::new();
    for change in changes {
        let k = key(&change);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, group)) => group.push(change),
            None => groups.push((k, vec![change])),
        }
    }
    groups.into_iter().map(|(_, group)| group).collect()
}

/// Runs `apply` on each group of `changes` (see [`grouped`]), the groups
/// side by side. Changes of one key (one feed, one count, one board
/// member) may depend on their order; changes of different keys never
/// do, so on Redis they share round trips instead of waiting on each
/// other (a multiplexed connection pipelines requests sent together).
async fn in_groups<C, K: PartialEq, Fut: Future<Output = ()>>(
    changes: Vec<C>,
    key: impl Fn(&C) -> K,
    apply: impl Fn(Vec<C>) -> Fut,
) {
    let mut groups = grouped(changes, key);
    match groups.len() {
        0 => {}
        1 => {
            if let Some(group) = groups.pop() {
                apply(group).await;
            }
        }
        _ => {
            futures::future::join_all(groups.into_iter().map(apply)).await;
        }
    }
}

/// The projection targets of a marketplace (each optional).
#[derive(Debug, Clone, Default)]
pub(crate) struct Projections {
    pub(crate) rankings: Option<Sink<dyn Rankings>>,
    unread: Option<Sink<dyn UnreadCounters>>,
    feeds: Option<Sink<dyn ActivityFeeds>>,
    favorites: Option<Sink<dyn FavoriteSets>>,
}

/// What one change set moves in the projections a marketplace keeps.
#[derive(Debug, Default)]
pub(crate) struct Projected {
    boards: Vec<RankingChange>,
    unread: Vec<UnreadChange>,
    /// The commit's hold on the unread counts it moves.
    hold: UnreadHold,
    activity: Vec<FeedChange>,
    favorites: Vec<FavoriteChange>,
}

/// How many projection changes failed since a marketplace was built, per
/// projection (see [`Marketplace::projection_errors`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectionErrors {
    /// Board changes ([`Marketplace::with_rankings`]).
    pub rankings: u64,
    /// Unread count changes ([`Marketplace::with_unread_counters`]).
    pub unread: u64,
    /// Feed items ([`Marketplace::with_activity_feeds`]).
    pub activity: u64,
    /// Favorites set changes ([`Marketplace::with_favorite_sets`]).
    pub favorites: u64,
}

/// A user's unread counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreadCounts {
    /// Unread messages, over every conversation the user takes part in.
    pub messages: u64,
    /// Unread notifications.
    pub notifications: u64,
}

impl Marketplace {
    /// Keeps `counters` as commands commit (see
    /// [`crate::realtime::inbox::unread_changes`]), and reads
    /// [`Marketplace::unread_counts`] from them; without counters those
    /// reads go to the store.
    pub fn with_unread_counters(mut self, counters: Arc<dyn UnreadCounters>) -> Self {
        self.projections.unread = Some(Sink::new(counters));
        self
    }

    /// Keeps `feeds` as commands commit (see
    /// [`crate::realtime::inbox::feed_changes`]); without feeds
    /// [`Marketplace::activity_feed`] reads the audit log each time.
    pub fn with_activity_feeds(mut self, feeds: Arc<dyn ActivityFeeds>) -> Self {
        self.projections.feeds = Some(Sink::new(feeds));
        self
    }

    /// Keeps `sets` as commands commit (see
    /// [`crate::realtime::favorites::favorite_changes`]), and answers
    /// [`Marketplace::is_favorite`] and [`Marketplace::favorite_ids`] from
    /// them; without sets those reads go to the store.
    pub fn with_favorite_sets(mut self, sets: Arc<dyn FavoriteSets>) -> Self {
        self.projections.favorites = Some(Sink::new(sets));
        self
    }

    /// How many projection changes failed since the marketplace was built.
    pub fn projection_errors(&self) -> ProjectionErrors {
        ProjectionErrors {
            rankings: errors_of(self.projections.rankings.as_ref()),
            unread: errors_of(self.projections.unread.as_ref()),
            activity: errors_of(self.projections.feeds.as_ref()),
            favorites: errors_of(self.projections.favorites.as_ref()),
        }
    }

    /// What `changes` moves in the projections this marketplace keeps.
    pub(crate) fn projected(&self, changes: &ChangeSet) -> Projected {
        let p = &self.projections;
        Projected {
            boards: match p.rankings {
                Some(_) => ranking_changes(changes, self.now()),
                None => Vec::new(),
            },
            unread: match p.unread {
                Some(_) => unread_changes(changes),
                None => Vec::new(),
            },
            hold: UnreadHold::new(),
            activity: match p.feeds {
                Some(_) => feed_changes(changes),
                None => Vec::new(),
            },
            favorites: match p.favorites {
                Some(_) => favorite_changes(changes),
                None => Vec::new(),
            },
        }
    }

    /// Holds the unread counts `projected` moves, before its change set is
    /// committed (see [`UnreadCounters`]).
    pub(crate) async fn hold(&self, projected: &Projected) {
        if let Some(sink) = &self.projections.unread
            && !projected.unread.is_empty()
        {
            sink.hold(&projected.unread, projected.hold).await;
        }
    }

    /// Ends the holds [`Marketplace::hold`] took for a change set the store
    /// refused.
    pub(crate) async fn release(&self, projected: &Projected) {
        if let Some(sink) = &self.projections.unread
            && !projected.unread.is_empty()
        {
            sink.release(&projected.unread, projected.hold).await;
        }
    }

    /// Applies what a committed change set moves.
    pub(crate) async fn project(&self, projected: Projected) {
        let p = &self.projections;
        if p.rankings.is_none() && p.unread.is_none() && p.feeds.is_none() && p.favorites.is_none()
        {
            // A marketplace that keeps none pays for none.
            return;
        }
        let Projected {
            boards,
            unread,
            hold,
            activity,
            favorites,
        } = projected;
        // Independent of each other, so moved side by side (one round trip
        // of each at a time on Redis, not one after the other); each keeps
        // its own order.
        futures::join!(
            async {
                if let Some(sink) = &p.rankings {
                    sink.apply(boards).await;
                }
            },
            async {
                if let Some(sink) = &p.unread {
                    sink.apply(unread, hold).await;
                }
            },
            async {
                if let Some(sink) = &p.feeds {
                    sink.apply(activity).await;
                }
            },
            async {
                if let Some(sink) = &p.favorites {
                    sink.apply(favorites).await;
                }
            },
        );
    }

    /// The actor's unread messages and notifications.
    ///
    /// With unread counters, a known count is read from them and an
    /// unknown one is counted in the store and stored there, unless a
    /// commit moved or holds it meanwhile (see [`UnreadCounters`]: then the
    /// store's count answers and the next read counts again); when the
    /// counters fail, the store answers (and the failure is counted). A
    /// change lost while Redis was unreachable leaves a count wrong until
    /// it expires.
    pub async fn unread_counts(&self, ctx: &Ctx) -> Result<UnreadCounts> {
        let user = self.acting_user(ctx).await?;
        Ok(UnreadCounts {
            messages: self.unread_count(user.id, UnreadKind::Messages).await?,
            notifications: self
                .unread_count(user.id, UnreadKind::Notifications)
                .await?,
        })
    }

    /// Forgets the actor's unread counters and counts them again in the
    /// store (a repair: the counters follow every commit, and a count that
    /// missed a change while the counters were unreachable expires).
    pub async fn refresh_unread_counts(&self, ctx: &Ctx) -> Result<UnreadCounts> {
        let user = self.acting_user(ctx).await?;
        if let Some(sink) = &self.projections.unread {
            for kind in [UnreadKind::Messages, UnreadKind::Notifications] {
                // Counters that are down are counted, and the store answers.
                // A repair commits nothing, so it ends a hold it never took.
                let forgotten = sink
                    .target
                    .forget_unread(user.id, kind, UnreadHold::new())
                    .await;
                sink.failed(forgotten);
            }
        }
        self.unread_counts(ctx).await
    }

    /// `user`'s count of `kind`: from the counters when they know it,
    /// else from the store.
    pub(crate) async fn unread_count(&self, user: UserId, kind: UnreadKind) -> Result<u64> {
        let Some(sink) = &self.projections.unread else {
            return self.stored_unread(user, kind).await;
        };
        match sink.target.unread(user, kind).await {
            Ok(UnreadRead::Known(count)) => Ok(count),
            Ok(UnreadRead::Unknown(ticket)) => {
                let count = self.stored_unread(user, kind).await?;
                match sink.target.init_unread(user, kind, count, ticket).await {
                    Ok(known) => Ok(known),
                    Err(e) => {
                        sink.failed(Err::<(), _>(e));
                        Ok(count)
                    }
                }
            }
            Err(e) => {
                sink.failed(Err::<(), _>(e));
                self.stored_unread(user, kind).await
            }
        }
    }

    /// `user`'s count of `kind` as the store has it.
    async fn stored_unread(&self, user: UserId, kind: UnreadKind) -> Result<u64> {
        match kind {
            UnreadKind::Notifications => {
                self.store()
                    .notifications()
                    .count_unread_by_user_id(user)
                    .await
            }
            UnreadKind::Messages => Ok(self
                .store()
                .messaging()
                .list_participations_by_user_id(user)
                .await?
                .iter()
                .map(|p| u64::try_from(p.unread_count).unwrap_or(0))
                .sum()),
        }
    }

    /// Whether `target` is one of the actor's favorites of `kind` (from
    /// the favorites sets when the marketplace keeps them, as
    /// [`Marketplace::favorite_ids`] reads them).
    pub async fn is_favorite(&self, ctx: &Ctx, kind: FavoritedType, target: Uuid) -> Result<bool> {
        let user = self.acting_user(ctx).await?;
        if let Some(sink) = &self.projections.favorites {
            match sink.target.is_favorite(user.id, kind, target).await {
                Ok(Some(found)) => return Ok(found),
                Ok(None) => {
                    return Ok(self
                        .known_favorites(sink, user.id, kind)
                        .await?
                        .contains(&target));
                }
                Err(e) => sink.failed(Err::<(), _>(e)),
            }
        }
        Ok(self
            .store()
            .discovery()
            .get_favorite(user.id, kind, target)
            .await?
            .is_some())
    }

    /// The ids of the actor's favorites of `kind`, sorted.
    ///
    /// With favorites sets, a known set is read from them and an unknown one
    /// is read from the store and stored there; when the sets fail, the
    /// store answers (and the failure is counted).
    ///
    /// As with [`Marketplace::unread_counts`], a change committed while an
    /// unknown set is read and stored may be missed until the set expires.
    pub async fn favorite_ids(&self, ctx: &Ctx, kind: FavoritedType) -> Result<Vec<Uuid>> {
        let user = self.acting_user(ctx).await?;
        if let Some(sink) = &self.projections.favorites {
            match sink.target.favorites(user.id, kind).await {
                Ok(Some(ids)) => return Ok(ids),
                Ok(None) => return self.known_favorites(sink, user.id, kind).await,
                Err(e) => sink.failed(Err::<(), _>(e)),
            }
        }
        self.stored_favorites(user.id, kind).await
    }

    /// The store's favorites of `user`, stored as their set unless it is
    /// known by now (a failure to store is counted).
    async fn known_favorites(
        &self,
        sink: &Sink<dyn FavoriteSets>,
        user: UserId,
        kind: FavoritedType,
    ) -> Result<Vec<Uuid>> {
        let stored = self.stored_favorites(user, kind).await?;
        match sink.target.init_favorites(user, kind, &stored).await {
            Ok(known) => Ok(known),
            Err(e) => {
                sink.failed(Err::<(), _>(e));
                Ok(stored)
            }
        }
    }

    async fn stored_favorites(&self, user: UserId, kind: FavoritedType) -> Result<Vec<Uuid>> {
        let mut ids: Vec<Uuid> = self
            .store()
            .discovery()
            .list_favorites_by_user_id(user, Some(kind))
            .await?
            .into_iter()
            .map(|f| f.favorited_id)
            .collect();
        ids.sort_unstable();
        Ok(ids)
    }

    /// The actor's newest `n` activities (at most [`FEED_LENGTH`]), newest
    /// first: from the feeds when they know the actor's feed, else from the
    /// audit log, which is the record (and then stored in the feeds). A
    /// marketplace without feeds, or whose feeds fail, reads the audit log.
    pub async fn activity_feed(&self, ctx: &Ctx, n: usize) -> Result<Vec<Activity>> {
        if n == 0 || n > FEED_LENGTH {
            return Err(Error::validation(
                "limit",
                format!("must be 1 to {FEED_LENGTH}"),
            ));
        }
        let user = self.acting_user(ctx).await?;
        let Some(sink) = &self.projections.feeds else {
            let mut record = self.recorded_activity(user.id).await?;
            record.truncate(n);
            return Ok(record);
        };
        match sink.target.recent_activity(user.id, n).await {
            Ok(Some(items)) => {
                return items
                    .into_iter()
                    .map(|item| {
                        serde_json::from_value(item).map_err(|e| Error::backend("activity_feed", e))
                    })
                    .collect();
            }
            Ok(None) => {}
            Err(e) => sink.failed(Err::<(), _>(e)),
        }
        let mut record = self.recorded_activity(user.id).await?;
        let items = record.iter().map(feed_item).collect::<Result<Vec<_>>>()?;
        // Items pushed since the record was read are kept by the feeds (see
        // `ActivityFeeds::init_activity`); this answer is the record's.
        sink.failed(sink.target.init_activity(user.id, &items).await);
        record.truncate(n);
        Ok(record)
    }

    /// `user`'s newest [`FEED_LENGTH`] activities as the audit log has them.
    async fn recorded_activity(&self, user: UserId) -> Result<Vec<Activity>> {
        Ok(self
            .store()
            .admin()
            .list_recent_audit_by_user_id(user, FEED_LENGTH as u32)
            .await?
            .iter()
            .map(Activity::of)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::pin::pin;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll, Waker};

    use async_trait::async_trait;
    use chrono::Utc;
    use uuid::Uuid;

    use super::{Sink, grouped};
    use crate::error::{Error, Result};
    use crate::ids::UserId;
    use crate::realtime::ActivityFeeds;
    use crate::realtime::inbox::{Activity, FeedChange};
    use crate::value::Text;

    /// Runs a future whose every step is ready at once (the fakes below
    /// never wait), without an async runtime.
    fn ready<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("the fakes never wait"),
        }
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Call {
        /// The actions pushed, oldest first.
        Push(UserId, Vec<String>),
        Clear(UserId),
    }

    /// Feeds that record their calls, or fail every one of them.
    #[derive(Default)]
    struct Recorded {
        calls: Mutex<Vec<Call>>,
        down: bool,
    }

    impl Recorded {
        fn of(&self, user: UserId) -> Vec<Call> {
            let calls = self.calls.lock().expect("not poisoned");
            calls
                .iter()
                .filter(|c| matches!(c, Call::Push(u, _) | Call::Clear(u) if *u == user))
                .cloned()
                .collect()
        }

        fn record(&self, call: Call) -> Result<()> {
            if self.down {
                return Err(Error::backend("activity_feed", "down"));
            }
            self.calls.lock().expect("not poisoned").push(call);
            Ok(())
        }
    }

    #[async_trait]
    impl ActivityFeeds for Recorded {
        async fn push_activities(&self, user: UserId, items: &[serde_json::Value]) -> Result<()> {
            let actions = items
                .iter()
                .map(|item| item["action"].as_str().unwrap_or_default().to_owned())
                .collect();
            self.record(Call::Push(user, actions))
        }

        async fn recent_activity(
            &self,
            _: UserId,
            _: usize,
        ) -> Result<Option<Vec<serde_json::Value>>> {
            Ok(None)
        }

        async fn init_activity(&self, _: UserId, _: &[serde_json::Value]) -> Result<()> {
            Ok(())
        }

        async fn clear_activity(&self, user: UserId) -> Result<()> {
            self.record(Call::Clear(user))
        }
    }

    fn push(user: UserId, action: &str) -> FeedChange {
        FeedChange::Push {
            user,
            item: Activity {
                action: Text::parse(action).expect("valid"),
                entity_type: Text::parse("contract").expect("valid"),
                entity_id: Uuid::new_v4(),
                at: Utc::now(),
            },
        }
    }

    #[test]
    fn a_feeds_run_of_pushes_is_one_call_and_keeps_its_order_around_a_clear() {
        let (a, b) = (UserId::new(), UserId::new());
        let feeds = Arc::new(Recorded::default());
        let sink: Sink<dyn ActivityFeeds> = Sink::new(feeds.clone());
        let changes = vec![
            push(a, "order"),
            push(b, "accept"),
            push(a, "fund"),
            FeedChange::Clear { user: a },
            push(a, "review"),
        ];
        ready(sink.apply(changes));
        let names = |actions: &[&str]| actions.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            feeds.of(a),
            vec![
                Call::Push(a, names(&["order", "fund"])),
                Call::Clear(a),
                Call::Push(a, names(&["review"])),
            ]
        );
        assert_eq!(feeds.of(b), vec![Call::Push(b, names(&["accept"]))]);
        assert_eq!(sink.errors(), 0);
    }

    #[test]
    fn a_failed_call_counts_each_of_its_items() {
        let (a, b) = (UserId::new(), UserId::new());
        let sink: Sink<dyn ActivityFeeds> = Sink::new(Arc::new(Recorded {
            down: true,
            ..Recorded::default()
        }));
        let changes = vec![
            push(a, "order"),
            push(a, "fund"),
            push(b, "accept"),
            FeedChange::Clear { user: b },
        ];
        ready(sink.apply(changes));
        assert_eq!(sink.errors(), 4, "two items, one item and one clear");
    }

    #[test]
    fn groups_keep_the_order_of_their_changes_and_of_their_first_change() {
        let changes = vec![('b', 1), ('a', 2), ('b', 3), ('c', 4), ('a', 5), ('b', 6)];
        let groups = grouped(changes, |(key, _)| *key);
        assert_eq!(
            groups,
            vec![
                vec![('b', 1), ('b', 3), ('b', 6)],
                vec![('a', 2), ('a', 5)],
                vec![('c', 4)],
            ]
        );
        assert!(grouped(Vec::<(char, u8)>::new(), |(key, _)| *key).is_empty());
    }
}
