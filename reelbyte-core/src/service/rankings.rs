//! Leaderboards and trending lists: the Redis sorted sets of the plan
//! (`reelbyte:rankings:*`, `reelbyte:trending:gigs`, `reelbyte:recent:jobs`,
//! `reelbyte:leaderboard:earners:{YYYY-MM}`), kept by the marketplace as it
//! commits and read back as rows.
//!
//! A marketplace given a [`Rankings`] (`Marketplace::with_rankings`) moves
//! them after each committed change set, by the rules of
//! [`ranking_changes`]. They are a projection: a board that failed to move
//! (Redis down) never fails the command that committed, is counted in
//! [`Marketplace::ranking_errors`], and is set right by the next write of
//! the same row or by [`Marketplace::rebuild_rankings`]. Reads return only
//! rows that may be shown now, so a stale member is skipped, never served.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{CreatorProfile, Gig, Job};
use crate::enums::{GigStatus, JobStatus, UserStatus};
use crate::error::{Error, Result};
use crate::ids::{CreatorProfileId, GigId, JobId, UserId};
use crate::realtime::projection::{DELETED, GIG_BOARDS, RankingChange, ranking_changes};
use crate::realtime::{Board, Rankings, ViewCounters, flush_gig_views_by};
use crate::service::projections::Sink;
use crate::service::{Ctx, Marketplace};
use crate::store::{ChangeSet, Entity, RowKey};

/// The largest number of rows one ranking read returns.
pub const MAX_RANKED: usize = 100;

/// A row with its score on a board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked<T> {
    /// The row, as stored now.
    pub item: T,
    /// Its score: a rating, a count, seconds since the epoch (recent jobs),
    /// an amount in the payout currency (earners) or decayed views
    /// (trending).
    pub score: f64,
}

/// What [`Marketplace::rebuild_rankings`] set and removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankingsRebuilt {
    /// Scores set from the store (a score the board already holds at the
    /// row's version is not set again).
    pub set: u64,
    /// Members removed because the store no longer ranks them.
    pub removed: u64,
}

/// The boards [`Marketplace::rebuild_rankings`] sets from the store.
const REBUILT: [Board; 3] = [
    Board::CreatorsByRating,
    Board::CreatorsByJobsCompleted,
    Board::RecentJobs,
];

/// Every member of a board, for [`Rankings::top`] (Redis counts ranks in a
/// signed 64-bit integer).
const WHOLE_BOARD: usize = i64::MAX as usize;

impl Marketplace {
    /// Keeps `rankings` as commands commit (see the module documentation
    /// of [`crate::realtime::projection`]); without it no board moves and
    /// ranking reads answer [`Error::Rule`].
    pub fn with_rankings(mut self, rankings: Arc<dyn Rankings>) -> Self {
        self.projections.rankings = Some(Sink::new(rankings));
        self
    }

    /// How many board changes failed since the marketplace was built (each
    /// is repaired by the next write of its row or by
    /// [`Marketplace::rebuild_rankings`]).
    pub fn ranking_errors(&self) -> u64 {
        self.projection_errors().rankings
    }

    fn rankings(&self) -> Result<&Arc<dyn Rankings>> {
        self.projections
            .rankings
            .as_ref()
            .map(|sink| &sink.target)
            .ok_or_else(|| Error::rule("rankings", "this marketplace keeps no rankings"))
    }

    /// The board's best `n` members (at most [`MAX_RANKED`]), best first.
    async fn top_of(&self, board: Board, n: usize) -> Result<Vec<(Uuid, f64)>> {
        if n == 0 || n > MAX_RANKED {
            return Err(Error::validation(
                "limit",
                format!("must be 1 to {MAX_RANKED}"),
            ));
        }
        self.rankings()?.top(board, n).await
    }

    /// The best `n` active gigs of a gig board (trending, popular or
    /// featured), best first. A member that is no longer active is skipped,
    /// so fewer than `n` may come back.
    pub async fn top_gigs(&self, board: Board, n: usize) -> Result<Vec<Ranked<Gig>>> {
        if !GIG_BOARDS.contains(&board) {
            return Err(Error::validation("board", "not a board of gigs"));
        }
        let top = self.top_of(board, n).await?;
        let ids: Vec<GigId> = top.iter().map(|(m, _)| GigId::from_uuid(*m)).collect();
        let gigs = self.store().gigs().get_by_ids(&ids).await?;
        Ok(ranked(top, gigs, |g| {
            (g.status == GigStatus::Active).then_some(g.id.as_uuid())
        }))
    }

    /// The best `n` creators of a creator board (by rating, by completed
    /// jobs, or by a month's earnings), best first. Creators whose account
    /// is not active are skipped, as their public page is hidden.
    pub async fn top_creators(
        &self,
        board: Board,
        n: usize,
    ) -> Result<Vec<Ranked<CreatorProfile>>> {
        if !matches!(
            board,
            Board::CreatorsByRating | Board::CreatorsByJobsCompleted | Board::EarnersOfMonth { .. }
        ) {
            return Err(Error::validation("board", "not a board of creators"));
        }
        let top = self.top_of(board, n).await?;
        let ids: Vec<CreatorProfileId> = top
            .iter()
            .map(|(m, _)| CreatorProfileId::from_uuid(*m))
            .collect();
        let creators = self.store().creators().get_by_ids(&ids).await?;
        let owners: Vec<UserId> = creators.iter().map(|c| c.user_id).collect();
        let active: HashSet<UserId> = self
            .store()
            .users()
            .get_by_ids(&owners)
            .await?
            .into_iter()
            .filter(|u| u.status == UserStatus::Active)
            .map(|u| u.id)
            .collect();
        Ok(ranked(top, creators, |c| {
            active.contains(&c.user_id).then_some(c.id.as_uuid())
        }))
    }

    /// The `n` most recently published open jobs, newest first (score:
    /// publication time in seconds since the epoch).
    pub async fn recent_jobs(&self, n: usize) -> Result<Vec<Ranked<Job>>> {
        let top = self.top_of(Board::RecentJobs, n).await?;
        let ids: Vec<JobId> = top.iter().map(|(m, _)| JobId::from_uuid(*m)).collect();
        let jobs = self.store().jobs().get_by_ids(&ids).await?;
        Ok(ranked(top, jobs, |j| {
            (j.status == JobStatus::Open).then_some(j.id.as_uuid())
        }))
    }

    /// Puts an active gig on [`Board::FeaturedGigs`] with an editorial
    /// `score` (staff only; higher shows first). The staff member's choice is
    /// audited in the store first, then set on the board; featuring a gig
    /// again replaces its score. A gig that stops being active leaves the
    /// board by the rule of [`ranking_changes`].
    pub async fn feature_gig(&self, ctx: &Ctx, gig: GigId, score: f64) -> Result<()> {
        if !score.is_finite() {
            return Err(Error::validation("score", "must be a finite number"));
        }
        self.feature(ctx, gig, Some(score)).await
    }

    /// Takes a gig off [`Board::FeaturedGigs`] (staff only, audited).
    pub async fn unfeature_gig(&self, ctx: &Ctx, gig: GigId) -> Result<()> {
        self.feature(ctx, gig, None).await
    }

    async fn feature(&self, ctx: &Ctx, id: GigId, score: Option<f64>) -> Result<()> {
        self.acting_staff(ctx).await?;
        let rankings = self.rankings()?.clone();
        let gig = self
            .store()
            .gigs()
            .get_by_id(id)
            .await?
            .ok_or(Error::not_found(GigId::ENTITY))?;
        if score.is_some() && gig.status != GigStatus::Active {
            return Err(Error::rule(
                "featured_gigs",
                "only an active gig can be featured",
            ));
        }
        let (action, values) = match score {
            Some(score) => (
                "feature",
                Some(serde_json::json!({ "featured_score": score })),
            ),
            None => ("unfeature", None),
        };
        let mut changes = ChangeSet::new();
        changes.insert(self.audit(
            ctx,
            "gig",
            id.as_uuid(),
            action,
            None::<&()>,
            values.as_ref(),
        )?);
        self.commit(changes).await?;
        match score {
            Some(score) => {
                rankings
                    .set_score(Board::FeaturedGigs, id.as_uuid(), score)
                    .await
            }
            None => {
                rankings
                    .remove_member(Board::FeaturedGigs, id.as_uuid())
                    .await
            }
        }
    }

    /// Moves the views `counters` collected into `gigs.view_count`, as
    /// [`crate::realtime::flush_gig_views`] does, through this marketplace:
    /// its trending board counts them too (weighed as of the flush).
    /// Returns how many views were flushed.
    pub async fn flush_gig_views(&self, counters: &dyn ViewCounters) -> Result<u64> {
        flush_gig_views_by(counters, self.store().as_ref(), async |changes| {
            self.commit(changes).await
        })
        .await
    }

    /// Sets the boards the store can answer for again from the store (staff
    /// only): creators by rating and by completed jobs, open jobs by
    /// publication time, as the commands would have set them. Members of
    /// those boards that the store no longer ranks are removed; a member is
    /// removed only after its row, read again by id, says so (or is gone),
    /// so a row written while the sweep ran is not taken off its board.
    ///
    /// The gig boards and monthly earnings add up events as they happen
    /// (views, orders, payouts), so they are left as they are: a change one
    /// of them missed stays missed (see [`Marketplace::ranking_errors`]).
    ///
    /// Reads every creator and every open job once, in pages of
    /// [`REBUILD_PAGE`] in id order
    /// ([`CreatorRepo::list_after`](crate::store::CreatorRepo::list_after)),
    /// so each page costs the same however far the sweep has gone, and
    /// holds one page of rows at a time. A page's board changes are sent
    /// [`REBUILD_IN_FLIGHT`] at a time.
    pub async fn rebuild_rankings(&self, ctx: &Ctx) -> Result<RankingsRebuilt> {
        self.acting_staff(ctx).await?;
        let mut rebuild = Rebuild {
            rankings: self.rankings()?.as_ref(),
            now: self.now(),
            on_board: HashMap::new(),
            seen: HashSet::new(),
            report: RankingsRebuilt::default(),
        };
        // The members before the sweep: those it does not meet are read
        // again by id at the end. A member a command puts on a board
        // meanwhile is the command's, at its row's version.
        for board in REBUILT {
            let members = rebuild.rankings.top(board, WHOLE_BOARD).await?;
            let members = members.into_iter().map(|(m, _)| m).collect();
            rebuild.on_board.insert(board, members);
        }
        let creators = self.store().creators();
        rebuild
            .sweep(|after| {
                creators.list_after(after.map(CreatorProfileId::from_uuid), REBUILD_PAGE)
            })
            .await?;
        let jobs = self.store().jobs();
        rebuild
            .sweep(|after| jobs.list_open_after(after.map(JobId::from_uuid), REBUILD_PAGE))
            .await?;
        // The boards' members the sweep did not meet: rows the store no
        // longer ranks (a closed job), rows written after the sweep passed
        // their id, and members no row stands behind. Each is read again
        // by id, so that only the last are removed for want of a row.
        rebuild
            .reread(
                &[Board::CreatorsByRating, Board::CreatorsByJobsCompleted],
                CreatorProfileId::from_uuid,
                |ids| async move { creators.get_by_ids(&ids).await },
            )
            .await?;
        rebuild
            .reread(&[Board::RecentJobs], JobId::from_uuid, |ids| async move {
                jobs.get_by_ids(&ids).await
            })
            .await?;
        let gone: Vec<RankingChange> = REBUILT
            .into_iter()
            .flat_map(|board| {
                rebuild
                    .unseen(&[board])
                    .into_iter()
                    .map(move |member| RankingChange::Remove {
                        board,
                        member,
                        version: DELETED,
                    })
            })
            .collect();
        rebuild.apply(gone).await?;
        Ok(rebuild.report)
    }
}

/// How many rows [`Marketplace::rebuild_rankings`] reads a page.
pub const REBUILD_PAGE: u32 = 500;

/// How many board changes [`Marketplace::rebuild_rankings`] has in flight
/// at once: on Redis they share round trips (a multiplexed connection
/// pipelines requests sent together) instead of waiting on each other.
pub const REBUILD_IN_FLIGHT: usize = 64;

/// The state of one [`Marketplace::rebuild_rankings`].
struct Rebuild<'a> {
    rankings: &'a dyn Rankings,
    /// The time the rules are applied at.
    now: DateTime<Utc>,
    /// Each rebuilt board's members before the sweep.
    on_board: HashMap<Board, HashSet<Uuid>>,
    /// The rows read so far, by id.
    seen: HashSet<Uuid>,
    report: RankingsRebuilt,
}

impl Rebuild<'_> {
    /// Reads every row `page` gives, a page at a time in id order (each
    /// page after the last id of the one before), and sets their boards.
    async fn sweep<E: Entity, Page: Future<Output = Result<Vec<E>>>>(
        &mut self,
        page: impl Fn(Option<Uuid>) -> Page,
    ) -> Result<()> {
        let mut after = None;
        loop {
            let rows = page(after).await?;
            let full = rows.len() == REBUILD_PAGE as usize;
            after = rows.last().and_then(|row| match row.row_key() {
                RowKey::Id(id) => Some(id),
                RowKey::Name(_) => None,
            });
            self.rows(rows).await?;
            if !full || after.is_none() {
                return Ok(());
            }
        }
    }

    /// Sets the boards of `rows` by the rules applied after a command, as
    /// if each row were written now, each change as of its row's version: a
    /// command that commits meanwhile writes a later version, which the
    /// board keeps.
    async fn rows<E: Entity>(&mut self, rows: Vec<E>) -> Result<()> {
        let mut changes = ChangeSet::new();
        for row in rows {
            if let RowKey::Id(id) = row.row_key() {
                self.seen.insert(id);
            }
            changes.insert(row);
        }
        self.apply(ranking_changes(&changes, self.now)).await
    }

    /// Applies `changes`, [`REBUILD_IN_FLIGHT`] at a time, and counts them.
    /// Each names a member of one board once (a row is read once), so
    /// their order does not matter.
    async fn apply(&mut self, changes: Vec<RankingChange>) -> Result<()> {
        let (rankings, on_board) = (self.rankings, &self.on_board);
        let counted: Vec<RankingsRebuilt> = stream::iter(changes)
            .map(|change| applied(rankings, on_board, change))
            .buffer_unordered(REBUILD_IN_FLIGHT)
            .try_collect()
            .await?;
        for one in counted {
            self.report.set += one.set;
            self.report.removed += one.removed;
        }
        Ok(())
    }

    /// Reads the members of `boards` the sweep did not meet again by id
    /// (`read`, a page at a time) and sets the boards of the rows found.
    async fn reread<Id, E: Entity, Rows: Future<Output = Result<Vec<E>>>>(
        &mut self,
        boards: &[Board],
        id: fn(Uuid) -> Id,
        read: impl Fn(Vec<Id>) -> Rows,
    ) -> Result<()> {
        for members in self.unseen(boards).chunks(REBUILD_PAGE as usize) {
            let rows = read(members.iter().copied().map(id).collect()).await?;
            self.rows(rows).await?;
        }
        Ok(())
    }

    /// The members of `boards` before the sweep that no row read so far
    /// stands behind, each once, in order.
    fn unseen(&self, boards: &[Board]) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = boards
            .iter()
            .filter_map(|b| self.on_board.get(b))
            .flatten()
            .filter(|m| !self.seen.contains(m))
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// Applies one change of a rebuild: counted as set when the board took the
/// score, as removed when the board took the removal of a member it held
/// before the rebuild (`on_board`).
async fn applied(
    rankings: &dyn Rankings,
    on_board: &HashMap<Board, HashSet<Uuid>>,
    change: RankingChange,
) -> Result<RankingsRebuilt> {
    let mut count = RankingsRebuilt::default();
    match change {
        RankingChange::Set {
            board,
            member,
            score,
            version,
        } => {
            if rankings.set_score_at(board, member, score, version).await? {
                count.set = 1;
            }
        }
        RankingChange::Remove {
            board,
            member,
            version,
        } => {
            if rankings.remove_member_at(board, member, version).await?
                && on_board.get(&board).is_some_and(|m| m.contains(&member))
            {
                count.removed = 1;
            }
        }
        RankingChange::Add { .. } => {}
    }
    Ok(count)
}

/// The board's members `top` (best first) paired with their rows, keeping
/// the rows `shown` names (by id): those that may be shown now. Members
/// without a row, or whose row is not shown, are skipped.
fn ranked<T>(
    top: Vec<(Uuid, f64)>,
    rows: Vec<T>,
    shown: impl Fn(&T) -> Option<Uuid>,
) -> Vec<Ranked<T>> {
    let mut rows: HashMap<Uuid, T> = rows
        .into_iter()
        .filter_map(|row| shown(&row).map(|id| (id, row)))
        .collect();
    top.into_iter()
        .filter_map(|(member, score)| rows.remove(&member).map(|item| Ranked { item, score }))
        .collect()
}
