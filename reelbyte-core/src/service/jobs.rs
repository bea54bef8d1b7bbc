//! Jobs and proposals (section 5 of the plan, steps 3–4 of the client
//! workflow and step 5 of the creator workflow).
//!
//! A client drafts a job and publishes it to collect proposals; creators
//! submit one proposal each; the client shortlists or rejects them, and
//! finally closes or cancels the job, which rejects every proposal still
//! awaiting a decision in the same change set. Accepting a proposal creates a
//! contract and lives with the contracts.
//!
//! Drafts and cancelled jobs are their client's alone, and a proposal is
//! visible only to the creator who wrote it and the job's client: anyone else
//! is told [`Error::NotFound`], so ids cannot be probed.
//!
//! `jobs.proposal_count` counts the job's proposals that were not withdrawn
//! (pending, shortlisted, accepted or rejected): submitting adds one,
//! withdrawing takes one away, and decisions leave it alone. It changes only
//! through counter deltas, so concurrent submissions never lose an update.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::entities::{ClientProfile, Job, Proposal, User};
use crate::enums::{BudgetType, ExperienceLevel, JobStatus};
use crate::error::{Error, Result};
use crate::ids::{ClientProfileId, CreatorProfileId, JobId, PortfolioItemId, ProposalId};
use crate::money::Money;
use crate::service::gigs::{
    MAX_DELIVERY_DAYS, MAX_DESCRIPTION_CHARS, MAX_MEDIA_ITEMS, bounded, check_amount_filter,
    check_page, check_price, check_range, labels, long_text, non_empty, present, query_category,
    query_text,
};
use crate::service::notifications::{Notice, NotificationKind};
use crate::service::{Ctx, Marketplace, command};
use crate::state::{JobEvent, JobMachine, ProposalEvent, ProposalMachine, StateMachine};
use crate::store::{ChangeSet, Counter, JobQuery};
use crate::value::{Text, Url};

/// Most required skills on a job (and skill filters in a query).
pub const MAX_REQUIRED_SKILLS: usize = 20;
/// Longest estimated duration of a job, in days.
pub const MAX_ESTIMATED_DURATION_DAYS: i32 = 365;
/// Shortest cover letter, in characters: a proposal has to say something.
pub const MIN_COVER_LETTER_CHARS: usize = 20;
/// Longest cover letter, in characters.
pub const MAX_COVER_LETTER_CHARS: usize = 10_000;

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/// What a client enters to post a job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateJobInput {
    /// Title of the posting.
    pub title: Text<200>,
    /// Full description: not blank, at most
    /// [`MAX_DESCRIPTION_CHARS`](crate::service::MAX_DESCRIPTION_CHARS)
    /// characters.
    pub description: String,
    /// Category, e.g. `"ugc"`.
    pub category: Text<50>,
    /// Kind of video wanted.
    #[serde(default)]
    pub video_type: Option<Text<50>>,
    /// Preferred video length, e.g. `"15-30s"`.
    #[serde(default)]
    pub video_duration_preference: Option<Text<50>>,
    /// Preferred platform.
    #[serde(default)]
    pub platform_preference: Option<Text<50>>,
    /// How the budget is expressed; see [`validate_budget`].
    pub budget_type: BudgetType,
    /// Lower end of the budget (or hourly rate).
    #[serde(default)]
    pub budget_min: Option<Money>,
    /// Upper end of the budget (or hourly rate); the amount of a fixed budget.
    #[serde(default)]
    pub budget_max: Option<Money>,
    /// When the work is needed by: today or later.
    #[serde(default)]
    pub deadline_date: Option<NaiveDate>,
    /// Expected duration, 1 to [`MAX_ESTIMATED_DURATION_DAYS`] days.
    #[serde(default)]
    pub estimated_duration_days: Option<i32>,
    /// Skills asked for: at most [`MAX_REQUIRED_SKILLS`], each 1 to 50
    /// characters; duplicates (ignoring case) are dropped.
    #[serde(default)]
    pub required_skills: Vec<String>,
    /// Experience level asked for.
    #[serde(default)]
    pub experience_level: Option<ExperienceLevel>,
    /// Attached files (at most
    /// [`MAX_MEDIA_ITEMS`](crate::service::MAX_MEDIA_ITEMS)).
    #[serde(default)]
    pub attachments: Vec<Url>,
    /// Publish at once (the job opens to proposals) rather than keep a draft.
    #[serde(default)]
    pub publish: bool,
}

/// Changes to a draft or open job: `None` leaves a field as it is; for a
/// nullable field, `Some(None)` (JSON `null`) clears it. Status and counters
/// are not editable here.
///
/// Changing `budget_type` clears the budget amounts the update does not set,
/// since the old amounts meant something else.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpdateJobInput {
    /// A new title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text<200>>,
    /// A new description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A new category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Text<50>>,
    /// A new video type, or `Some(None)` to clear it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub video_type: Option<Option<Text<50>>>,
    /// A new duration preference, or `Some(None)` to clear it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub video_duration_preference: Option<Option<Text<50>>>,
    /// A new platform preference, or `Some(None)` to clear it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub platform_preference: Option<Option<Text<50>>>,
    /// A new budget type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_type: Option<BudgetType>,
    /// A new budget minimum, or `Some(None)` to clear it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub budget_min: Option<Option<Money>>,
    /// A new budget maximum, or `Some(None)` to clear it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub budget_max: Option<Option<Money>>,
    /// A new deadline (today or later), or `Some(None)` to clear it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub deadline_date: Option<Option<NaiveDate>>,
    /// A new estimated duration, or `Some(None)` to clear it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub estimated_duration_days: Option<Option<i32>>,
    /// New required skills (replacing the old ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_skills: Option<Vec<String>>,
    /// A new experience level, or `Some(None)` to clear it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub experience_level: Option<Option<ExperienceLevel>>,
    /// New attachments (replacing the old ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Url>>,
}

/// What a creator enters to bid on a job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SubmitProposalInput {
    /// The pitch: [`MIN_COVER_LETTER_CHARS`] to [`MAX_COVER_LETTER_CHARS`]
    /// characters.
    pub cover_letter: String,
    /// The price asked: positive, and in the job's currency when the job has
    /// a budget.
    pub proposed_budget: Money,
    /// The time asked, 1 to 365 days.
    pub proposed_timeline_days: i32,
    /// Attached files (at most
    /// [`MAX_MEDIA_ITEMS`](crate::service::MAX_MEDIA_ITEMS)).
    #[serde(default)]
    pub attachments: Vec<Url>,
    /// Samples from the creator's own portfolio (at most
    /// [`MAX_MEDIA_ITEMS`](crate::service::MAX_MEDIA_ITEMS)).
    #[serde(default)]
    pub portfolio_samples: Vec<PortfolioItemId>,
}

// ---------------------------------------------------------------------------
// Pure rules
// ---------------------------------------------------------------------------

/// Checks a job's budget and returns the `(budget_min, budget_max)` to
/// store.
///
/// - [`BudgetType::Fixed`]: one amount, `budget_max`; `budget_min` may be
///   left out (it is stored equal to `budget_max`) or repeat it.
/// - [`BudgetType::Range`]: both ends, `budget_min <= budget_max`.
/// - [`BudgetType::Hourly`]: an hourly rate or a range of rates: at least one
///   end, and `budget_min <= budget_max` when both are given.
///
/// Every amount is positive, fits the plan's `DECIMAL(10, 2)`, and both are
/// in one currency.
pub fn validate_budget(
    kind: BudgetType,
    min: Option<Money>,
    max: Option<Money>,
) -> Result<(Option<Money>, Option<Money>)> {
    if let Some(min) = min {
        check_price("budget_min", min)?;
    }
    if let Some(max) = max {
        check_price("budget_max", max)?;
    }
    if let (Some(min), Some(max)) = (min, max) {
        if min.currency() != max.currency() {
            return Err(Error::validation(
                "budget_max",
                format!("must be in {}, like budget_min", min.currency()),
            ));
        }
        if min.amount() > max.amount() {
            return Err(Error::validation(
                "budget_max",
                format!("must not be less than budget_min {min}"),
            ));
        }
    }
    match kind {
        BudgetType::Fixed => {
            let amount = max
                .ok_or_else(|| Error::validation("budget_max", "a fixed budget needs an amount"))?;
            if min.is_some_and(|min| min != amount) {
                return Err(Error::validation(
                    "budget_min",
                    "a fixed budget has one amount: leave budget_min out or equal to budget_max",
                ));
            }
            Ok((Some(amount), Some(amount)))
        }
        BudgetType::Range => {
            if min.is_none() {
                return Err(Error::validation(
                    "budget_min",
                    "a budget range needs both ends",
                ));
            }
            if max.is_none() {
                return Err(Error::validation(
                    "budget_max",
                    "a budget range needs both ends",
                ));
            }
            Ok((min, max))
        }
        BudgetType::Hourly => {
            if min.is_none() && max.is_none() {
                return Err(Error::validation(
                    "budget_max",
                    "an hourly budget needs a rate",
                ));
            }
            Ok((min, max))
        }
    }
}

/// Refuses a deadline before `today`.
fn check_deadline(deadline: Option<NaiveDate>, today: NaiveDate) -> Result<()> {
    match deadline {
        Some(date) if date < today => Err(Error::validation(
            "deadline_date",
            format!("must not be in the past (today is {today}), got {date}"),
        )),
        _ => Ok(()),
    }
}

/// A cover letter, trimmed, of [`MIN_COVER_LETTER_CHARS`] to
/// [`MAX_COVER_LETTER_CHARS`] characters.
fn cover_letter(text: &str) -> Result<String> {
    let letter = long_text("cover_letter", text, MAX_COVER_LETTER_CHARS)?;
    let chars = letter.chars().count();
    if chars < MIN_COVER_LETTER_CHARS {
        return Err(Error::validation(
            "cover_letter",
            format!("must be at least {MIN_COVER_LETTER_CHARS} characters, got {chars}"),
        ));
    }
    Ok(letter)
}

/// Whether anyone may see a job in `status`; drafts and cancelled jobs are
/// their client's alone.
fn is_public(status: JobStatus) -> bool {
    match status {
        JobStatus::Open | JobStatus::InProgress | JobStatus::Completed | JobStatus::Closed => true,
        JobStatus::Draft | JobStatus::Cancelled => false,
    }
}

/// Whether a job in `status` takes new proposals. The job machine has no
/// event for receiving a proposal, so the rule is stated here.
fn takes_proposals(status: JobStatus) -> bool {
    match status {
        JobStatus::Open => true,
        JobStatus::Draft
        | JobStatus::InProgress
        | JobStatus::Completed
        | JobStatus::Cancelled
        | JobStatus::Closed => false,
    }
}

/// Whether the client may still edit a job in `status`: once it stops
/// taking proposals, creators have bid on what it said.
fn is_editable(status: JobStatus) -> bool {
    match status {
        JobStatus::Draft | JobStatus::Open => true,
        JobStatus::InProgress | JobStatus::Completed | JobStatus::Cancelled | JobStatus::Closed => {
            false
        }
    }
}

/// A job's editable fields, checked and normalised.
#[derive(Debug, Clone, PartialEq)]
struct JobDetails {
    title: Text<200>,
    description: String,
    category: Text<50>,
    video_type: Option<Text<50>>,
    video_duration_preference: Option<Text<50>>,
    platform_preference: Option<Text<50>>,
    budget_type: Option<BudgetType>,
    budget_min: Option<Money>,
    budget_max: Option<Money>,
    deadline_date: Option<NaiveDate>,
    estimated_duration_days: Option<i32>,
    required_skills: Vec<String>,
    experience_level: Option<ExperienceLevel>,
    attachments: Vec<Url>,
}

impl JobDetails {
    fn from_input(input: &CreateJobInput) -> Self {
        Self {
            title: input.title.clone(),
            description: input.description.clone(),
            category: input.category.clone(),
            video_type: input.video_type.clone(),
            video_duration_preference: input.video_duration_preference.clone(),
            platform_preference: input.platform_preference.clone(),
            budget_type: Some(input.budget_type),
            budget_min: input.budget_min,
            budget_max: input.budget_max,
            deadline_date: input.deadline_date,
            estimated_duration_days: input.estimated_duration_days,
            required_skills: input.required_skills.clone(),
            experience_level: input.experience_level,
            attachments: input.attachments.clone(),
        }
    }

    fn of(job: &Job) -> Self {
        Self {
            title: job.title.clone(),
            description: job.description.clone(),
            category: job.category.clone(),
            video_type: job.video_type.clone(),
            video_duration_preference: job.video_duration_preference.clone(),
            platform_preference: job.platform_preference.clone(),
            budget_type: job.budget_type,
            budget_min: job.budget_min,
            budget_max: job.budget_max,
            deadline_date: job.deadline_date,
            estimated_duration_days: job.estimated_duration_days,
            required_skills: job.required_skills.clone().unwrap_or_default(),
            experience_level: job.experience_level,
            attachments: job.attachments.clone().unwrap_or_default(),
        }
    }

    /// Applies the fields `patch` sets.
    fn patch(&mut self, patch: &UpdateJobInput) {
        fn set<T: Clone>(field: &mut T, value: &Option<T>) {
            if let Some(value) = value {
                *field = value.clone();
            }
        }
        if let Some(kind) = patch.budget_type
            && self.budget_type != Some(kind)
        {
            self.budget_type = Some(kind);
            self.budget_min = None;
            self.budget_max = None;
        }
        set(&mut self.title, &patch.title);
        set(&mut self.description, &patch.description);
        set(&mut self.category, &patch.category);
        set(&mut self.video_type, &patch.video_type);
        set(
            &mut self.video_duration_preference,
            &patch.video_duration_preference,
        );
        set(&mut self.platform_preference, &patch.platform_preference);
        set(&mut self.budget_min, &patch.budget_min);
        set(&mut self.budget_max, &patch.budget_max);
        set(&mut self.deadline_date, &patch.deadline_date);
        set(
            &mut self.estimated_duration_days,
            &patch.estimated_duration_days,
        );
        set(&mut self.required_skills, &patch.required_skills);
        set(&mut self.experience_level, &patch.experience_level);
        set(&mut self.attachments, &patch.attachments);
    }

    /// Checks every field but the deadline, which is checked against the
    /// clock only when it is set (an open job's deadline may pass).
    fn validated(mut self) -> Result<Self> {
        self.description = long_text("description", &self.description, MAX_DESCRIPTION_CHARS)?;
        let kind = self
            .budget_type
            .ok_or_else(|| Error::validation("budget_type", "a budget type is required"))?;
        (self.budget_min, self.budget_max) =
            validate_budget(kind, self.budget_min, self.budget_max)?;
        if let Some(days) = self.estimated_duration_days {
            check_range(
                "estimated_duration_days",
                days,
                1,
                MAX_ESTIMATED_DURATION_DAYS,
            )?;
        }
        self.required_skills = labels(
            "required_skills",
            &self.required_skills,
            MAX_REQUIRED_SKILLS,
            false,
        )?;
        self.attachments = bounded("attachments", self.attachments, MAX_MEDIA_ITEMS)?;
        Ok(self)
    }

    fn write_to(&self, job: &mut Job) {
        job.title = self.title.clone();
        job.description = self.description.clone();
        job.category = self.category.clone();
        job.video_type = self.video_type.clone();
        job.video_duration_preference = self.video_duration_preference.clone();
        job.platform_preference = self.platform_preference.clone();
        job.budget_type = self.budget_type;
        job.budget_min = self.budget_min;
        job.budget_max = self.budget_max;
        job.deadline_date = self.deadline_date;
        job.estimated_duration_days = self.estimated_duration_days;
        job.required_skills = non_empty(self.required_skills.clone());
        job.experience_level = self.experience_level;
        job.attachments = non_empty(self.attachments.clone());
    }
}

// ---------------------------------------------------------------------------
// Commands and queries
// ---------------------------------------------------------------------------

impl Marketplace {
    /// Loads the acting user and their client profile; [`Error::Forbidden`]
    /// when they have none (creators cannot act as clients).
    pub(crate) async fn acting_client(&self, ctx: &Ctx) -> Result<(User, ClientProfile)> {
        let user = self.acting_user(ctx).await?;
        let client = self
            .store()
            .clients()
            .get_by_user_id(user.id)
            .await?
            .ok_or_else(|| Error::forbidden("only clients can do this"))?;
        Ok((user, client))
    }

    /// The client profile of whoever `ctx` names, if any, for deciding
    /// whether a private job is theirs.
    async fn viewing_client(&self, ctx: &Ctx) -> Result<Option<ClientProfileId>> {
        let Some(user) = ctx.actor else {
            return Ok(None);
        };
        Ok(self
            .store()
            .clients()
            .get_by_user_id(user)
            .await?
            .map(|c| c.id))
    }

    /// The job `id` with whether `ctx` owns it, if `ctx` may see it; else
    /// [`Error::NotFound`].
    async fn visible_job(&self, ctx: &Ctx, id: JobId) -> Result<(Job, bool)> {
        let job = self
            .store()
            .jobs()
            .get_by_id(id)
            .await?
            .ok_or(Error::not_found("job"))?;
        let own = self.viewing_client(ctx).await? == Some(job.client_profile_id);
        if is_public(job.status) || own {
            Ok((job, own))
        } else {
            Err(Error::not_found("job"))
        }
    }

    /// The acting client's job `id`, in any status; [`Error::NotFound`] for
    /// anyone else's.
    async fn own_job(&self, client: &ClientProfile, id: JobId) -> Result<Job> {
        self.store()
            .jobs()
            .get_by_id(id)
            .await?
            .filter(|j| j.client_profile_id == client.id)
            .ok_or(Error::not_found("job"))
    }

    /// Posts a job for the acting client, as a draft or (with
    /// `input.publish`) open to proposals at once. Publishing counts the job
    /// in the client's `total_jobs_posted`.
    pub async fn create_job(&self, ctx: &Ctx, input: CreateJobInput) -> Result<Job> {
        let details = JobDetails::from_input(&input).validated()?;
        check_deadline(details.deadline_date, self.now().date_naive())?;
        command!(self, async {
            let (_user, mut client) = self.acting_client(ctx).await?;
            let now = self.now();
            let mut job = Job {
                id: JobId::new(),
                client_profile_id: client.id,
                title: details.title.clone(),
                description: String::new(),
                category: details.category.clone(),
                video_type: None,
                video_duration_preference: None,
                platform_preference: None,
                budget_type: None,
                budget_min: None,
                budget_max: None,
                deadline_date: None,
                estimated_duration_days: None,
                required_skills: None,
                experience_level: None,
                attachments: None,
                view_count: 0,
                proposal_count: 0,
                status: JobMachine::INITIAL,
                created_at: now,
                updated_at: now,
                published_at: None,
                closed_at: None,
                version: 1,
            };
            details.write_to(&mut job);
            let mut changes = ChangeSet::new();
            if input.publish {
                job.status = JobMachine::transition(job.status, JobEvent::Publish)?;
                job.published_at = Some(now);
                count_posted_job(&mut client, now)?;
                changes.update(&client);
            }
            changes.insert(job.clone());
            changes.insert(self.audit(
                ctx,
                "job",
                job.id.as_uuid(),
                "create",
                None::<&Job>,
                Some(&job),
            )?);
            Ok((changes, job))
        })
    }

    /// Publishes the acting client's draft job: it opens to proposals and
    /// counts in the client's `total_jobs_posted`. A deadline that has
    /// passed since the draft was written must be moved first.
    pub async fn publish_job(&self, ctx: &Ctx, job: JobId) -> Result<Job> {
        command!(self, async {
            let (_user, mut client) = self.acting_client(ctx).await?;
            let mut job = self.own_job(&client, job).await?;
            let old = job.clone();
            job.status = JobMachine::transition(job.status, JobEvent::Publish)?;
            let now = self.now();
            check_deadline(job.deadline_date, now.date_naive())?;
            job.published_at.get_or_insert(now);
            job.updated_at = now;
            count_posted_job(&mut client, now)?;
            let mut changes = ChangeSet::new();
            changes.update(&job);
            changes.update(&client);
            changes.insert(self.audit_update(
                ctx,
                "job",
                job.id.as_uuid(),
                "publish",
                &old,
                &job,
            )?);
            job.version += 1;
            Ok((changes, job))
        })
    }

    /// Edits the acting client's draft or open job. Only the fields set in
    /// `input` change, with the same checks as [`Marketplace::create_job`];
    /// an edit that changes nothing writes nothing.
    pub async fn update_job(&self, ctx: &Ctx, job: JobId, input: UpdateJobInput) -> Result<Job> {
        if let Some(deadline) = input.deadline_date {
            check_deadline(deadline, self.now().date_naive())?;
        }
        command!(self, async {
            let (_user, client) = self.acting_client(ctx).await?;
            let mut job = self.own_job(&client, job).await?;
            if !is_editable(job.status) {
                return Err(Error::rule(
                    "job_not_editable",
                    format!("a {} job can no longer be edited", job.status),
                ));
            }
            let old = job.clone();
            let mut details = JobDetails::of(&job);
            details.patch(&input);
            details.validated()?.write_to(&mut job);
            if job == old {
                return Ok((ChangeSet::new(), job));
            }
            job.updated_at = self.now();
            let mut changes = ChangeSet::new();
            changes.update(&job);
            changes.insert(self.audit_update(
                ctx,
                "job",
                job.id.as_uuid(),
                "update",
                &old,
                &job,
            )?);
            job.version += 1;
            Ok((changes, job))
        })
    }

    /// Applies `event` (close or cancel) to the acting client's job and
    /// rejects, in the same change set, every proposal still awaiting a
    /// decision (pending or shortlisted: those the proposal machine lets be
    /// rejected).
    async fn end_job(&self, ctx: &Ctx, job: JobId, event: JobEvent, action: &str) -> Result<Job> {
        command!(self, async {
            let (_user, client) = self.acting_client(ctx).await?;
            let mut job = self.own_job(&client, job).await?;
            // The job machine also cancels an in-progress job, but only
            // because its contract was cancelled: the client cancels the
            // contract, not the job.
            if event == JobEvent::Cancel && matches!(job.status, JobStatus::InProgress) {
                return Err(Error::rule(
                    "job_in_progress",
                    "an awarded job follows its contract; cancel the contract instead",
                ));
            }
            let old = job.clone();
            job.status = JobMachine::transition(job.status, event)?;
            let now = self.now();
            job.closed_at.get_or_insert(now);
            job.updated_at = now;
            let mut changes = ChangeSet::new();
            changes.update(&job);
            let mut rejected: Vec<ProposalId> = Vec::new();
            for mut proposal in self.store().jobs().list_proposals_by_job_id(job.id).await? {
                let Ok(status) =
                    ProposalMachine::transition(proposal.status, ProposalEvent::Reject)
                else {
                    continue;
                };
                proposal.status = status;
                proposal.reviewed_at.get_or_insert(now);
                proposal.updated_at = now;
                changes.update(&proposal);
                rejected.push(proposal.id);
            }
            let new = serde_json::json!({ "job": &job, "rejected_proposals": rejected });
            changes.insert(self.audit(
                ctx,
                "job",
                job.id.as_uuid(),
                action,
                Some(&old),
                Some(&new),
            )?);
            job.version += 1;
            Ok((changes, job))
        })
    }

    /// Closes the acting client's open job to new proposals without awarding
    /// it; every pending or shortlisted proposal is rejected.
    pub async fn close_job(&self, ctx: &Ctx, job: JobId) -> Result<Job> {
        self.end_job(ctx, job, JobEvent::Close, "close").await
    }

    /// Cancels the acting client's draft, open or closed job; every pending
    /// or shortlisted proposal is rejected. An awarded job is cancelled
    /// through its contract instead.
    pub async fn cancel_job(&self, ctx: &Ctx, job: JobId) -> Result<Job> {
        self.end_job(ctx, job, JobEvent::Cancel, "cancel").await
    }

    /// The job `id`: open, in-progress, completed and closed jobs are public;
    /// drafts and cancelled jobs are their client's alone
    /// ([`Error::NotFound`] for anyone else). `ctx` may be anonymous.
    pub async fn get_job(&self, ctx: &Ctx, id: JobId) -> Result<Job> {
        Ok(self.visible_job(ctx, id).await?.0)
    }

    /// The acting client's jobs, newest first.
    pub async fn list_my_jobs(&self, ctx: &Ctx) -> Result<Vec<Job>> {
        let (_user, client) = self.acting_client(ctx).await?;
        self.store()
            .jobs()
            .list_by_client_profile_id(client.id)
            .await
    }

    /// Open jobs matching `query` (see [`JobQuery`]), after checking the
    /// page, the budget range and the other filters.
    pub async fn browse_jobs(&self, query: &JobQuery) -> Result<Vec<Job>> {
        check_page(&query.page)?;
        check_amount_filter(
            "min_budget",
            query.min_budget,
            "max_budget",
            query.max_budget,
        )?;
        let query = JobQuery {
            text: query_text(query.text.as_deref())?,
            category: query_category(query.category.as_deref())?,
            skills: labels("skills", &query.skills, MAX_REQUIRED_SKILLS, false)?,
            ..query.clone()
        };
        let hits = self.store().jobs().search(&query).await?;
        if !hits.is_empty() {
            return Ok(hits);
        }
        // As for gigs: misspelt words corrected, then once more.
        match self.corrected_text(query.text.as_deref()).await? {
            Some(text) => {
                let query = JobQuery {
                    text: Some(text),
                    ..query
                };
                self.store().jobs().search(&query).await
            }
            None => Ok(hits),
        }
    }

    /// Records that whoever `ctx` names (possibly nobody) viewed a job they
    /// may see: `view_count + 1`.
    ///
    /// A view is analytics, not a change of the job's state: it bumps no
    /// version (so it never conflicts with an edit or a proposal) and writes
    /// no audit entry. A client looking at their own job is not counted.
    pub async fn record_job_view(&self, ctx: &Ctx, job: JobId) -> Result<()> {
        let (job, own) = self.visible_job(ctx, job).await?;
        if own {
            return Ok(());
        }
        let mut changes = ChangeSet::new();
        changes.count(Counter::JobViews(job.id), 1);
        self.commit(changes).await
    }

    /// Submits the acting creator's proposal for an open job.
    ///
    /// Refused when the job is not visible to the creator
    /// ([`Error::NotFound`]), is their own ([`Error::Forbidden`]), does not
    /// take proposals (rule `job_not_open`), or already has a proposal from
    /// them ([`Error::AlreadyExists`], withdrawn ones included: the plan
    /// allows one proposal per creator per job).
    ///
    /// The job's version is bumped with the proposal (its content is left as
    /// it is). A mere check of the version would let a proposal slip in
    /// between a concurrent `close_job`'s read of the proposals and its
    /// commit, leaving a pending proposal on a closed job; bumping it makes
    /// that close conflict and start again, seeing the new proposal. The
    /// price is that proposals for one job are applied one at a time.
    pub async fn submit_proposal(
        &self,
        ctx: &Ctx,
        job: JobId,
        input: SubmitProposalInput,
    ) -> Result<Proposal> {
        let letter = cover_letter(&input.cover_letter)?;
        check_price("proposed_budget", input.proposed_budget)?;
        check_range(
            "proposed_timeline_days",
            input.proposed_timeline_days,
            1,
            MAX_DELIVERY_DAYS,
        )?;
        let attachments = bounded("attachments", input.attachments.clone(), MAX_MEDIA_ITEMS)?;
        let mut samples: Vec<PortfolioItemId> = Vec::new();
        for sample in &input.portfolio_samples {
            if !samples.contains(sample) {
                samples.push(*sample);
            }
        }
        let samples = bounded("portfolio_samples", samples, MAX_MEDIA_ITEMS)?;
        command!(self, async {
            let (_user, creator) = self.acting_creator(ctx).await?;
            let (job, own) = self.visible_job(ctx, job).await?;
            if own {
                return Err(Error::forbidden("you cannot propose on your own job"));
            }
            if !takes_proposals(job.status) {
                return Err(Error::rule(
                    "job_not_open",
                    format!("the job is {} and takes no proposals", job.status),
                ));
            }
            if let Some(budget) = job.budget_max.or(job.budget_min)
                && budget.currency() != input.proposed_budget.currency()
            {
                return Err(Error::validation(
                    "proposed_budget",
                    format!("must be in {}, the job's currency", budget.currency()),
                ));
            }
            self.check_portfolio_samples(creator.id, &samples).await?;
            let mine = self
                .store()
                .jobs()
                .list_proposals_by_creator_profile_id(creator.id)
                .await?;
            if mine.iter().any(|p| p.job_id == job.id) {
                return Err(Error::AlreadyExists {
                    entity: "proposal",
                    key: "job_id, creator_profile_id".into(),
                });
            }
            let now = self.now();
            let proposal = Proposal {
                id: ProposalId::new(),
                job_id: job.id,
                creator_profile_id: creator.id,
                cover_letter: letter.clone(),
                proposed_budget: input.proposed_budget,
                proposed_timeline_days: input.proposed_timeline_days,
                attachments: non_empty(attachments.clone()),
                portfolio_samples: non_empty(samples.clone()),
                status: ProposalMachine::INITIAL,
                created_at: now,
                updated_at: now,
                reviewed_at: None,
                accepted_at: None,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.insert(proposal.clone());
            changes.update(&job);
            changes.count(Counter::JobProposals(job.id), 1);
            changes.insert(self.audit(
                ctx,
                "proposal",
                proposal.id.as_uuid(),
                "submit",
                None::<&Proposal>,
                Some(&proposal),
            )?);
            let recipient = self.user_of_job_client(proposal.job_id).await?;
            self.plan_notice(
                ctx,
                &mut changes,
                Notice::new(
                    recipient,
                    NotificationKind::NewProposal,
                    "New proposal",
                    job.title.as_str(),
                )
                .about("proposal", proposal.id.as_uuid()),
            )
            .await?;
            Ok((changes, proposal))
        })
    }

    /// Refuses samples that are not items of `creator`'s portfolio.
    async fn check_portfolio_samples(
        &self,
        creator: CreatorProfileId,
        samples: &[PortfolioItemId],
    ) -> Result<()> {
        for sample in samples {
            let item = self
                .store()
                .creators()
                .get_portfolio_item_by_id(*sample)
                .await?;
            let owned = item.is_some_and(|item| item.creator_profile_id == creator);
            if !owned {
                return Err(Error::validation(
                    "portfolio_samples",
                    format!("{sample} is not one of your portfolio items"),
                ));
            }
        }
        Ok(())
    }

    /// Withdraws the acting creator's pending or shortlisted proposal; the
    /// job's `proposal_count` drops by one, as it counts proposals that were
    /// not withdrawn.
    pub async fn withdraw_proposal(&self, ctx: &Ctx, proposal: ProposalId) -> Result<Proposal> {
        command!(self, async {
            let (_user, creator) = self.acting_creator(ctx).await?;
            let mut proposal = self
                .store()
                .jobs()
                .get_proposal_by_id(proposal)
                .await?
                .filter(|p| p.creator_profile_id == creator.id)
                .ok_or(Error::not_found("proposal"))?;
            let old = proposal.clone();
            proposal.status =
                ProposalMachine::transition(proposal.status, ProposalEvent::Withdraw)?;
            proposal.updated_at = self.now();
            let mut changes = ChangeSet::new();
            changes.update(&proposal);
            changes.count(Counter::JobProposals(proposal.job_id), -1);
            changes.insert(self.audit_update(
                ctx,
                "proposal",
                proposal.id.as_uuid(),
                "withdraw",
                &old,
                &proposal,
            )?);
            proposal.version += 1;
            let recipient = self.user_of_job_client(proposal.job_id).await?;
            self.plan_notice(
                ctx,
                &mut changes,
                Notice::new(
                    recipient,
                    NotificationKind::ProposalStatus,
                    "Proposal withdrawn",
                    "A creator withdrew a proposal",
                )
                .about("proposal", proposal.id.as_uuid()),
            )
            .await?;
            Ok((changes, proposal))
        })
    }

    /// The proposal `id` with its job, if the acting client owns the job;
    /// [`Error::NotFound`] otherwise.
    async fn proposal_for_client(
        &self,
        client: &ClientProfile,
        id: ProposalId,
    ) -> Result<(Proposal, Job)> {
        let proposal = self
            .store()
            .jobs()
            .get_proposal_by_id(id)
            .await?
            .ok_or(Error::not_found("proposal"))?;
        let job = self
            .store()
            .jobs()
            .get_by_id(proposal.job_id)
            .await?
            .filter(|j| j.client_profile_id == client.id)
            .ok_or(Error::not_found("proposal"))?;
        Ok((proposal, job))
    }

    /// Applies the client's decision `event` to a proposal on their job.
    async fn review_proposal(
        &self,
        ctx: &Ctx,
        id: ProposalId,
        event: ProposalEvent,
        action: &str,
    ) -> Result<Proposal> {
        command!(self, async {
            let (_user, client) = self.acting_client(ctx).await?;
            let (mut proposal, _job) = self.proposal_for_client(&client, id).await?;
            let old = proposal.clone();
            proposal.status = ProposalMachine::transition(proposal.status, event)?;
            let now = self.now();
            proposal.reviewed_at.get_or_insert(now);
            proposal.updated_at = now;
            let mut changes = ChangeSet::new();
            changes.update(&proposal);
            changes.insert(self.audit_update(
                ctx,
                "proposal",
                proposal.id.as_uuid(),
                action,
                &old,
                &proposal,
            )?);
            proposal.version += 1;
            let recipient = self
                .user_of_creator_profile(proposal.creator_profile_id)
                .await?;
            self.plan_notice(
                ctx,
                &mut changes,
                Notice::new(
                    recipient,
                    NotificationKind::ProposalStatus,
                    format!("Proposal {}", proposal.status),
                    "A client updated your proposal",
                )
                .about("proposal", proposal.id.as_uuid()),
            )
            .await?;
            Ok((changes, proposal))
        })
    }

    /// Shortlists a pending proposal on the acting client's job.
    pub async fn shortlist_proposal(&self, ctx: &Ctx, proposal: ProposalId) -> Result<Proposal> {
        self.review_proposal(ctx, proposal, ProposalEvent::Shortlist, "shortlist")
            .await
    }

    /// Rejects a pending or shortlisted proposal on the acting client's job.
    /// It still counts in the job's `proposal_count`.
    pub async fn reject_proposal(&self, ctx: &Ctx, proposal: ProposalId) -> Result<Proposal> {
        self.review_proposal(ctx, proposal, ProposalEvent::Reject, "reject")
            .await
    }

    /// The proposals on the acting client's job, oldest first.
    pub async fn list_job_proposals(&self, ctx: &Ctx, job: JobId) -> Result<Vec<Proposal>> {
        let (_user, client) = self.acting_client(ctx).await?;
        let job = self.own_job(&client, job).await?;
        self.store().jobs().list_proposals_by_job_id(job.id).await
    }

    /// The acting creator's proposals, newest first.
    pub async fn list_my_proposals(&self, ctx: &Ctx) -> Result<Vec<Proposal>> {
        let (_user, creator) = self.acting_creator(ctx).await?;
        self.store()
            .jobs()
            .list_proposals_by_creator_profile_id(creator.id)
            .await
    }

    /// The proposal `id`, for the creator who wrote it or the client who
    /// owns its job; [`Error::NotFound`] for anyone else.
    pub async fn get_proposal(&self, ctx: &Ctx, id: ProposalId) -> Result<Proposal> {
        let user = self.acting_user(ctx).await?;
        let proposal = self
            .store()
            .jobs()
            .get_proposal_by_id(id)
            .await?
            .ok_or(Error::not_found("proposal"))?;
        let creator = self.store().creators().get_by_user_id(user.id).await?;
        if creator.is_some_and(|c| c.id == proposal.creator_profile_id) {
            return Ok(proposal);
        }
        if let Some(client) = self.store().clients().get_by_user_id(user.id).await? {
            let job = self.store().jobs().get_by_id(proposal.job_id).await?;
            if job.is_some_and(|j| j.client_profile_id == client.id) {
                return Ok(proposal);
            }
        }
        Err(Error::not_found("proposal"))
    }
}

/// Counts a newly published job in its client's `total_jobs_posted`.
fn count_posted_job(client: &mut ClientProfile, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
    client.total_jobs_posted = client
        .total_jobs_posted
        .checked_add(1)
        .ok_or_else(|| Error::validation("total_jobs_posted", "overflow"))?;
    client.updated_at = now;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn usd(amount: &str) -> Money {
        Money::usd(amount).expect("valid amount")
    }

    fn field_of<T: std::fmt::Debug>(result: Result<T>) -> &'static str {
        match result {
            Err(Error::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_fixed_budget_is_one_amount() {
        assert_eq!(
            validate_budget(BudgetType::Fixed, None, Some(usd("500"))).expect("valid"),
            (Some(usd("500")), Some(usd("500")))
        );
        assert_eq!(
            validate_budget(BudgetType::Fixed, Some(usd("500")), Some(usd("500"))).expect("valid"),
            (Some(usd("500")), Some(usd("500")))
        );
        assert_eq!(
            field_of(validate_budget(BudgetType::Fixed, None, None)),
            "budget_max"
        );
        assert_eq!(
            field_of(validate_budget(BudgetType::Fixed, Some(usd("500")), None)),
            "budget_max"
        );
        assert_eq!(
            field_of(validate_budget(
                BudgetType::Fixed,
                Some(usd("400")),
                Some(usd("500"))
            )),
            "budget_min"
        );
    }

    #[test]
    fn a_range_needs_both_ends_in_order() {
        assert_eq!(
            validate_budget(BudgetType::Range, Some(usd("100")), Some(usd("200"))).expect("valid"),
            (Some(usd("100")), Some(usd("200")))
        );
        assert!(validate_budget(BudgetType::Range, Some(usd("100")), Some(usd("100"))).is_ok());
        assert_eq!(
            field_of(validate_budget(BudgetType::Range, None, Some(usd("200")))),
            "budget_min"
        );
        assert_eq!(
            field_of(validate_budget(BudgetType::Range, Some(usd("100")), None)),
            "budget_max"
        );
        assert_eq!(
            field_of(validate_budget(
                BudgetType::Range,
                Some(usd("300")),
                Some(usd("200"))
            )),
            "budget_max"
        );
    }

    #[test]
    fn an_hourly_budget_needs_a_rate() {
        assert!(validate_budget(BudgetType::Hourly, Some(usd("40")), None).is_ok());
        assert!(validate_budget(BudgetType::Hourly, None, Some(usd("60"))).is_ok());
        assert!(validate_budget(BudgetType::Hourly, Some(usd("40")), Some(usd("60"))).is_ok());
        assert_eq!(
            field_of(validate_budget(BudgetType::Hourly, None, None)),
            "budget_max"
        );
        assert_eq!(
            field_of(validate_budget(
                BudgetType::Hourly,
                Some(usd("60")),
                Some(usd("40"))
            )),
            "budget_max"
        );
    }

    #[test]
    fn budget_amounts_are_positive_bounded_and_in_one_currency() {
        for kind in BudgetType::ALL.iter().copied() {
            assert_eq!(
                field_of(validate_budget(kind, None, Some(usd("0")))),
                "budget_max"
            );
            assert_eq!(
                field_of(validate_budget(kind, None, Some(usd("-1")))),
                "budget_max"
            );
            assert_eq!(
                field_of(validate_budget(kind, None, Some(usd("100000000")))),
                "budget_max"
            );
            assert_eq!(
                field_of(validate_budget(kind, Some(usd("0")), Some(usd("5")))),
                "budget_min"
            );
            let eur = Money::parse("5", Currency::EUR).expect("valid");
            assert_eq!(
                field_of(validate_budget(kind, Some(usd("5")), Some(eur))),
                "budget_max"
            );
        }
        assert!(validate_budget(BudgetType::Fixed, None, Some(usd("99999999.99"))).is_ok());
    }

    #[test]
    fn deadlines_may_not_be_in_the_past() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).expect("valid date");
        assert!(check_deadline(None, today).is_ok());
        assert!(check_deadline(Some(today), today).is_ok());
        assert!(check_deadline(today.succ_opt(), today).is_ok());
        assert_eq!(
            field_of(check_deadline(today.pred_opt(), today)),
            "deadline_date"
        );
    }

    #[test]
    fn cover_letters_are_bounded() {
        assert!(cover_letter(&"a".repeat(20)).is_ok());
        assert_eq!(field_of(cover_letter(&"a".repeat(19))), "cover_letter");
        assert_eq!(
            field_of(cover_letter(&format!("  {}  ", "a".repeat(19)))),
            "cover_letter"
        );
        assert!(cover_letter(&"a".repeat(10_000)).is_ok());
        assert_eq!(field_of(cover_letter(&"a".repeat(10_001))), "cover_letter");
    }

    #[test]
    fn only_open_jobs_take_proposals_and_drafts_are_private() {
        for status in JobStatus::ALL.iter().copied() {
            assert_eq!(
                takes_proposals(status),
                status == JobStatus::Open,
                "{status}"
            );
            assert_eq!(
                is_public(status),
                !matches!(status, JobStatus::Draft | JobStatus::Cancelled),
                "{status}"
            );
        }
    }
}
