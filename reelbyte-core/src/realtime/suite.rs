//! The shared behaviour suite of the real-time traits: plain async functions
//! that every implementation's tests call with a fresh instance.
//!
//! `realtime_suite!(views, unread, limiter, rankings, feeds, favorites)`
//! stamps one `#[tokio::test]` per behaviour; each argument is an async
//! factory of a fresh `Box`/`Arc` of the trait.

#![allow(clippy::unwrap_used, clippy::float_cmp)]

use uuid::Uuid;

use super::*;
use crate::ids::UserId;

fn user() -> UserId {
    UserId::from_uuid(Uuid::new_v4())
}

/// Views accumulate per target and drain exactly once.
pub async fn views_accumulate_and_drain(views: &dyn ViewCounters) {
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    views.record_view(ViewTarget::Gig, a, 1).await.unwrap();
    views.record_view(ViewTarget::Gig, a, 2).await.unwrap();
    views.record_view(ViewTarget::Gig, b, 1).await.unwrap();
    views.record_view(ViewTarget::Creator, a, 5).await.unwrap();
    assert_eq!(views.pending_views(ViewTarget::Gig, a).await.unwrap(), 3);
    let mut drained = views.drain_views(ViewTarget::Gig).await.unwrap();
    drained.sort();
    let mut expected = vec![(a, 3), (b, 1)];
    expected.sort();
    assert_eq!(drained, expected);
    assert!(views.drain_views(ViewTarget::Gig).await.unwrap().is_empty());
    assert_eq!(views.pending_views(ViewTarget::Gig, a).await.unwrap(), 0);
    assert_eq!(
        views.drain_views(ViewTarget::Creator).await.unwrap(),
        vec![(a, 5)]
    );
}

/// The ticket of an unknown count (panics when the count is known).
async fn ticket(unread: &dyn UnreadCounters, user: UserId, kind: UnreadKind) -> UnreadTicket {
    match unread.unread(user, kind).await.unwrap() {
        UnreadRead::Unknown(ticket) => ticket,
        UnreadRead::Known(count) => panic!("count known: {count}"),
    }
}

/// Stores `count` for an unknown count and checks it was stored.
async fn known(unread: &dyn UnreadCounters, user: UserId, kind: UnreadKind, count: u64) {
    let t = ticket(unread, user, kind).await;
    assert_eq!(
        unread.init_unread(user, kind, count, t).await.unwrap(),
        count
    );
    assert_eq!(
        unread.unread(user, kind).await.unwrap(),
        UnreadRead::Known(count)
    );
}

/// Unread counters: only a known count moves, never below zero, per user
/// and kind; initialising keeps a count already known; forgetting makes it
/// unknown again.
pub async fn unread_counts_and_clears(unread: &dyn UnreadCounters) {
    let (u, v) = (user(), user());
    let messages = UnreadKind::Messages;
    let hold = UnreadHold::new;
    assert_eq!(unread.unread(u, messages).await.unwrap().known(), None);
    assert_eq!(
        unread.add_unread(u, messages, 1, hold()).await.unwrap(),
        None,
        "an unknown count does not move"
    );
    assert_eq!(unread.unread(u, messages).await.unwrap().known(), None);
    known(unread, u, messages, 2).await;
    let t = ticket(unread, v, messages).await;
    assert_eq!(
        unread.init_unread(u, messages, 9, t).await.unwrap(),
        2,
        "a known count is kept"
    );
    assert_eq!(
        unread.add_unread(u, messages, 3, hold()).await.unwrap(),
        Some(5)
    );
    assert_eq!(
        unread.add_unread(u, messages, -4, hold()).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        unread.add_unread(u, messages, -7, hold()).await.unwrap(),
        Some(0),
        "floored at zero"
    );
    assert_eq!(
        unread.unread(u, messages).await.unwrap(),
        UnreadRead::Known(0)
    );
    known(unread, u, UnreadKind::Notifications, 7).await;
    assert_eq!(unread.unread(v, messages).await.unwrap().known(), None);
    unread.forget_unread(u, messages, hold()).await.unwrap();
    assert_eq!(unread.unread(u, messages).await.unwrap().known(), None);
    assert_eq!(
        unread.unread(u, UnreadKind::Notifications).await.unwrap(),
        UnreadRead::Known(7)
    );
}

/// A count rebuilt from the store while a commit moves it is stored only
/// when the commit's delta will land on it exactly once. Each case is one
/// order of a reader (ticket, store read, store) and a commit (hold,
/// commit, move) of one notification, the store holding 5 before it and 6
/// after.
pub async fn unread_rebuild_races_commits(unread: &dyn UnreadCounters) {
    let kind = UnreadKind::Notifications;

    // The commit lands between the reader's store read and its storing:
    // the read missed it and its move found the count unknown, so storing
    // 5 would lose it for good.
    let u = user();
    let t = ticket(unread, u, kind).await;
    let commit = UnreadHold::new();
    unread.hold_unread(u, kind, commit).await.unwrap();
    assert_eq!(unread.add_unread(u, kind, 1, commit).await.unwrap(), None);
    assert_eq!(
        unread.init_unread(u, kind, 5, t).await.unwrap(),
        5,
        "the reader still answers what it read"
    );
    assert_eq!(unread.unread(u, kind).await.unwrap().known(), None);
    known(unread, u, kind, 6).await;

    // The commit lands before the store read and moves after the storing:
    // the read included it, so its move would count it twice.
    let u = user();
    let commit = UnreadHold::new();
    unread.hold_unread(u, kind, commit).await.unwrap();
    let t = ticket(unread, u, kind).await;
    assert_eq!(unread.init_unread(u, kind, 6, t).await.unwrap(), 6);
    assert_eq!(
        unread.unread(u, kind).await.unwrap().known(),
        None,
        "not stored while held"
    );
    assert_eq!(unread.add_unread(u, kind, 1, commit).await.unwrap(), None);
    known(unread, u, kind, 6).await;

    // The commit is held only after the count was stored: its move adds.
    let u = user();
    known(unread, u, kind, 5).await;
    let commit = UnreadHold::new();
    unread.hold_unread(u, kind, commit).await.unwrap();
    assert_eq!(
        unread.add_unread(u, kind, 1, commit).await.unwrap(),
        Some(6)
    );

    // A refused commit ends its hold with a delta of 0, moving nothing;
    // the ticket taken while it was held is stale, a new one stores.
    let u = user();
    let refused = UnreadHold::new();
    unread.hold_unread(u, kind, refused).await.unwrap();
    let t = ticket(unread, u, kind).await;
    assert_eq!(unread.add_unread(u, kind, 0, refused).await.unwrap(), None);
    assert_eq!(unread.init_unread(u, kind, 5, t).await.unwrap(), 5);
    assert_eq!(unread.unread(u, kind).await.unwrap().known(), None);
    known(unread, u, kind, 5).await;

    // Holds are per count: another user's, or another kind's, holds
    // nothing here; and two commits hold one count until both moved.
    let (u, v) = (user(), user());
    unread
        .hold_unread(v, kind, UnreadHold::new())
        .await
        .unwrap();
    unread
        .hold_unread(u, UnreadKind::Messages, UnreadHold::new())
        .await
        .unwrap();
    known(unread, u, kind, 3).await;
    let (first, second) = (UnreadHold::new(), UnreadHold::new());
    unread
        .hold_unread(v, UnreadKind::Messages, first)
        .await
        .unwrap();
    unread
        .hold_unread(v, UnreadKind::Messages, second)
        .await
        .unwrap();
    unread
        .add_unread(v, UnreadKind::Messages, 1, first)
        .await
        .unwrap();
    let t = ticket(unread, v, UnreadKind::Messages).await;
    unread
        .init_unread(v, UnreadKind::Messages, 1, t)
        .await
        .unwrap();
    assert_eq!(
        unread
            .unread(v, UnreadKind::Messages)
            .await
            .unwrap()
            .known(),
        None,
        "the second commit still holds it"
    );
    unread
        .add_unread(v, UnreadKind::Messages, 1, second)
        .await
        .unwrap();
    known(unread, v, UnreadKind::Messages, 2).await;
}

/// A fixed window allows `limit` hits, then refuses; keys are independent.
pub async fn fixed_window_limits(limiter: &dyn RateLimiter) {
    let key = format!("{}:search", Uuid::new_v4());
    for n in 1..=3 {
        let d = limiter.hit_fixed_window(&key, 3, 60).await.unwrap();
        assert!(d.allowed, "hit {n}");
        assert_eq!(d.count, n);
    }
    let refused = limiter.hit_fixed_window(&key, 3, 60).await.unwrap();
    assert!(!refused.allowed);
    assert_eq!(refused.limit, 3);
    let other = format!("{}:search", Uuid::new_v4());
    assert!(
        limiter
            .hit_fixed_window(&other, 3, 60)
            .await
            .unwrap()
            .allowed
    );
}

/// A sliding window allows `limit` hits in the window and does not count
/// refused ones.
pub async fn sliding_window_limits(limiter: &dyn RateLimiter) {
    let key = format!("{}:login", Uuid::new_v4());
    for n in 1..=2 {
        let d = limiter.hit_sliding_window(&key, 2, 60).await.unwrap();
        assert!(d.allowed);
        assert_eq!(d.count, n);
    }
    for _ in 0..3 {
        let d = limiter.hit_sliding_window(&key, 2, 60).await.unwrap();
        assert!(!d.allowed);
        assert_eq!(d.count, 2);
    }
}

/// Concurrent hits never let more than `limit` through.
pub async fn limits_hold_under_concurrency(limiter: &dyn RateLimiter) {
    let fixed = format!("{}:fixed", Uuid::new_v4());
    let sliding = format!("{}:sliding", Uuid::new_v4());
    let hits = (0..20).map(|_| limiter.hit_fixed_window(&fixed, 5, 60));
    let allowed = futures::future::join_all(hits)
        .await
        .into_iter()
        .filter(|d| d.as_ref().unwrap().allowed)
        .count();
    assert_eq!(allowed, 5);
    let hits = (0..20).map(|_| limiter.hit_sliding_window(&sliding, 5, 60));
    let allowed = futures::future::join_all(hits)
        .await
        .into_iter()
        .filter(|d| d.as_ref().unwrap().allowed)
        .count();
    assert_eq!(allowed, 5);
}

/// Rankings order by score, add, remove and keep boards apart.
pub async fn rankings_order_by_score(rankings: &dyn Rankings) {
    let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let board = Board::EarnersOfMonth {
        year: 2026,
        month: 11,
    };
    rankings.set_score(board, a, 10.0).await.unwrap();
    rankings.set_score(board, b, 30.0).await.unwrap();
    rankings.set_score(board, c, 20.0).await.unwrap();
    assert_eq!(rankings.add_score(board, a, 25.0).await.unwrap(), 35.0);
    assert_eq!(
        rankings.top(board, 2).await.unwrap(),
        vec![(a, 35.0), (b, 30.0)]
    );
    rankings.remove_member(board, a).await.unwrap();
    assert_eq!(
        rankings.top(board, 10).await.unwrap(),
        vec![(b, 30.0), (c, 20.0)]
    );
    let other = Board::EarnersOfMonth {
        year: 2026,
        month: 12,
    };
    assert!(rankings.top(other, 10).await.unwrap().is_empty());
}

/// A versioned change applies only when newer than the last versioned
/// change of its member on its board: changes that arrive out of order keep
/// the later one, and a removal at a version blocks older sets.
pub async fn versioned_changes_keep_the_latest(rankings: &dyn Rankings) {
    let board = Board::CreatorsByRating;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    assert!(rankings.set_score_at(board, a, 4.0, 3).await.unwrap());
    // Version 2 arrives after version 3: ignored, as is version 3 again.
    assert!(!rankings.set_score_at(board, a, 5.0, 2).await.unwrap());
    assert!(!rankings.set_score_at(board, a, 4.5, 3).await.unwrap());
    assert_eq!(rankings.top(board, 10).await.unwrap(), vec![(a, 4.0)]);
    // Versions are per member and per board.
    assert!(rankings.set_score_at(board, b, 3.0, 1).await.unwrap());
    let other = Board::CreatorsByJobsCompleted;
    assert!(rankings.set_score_at(other, a, 1.0, 1).await.unwrap());
    // A removal at version 4, then a late set at version 3: still removed.
    assert!(rankings.remove_member_at(board, a, 4).await.unwrap());
    assert!(!rankings.set_score_at(board, a, 4.0, 3).await.unwrap());
    assert_eq!(rankings.top(board, 10).await.unwrap(), vec![(b, 3.0)]);
    assert!(rankings.set_score_at(board, a, 4.2, 5).await.unwrap());
    assert_eq!(
        rankings.top(board, 10).await.unwrap(),
        vec![(a, 4.2), (b, 3.0)]
    );
    assert!(rankings.set_score_at(board, a, f64::NAN, 6).await.is_err());
    // Concurrent changes of one member: the highest version wins, whatever
    // the order they arrive in.
    let c = Uuid::new_v4();
    let sets = (1..=20)
        .rev()
        .map(|v| rankings.set_score_at(board, c, v as f64, v));
    futures::future::join_all(sets).await;
    let top = rankings.top(board, 1).await.unwrap();
    assert_eq!(top, vec![(c, 20.0)]);
}

/// Trending uses forward decay: a recent view outweighs an old one.
pub async fn trending_prefers_recent_views(rankings: &dyn Rankings) {
    let (old, new) = (Uuid::new_v4(), Uuid::new_v4());
    let now = chrono::Utc::now();
    let board = Board::TrendingGigs;
    for _ in 0..3 {
        let at = now - chrono::Duration::days(3);
        rankings
            .add_score(board, old, trending_weight(at))
            .await
            .unwrap();
    }
    rankings
        .add_score(board, new, trending_weight(now))
        .await
        .unwrap();
    let top: Vec<Uuid> = rankings
        .top(board, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| *id == old || *id == new)
        .collect();
    assert_eq!(top, vec![new, old]);
}

/// The feed of `user`, which the test made known.
async fn known_feed(feeds: &dyn ActivityFeeds, user: UserId, n: usize) -> Vec<serde_json::Value> {
    feeds
        .recent_activity(user, n)
        .await
        .unwrap()
        .expect("a feed the test stored")
}

/// Feeds keep the newest 100 items, newest first, per user; a batch lands
/// as its items pushed one at a time would; clearing one feed leaves the
/// others.
pub async fn feeds_keep_the_newest(feeds: &dyn ActivityFeeds) {
    let item = |n: usize| serde_json::json!({ "n": n });
    let u = user();
    feeds.init_activity(u, &[]).await.unwrap();
    for n in 0..(FEED_LENGTH + 5) {
        feeds.push_activities(u, &[item(n)]).await.unwrap();
    }
    let all = known_feed(feeds, u, 1000).await;
    assert_eq!(all.len(), FEED_LENGTH);
    assert_eq!(all[0], item(FEED_LENGTH + 4));
    assert_eq!(all[FEED_LENGTH - 1], item(5));
    assert_eq!(known_feed(feeds, u, 2).await.len(), 2);
    let other = user();
    feeds.init_activity(other, &[]).await.unwrap();
    assert!(known_feed(feeds, other, 10).await.is_empty());
    feeds.push_activities(other, &[]).await.unwrap();
    assert!(known_feed(feeds, other, 10).await.is_empty());
    feeds.push_activities(other, &[item(0)]).await.unwrap();

    // A batch: the last item is the newest, and the batch is cut to the
    // feed's length as single pushes would be.
    let batched = user();
    feeds.init_activity(batched, &[]).await.unwrap();
    let many: Vec<_> = (0..FEED_LENGTH + 3).map(item).collect();
    feeds.push_activities(batched, &many[..3]).await.unwrap();
    assert_eq!(
        known_feed(feeds, batched, 10).await,
        vec![item(2), item(1), item(0)]
    );
    feeds.push_activities(batched, &many).await.unwrap();
    let all = known_feed(feeds, batched, 1000).await;
    assert_eq!(all.len(), FEED_LENGTH);
    assert_eq!(all[0], item(FEED_LENGTH + 2));
    assert_eq!(all[FEED_LENGTH - 1], item(3));
    feeds.clear_activity(batched).await.unwrap();
    feeds.clear_activity(u).await.unwrap();
    assert_eq!(feeds.recent_activity(u, 10).await.unwrap(), None);
    assert_eq!(known_feed(feeds, other, 10).await.len(), 1);
}

/// A feed is unknown until stored from the record; what was pushed while
/// it was unknown goes first, then the record's items it does not hold,
/// cut to the feed's length ([`merged_feed`]); storing again changes a
/// known feed in nothing; clearing makes it unknown.
pub async fn feeds_are_stored_from_the_record(feeds: &dyn ActivityFeeds) {
    let item = |n: usize| serde_json::json!({ "action": "send", "n": n });
    let u = user();
    assert_eq!(feeds.recent_activity(u, 10).await.unwrap(), None);
    // Item 3 was committed before the record was read and pushed after;
    // item 4 was committed after the record was read.
    feeds.push_activities(u, &[item(3), item(4)]).await.unwrap();
    assert_eq!(
        feeds.recent_activity(u, 10).await.unwrap(),
        None,
        "pushes alone do not make a feed known"
    );
    let record = [item(3), item(2), item(1)];
    feeds.init_activity(u, &record).await.unwrap();
    let stored = vec![item(4), item(3), item(2), item(1)];
    assert_eq!(known_feed(feeds, u, 10).await, stored);
    assert_eq!(merged_feed(&[item(4), item(3)], &record), stored);

    feeds.init_activity(u, &[item(9)]).await.unwrap();
    assert_eq!(known_feed(feeds, u, 10).await, stored, "already known");
    feeds.push_activities(u, &[item(5)]).await.unwrap();
    assert_eq!(known_feed(feeds, u, 2).await, vec![item(5), item(4)]);
    assert_eq!(
        known_feed(feeds, u, 0).await,
        Vec::<serde_json::Value>::new()
    );

    feeds.clear_activity(u).await.unwrap();
    assert_eq!(feeds.recent_activity(u, 10).await.unwrap(), None);

    // Cut to the feed's length: 60 pushed while unknown, then the first 40
    // of a record of 100 others.
    let long = user();
    let pushed: Vec<_> = (1000..1060).map(item).collect();
    let record: Vec<_> = (0..FEED_LENGTH).map(item).collect();
    feeds.push_activities(long, &pushed).await.unwrap();
    feeds.init_activity(long, &record).await.unwrap();
    let all = known_feed(feeds, long, FEED_LENGTH).await;
    assert_eq!(all.len(), FEED_LENGTH);
    assert_eq!(all[0], item(1059));
    assert_eq!(all[59], item(1000));
    assert_eq!(all[60], item(0));
    assert_eq!(all[FEED_LENGTH - 1], item(39));

    // An empty record makes an empty feed known.
    let quiet = user();
    feeds.init_activity(quiet, &[]).await.unwrap();
    assert_eq!(
        known_feed(feeds, quiet, 10).await,
        Vec::<serde_json::Value>::new()
    );
}

/// Adds and removes of an unknown set are kept, the latest per target, and
/// applied over the table's set when it is stored ([`initial_favorites`]):
/// the reader read the table before them. Forgetting drops them with the
/// set.
pub async fn favorites_moved_while_unknown_are_kept(favorites: &dyn FavoriteSets) {
    let u = user();
    let gig = FavoritedType::Gig;
    let (kept, added, removed, readded) = (
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
        Uuid::new_v4(),
    );
    let table = [kept, removed, readded];
    assert_eq!(favorites.add_favorite(u, gig, added).await.unwrap(), None);
    assert_eq!(
        favorites.remove_favorite(u, gig, removed).await.unwrap(),
        None
    );
    assert_eq!(
        favorites.remove_favorite(u, gig, readded).await.unwrap(),
        None
    );
    assert_eq!(favorites.add_favorite(u, gig, readded).await.unwrap(), None);
    assert_eq!(favorites.favorites(u, gig).await.unwrap(), None, "unknown");
    assert_eq!(favorites.is_favorite(u, gig, added).await.unwrap(), None);

    let mut expected = vec![kept, added, readded];
    expected.sort();
    assert_eq!(
        initial_favorites(
            &table,
            [
                (added, true),
                (removed, false),
                (readded, false),
                (readded, true)
            ]
        ),
        expected
    );
    assert_eq!(
        favorites.init_favorites(u, gig, &table).await.unwrap(),
        expected
    );
    assert_eq!(favorites.favorites(u, gig).await.unwrap(), Some(expected));

    // The moves were applied once: a set forgotten and stored again is the
    // table's alone.
    favorites.forget_favorites(u, gig).await.unwrap();
    assert_eq!(
        favorites.init_favorites(u, gig, &[kept]).await.unwrap(),
        vec![kept]
    );
    // Moves kept for a set that is then forgotten go with it.
    let creator = FavoritedType::Creator;
    assert_eq!(
        favorites.add_favorite(u, creator, added).await.unwrap(),
        None
    );
    favorites.forget_favorites(u, creator).await.unwrap();
    let stored = favorites.init_favorites(u, creator, &[]).await.unwrap();
    assert_eq!(stored, Vec::<Uuid>::new(), "the kept add went with the set");
}

/// Favorites sets: only a known set changes, per user and kind;
/// initialising keeps a set already known (an empty one too); forgetting
/// makes it unknown again.
pub async fn favorites_are_sets(favorites: &dyn FavoriteSets) {
    let u = user();
    let gig = FavoritedType::Gig;
    let (g1, g2, g3) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    assert_eq!(favorites.favorites(u, gig).await.unwrap(), None);
    assert_eq!(favorites.add_favorite(u, gig, g1).await.unwrap(), None);
    assert_eq!(favorites.is_favorite(u, gig, g1).await.unwrap(), None);
    assert_eq!(
        favorites.favorites(u, gig).await.unwrap(),
        None,
        "unchanged"
    );

    let mut both = vec![g1, g2];
    both.sort();
    assert_eq!(
        favorites.init_favorites(u, gig, &[g2, g1]).await.unwrap(),
        both
    );
    assert_eq!(
        favorites.init_favorites(u, gig, &[g3]).await.unwrap(),
        both,
        "a known set is kept"
    );
    assert_eq!(
        favorites.add_favorite(u, gig, g3).await.unwrap(),
        Some(true)
    );
    assert_eq!(
        favorites.add_favorite(u, gig, g3).await.unwrap(),
        Some(false)
    );
    assert_eq!(
        favorites.remove_favorite(u, gig, g1).await.unwrap(),
        Some(true)
    );
    assert_eq!(
        favorites.remove_favorite(u, gig, g1).await.unwrap(),
        Some(false)
    );
    assert_eq!(favorites.is_favorite(u, gig, g3).await.unwrap(), Some(true));
    assert_eq!(
        favorites.is_favorite(u, gig, g1).await.unwrap(),
        Some(false)
    );
    let mut now = vec![g2, g3];
    now.sort();
    assert_eq!(favorites.favorites(u, gig).await.unwrap(), Some(now));

    // Another kind is another set; an empty known set is known.
    let creator = FavoritedType::Creator;
    assert_eq!(favorites.is_favorite(u, creator, g2).await.unwrap(), None);
    assert!(
        favorites
            .init_favorites(u, creator, &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(favorites.favorites(u, creator).await.unwrap(), Some(vec![]));
    assert_eq!(
        favorites.is_favorite(u, creator, g2).await.unwrap(),
        Some(false)
    );
    assert_eq!(
        favorites.remove_favorite(u, creator, g2).await.unwrap(),
        Some(false)
    );

    favorites.forget_favorites(u, gig).await.unwrap();
    assert_eq!(favorites.favorites(u, gig).await.unwrap(), None);
    assert_eq!(favorites.favorites(u, creator).await.unwrap(), Some(vec![]));
}

/// Stamps the real-time suite: each argument is an expression evaluating to
/// an async closure that returns a fresh implementation (anything that
/// derefs to the trait object).
#[macro_export]
macro_rules! realtime_suite {
    (views: $views:expr, unread: $unread:expr, limiter: $limiter:expr, rankings: $rankings:expr, feeds: $feeds:expr, favorites: $favorites:expr $(,)?) => {
        mod realtime_suite {
            #[allow(unused_imports)]
            use super::*;
            use $crate::realtime::suite as s;

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn views_accumulate_and_drain() {
                s::views_accumulate_and_drain(&*($views)().await).await;
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn unread_counts_and_clears() {
                s::unread_counts_and_clears(&*($unread)().await).await;
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn unread_rebuild_races_commits() {
                s::unread_rebuild_races_commits(&*($unread)().await).await;
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn fixed_window_limits() {
                s::fixed_window_limits(&*($limiter)().await).await;
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sliding_window_limits() {
                s::sliding_window_limits(&*($limiter)().await).await;
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn limits_hold_under_concurrency() {
                s::limits_hold_under_concurrency(&*($limiter)().await).await;
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn rankings_order_by_score() {
                s::rankings_order_by_score(&*($rankings)().await).await;
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn versioned_changes_keep_the_latest() {
                s::versioned_changes_keep_the_latest(&*($rankings)().await).await;
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn trending_prefers_recent_views() {
                s::trending_prefers_recent_views(&*($rankings)().await).await;
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn feeds_keep_the_newest() {
                s::feeds_keep_the_newest(&*($feeds)().await).await;
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn feeds_are_stored_from_the_record() {
                s::feeds_are_stored_from_the_record(&*($feeds)().await).await;
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn favorites_are_sets() {
                s::favorites_are_sets(&*($favorites)().await).await;
            }
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn favorites_moved_while_unknown_are_kept() {
                s::favorites_moved_while_unknown_are_kept(&*($favorites)().await).await;
            }
        }
    };
}
