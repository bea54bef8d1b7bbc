//! Which rankings a committed change set moves.
//!
//! The rankings are a projection of the store, never its record: the
//! [`Marketplace`](crate::Marketplace) reads them off each change set it has
//! committed (`ranking_changes`) and applies them to its
//! [`Rankings`](super::Rankings) after the commit. Reading them off the
//! writes, rather than from each command, keeps one rule per board whatever
//! command moved the row, and a refused change set moves no board.
//!
//! Most changes set a score from the row as written (a creator's rating,
//! a job's publication time), so applying one twice, or late, does no harm,
//! and [`Marketplace::rebuild_rankings`](crate::Marketplace::rebuild_rankings)
//! sets them all again from the store. Three boards add instead: views to
//! trending gigs (time-decayed, see [`trending_weight`]), orders to popular
//! gigs, payouts to a month's earners.

use chrono::{DateTime, Datelike, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use uuid::Uuid;

use crate::entities::{CreatorProfile, Gig, Job, Transaction};
use crate::enums::{GigStatus, JobStatus, TransactionType};
use crate::store::{ChangeSet, Counter, Record, RowKey, Table, Write};

use super::{Board, trending_weight};

/// One change to a ranking.
#[derive(Debug, Clone, PartialEq)]
pub enum RankingChange {
    /// Sets `member`'s score as of `version` of its row
    /// ([`Rankings::set_score_at`](super::Rankings::set_score_at)).
    Set {
        /// The board.
        board: Board,
        /// The ranked row's id.
        member: Uuid,
        /// Its score.
        score: f64,
        /// The row's version as written.
        version: i64,
    },
    /// Adds `delta` to `member`'s score.
    Add {
        /// The board.
        board: Board,
        /// The ranked row's id.
        member: Uuid,
        /// What to add.
        delta: f64,
    },
    /// Takes `member` off the board as of `version` of its row
    /// ([`Rankings::remove_member_at`](super::Rankings::remove_member_at)).
    Remove {
        /// The board.
        board: Board,
        /// The ranked row's id.
        member: Uuid,
        /// The row's version as written, or [`DELETED`] for a deleted row.
        version: i64,
    },
}

impl RankingChange {
    /// The board and member it changes: changes of one key depend on their
    /// order, changes of different keys never do.
    pub fn key(&self) -> (Board, Uuid) {
        match *self {
            Self::Set { board, member, .. }
            | Self::Add { board, member, .. }
            | Self::Remove { board, member, .. } => (board, member),
        }
    }
}

/// The version of a deleted row's removal: later than any version it had,
/// so no change of it applied late brings it back.
pub const DELETED: i64 = i64::MAX;

/// The boards that rank gigs, each of which an inactive gig leaves.
pub const GIG_BOARDS: [Board; 3] = [Board::TrendingGigs, Board::PopularGigs, Board::FeaturedGigs];

/// The rankings `changes` moves once committed, in the order of its writes;
/// `now` weighs views on [`Board::TrendingGigs`].
///
/// - A creator profile written with reviews is ranked by its average
///   rating, and with completed jobs by their number; without either it
///   leaves that board.
/// - A payout transaction adds its amount to its creator's earnings of the
///   month it was created in; the creator is the profile of the payee that
///   the same change set writes (releases and tips update the creator's
///   `total_earnings` with the payout).
/// - Views of a gig add their [`trending_weight`], orders add one to its
///   popularity; a gig written in any status but `active`, or deleted,
///   leaves every gig board.
/// - A job written `open` with a publication time is ranked by that time in
///   seconds on [`Board::RecentJobs`]; in any other status, or deleted, it
///   leaves it.
/// - A creator profile deleted leaves every creator board but monthly
///   earnings (a past month's board is history).
pub fn ranking_changes(changes: &ChangeSet, now: DateTime<Utc>) -> Vec<RankingChange> {
    let mut out = Vec::new();
    for write in &changes.writes {
        match write {
            Write::Insert(record) => written(record, None, changes, &mut out),
            Write::Update { record, before, .. } => {
                written(record, before.as_deref(), changes, &mut out);
            }
            Write::Delete {
                table,
                key: RowKey::Id(id),
                ..
            } => deleted(*table, *id, &mut out),
            Write::Count { counter, delta } => counted(*counter, *delta, now, &mut out),
            Write::Delete { .. } | Write::Check { .. } => {}
        }
    }
    out
}

/// The changes of a row written as `record`, over `before` when the update
/// carries the row it replaces: a write that leaves every ranked field as it
/// was moves no board (most updates of a creator's profile are of their
/// earnings or their texts).
fn written(
    record: &Record,
    before: Option<&Record>,
    changes: &ChangeSet,
    out: &mut Vec<RankingChange>,
) {
    match (record, before) {
        (Record::CreatorProfile(after), Some(Record::CreatorProfile(before)))
            if creator_rank(after) == creator_rank(before) => {}
        (Record::CreatorProfile(profile), _) => creator_written(profile, out),
        (Record::Gig(after), Some(Record::Gig(before))) if after.status == before.status => {}
        (Record::Gig(gig), _) => gig_written(gig, out),
        (Record::Job(after), Some(Record::Job(before)))
            if (after.status, after.published_at) == (before.status, before.published_at) => {}
        (Record::Job(job), _) => job_written(job, out),
        (Record::Transaction(tx), _) => transaction_written(tx, changes, out),
        _ => {}
    }
}

/// What a creator is ranked by.
fn creator_rank(profile: &CreatorProfile) -> (i32, Decimal, i32) {
    (
        profile.total_reviews,
        profile.average_rating,
        profile.total_jobs_completed,
    )
}

fn creator_written(profile: &CreatorProfile, out: &mut Vec<RankingChange>) {
    let (member, version) = (profile.id.as_uuid(), profile.version);
    let rating =
        (profile.total_reviews > 0).then(|| profile.average_rating.to_f64().unwrap_or(0.0));
    let jobs = (profile.total_jobs_completed > 0).then(|| f64::from(profile.total_jobs_completed));
    out.push(ranked(Board::CreatorsByRating, member, rating, version));
    out.push(ranked(
        Board::CreatorsByJobsCompleted,
        member,
        jobs,
        version,
    ));
}

fn gig_written(gig: &Gig, out: &mut Vec<RankingChange>) {
    if gig.status != GigStatus::Active {
        leave(&GIG_BOARDS, gig.id.as_uuid(), gig.version, out);
    }
}

fn job_written(job: &Job, out: &mut Vec<RankingChange>) {
    let published = job
        .published_at
        .filter(|_| job.status == JobStatus::Open)
        .map(|at| at.timestamp() as f64);
    out.push(ranked(
        Board::RecentJobs,
        job.id.as_uuid(),
        published,
        job.version,
    ));
}

/// `member` at `score` on `board`, or off it without one.
fn ranked(board: Board, member: Uuid, score: Option<f64>, version: i64) -> RankingChange {
    match score {
        Some(score) => RankingChange::Set {
            board,
            member,
            score,
            version,
        },
        None => RankingChange::Remove {
            board,
            member,
            version,
        },
    }
}

fn transaction_written(tx: &Transaction, changes: &ChangeSet, out: &mut Vec<RankingChange>) {
    if tx.transaction_type != TransactionType::Payout {
        return;
    }
    let Some(payee) = tx.payee_user_id else {
        return;
    };
    // The creator profile of the payee, as this change set writes it.
    let creator = changes.writes.iter().find_map(|w| match w.written()? {
        Record::CreatorProfile(p) if p.user_id == payee => Some(p.id),
        _ => None,
    });
    if let Some(creator) = creator {
        out.push(RankingChange::Add {
            board: Board::EarnersOfMonth {
                year: tx.created_at.year(),
                month: tx.created_at.month(),
            },
            member: creator.as_uuid(),
            delta: tx.amount.amount().to_f64().unwrap_or(0.0),
        });
    }
}

fn deleted(table: Table, id: Uuid, out: &mut Vec<RankingChange>) {
    match table {
        Table::Gigs => leave(&GIG_BOARDS, id, DELETED, out),
        Table::Jobs => leave(&[Board::RecentJobs], id, DELETED, out),
        Table::CreatorProfiles => leave(
            &[Board::CreatorsByRating, Board::CreatorsByJobsCompleted],
            id,
            DELETED,
            out,
        ),
        _ => {}
    }
}

fn counted(counter: Counter, delta: i64, now: DateTime<Utc>, out: &mut Vec<RankingChange>) {
    // Counters only move forward on these boards: a correction downwards
    // (none is made today) is left to a rebuild.
    if delta <= 0 {
        return;
    }
    let (board, gig, delta) = match counter {
        Counter::GigViews(gig) => (
            Board::TrendingGigs,
            gig,
            delta as f64 * trending_weight(now),
        ),
        Counter::GigOrders(gig) => (Board::PopularGigs, gig, delta as f64),
        _ => return,
    };
    out.push(RankingChange::Add {
        board,
        member: gig.as_uuid(),
        delta,
    });
}

fn leave(boards: &[Board], member: Uuid, version: i64, out: &mut Vec<RankingChange>) {
    out.extend(boards.iter().map(|board| RankingChange::Remove {
        board: *board,
        member,
        version,
    }));
}
