//! Conformance behaviours: jobs and proposals.
//!
//! Posting, publishing, editing, closing and cancelling jobs; submitting,
//! withdrawing, shortlisting and rejecting proposals; who may see what; the
//! exactness of `proposal_count`; and the races between proposals and
//! between a proposal and the job closing.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};

use crate::entities::{Job, PortfolioItem, Proposal};
use crate::enums::{BudgetType, ExperienceLevel, JobStatus, ProposalStatus, UserType};
use crate::error::Error;
use crate::ids::{JobId, PortfolioItemId, ProposalId};
use crate::money::{Currency, Money};
use crate::service::{CreateJobInput, Ctx, SubmitProposalInput, UpdateJobInput};
use crate::state::{JobEvent, JobMachine, StateMachine};
use crate::store::{ChangeSet, JobQuery, Page};
use crate::testing::gigs::{
    assert_forbidden, assert_invalid, assert_invalid_transition, assert_not_found, assert_rule,
    audit_count, usd,
};
use crate::testing::{Seeded, StoreFactory, TestEnv};
use crate::value::{Text, Url};

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_jobs {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, jobs;
            create_job_as_a_draft_then_publish,
            only_clients_manage_jobs,
            create_job_refuses_bad_input,
            draft_jobs_are_private_to_their_client,
            refused_job_transitions_change_nothing,
            update_job_edits_drafts_and_open_jobs,
            submit_proposal_counts_and_audits,
            submit_proposal_refusals_change_nothing,
            proposal_count_is_exact_after_submissions_and_withdrawals,
            proposal_decisions_follow_the_machine,
            proposals_are_private_to_their_parties,
            closing_a_job_rejects_pending_and_shortlisted_proposals,
            cancelling_a_job_rejects_open_proposals,
            browse_jobs_lists_open_jobs_and_checks_the_query,
            job_views_are_counted_without_a_version_or_audit,
            concurrent_proposals_are_all_counted,
            closing_a_job_races_with_proposals,
            open_jobs_are_swept_in_id_order,
        );
    };
}

// ---------------------------------------------------------------------------
// Fixtures and assertions
// ---------------------------------------------------------------------------

/// A valid job titled `title` with a fixed budget of 500 USD and a deadline
/// 30 days after the test epoch, published at once when `publish` is set.
pub fn job_input(title: &str, publish: bool) -> CreateJobInput {
    CreateJobInput {
        title: Text::parse(title).expect("a valid title"),
        description: "Three 30-second vertical videos showing our blender in a real kitchen."
            .into(),
        category: Text::parse("ugc").expect("valid"),
        video_type: Some(Text::parse("Reel").expect("valid")),
        video_duration_preference: Some(Text::parse("15-30s").expect("valid")),
        platform_preference: Some(Text::parse("Instagram").expect("valid")),
        budget_type: BudgetType::Fixed,
        budget_min: None,
        budget_max: Some(usd("500")),
        deadline_date: Some(today() + Duration::days(30)),
        estimated_duration_days: Some(14),
        required_skills: vec!["Editing".into(), "Voice-over".into()],
        experience_level: Some(ExperienceLevel::Intermediate),
        attachments: vec![Url::parse("https://cdn.example.com/brief.pdf").expect("valid")],
        publish,
    }
}

/// A valid proposal asking `budget` USD over 10 days.
pub fn proposal_input(budget: &str) -> SubmitProposalInput {
    SubmitProposalInput {
        cover_letter: "I have shot forty kitchen-appliance reels; samples attached.".into(),
        proposed_budget: usd(budget),
        proposed_timeline_days: 10,
        attachments: Vec::new(),
        portfolio_samples: Vec::new(),
    }
}

/// The test epoch's date.
fn today() -> NaiveDate {
    crate::testing::epoch().date_naive()
}

/// Creates an open job titled `title` for `client`.
pub async fn open_job(env: &TestEnv, client: &Seeded, title: &str) -> Job {
    env.market
        .create_job(&client.ctx, job_input(title, true))
        .await
        .expect("post a job")
}

/// Posts a draft job and a job that was published and then closed, for
/// `client`: two jobs that lists of open jobs leave out.
pub async fn draft_and_closed_jobs(env: &TestEnv, client: &Seeded) {
    env.market
        .create_job(&client.ctx, job_input("Draft Job", false))
        .await
        .expect("draft");
    let closed = open_job(env, client, "Closed Job").await;
    env.market
        .close_job(&client.ctx, closed.id)
        .await
        .expect("close");
}

/// Submits `creator`'s proposal of 450 USD on `job`.
pub async fn propose(env: &TestEnv, creator: &Seeded, job: JobId) -> Proposal {
    env.market
        .submit_proposal(&creator.ctx, job, proposal_input("450"))
        .await
        .expect("submit a proposal")
}

/// The job as stored.
async fn stored_job(env: &TestEnv, id: JobId) -> Job {
    env.store
        .jobs()
        .get_by_id(id)
        .await
        .expect("read the job")
        .expect("the job exists")
}

/// The proposal as stored.
async fn stored_proposal(env: &TestEnv, id: ProposalId) -> Proposal {
    env.store
        .jobs()
        .get_proposal_by_id(id)
        .await
        .expect("read the proposal")
        .expect("the proposal exists")
}

/// The client profile's `total_jobs_posted`.
async fn jobs_posted(env: &TestEnv, client: &Seeded) -> i32 {
    env.store
        .clients()
        .get_by_id(client.client_id())
        .await
        .expect("read the client")
        .expect("the client exists")
        .total_jobs_posted
}

/// Asserts that the job's `proposal_count` is its number of proposals that
/// were not withdrawn, and returns it.
async fn assert_proposal_count(env: &TestEnv, job: JobId) -> i32 {
    let stored = stored_job(env, job).await;
    let proposals = env
        .store
        .jobs()
        .list_proposals_by_job_id(job)
        .await
        .expect("list");
    let live = proposals
        .iter()
        .filter(|p| p.status != ProposalStatus::Withdrawn)
        .count();
    assert_eq!(
        usize::try_from(stored.proposal_count).expect("non-negative"),
        live,
        "proposal_count counts the proposals that were not withdrawn"
    );
    stored.proposal_count
}

/// Forces a row into a state the commands under test cannot reach (an
/// awarded job, an accepted proposal), as the contract commands would.
async fn force<E: crate::store::Entity>(env: &TestEnv, row: &E) {
    let mut changes = ChangeSet::new();
    changes.update(row);
    env.store.apply(changes).await.expect("force a state");
}

/// Seeds a portfolio item of `creator`.
async fn seed_portfolio_item(env: &TestEnv, creator: &Seeded) -> PortfolioItemId {
    let now = env.now();
    let item = PortfolioItem {
        id: PortfolioItemId::new(),
        creator_profile_id: creator.creator_id(),
        title: Text::parse("Blender launch").expect("valid"),
        description: None,
        video_url: Url::parse("https://cdn.example.com/portfolio.mp4").expect("valid"),
        thumbnail_url: None,
        video_duration_seconds: Some(30),
        view_count: 0,
        like_count: 0,
        project_type: None,
        platform: None,
        display_order: 0,
        is_featured: false,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let id = item.id;
    let mut changes = ChangeSet::new();
    changes.insert(item);
    env.store
        .apply(changes)
        .await
        .expect("seed a portfolio item");
    id
}

/// Applies `event` to a job through the matching command.
async fn apply_event(env: &TestEnv, ctx: &Ctx, job: JobId, event: JobEvent) -> crate::Result<Job> {
    match event {
        JobEvent::Publish => env.market.publish_job(ctx, job).await,
        JobEvent::Close => env.market.close_job(ctx, job).await,
        JobEvent::Cancel => env.market.cancel_job(ctx, job).await,
        // Awarding and completing belong to the contract commands.
        JobEvent::Award | JobEvent::Complete => unreachable!("not a job command"),
    }
}

// ---------------------------------------------------------------------------
// Behaviours
// ---------------------------------------------------------------------------

/// A job is posted as a draft (not counted as posted) or published at once;
/// publishing opens it, stamps `published_at` and counts it in the client's
/// `total_jobs_posted`; each command writes one audit entry.
pub async fn create_job_as_a_draft_then_publish(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let draft = env
        .market
        .create_job(&client.ctx, job_input("Blender Reels", false))
        .await
        .expect("draft");
    assert_eq!(draft.status, JobStatus::Draft);
    assert_eq!(draft.client_profile_id, client.client_id());
    assert_eq!(draft.published_at, None);
    assert_eq!(
        (draft.budget_min, draft.budget_max),
        (Some(usd("500")), Some(usd("500")))
    );
    assert_eq!(
        draft.required_skills,
        Some(vec!["Editing".into(), "Voice-over".into()])
    );
    assert_eq!(
        (draft.view_count, draft.proposal_count, draft.version),
        (0, 0, 1)
    );
    assert_eq!(stored_job(&env, draft.id).await, draft);
    assert_eq!(jobs_posted(&env, &client).await, 0);
    assert_eq!(audit_count(&env, "job", draft.id.as_uuid()).await, 1);

    env.clock.advance(Duration::hours(2));
    let open = env
        .market
        .publish_job(&client.ctx, draft.id)
        .await
        .expect("publish");
    assert_eq!(open.status, JobStatus::Open);
    assert_eq!(open.published_at, Some(env.now()));
    assert_eq!(open.version, 2);
    assert_eq!(stored_job(&env, draft.id).await, open);
    assert_eq!(jobs_posted(&env, &client).await, 1);
    assert_eq!(audit_count(&env, "job", draft.id.as_uuid()).await, 2);

    let direct = open_job(&env, &client, "Straight To Open").await;
    assert_eq!(direct.status, JobStatus::Open);
    assert_eq!(direct.published_at, Some(env.now()));
    assert_eq!(jobs_posted(&env, &client).await, 2);
    assert_eq!(audit_count(&env, "job", direct.id.as_uuid()).await, 1);

    let mine: BTreeSet<JobId> = env
        .market
        .list_my_jobs(&client.ctx)
        .await
        .expect("list")
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(mine, BTreeSet::from([draft.id, direct.id]));
    env.check_invariants().await;
}

/// Creators cannot post or manage jobs (forbidden); anonymous callers are
/// unauthenticated.
pub async fn only_clients_manage_jobs(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let client = env.client().await;
    assert_forbidden(
        &env.refused(env.market.create_job(&creator.ctx, job_input("No", true)))
            .await,
    );
    assert_forbidden(&env.refused(env.market.list_my_jobs(&creator.ctx)).await);
    let err = env
        .refused(
            env.market
                .create_job(&Ctx::anonymous(), job_input("No", true)),
        )
        .await;
    assert!(matches!(err, Error::Unauthenticated), "{err:?}");

    let job = open_job(&env, &client, "Mine").await;
    assert_forbidden(
        &env.refused(env.market.close_job(&creator.ctx, job.id))
            .await,
    );
    assert_forbidden(
        &env.refused(env.market.list_job_proposals(&creator.ctx, job.id))
            .await,
    );
    assert_forbidden(&env.refused(env.market.list_my_proposals(&client.ctx)).await);
}

/// Every validated field of a job refuses bad input with a validation error
/// naming it, and nothing is written.
pub async fn create_job_refuses_bad_input(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    type Edit = Box<dyn Fn(&mut CreateJobInput)>;
    let cases: Vec<(&str, Edit)> = vec![
        ("description", Box::new(|i| i.description = " \n ".into())),
        (
            "description",
            Box::new(|i| i.description = "d".repeat(20_001)),
        ),
        ("budget_max", Box::new(|i| i.budget_max = None)),
        ("budget_min", Box::new(|i| i.budget_min = Some(usd("400")))),
        ("budget_max", Box::new(|i| i.budget_max = Some(usd("0")))),
        ("budget_max", Box::new(|i| i.budget_max = Some(usd("-5")))),
        (
            "budget_max",
            Box::new(|i| i.budget_max = Some(usd("100000000"))),
        ),
        (
            "budget_min",
            Box::new(|i| {
                i.budget_type = BudgetType::Range;
                i.budget_min = None;
            }),
        ),
        (
            "budget_max",
            Box::new(|i| {
                i.budget_type = BudgetType::Range;
                i.budget_min = Some(usd("600"));
            }),
        ),
        (
            "budget_max",
            Box::new(|i| {
                i.budget_type = BudgetType::Range;
                i.budget_min = Some(usd("100"));
                i.budget_max = Some(Money::parse("500", Currency::EUR).expect("valid"));
            }),
        ),
        (
            "budget_max",
            Box::new(|i| {
                i.budget_type = BudgetType::Hourly;
                i.budget_max = None;
            }),
        ),
        (
            "deadline_date",
            Box::new(|i| i.deadline_date = Some(today() - Duration::days(1))),
        ),
        (
            "estimated_duration_days",
            Box::new(|i| i.estimated_duration_days = Some(0)),
        ),
        (
            "estimated_duration_days",
            Box::new(|i| i.estimated_duration_days = Some(366)),
        ),
        (
            "required_skills",
            Box::new(|i| i.required_skills = (0..21).map(|n| format!("skill {n}")).collect()),
        ),
        (
            "required_skills",
            Box::new(|i| i.required_skills = vec!["s".repeat(51)]),
        ),
        (
            "attachments",
            Box::new(|i| {
                i.attachments = (0..21)
                    .map(|n| {
                        Url::parse(&format!("https://cdn.example.com/{n}.pdf")).expect("valid")
                    })
                    .collect()
            }),
        ),
    ];
    for (field, edit) in cases {
        for publish in [false, true] {
            let mut input = job_input("Bad Input", publish);
            edit(&mut input);
            let err = env.refused(env.market.create_job(&client.ctx, input)).await;
            assert_invalid(&err, field);
        }
    }

    // A deadline of today is fine; hourly and range budgets are kept as given.
    let mut input = job_input("Hourly", true);
    input.deadline_date = Some(today());
    input.budget_type = BudgetType::Hourly;
    input.budget_min = Some(usd("40"));
    input.budget_max = Some(usd("60"));
    let job = env
        .market
        .create_job(&client.ctx, input)
        .await
        .expect("hourly job");
    assert_eq!(
        (job.budget_min, job.budget_max),
        (Some(usd("40")), Some(usd("60")))
    );

    let mut json = serde_json::to_value(job_input("Fine", true)).expect("serialize");
    json["budget_type"] = "barter".into();
    assert!(serde_json::from_value::<CreateJobInput>(json).is_err());
}

/// A draft (and a cancelled job) is its client's alone: others get not
/// found for reads and commands, and creators cannot propose on it.
pub async fn draft_jobs_are_private_to_their_client(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let owner = env.client().await;
    let other = env.client().await;
    let creator = env.creator().await;
    let anonymous = Ctx::anonymous();
    let draft = env
        .market
        .create_job(&owner.ctx, job_input("Secret", false))
        .await
        .expect("draft");

    for viewer in [&other.ctx, &creator.ctx, &anonymous] {
        assert_not_found(&env.refused(env.market.get_job(viewer, draft.id)).await);
        assert_not_found(
            &env.refused(env.market.record_job_view(viewer, draft.id))
                .await,
        );
    }
    let err = env
        .refused(
            env.market
                .submit_proposal(&creator.ctx, draft.id, proposal_input("450")),
        )
        .await;
    assert_not_found(&err);
    assert_not_found(
        &env.refused(env.market.publish_job(&other.ctx, draft.id))
            .await,
    );
    assert_not_found(
        &env.refused(env.market.cancel_job(&other.ctx, draft.id))
            .await,
    );
    assert_not_found(
        &env.refused(env.market.list_job_proposals(&other.ctx, draft.id))
            .await,
    );
    let edit = UpdateJobInput {
        title: Some(Text::parse("Hijacked").expect("valid")),
        ..UpdateJobInput::default()
    };
    assert_not_found(
        &env.refused(env.market.update_job(&other.ctx, draft.id, edit))
            .await,
    );
    assert_not_found(
        &env.refused(env.market.get_job(&owner.ctx, JobId::new()))
            .await,
    );
    assert_eq!(
        env.market
            .get_job(&owner.ctx, draft.id)
            .await
            .expect("own draft")
            .id,
        draft.id
    );

    env.market
        .publish_job(&owner.ctx, draft.id)
        .await
        .expect("publish");
    for viewer in [&other.ctx, &creator.ctx, &anonymous] {
        assert_eq!(
            env.market
                .get_job(viewer, draft.id)
                .await
                .expect("public")
                .id,
            draft.id
        );
    }
    assert_not_found(
        &env.refused(env.market.close_job(&other.ctx, draft.id))
            .await,
    );

    env.market
        .cancel_job(&owner.ctx, draft.id)
        .await
        .expect("cancel");
    assert_not_found(
        &env.refused(env.market.get_job(&creator.ctx, draft.id))
            .await,
    );
    assert_eq!(
        env.market
            .get_job(&owner.ctx, draft.id)
            .await
            .expect("own")
            .status,
        JobStatus::Cancelled
    );
}

/// Every (status, event) pair the job machine refuses is refused by the job
/// commands as an invalid transition that changes nothing; an awarded job
/// cannot be cancelled by its client; a draft whose deadline passed cannot
/// be published.
pub async fn refused_job_transitions_change_nothing(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let ctx = &client.ctx;
    let commands = [JobEvent::Publish, JobEvent::Close, JobEvent::Cancel];
    for status in [
        JobStatus::Draft,
        JobStatus::Open,
        JobStatus::Closed,
        JobStatus::Cancelled,
    ] {
        let job = env
            .market
            .create_job(ctx, job_input("Machine", false))
            .await
            .expect("draft");
        match status {
            JobStatus::Open => {
                env.market.publish_job(ctx, job.id).await.expect("publish");
            }
            JobStatus::Closed => {
                env.market.publish_job(ctx, job.id).await.expect("publish");
                env.market.close_job(ctx, job.id).await.expect("close");
            }
            JobStatus::Cancelled => {
                env.market.cancel_job(ctx, job.id).await.expect("cancel");
            }
            _ => {}
        }
        assert_eq!(stored_job(&env, job.id).await.status, status);
        for event in commands {
            if JobMachine::can(status, event) {
                continue;
            }
            // close a draft, publish an open job, close a closed one, ...
            assert_invalid_transition(&env.refused(apply_event(&env, ctx, job.id, event)).await);
        }
    }

    // An awarded job follows its contract.
    let job = open_job(&env, &client, "Awarded").await;
    let mut awarded = stored_job(&env, job.id).await;
    awarded.status = JobMachine::transition(awarded.status, JobEvent::Award).expect("award");
    force(&env, &awarded).await;
    assert_rule(
        &env.refused(env.market.cancel_job(ctx, job.id)).await,
        "job_in_progress",
    );
    assert_invalid_transition(&env.refused(env.market.close_job(ctx, job.id)).await);
    assert_invalid_transition(&env.refused(env.market.publish_job(ctx, job.id)).await);

    // A draft's deadline may pass before it is published.
    let draft = env
        .market
        .create_job(ctx, job_input("Late", false))
        .await
        .expect("draft");
    env.clock.advance(Duration::days(31));
    assert_invalid(
        &env.refused(env.market.publish_job(ctx, draft.id)).await,
        "deadline_date",
    );
    let edit = UpdateJobInput {
        deadline_date: Some(None),
        ..UpdateJobInput::default()
    };
    env.market
        .update_job(ctx, draft.id, edit)
        .await
        .expect("drop the deadline");
    env.market
        .publish_job(ctx, draft.id)
        .await
        .expect("publish");
}

/// Drafts and open jobs can be edited (only the given fields change, one
/// audit entry, no-op edits write nothing); closed jobs cannot; bad input is
/// refused; changing the budget type clears the old amounts.
pub async fn update_job_edits_drafts_and_open_jobs(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let creator = env.creator().await;
    let ctx = &client.ctx;
    let job = open_job(&env, &client, "Editable").await;
    propose(&env, &creator, job.id).await;
    let before = stored_job(&env, job.id).await;
    env.clock.advance(Duration::minutes(10));

    let edit = UpdateJobInput {
        title: Some(Text::parse("Edited Job").expect("valid")),
        budget_type: Some(BudgetType::Range),
        budget_min: Some(Some(usd("300"))),
        budget_max: Some(Some(usd("700"))),
        video_type: Some(None),
        required_skills: Some(vec!["Lighting".into(), "lighting".into()]),
        ..UpdateJobInput::default()
    };
    let edited = env
        .market
        .update_job(ctx, job.id, edit)
        .await
        .expect("edit");
    assert_eq!(edited.title.as_str(), "Edited Job");
    assert_eq!(edited.budget_type, Some(BudgetType::Range));
    assert_eq!(
        (edited.budget_min, edited.budget_max),
        (Some(usd("300")), Some(usd("700")))
    );
    assert_eq!(edited.video_type, None);
    assert_eq!(edited.required_skills, Some(vec!["Lighting".into()]));
    assert_eq!(edited.description, job.description);
    assert_eq!(edited.status, JobStatus::Open);
    assert_eq!(edited.proposal_count, 1, "an edit keeps the counter");
    assert_eq!(edited.version, before.version + 1);
    assert_eq!(edited.updated_at, env.now());
    assert_eq!(stored_job(&env, job.id).await, edited);
    let audits = audit_count(&env, "job", job.id.as_uuid()).await;
    assert_eq!(audits, 2);

    let same = env
        .market
        .update_job(
            ctx,
            job.id,
            UpdateJobInput {
                title: Some(Text::parse("Edited Job").expect("valid")),
                ..UpdateJobInput::default()
            },
        )
        .await
        .expect("no-op");
    assert_eq!(same, edited);
    assert_eq!(audit_count(&env, "job", job.id.as_uuid()).await, audits);

    // Switching to a fixed budget drops the range's minimum.
    let edit = UpdateJobInput {
        budget_type: Some(BudgetType::Fixed),
        budget_max: Some(Some(usd("650"))),
        ..UpdateJobInput::default()
    };
    let fixed = env
        .market
        .update_job(ctx, job.id, edit)
        .await
        .expect("fixed");
    assert_eq!(
        (fixed.budget_min, fixed.budget_max),
        (Some(usd("650")), Some(usd("650")))
    );

    let bad = [
        (
            "budget_min",
            UpdateJobInput {
                budget_type: Some(BudgetType::Range),
                ..UpdateJobInput::default()
            },
        ),
        (
            "budget_min",
            UpdateJobInput {
                budget_min: Some(Some(usd("10"))),
                ..UpdateJobInput::default()
            },
        ),
        (
            "description",
            UpdateJobInput {
                description: Some(String::new()),
                ..UpdateJobInput::default()
            },
        ),
        (
            "deadline_date",
            UpdateJobInput {
                deadline_date: Some(Some(today() - Duration::days(1))),
                ..UpdateJobInput::default()
            },
        ),
        (
            "estimated_duration_days",
            UpdateJobInput {
                estimated_duration_days: Some(Some(-3)),
                ..UpdateJobInput::default()
            },
        ),
    ];
    for (field, edit) in bad {
        assert_invalid(
            &env.refused(env.market.update_job(ctx, job.id, edit)).await,
            field,
        );
    }

    let draft = env
        .market
        .create_job(ctx, job_input("Draft Edit", false))
        .await
        .expect("draft");
    let edit = UpdateJobInput {
        experience_level: Some(Some(ExperienceLevel::Expert)),
        ..UpdateJobInput::default()
    };
    let edited = env
        .market
        .update_job(ctx, draft.id, edit)
        .await
        .expect("edit a draft");
    assert_eq!(edited.experience_level, Some(ExperienceLevel::Expert));
    assert_eq!(edited.status, JobStatus::Draft);

    env.market.close_job(ctx, job.id).await.expect("close");
    let edit = UpdateJobInput {
        title: Some(Text::parse("Too Late").expect("valid")),
        ..UpdateJobInput::default()
    };
    assert_rule(
        &env.refused(env.market.update_job(ctx, job.id, edit)).await,
        "job_not_editable",
    );
}

/// A proposal starts pending, counts in `proposal_count`, is audited once,
/// and is listed for its creator and the job's client.
pub async fn submit_proposal_counts_and_audits(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let creator = env.creator().await;
    let job = open_job(&env, &client, "Proposals").await;
    let sample = seed_portfolio_item(&env, &creator).await;

    let mut input = proposal_input("480.50");
    input.cover_letter = "  I would love to do this; here is my reel.  ".into();
    input.portfolio_samples = vec![sample, sample];
    input.attachments = vec![Url::parse("https://cdn.example.com/plan.pdf").expect("valid")];
    let proposal = env
        .market
        .submit_proposal(&creator.ctx, job.id, input)
        .await
        .expect("submit");
    assert_eq!(proposal.status, ProposalStatus::Pending);
    assert_eq!(proposal.job_id, job.id);
    assert_eq!(proposal.creator_profile_id, creator.creator_id());
    assert_eq!(
        proposal.cover_letter,
        "I would love to do this; here is my reel."
    );
    assert_eq!(proposal.proposed_budget, usd("480.50"));
    assert_eq!(proposal.portfolio_samples, Some(vec![sample]));
    assert_eq!(proposal.reviewed_at, None);
    assert_eq!(stored_proposal(&env, proposal.id).await, proposal);
    assert_eq!(assert_proposal_count(&env, job.id).await, 1);
    assert_eq!(
        audit_count(&env, "proposal", proposal.id.as_uuid()).await,
        1
    );
    assert_eq!(stored_job(&env, job.id).await.status, JobStatus::Open);

    let mine = env
        .market
        .list_my_proposals(&creator.ctx)
        .await
        .expect("mine");
    assert_eq!(mine, vec![proposal.clone()]);
    let theirs = env
        .market
        .list_job_proposals(&client.ctx, job.id)
        .await
        .expect("job's");
    assert_eq!(theirs, vec![proposal.clone()]);
    assert_eq!(
        env.market
            .get_proposal(&creator.ctx, proposal.id)
            .await
            .expect("creator"),
        proposal
    );
    assert_eq!(
        env.market
            .get_proposal(&client.ctx, proposal.id)
            .await
            .expect("client"),
        proposal
    );
    env.check_invariants().await;
}

/// Duplicate proposals, proposals on a job that takes none or on one's own
/// job, and bad input are refused without writing anything.
pub async fn submit_proposal_refusals_change_nothing(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let creator = env.creator().await;
    let other_creator = env.creator().await;
    let job = open_job(&env, &client, "Refusals").await;

    propose(&env, &creator, job.id).await;
    let err = env
        .refused(
            env.market
                .submit_proposal(&creator.ctx, job.id, proposal_input("400")),
        )
        .await;
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");

    assert_forbidden(
        &env.refused(
            env.market
                .submit_proposal(&client.ctx, job.id, proposal_input("400")),
        )
        .await,
    );
    let err = env
        .refused(
            env.market
                .submit_proposal(&Ctx::anonymous(), job.id, proposal_input("400")),
        )
        .await;
    assert!(matches!(err, Error::Unauthenticated), "{err:?}");
    assert_not_found(
        &env.refused(env.market.submit_proposal(
            &other_creator.ctx,
            JobId::new(),
            proposal_input("400"),
        ))
        .await,
    );

    // A user who is both client and creator cannot bid on their own job.
    let both = env.seed(UserType::Both, false).await;
    let own = open_job(&env, &both, "My Own").await;
    assert_forbidden(
        &env.refused(
            env.market
                .submit_proposal(&both.ctx, own.id, proposal_input("400")),
        )
        .await,
    );
    propose(&env, &both, job.id).await;

    let others_item = seed_portfolio_item(&env, &creator).await;
    let eur = Money::parse("400", Currency::EUR).expect("valid");
    type Edit = Box<dyn Fn(&mut SubmitProposalInput)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "cover_letter",
            Box::new(|i| i.cover_letter = "Too short.".into()),
        ),
        (
            "cover_letter",
            Box::new(|i| i.cover_letter = "c".repeat(10_001)),
        ),
        ("cover_letter", Box::new(|i| i.cover_letter = "   ".into())),
        (
            "proposed_budget",
            Box::new(|i| i.proposed_budget = usd("0")),
        ),
        (
            "proposed_budget",
            Box::new(|i| i.proposed_budget = usd("-20")),
        ),
        (
            "proposed_budget",
            Box::new(|i| i.proposed_budget = usd("100000000")),
        ),
        (
            "proposed_budget",
            Box::new(move |i| i.proposed_budget = eur),
        ),
        (
            "proposed_timeline_days",
            Box::new(|i| i.proposed_timeline_days = 0),
        ),
        (
            "proposed_timeline_days",
            Box::new(|i| i.proposed_timeline_days = 366),
        ),
        (
            "portfolio_samples",
            Box::new(move |i| i.portfolio_samples = vec![others_item]),
        ),
        (
            "portfolio_samples",
            Box::new(|i| i.portfolio_samples = vec![PortfolioItemId::new()]),
        ),
        (
            "attachments",
            Box::new(|i| {
                i.attachments = (0..21)
                    .map(|n| {
                        Url::parse(&format!("https://cdn.example.com/{n}.pdf")).expect("valid")
                    })
                    .collect()
            }),
        ),
    ];
    for (field, edit) in cases {
        let mut input = proposal_input("400");
        edit(&mut input);
        let err = env
            .refused(
                env.market
                    .submit_proposal(&other_creator.ctx, job.id, input),
            )
            .await;
        assert_invalid(&err, field);
    }

    env.market
        .close_job(&client.ctx, job.id)
        .await
        .expect("close");
    let err = env
        .refused(
            env.market
                .submit_proposal(&other_creator.ctx, job.id, proposal_input("400")),
        )
        .await;
    assert_rule(&err, "job_not_open");
    assert_eq!(assert_proposal_count(&env, job.id).await, 2);
}

/// `proposal_count` counts the proposals that were not withdrawn: exact
/// after submissions, withdrawals and decisions. A withdrawn proposal still
/// blocks a second one from the same creator.
pub async fn proposal_count_is_exact_after_submissions_and_withdrawals(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let job = open_job(&env, &client, "Counting").await;
    let mut creators = Vec::new();
    let mut proposals = Vec::new();
    for _ in 0..3 {
        let creator = env.creator().await;
        proposals.push(propose(&env, &creator, job.id).await);
        creators.push(creator);
    }
    assert_eq!(assert_proposal_count(&env, job.id).await, 3);

    let withdrawn = env
        .market
        .withdraw_proposal(&creators[0].ctx, proposals[0].id)
        .await
        .expect("withdraw");
    assert_eq!(withdrawn.status, ProposalStatus::Withdrawn);
    assert_eq!(stored_proposal(&env, withdrawn.id).await, withdrawn);
    assert_eq!(
        audit_count(&env, "proposal", withdrawn.id.as_uuid()).await,
        2
    );
    assert_eq!(assert_proposal_count(&env, job.id).await, 2);

    assert_invalid_transition(
        &env.refused(
            env.market
                .withdraw_proposal(&creators[0].ctx, proposals[0].id),
        )
        .await,
    );
    let err = env
        .refused(
            env.market
                .submit_proposal(&creators[0].ctx, job.id, proposal_input("300")),
        )
        .await;
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err:?}");

    env.market
        .reject_proposal(&client.ctx, proposals[1].id)
        .await
        .expect("reject");
    assert_eq!(
        assert_proposal_count(&env, job.id).await,
        2,
        "rejected proposals still count"
    );
    assert_invalid_transition(
        &env.refused(
            env.market
                .withdraw_proposal(&creators[1].ctx, proposals[1].id),
        )
        .await,
    );

    env.market
        .shortlist_proposal(&client.ctx, proposals[2].id)
        .await
        .expect("shortlist");
    env.market
        .withdraw_proposal(&creators[2].ctx, proposals[2].id)
        .await
        .expect("withdraw a shortlisted one");
    assert_eq!(assert_proposal_count(&env, job.id).await, 1);
    env.check_invariants().await;
}

/// Shortlisting and rejecting follow the proposal machine, stamp
/// `reviewed_at` once and are the job's client's alone; an accepted
/// proposal cannot be withdrawn.
pub async fn proposal_decisions_follow_the_machine(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let other_client = env.client().await;
    let creator = env.creator().await;
    let other_creator = env.creator().await;
    let job = open_job(&env, &client, "Decisions").await;
    let proposal = propose(&env, &creator, job.id).await;

    assert_not_found(
        &env.refused(
            env.market
                .shortlist_proposal(&other_client.ctx, proposal.id),
        )
        .await,
    );
    assert_not_found(
        &env.refused(env.market.reject_proposal(&other_client.ctx, proposal.id))
            .await,
    );
    assert_forbidden(
        &env.refused(env.market.shortlist_proposal(&creator.ctx, proposal.id))
            .await,
    );
    assert_not_found(
        &env.refused(
            env.market
                .withdraw_proposal(&other_creator.ctx, proposal.id),
        )
        .await,
    );
    assert_not_found(
        &env.refused(
            env.market
                .shortlist_proposal(&client.ctx, ProposalId::new()),
        )
        .await,
    );

    let reviewed_at = env.now();
    let shortlisted = env
        .market
        .shortlist_proposal(&client.ctx, proposal.id)
        .await
        .expect("shortlist");
    assert_eq!(shortlisted.status, ProposalStatus::Shortlisted);
    assert_eq!(shortlisted.reviewed_at, Some(reviewed_at));
    assert_eq!(stored_proposal(&env, proposal.id).await, shortlisted);
    assert_invalid_transition(
        &env.refused(env.market.shortlist_proposal(&client.ctx, proposal.id))
            .await,
    );

    env.clock.advance(Duration::hours(1));
    let rejected = env
        .market
        .reject_proposal(&client.ctx, proposal.id)
        .await
        .expect("reject");
    assert_eq!(rejected.status, ProposalStatus::Rejected);
    assert_eq!(
        rejected.reviewed_at,
        Some(reviewed_at),
        "reviewed_at is the first review"
    );
    assert_invalid_transition(
        &env.refused(env.market.reject_proposal(&client.ctx, proposal.id))
            .await,
    );
    assert_invalid_transition(
        &env.refused(env.market.shortlist_proposal(&client.ctx, proposal.id))
            .await,
    );
    assert_eq!(
        audit_count(&env, "proposal", proposal.id.as_uuid()).await,
        3
    );

    // An accepted proposal (accepting belongs to the contracts) is final.
    let accepted = propose(&env, &other_creator, job.id).await;
    let mut row = stored_proposal(&env, accepted.id).await;
    row.status = ProposalStatus::Accepted;
    force(&env, &row).await;
    assert_invalid_transition(
        &env.refused(
            env.market
                .withdraw_proposal(&other_creator.ctx, accepted.id),
        )
        .await,
    );
    assert_invalid_transition(
        &env.refused(env.market.reject_proposal(&client.ctx, accepted.id))
            .await,
    );
}

/// A proposal is visible to the creator who wrote it and the job's client
/// only; everyone else gets not found.
pub async fn proposals_are_private_to_their_parties(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let other_client = env.client().await;
    let creator = env.creator().await;
    let other_creator = env.creator().await;
    let job = open_job(&env, &client, "Private Proposals").await;
    let proposal = propose(&env, &creator, job.id).await;

    assert_not_found(
        &env.refused(env.market.get_proposal(&other_creator.ctx, proposal.id))
            .await,
    );
    assert_not_found(
        &env.refused(env.market.get_proposal(&other_client.ctx, proposal.id))
            .await,
    );
    assert_not_found(
        &env.refused(env.market.get_proposal(&creator.ctx, ProposalId::new()))
            .await,
    );
    let err = env
        .refused(env.market.get_proposal(&Ctx::anonymous(), proposal.id))
        .await;
    assert!(matches!(err, Error::Unauthenticated), "{err:?}");
    assert_not_found(
        &env.refused(env.market.list_job_proposals(&other_client.ctx, job.id))
            .await,
    );
    assert!(
        env.market
            .list_my_proposals(&other_creator.ctx)
            .await
            .expect("none")
            .is_empty()
    );
}

/// Closing an open job rejects its pending and shortlisted proposals in the
/// same command (one audit entry), leaves decided ones alone, keeps
/// `proposal_count`, stamps `closed_at` and stops new proposals.
pub async fn closing_a_job_rejects_pending_and_shortlisted_proposals(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let job = open_job(&env, &client, "Closing").await;
    let mut creators = Vec::new();
    for _ in 0..4 {
        creators.push(env.creator().await);
    }
    let pending = propose(&env, &creators[0], job.id).await;
    let shortlisted = propose(&env, &creators[1], job.id).await;
    env.market
        .shortlist_proposal(&client.ctx, shortlisted.id)
        .await
        .expect("shortlist");
    let withdrawn = propose(&env, &creators[2], job.id).await;
    env.market
        .withdraw_proposal(&creators[2].ctx, withdrawn.id)
        .await
        .expect("withdraw");
    let rejected = propose(&env, &creators[3], job.id).await;
    let rejected = env
        .market
        .reject_proposal(&client.ctx, rejected.id)
        .await
        .expect("reject");
    let count = assert_proposal_count(&env, job.id).await;
    assert_eq!(count, 3);

    env.clock.advance(Duration::hours(3));
    let closed = env
        .market
        .close_job(&client.ctx, job.id)
        .await
        .expect("close");
    assert_eq!(closed.status, JobStatus::Closed);
    assert_eq!(closed.closed_at, Some(env.now()));
    assert_eq!(stored_job(&env, job.id).await, closed);
    assert_eq!(audit_count(&env, "job", job.id.as_uuid()).await, 2);

    for id in [pending.id, shortlisted.id] {
        let p = stored_proposal(&env, id).await;
        assert_eq!(p.status, ProposalStatus::Rejected);
        assert_eq!(p.updated_at, env.now());
    }
    assert_eq!(
        stored_proposal(&env, pending.id).await.reviewed_at,
        Some(env.now())
    );
    assert_eq!(
        stored_proposal(&env, withdrawn.id).await.status,
        ProposalStatus::Withdrawn
    );
    assert_eq!(
        stored_proposal(&env, rejected.id).await,
        rejected,
        "decided proposals are untouched"
    );
    assert_eq!(assert_proposal_count(&env, job.id).await, count);

    let late = env.creator().await;
    let err = env
        .refused(
            env.market
                .submit_proposal(&late.ctx, job.id, proposal_input("400")),
        )
        .await;
    assert_rule(&err, "job_not_open");
    // A closed job is still public.
    assert_eq!(
        env.market
            .get_job(&late.ctx, job.id)
            .await
            .expect("public")
            .status,
        JobStatus::Closed
    );
    env.check_invariants().await;
}

/// Cancelling a draft, open or closed job is allowed; open proposals are
/// rejected with it.
pub async fn cancelling_a_job_rejects_open_proposals(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let first = env.creator().await;
    let second = env.creator().await;

    let job = open_job(&env, &client, "Cancelled").await;
    let a = propose(&env, &first, job.id).await;
    let b = propose(&env, &second, job.id).await;
    env.market
        .shortlist_proposal(&client.ctx, b.id)
        .await
        .expect("shortlist");
    let cancelled = env
        .market
        .cancel_job(&client.ctx, job.id)
        .await
        .expect("cancel");
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert!(cancelled.closed_at.is_some());
    for id in [a.id, b.id] {
        assert_eq!(
            stored_proposal(&env, id).await.status,
            ProposalStatus::Rejected
        );
    }
    assert_eq!(assert_proposal_count(&env, job.id).await, 2);
    // The creators still see their own (rejected) proposals.
    assert_eq!(
        env.market
            .get_proposal(&first.ctx, a.id)
            .await
            .expect("own")
            .status,
        ProposalStatus::Rejected
    );

    let closed = open_job(&env, &client, "Closed Then Cancelled").await;
    env.market
        .close_job(&client.ctx, closed.id)
        .await
        .expect("close");
    let closed = env
        .market
        .cancel_job(&client.ctx, closed.id)
        .await
        .expect("cancel a closed job");
    assert_eq!(closed.status, JobStatus::Cancelled);

    let draft = env
        .market
        .create_job(&client.ctx, job_input("Draft Cancel", false))
        .await
        .expect("draft");
    let draft = env
        .market
        .cancel_job(&client.ctx, draft.id)
        .await
        .expect("cancel a draft");
    assert_eq!(draft.status, JobStatus::Cancelled);
    assert_eq!(audit_count(&env, "job", draft.id.as_uuid()).await, 2);
    env.check_invariants().await;
}

/// Browsing lists open jobs only, filters them, and refuses bad queries.
pub async fn browse_jobs_lists_open_jobs_and_checks_the_query(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let open = open_job(&env, &client, "Open Kitchen Reels").await;
    let mut input = job_input("Big Budget Launch", true);
    input.budget_max = Some(usd("5000"));
    let big = env
        .market
        .create_job(&client.ctx, input)
        .await
        .expect("post");
    draft_and_closed_jobs(&env, &client).await;

    let all: BTreeSet<JobId> = env
        .market
        .browse_jobs(&JobQuery::default())
        .await
        .expect("browse")
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(all, BTreeSet::from([open.id, big.id]));

    let query = JobQuery {
        min_budget: Some(usd("1000")),
        ..JobQuery::default()
    };
    let found: Vec<JobId> = env
        .market
        .browse_jobs(&query)
        .await
        .expect("browse")
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(found, vec![big.id]);

    let bad = [
        (
            "page.limit",
            JobQuery {
                page: Page {
                    limit: 0,
                    offset: 0,
                },
                ..JobQuery::default()
            },
        ),
        (
            "page.limit",
            JobQuery {
                page: Page {
                    limit: 500,
                    offset: 0,
                },
                ..JobQuery::default()
            },
        ),
        (
            "min_budget",
            JobQuery {
                min_budget: Some(usd("-1")),
                ..JobQuery::default()
            },
        ),
        (
            "max_budget",
            JobQuery {
                min_budget: Some(usd("100")),
                max_budget: Some(usd("50")),
                ..JobQuery::default()
            },
        ),
        (
            "skills",
            JobQuery {
                skills: (0..21).map(|n| format!("s{n}")).collect(),
                ..JobQuery::default()
            },
        ),
        (
            "text",
            JobQuery {
                text: Some("w".repeat(201)),
                ..JobQuery::default()
            },
        ),
    ];
    for (field, query) in bad {
        assert_invalid(&env.refused(env.market.browse_jobs(&query)).await, field);
    }
}

/// A view adds one to `view_count` without a version bump or an audit
/// entry; the client's own views do not count; a later edit keeps it.
pub async fn job_views_are_counted_without_a_version_or_audit(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let creator = env.creator().await;
    let job = open_job(&env, &client, "Viewed Job").await;
    let audits = audit_count(&env, "job", job.id.as_uuid()).await;

    env.market
        .record_job_view(&creator.ctx, job.id)
        .await
        .expect("view");
    env.market
        .record_job_view(&Ctx::anonymous(), job.id)
        .await
        .expect("anonymous view");
    env.market
        .record_job_view(&client.ctx, job.id)
        .await
        .expect("own view");
    let stored = stored_job(&env, job.id).await;
    assert_eq!(stored.view_count, 2);
    assert_eq!(stored.version, job.version);
    assert_eq!(audit_count(&env, "job", job.id.as_uuid()).await, audits);

    let edit = UpdateJobInput {
        title: Some(Text::parse("Viewed And Edited").expect("valid")),
        ..UpdateJobInput::default()
    };
    env.market
        .update_job(&client.ctx, job.id, edit)
        .await
        .expect("edit");
    assert_eq!(stored_job(&env, job.id).await.view_count, 2);
    assert_not_found(
        &env.refused(env.market.record_job_view(&creator.ctx, JobId::new()))
            .await,
    );
}

/// Sixteen creators proposing at once all succeed and are all counted.
pub async fn concurrent_proposals_are_all_counted(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let job = open_job(&env, &client, "Popular").await;
    let mut creators = Vec::new();
    for _ in 0..16 {
        creators.push(env.creator().await);
    }
    let tasks: Vec<_> = creators
        .iter()
        .map(|creator| {
            let market = env.market.clone();
            let ctx = creator.ctx.clone();
            tokio::spawn(async move {
                market
                    .submit_proposal(&ctx, job.id, proposal_input("450"))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await
            .expect("the task ran")
            .expect("every proposal is accepted");
    }
    assert_eq!(assert_proposal_count(&env, job.id).await, 16);
    let proposals = env
        .market
        .list_job_proposals(&client.ctx, job.id)
        .await
        .expect("list");
    let authors: BTreeSet<_> = proposals.iter().map(|p| p.creator_profile_id).collect();
    assert_eq!(authors.len(), 16);
    env.check_invariants().await;
}

/// Closing a job while eight creators propose: every proposal either lands
/// before the close (and is rejected by it) or is refused as `job_not_open`;
/// afterwards no proposal on the closed job awaits a decision.
pub async fn closing_a_job_races_with_proposals(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let mut creators = Vec::new();
    for _ in 0..8 {
        creators.push(env.creator().await);
    }
    for round in 0..4 {
        let job = open_job(&env, &client, &format!("Race {round}")).await;
        let mut proposals = Vec::new();
        for creator in &creators {
            let market = env.market.clone();
            let ctx = creator.ctx.clone();
            proposals.push(tokio::spawn(async move {
                market
                    .submit_proposal(&ctx, job.id, proposal_input("450"))
                    .await
            }));
        }
        let market = env.market.clone();
        let ctx = client.ctx.clone();
        let close = tokio::spawn(async move { market.close_job(&ctx, job.id).await });

        let mut landed = 0;
        for task in proposals {
            match task.await.expect("the task ran") {
                Ok(_) => landed += 1,
                Err(err) => assert_rule(&err, "job_not_open"),
            }
        }
        let closed = close
            .await
            .expect("the task ran")
            .expect("the close succeeds");
        assert_eq!(closed.status, JobStatus::Closed);

        let stored = env
            .store
            .jobs()
            .list_proposals_by_job_id(job.id)
            .await
            .expect("list");
        assert_eq!(stored.len(), landed);
        let waiting: Vec<_> = stored
            .iter()
            .filter(|p| {
                matches!(
                    p.status,
                    ProposalStatus::Pending | ProposalStatus::Shortlisted
                )
            })
            .collect();
        assert!(
            waiting.is_empty(),
            "round {round}: proposals still waiting on a closed job: {waiting:?}"
        );
        assert_eq!(
            assert_proposal_count(&env, job.id).await,
            i32::try_from(landed).expect("small")
        );
    }
    env.check_invariants().await;
}

/// Open jobs come a page at a time in id order, each once: drafts and
/// closed jobs are left out, a page starts after the id it is given (a
/// row's or not), and a job closed mid-sweep leaves the pages that follow.
pub async fn open_jobs_are_swept_in_id_order(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let mut open = Vec::new();
    for n in 0..5 {
        open.push(open_job(&env, &client, &format!("Open Job {n}")).await.id);
    }
    draft_and_closed_jobs(&env, &client).await;
    open.sort();
    let jobs = env.store.jobs();
    let page = async |after: Option<JobId>, limit: u32| -> Vec<JobId> {
        jobs.list_open_after(after, limit)
            .await
            .expect("a page")
            .into_iter()
            .map(|j| j.id)
            .collect()
    };
    assert_eq!(page(None, 2).await, open[..2]);
    assert_eq!(page(Some(open[1]), 2).await, open[2..4]);
    assert_eq!(page(None, 100).await, open, "every open job, once");
    assert!(page(None, 0).await.is_empty(), "a limit of 0 reads nothing");
    let before_all = JobId::from_uuid(uuid::Uuid::nil());
    assert_eq!(page(Some(before_all), 1).await, open[..1]);
    assert!(
        page(Some(JobId::from_uuid(uuid::Uuid::max())), 5)
            .await
            .is_empty()
    );
    env.market
        .close_job(&client.ctx, open[4])
        .await
        .expect("close mid-sweep");
    assert!(page(Some(open[3]), 2).await.is_empty());
}
