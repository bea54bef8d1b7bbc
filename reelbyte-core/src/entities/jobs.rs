//! Section 5 of the plan, jobs and projects: `jobs`, `proposals`,
//! `contracts`, `deliverables` and `milestones`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::{
    BudgetType, ContractStatus, DeliverableStatus, ExperienceLevel, GigTier, JobStatus,
    MilestoneStatus, ProposalStatus,
};
use crate::ids::{
    ClientProfileId, ContractId, CreatorProfileId, DeliverableId, FeeTierId, GigId, JobId,
    MilestoneId, PortfolioItemId, ProposalId,
};
use crate::money::{Currency, Money};
use crate::value::{Text, Url};

/// A row of `jobs`: a client's posting looking for a creator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Primary key.
    pub id: JobId,
    /// The client who posted the job.
    pub client_profile_id: ClientProfileId,
    /// Title of the posting.
    pub title: Text<200>,
    /// Full description.
    pub description: String,
    /// Category, e.g. `"ugc"`.
    pub category: Text<50>,
    /// Kind of video wanted.
    pub video_type: Option<Text<50>>,
    /// Preferred video length, e.g. `"15-30s"`.
    pub video_duration_preference: Option<Text<50>>,
    /// Preferred platform.
    pub platform_preference: Option<Text<50>>,
    /// How the budget is expressed.
    pub budget_type: Option<BudgetType>,
    /// Lower end of the budget (or the fixed budget).
    pub budget_min: Option<Money>,
    /// Upper end of the budget.
    pub budget_max: Option<Money>,
    /// When the work is needed by.
    #[serde(default, with = "crate::timestamp::date::option")]
    pub deadline_date: Option<NaiveDate>,
    /// Expected duration of the work, in days.
    pub estimated_duration_days: Option<i32>,
    /// Skills asked for (`TEXT[]`).
    pub required_skills: Option<Vec<String>>,
    /// Experience level asked for.
    pub experience_level: Option<ExperienceLevel>,
    /// Attached files (the plan's JSONB "array of file URLs").
    pub attachments: Option<Vec<Url>>,
    /// Times the job was viewed.
    pub view_count: i32,
    /// Proposals received.
    pub proposal_count: i32,
    /// Posting status.
    pub status: JobStatus,
    /// When the job was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// When the job was opened to proposals.
    #[serde(default, with = "crate::timestamp::option")]
    pub published_at: Option<DateTime<Utc>>,
    /// When the job stopped taking proposals.
    #[serde(default, with = "crate::timestamp::option")]
    pub closed_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `proposals`: a creator's bid on a job (one per creator per job).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// Primary key.
    pub id: ProposalId,
    /// The job bid on.
    pub job_id: JobId,
    /// The bidding creator.
    pub creator_profile_id: CreatorProfileId,
    /// The pitch.
    pub cover_letter: String,
    /// The price asked.
    pub proposed_budget: Money,
    /// The time asked, in days.
    pub proposed_timeline_days: i32,
    /// Attached files (JSONB, typed as an array of URLs like
    /// `jobs.attachments`).
    pub attachments: Option<Vec<Url>>,
    /// Portfolio items offered as samples (the plan's JSONB "references to
    /// portfolio_items", typed as their ids).
    pub portfolio_samples: Option<Vec<PortfolioItemId>>,
    /// Proposal status.
    pub status: ProposalStatus,
    /// When the proposal was sent.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// When the client first reviewed it (shortlisted or rejected it).
    #[serde(default, with = "crate::timestamp::option")]
    pub reviewed_at: Option<DateTime<Utc>>,
    /// When the client accepted it.
    #[serde(default, with = "crate::timestamp::option")]
    pub accepted_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `contracts`: the agreement between a client and a creator, from
/// an accepted proposal or a gig order.
///
/// All money fields are in one currency, [`Contract::currency`]; the plan has
/// no currency column here, the library carries it in each [`Money`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contract {
    /// Primary key.
    pub id: ContractId,
    /// The job the contract came from, for job-based contracts.
    pub job_id: Option<JobId>,
    /// The accepted proposal, for job-based contracts.
    pub proposal_id: Option<ProposalId>,
    /// The gig ordered, for gig-based contracts.
    pub gig_id: Option<GigId>,
    /// The paying client.
    pub client_profile_id: ClientProfileId,
    /// The delivering creator.
    pub creator_profile_id: CreatorProfileId,
    /// Title of the contract.
    pub title: Text<200>,
    /// Description of the contract.
    pub description: String,
    /// What the creator undertakes to deliver.
    pub scope_of_work: String,
    /// What the client pays in all.
    pub total_amount: Money,
    /// The platform's commission out of `total_amount`.
    pub platform_fee: Money,
    /// What the creator receives: `total_amount - platform_fee -
    /// processing_fee`.
    pub creator_payout: Money,
    /// Payment-processing cost out of `total_amount` (library addition, not
    /// in the plan: the plan records it only per transaction, but the split
    /// is fixed when the contract is made and must be kept with it).
    pub processing_fee: Money,
    /// The `fee_structure` row the fees were computed from (library addition,
    /// not in the plan: explains the split after the tiers change).
    pub fee_tier_id: Option<FeeTierId>,
    /// The gig tier ordered, for gig-based contracts (library addition, not
    /// in the plan).
    pub gig_tier: Option<GigTier>,
    /// Revisions the client may request; `None` means unlimited (library
    /// addition, not in the plan: gig tiers include a number of revisions).
    pub revisions_allowed: Option<i32>,
    /// When work starts.
    #[serde(with = "crate::timestamp::date")]
    pub start_date: NaiveDate,
    /// When work is due.
    #[serde(with = "crate::timestamp::date")]
    pub deadline_date: NaiveDate,
    /// Estimated effort, in hours.
    pub estimated_hours: Option<i32>,
    /// What the deliverable should be.
    pub deliverable_description: Option<String>,
    /// Revisions requested so far.
    pub revision_count: i32,
    /// Contract status.
    pub status: ContractStatus,
    /// When the contract was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the creator accepted it.
    #[serde(default, with = "crate::timestamp::option")]
    pub accepted_at: Option<DateTime<Utc>>,
    /// When work started.
    #[serde(default, with = "crate::timestamp::option")]
    pub started_at: Option<DateTime<Utc>>,
    /// When the latest deliverable was submitted.
    #[serde(default, with = "crate::timestamp::option")]
    pub submitted_at: Option<DateTime<Utc>>,
    /// When the client approved the work.
    #[serde(default, with = "crate::timestamp::option")]
    pub completed_at: Option<DateTime<Utc>>,
    /// When the contract was cancelled.
    #[serde(default, with = "crate::timestamp::option")]
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

impl Contract {
    /// The contract's currency: that of `total_amount`, which every other
    /// money field shares.
    pub fn currency(&self) -> Currency {
        self.total_amount.currency()
    }
}

/// A row of `deliverables`: one submission of work on a contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deliverable {
    /// Primary key.
    pub id: DeliverableId,
    /// The contract delivered on.
    pub contract_id: ContractId,
    /// The submission's number within its contract, from 1 (the plan's
    /// column; not to be confused with [`Deliverable::version`]).
    pub version_number: i32,
    /// Title of the submission.
    pub title: Option<Text<200>>,
    /// Notes from the creator.
    pub description: Option<String>,
    /// The delivered videos (the plan's JSONB "array of video file URLs").
    pub video_urls: Vec<Url>,
    /// Additional files (JSONB array of URLs).
    pub file_urls: Option<Vec<Url>>,
    /// Review status.
    pub status: DeliverableStatus,
    /// The client's feedback.
    pub client_feedback: Option<String>,
    /// What the client asked to change.
    pub revision_notes: Option<String>,
    /// When the submission was made.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the client reviewed it.
    #[serde(default, with = "crate::timestamp::option")]
    pub reviewed_at: Option<DateTime<Utc>>,
    /// When the client approved it.
    #[serde(default, with = "crate::timestamp::option")]
    pub approved_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `milestones`: a separately paid part of a contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    /// Primary key.
    pub id: MilestoneId,
    /// The contract the milestone belongs to.
    pub contract_id: ContractId,
    /// Title of the milestone.
    pub title: Text<200>,
    /// What the milestone covers.
    pub description: Option<String>,
    /// What the milestone pays, in the contract's currency.
    pub amount: Money,
    /// When the milestone is due.
    #[serde(default, with = "crate::timestamp::date::option")]
    pub due_date: Option<NaiveDate>,
    /// Position within the contract (ascending, unique per contract).
    pub sequence_order: i32,
    /// Milestone status.
    pub status: MilestoneStatus,
    /// When the milestone was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When its work was submitted.
    #[serde(default, with = "crate::timestamp::option")]
    pub submitted_at: Option<DateTime<Utc>>,
    /// When the client approved it.
    #[serde(default, with = "crate::timestamp::option")]
    pub approved_at: Option<DateTime<Utc>>,
    /// When it was paid out.
    #[serde(default, with = "crate::timestamp::option")]
    pub paid_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}
