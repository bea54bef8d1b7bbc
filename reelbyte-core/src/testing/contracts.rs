//! Conformance behaviours: contracts, milestones, deliverables, revisions,
//! approval, cancellation and the timers of `run_due`.

use chrono::Duration;

use crate::enums::{
    ContractStatus, DeliverableStatus, EscrowStatus, GigTier, JobStatus, MilestoneStatus,
    ProposalStatus,
};
use crate::error::Error;
use crate::ids::{ContractId, GigId};
use crate::money::Money;
use crate::service::{AcceptProposalInput, Ctx, DeliverableInput, MilestoneInput, OrderGigInput};
use crate::store::{
    ChangeSet, ChargeContext, ContractMoney, ContractParties, ContractWork, GigOrderContext,
    PartyPreferences, SettlementContext, WorkContext,
};
use crate::testing::{Seeded, StoreFactory, TestEnv};
use crate::value::{Text, Url};

fn usd(s: &str) -> Money {
    Money::usd(s).expect("valid amount")
}

/// A one-video deliverable.
pub fn video() -> DeliverableInput {
    DeliverableInput {
        title: Some(Text::parse("Cut 1").expect("valid")),
        description: Some("First cut".into()),
        video_urls: vec![Url::parse("https://cdn.example.com/v/1.mp4").expect("valid")],
        file_urls: vec![],
    }
}

/// A creator, a client and an ordered (not yet funded) basic-tier gig contract.
pub async fn ordered_gig(env: &TestEnv) -> (Seeded, Seeded, GigId, ContractId) {
    let creator = env.creator().await;
    env.seed_payout_method(creator.creator_id()).await;
    let client = env.client().await;
    let (gig, contract) =
        order_basic_gig(env, &creator, &client, Some("Our logo at the end.")).await;
    (creator, client, gig, contract)
}

/// A new gig of `creator`, and `client`'s order of its basic tier.
pub async fn order_basic_gig(
    env: &TestEnv,
    creator: &Seeded,
    client: &Seeded,
    requirements: Option<&str>,
) -> (GigId, ContractId) {
    let gig = env.seed_gig(creator.creator_id()).await;
    let contract = env
        .market
        .order_gig(
            &client.ctx,
            gig,
            OrderGigInput {
                tier: GigTier::Basic,
                requirements: requirements.map(str::to_string),
            },
        )
        .await
        .expect("order the gig");
    (gig, contract.id)
}

/// The client funds the ordered `contract` and the creator accepts it.
pub async fn fund_and_accept(
    env: &TestEnv,
    creator: &Seeded,
    client: &Seeded,
    contract: ContractId,
) {
    env.market
        .fund_escrow(&client.ctx, contract, None)
        .await
        .expect("fund escrow");
    env.market
        .accept_contract(&creator.ctx, contract)
        .await
        .expect("accept the contract");
}

/// The creator delivers on the active `contract` and the client approves,
/// which completes it and releases the escrow.
pub async fn deliver_and_approve(
    env: &TestEnv,
    creator: &Seeded,
    client: &Seeded,
    contract: ContractId,
) {
    env.market
        .submit_deliverable(&creator.ctx, contract, video())
        .await
        .expect("deliver");
    env.market
        .approve_delivery(&client.ctx, contract, None)
        .await
        .expect("approve");
}

/// An ordered, funded and accepted gig contract.
pub async fn active_gig_contract(env: &TestEnv) -> (Seeded, Seeded, ContractId) {
    let (creator, client, _, contract) = ordered_gig(env).await;
    fund_and_accept(env, &creator, &client, contract).await;
    (creator, client, contract)
}

/// An accepted, funded job contract with three milestones of 100.00, 100.00 and 100.01.
pub async fn active_milestone_contract(env: &TestEnv) -> (Seeded, Seeded, ContractId) {
    let creator = env.creator().await;
    env.seed_payout_method(creator.creator_id()).await;
    let client = env.client().await;
    let (_, proposal) = env
        .seed_job_with_proposal(client.client_id(), creator.creator_id(), usd("300.01"))
        .await;
    let milestone = |title: &str, amount: &str| MilestoneInput {
        title: Text::parse(title).expect("valid"),
        description: None,
        amount: usd(amount),
        due_date: None,
    };
    let contract = env
        .market
        .accept_proposal(
            &client.ctx,
            proposal,
            AcceptProposalInput {
                milestones: vec![
                    milestone("Script", "100.00"),
                    milestone("Shoot", "100.00"),
                    milestone("Edit", "100.01"),
                ],
                scope_of_work: None,
            },
        )
        .await
        .expect("accept the proposal");
    env.market
        .fund_escrow(&client.ctx, contract.id, None)
        .await
        .expect("fund");
    env.market
        .accept_contract(&creator.ctx, contract.id)
        .await
        .expect("accept");
    (creator, client, contract.id)
}

/// Ordering a gig creates a pending contract carrying the tier's price,
/// delivery days, revisions and a fee quote that adds up.
pub async fn order_gig_creates_contract_with_tier_terms(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (_, client, gig, id) = ordered_gig(&env).await;
    let view = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("the client sees it");
    let c = view.contract;
    assert_eq!(c.status, ContractStatus::PendingAcceptance);
    assert_eq!(c.gig_id, Some(gig));
    assert_eq!(c.gig_tier, Some(GigTier::Basic));
    assert_eq!(c.total_amount, usd("100.00"));
    assert_eq!(c.revisions_allowed, Some(1));
    assert_eq!(c.deadline_date, env.now().date_naive() + Duration::days(3));
    assert_eq!(
        c.platform_fee.checked_add(c.creator_payout).expect("add"),
        c.total_amount
    );
    let stored = env
        .store
        .gigs()
        .get_by_id(gig)
        .await
        .expect("read")
        .expect("gig");
    assert_eq!(stored.order_count, 1);
    env.check_invariants().await;
}

/// Refusals when ordering: own gig, missing tier, unknown gig, no client profile.
pub async fn order_gig_refusals(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let both = env.seed(crate::enums::UserType::Both, false).await;
    let gig = env.seed_gig(both.creator_id()).await;
    let own = env
        .refused(env.market.order_gig(
            &both.ctx,
            gig,
            OrderGigInput {
                tier: GigTier::Basic,
                requirements: None,
            },
        ))
        .await;
    assert!(matches!(own, Error::Forbidden { .. }), "{own}");
    let client = env.client().await;
    let premium = env
        .refused(env.market.order_gig(
            &client.ctx,
            gig,
            OrderGigInput {
                tier: GigTier::Premium,
                requirements: None,
            },
        ))
        .await;
    assert!(
        matches!(premium, Error::Validation { field: "tier", .. }),
        "{premium}"
    );
    let unknown = env
        .refused(env.market.order_gig(
            &client.ctx,
            GigId::new(),
            OrderGigInput {
                tier: GigTier::Basic,
                requirements: None,
            },
        ))
        .await;
    assert!(matches!(unknown, Error::NotFound { .. }), "{unknown}");
    let creator_only = env.creator().await;
    let no_profile = env
        .refused(env.market.order_gig(
            &creator_only.ctx,
            gig,
            OrderGigInput {
                tier: GigTier::Basic,
                requirements: None,
            },
        ))
        .await;
    assert!(
        matches!(no_profile, Error::Forbidden { .. }),
        "{no_profile}"
    );
    let anonymous = env
        .refused(env.market.order_gig(
            &Ctx::anonymous(),
            gig,
            OrderGigInput {
                tier: GigTier::Basic,
                requirements: None,
            },
        ))
        .await;
    assert!(matches!(anonymous, Error::Unauthenticated), "{anonymous}");
}

/// Outsiders cannot see or act on a contract: it does not exist for them.
pub async fn contracts_are_private_to_their_parties(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (_, _, _, id) = ordered_gig(&env).await;
    let stranger = env.client().await;
    let err = env
        .refused(env.market.get_contract(&stranger.ctx, id))
        .await;
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    let err = env
        .refused(env.market.fund_escrow(&stranger.ctx, id, None))
        .await;
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    let err = env
        .refused(env.market.cancel_contract(&stranger.ctx, id))
        .await;
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

/// The creator may accept only once escrow is funded; the client may not accept.
pub async fn accepting_requires_funded_escrow(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, _, id) = ordered_gig(&env).await;
    let err = env
        .refused(env.market.accept_contract(&creator.ctx, id))
        .await;
    assert!(
        matches!(
            err,
            Error::Rule {
                rule: "escrow_not_funded",
                ..
            }
        ),
        "{err}"
    );
    env.market
        .fund_escrow(&client.ctx, id, None)
        .await
        .expect("fund");
    let err = env
        .refused(env.market.accept_contract(&client.ctx, id))
        .await;
    assert!(matches!(err, Error::Forbidden { .. }), "{err}");
    let accepted = env
        .market
        .accept_contract(&creator.ctx, id)
        .await
        .expect("accept");
    assert_eq!(accepted.status, ContractStatus::Active);
    let again = env
        .refused(env.market.accept_contract(&creator.ctx, id))
        .await;
    assert!(matches!(again, Error::InvalidTransition(_)), "{again}");
}

/// The whole gig order: deliver, one revision, deliver again, approve; the
/// escrow is released with the quoted fee and paid out.
pub async fn gig_order_is_delivered_revised_and_approved(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_gig_contract(&env).await;
    let d1 = env
        .market
        .submit_deliverable(&creator.ctx, id, video())
        .await
        .expect("deliver");
    assert_eq!(d1.version_number, 1);
    let c = env
        .market
        .request_revision(&client.ctx, id, "Make the logo bigger")
        .await
        .expect("revise");
    assert_eq!(
        (c.status, c.revision_count),
        (ContractStatus::RevisionRequested, 1)
    );
    let d2 = env
        .market
        .submit_deliverable(&creator.ctx, id, video())
        .await
        .expect("deliver again");
    assert_eq!(d2.version_number, 2);
    // The basic tier allows one revision only.
    let err = env
        .refused(env.market.request_revision(&client.ctx, id, "And again"))
        .await;
    assert!(
        matches!(
            err,
            Error::Rule {
                rule: "revision_limit_reached",
                ..
            }
        ),
        "{err}"
    );
    let done = env
        .market
        .approve_delivery(&client.ctx, id, Some("Great"))
        .await
        .expect("approve");
    assert_eq!(done.status, ContractStatus::Completed);
    let view = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("view");
    let escrow = view.escrow.expect("escrow");
    assert_eq!(escrow.held_amount, usd("0.00"));
    assert_eq!(escrow.released_amount, usd("100.00"));
    assert_eq!(
        escrow.status,
        EscrowStatus::Released,
        "the payout settled the escrow"
    );
    assert_eq!(
        view.deliverables
            .iter()
            .map(|d| d.status)
            .collect::<Vec<_>>(),
        [
            DeliverableStatus::RevisionRequested,
            DeliverableStatus::Approved
        ]
    );
    let profile = env
        .store
        .creators()
        .get_by_id(creator.creator_id())
        .await
        .expect("read")
        .expect("profile");
    assert_eq!(profile.total_earnings, done.creator_payout);
    assert_eq!(profile.total_jobs_completed, 1);
    assert_eq!(
        profile.success_rate.get(),
        rust_decimal::Decimal::ONE_HUNDRED
    );
    let client_profile = env
        .store
        .clients()
        .get_by_id(client.client_id())
        .await
        .expect("read")
        .expect("profile");
    assert_eq!(client_profile.total_spent, usd("100.00"));
    env.check_invariants().await;
}

/// Accepting a proposal creates the contract and its milestones in one step
/// and moves the job on; other proposals stay as they were.
pub async fn accepting_a_proposal_creates_the_contract(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_milestone_contract(&env).await;
    let view = env
        .market
        .get_contract(&creator.ctx, id)
        .await
        .expect("view");
    assert_eq!(view.milestones.len(), 3);
    let job = env
        .store
        .jobs()
        .get_by_id(view.contract.job_id.expect("job"))
        .await
        .expect("read")
        .expect("job");
    assert_eq!(job.status, JobStatus::InProgress);
    let proposal = env
        .store
        .jobs()
        .get_proposal_by_id(view.contract.proposal_id.expect("proposal"))
        .await
        .expect("read")
        .expect("p");
    assert_eq!(proposal.status, ProposalStatus::Accepted);
    let _ = client;
}

/// Milestones must sum exactly to the proposal's budget.
pub async fn milestones_must_sum_to_the_total(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let client = env.client().await;
    let (_, proposal) = env
        .seed_job_with_proposal(client.client_id(), creator.creator_id(), usd("300.00"))
        .await;
    let input = AcceptProposalInput {
        milestones: vec![MilestoneInput {
            title: Text::parse("All").expect("valid"),
            description: None,
            amount: usd("299.99"),
            due_date: None,
        }],
        scope_of_work: None,
    };
    let err = env
        .refused(env.market.accept_proposal(&client.ctx, proposal, input))
        .await;
    assert!(
        matches!(
            err,
            Error::Validation {
                field: "milestones",
                ..
            }
        ),
        "{err}"
    );
    let other_client = env.client().await;
    let err = env
        .refused(env.market.accept_proposal(
            &other_client.ctx,
            proposal,
            AcceptProposalInput::default(),
        ))
        .await;
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

/// Milestone workflow: start, submit, revise, approve; only the right party
/// may move each step.
pub async fn milestone_steps_follow_the_machine(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_milestone_contract(&env).await;
    let first = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("view")
        .milestones[0]
        .id;
    let err = env
        .refused(env.market.approve_milestone(&client.ctx, first))
        .await;
    assert!(matches!(err, Error::InvalidTransition(_)), "{err}");
    let err = env
        .refused(env.market.start_milestone(&client.ctx, first))
        .await;
    assert!(matches!(err, Error::Forbidden { .. }), "{err}");
    env.market
        .start_milestone(&creator.ctx, first)
        .await
        .expect("start");
    env.market
        .submit_milestone(&creator.ctx, first)
        .await
        .expect("submit");
    let back = env
        .market
        .request_milestone_revision(&client.ctx, first)
        .await
        .expect("revise");
    assert_eq!(back.status, MilestoneStatus::InProgress);
    env.market
        .submit_milestone(&creator.ctx, first)
        .await
        .expect("submit again");
    let approved = env
        .market
        .approve_milestone(&client.ctx, first)
        .await
        .expect("approve");
    assert_eq!(approved.status, MilestoneStatus::Approved);
}

/// Cancelling refunds everything held; the job is cancelled with its contract.
pub async fn cancelling_refunds_what_is_held(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_milestone_contract(&env).await;
    let first = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("view")
        .milestones[0]
        .id;
    crate::testing::payments::submit(&env, &creator, first).await;
    env.market
        .release_milestone(&client.ctx, first)
        .await
        .expect("release the first milestone");
    let cancelled = env
        .market
        .cancel_contract(&creator.ctx, id)
        .await
        .expect("cancel");
    assert_eq!(cancelled.status, ContractStatus::Cancelled);
    let view = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("view");
    let escrow = view.escrow.expect("escrow");
    assert_eq!(escrow.held_amount, usd("0.00"));
    assert_eq!(escrow.released_amount, usd("100.00"));
    assert_eq!(escrow.refunded_amount, usd("200.01"));
    assert_eq!(escrow.status, EscrowStatus::Refunded);
    let job = env
        .store
        .jobs()
        .get_by_id(view.contract.job_id.expect("job"))
        .await
        .expect("read")
        .expect("job");
    assert_eq!(job.status, JobStatus::Cancelled);
    let err = env
        .refused(env.market.cancel_contract(&client.ctx, id))
        .await;
    assert!(matches!(err, Error::InvalidTransition(_)), "{err}");
    let profile = env
        .store
        .creators()
        .get_by_id(creator.creator_id())
        .await
        .expect("read")
        .expect("p");
    assert_eq!(
        (profile.contracts_closed, profile.total_jobs_completed),
        (1, 0)
    );
    env.check_invariants().await;
}

/// An update that carries the row as read stores exactly the new row, on
/// every backend (PostgreSQL writes only the columns that differ); one
/// that changes nothing still moves the version; one from a row read
/// before another update is a conflict and changes nothing.
pub async fn an_update_from_the_read_row_stores_exactly_the_new_row(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (_, _, _, id) = ordered_gig(&env).await;
    let stored = || async {
        env.store
            .contracts()
            .get_by_id(id)
            .await
            .expect("read")
            .expect("contract")
    };
    let read = stored().await;
    let mut after = read.clone();
    after.title = Text::parse("Renamed order").expect("valid");
    after.revision_count += 1;
    after.deadline_date += Duration::days(3);
    after.cancelled_at = Some(env.now());
    let mut changes = ChangeSet::new();
    changes.update_from(&read, &after);
    env.store.apply(changes).await.expect("apply");
    let mut expected = after.clone();
    expected.version += 1;
    assert_eq!(stored().await, expected, "every column as written");

    // Nothing changed: only the version moves.
    let mut changes = ChangeSet::new();
    changes.update_from(&expected, &expected);
    env.store.apply(changes).await.expect("apply");
    let mut same = expected.clone();
    same.version += 1;
    assert_eq!(stored().await, same);

    // A row read before those updates is stale.
    let mut stale = read.clone();
    stale.title = Text::parse("Lost update").expect("valid");
    let mut changes = ChangeSet::new();
    changes.update_from(&read, &stale);
    let e = env.refused(env.store.apply(changes)).await;
    assert!(matches!(e, Error::Conflict { .. }), "{e}");
    assert_eq!(stored().await, same);
}

/// `Store::contract_work`, `Store::work_context`,
/// `Store::settlement_context` and `Store::contract_money` return what the
/// separate reads return, in the same orders, at every step of a gig
/// contract (nothing, funded, delivered twice, approved and paid out) and
/// of a milestone contract; both are empty for a contract that does not
/// exist.
pub async fn contract_work_and_money_match_the_separate_reads(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let separate = |id: ContractId| {
        let env = &env;
        async move {
            let contracts = env.store.contracts();
            let work = ContractWork {
                milestones: contracts
                    .list_milestones_by_contract_id(id)
                    .await
                    .expect("read"),
                deliverables: contracts
                    .list_deliverables_by_contract_id(id)
                    .await
                    .expect("read"),
            };
            let money = ContractMoney {
                escrow: contracts.get_escrow_by_contract_id(id).await.expect("read"),
                transactions: env
                    .store
                    .ledger()
                    .list_by_contract_id(id)
                    .await
                    .expect("read"),
            };
            (work, money)
        }
    };
    // `Store::work_context` must be `contract_parties_with_user` with
    // `contract_work`, and `Store::settlement_context` that with the
    // contract's transactions and its creator's payout methods, whoever
    // reads.
    let bundled = |id: ContractId, viewer: crate::ids::UserId| {
        let env = &env;
        async move {
            let work = env.store.contract_work(id).await.expect("read");
            let (parties, user) = env
                .store
                .contract_parties_with_user(id, viewer)
                .await
                .expect("read");
            let (transactions, payout_methods) = match &parties {
                Some(p) => (
                    env.store
                        .ledger()
                        .list_by_contract_id(id)
                        .await
                        .expect("read"),
                    env.store
                        .payment_methods()
                        .list_payout_methods_by_creator_profile_id(p.contract.creator_profile_id)
                        .await
                        .expect("read"),
                ),
                None => (Vec::new(), Vec::new()),
            };
            let context = env.store.work_context(id, viewer).await.expect("read");
            let expected = WorkContext {
                parties: parties.clone(),
                user,
                work: work.clone(),
            };
            assert_eq!(
                context, expected,
                "the work context is the parties with the work"
            );
            let settlement = env
                .store
                .settlement_context(id, viewer)
                .await
                .expect("read");
            assert_eq!(
                settlement,
                SettlementContext {
                    work: expected,
                    transactions,
                    payout_methods,
                },
                "the settlement context is the work context with the money"
            );
            if parties.is_some() {
                assert!(
                    !settlement.payout_methods.is_empty(),
                    "the seeded creator has a payout method"
                );
            }
            (work, env.store.contract_money(id).await.expect("read"))
        }
    };

    let missing = ContractId::new();
    assert_eq!(
        bundled(missing, crate::ids::UserId::new()).await,
        (ContractWork::default(), ContractMoney::default()),
        "nothing for a contract that does not exist"
    );

    let (creator, client, _, id) = ordered_gig(&env).await;
    let (work, money) = bundled(id, creator.user_id).await;
    assert_eq!((work.clone(), money.clone()), separate(id).await);
    assert!(work.milestones.is_empty() && work.deliverables.is_empty());
    assert_eq!(money, ContractMoney::default(), "nothing funded yet");

    fund_and_accept(&env, &creator, &client, id).await;
    let (_, money) = bundled(id, creator.user_id).await;
    assert_eq!(bundled(id, creator.user_id).await, separate(id).await);
    assert_eq!(money.escrow.map(|e| e.held_amount), Some(usd("100.00")));
    assert_eq!(money.transactions.len(), 1, "the charge into escrow");

    env.market
        .submit_deliverable(&creator.ctx, id, video())
        .await
        .expect("deliver");
    env.market
        .request_revision(&client.ctx, id, "Brighter, please")
        .await
        .expect("revise");
    env.market
        .submit_deliverable(&creator.ctx, id, video())
        .await
        .expect("deliver again");
    let (work, _) = bundled(id, creator.user_id).await;
    assert_eq!(bundled(id, creator.user_id).await, separate(id).await);
    let versions: Vec<i32> = work.deliverables.iter().map(|d| d.version_number).collect();
    assert_eq!(versions, [1, 2], "oldest version first");

    env.market
        .approve_delivery(&client.ctx, id, None)
        .await
        .expect("approve");
    let (work, money) = bundled(id, creator.user_id).await;
    assert_eq!((work.clone(), money.clone()), separate(id).await);
    assert_eq!(
        work.deliverables.last().map(|d| d.status),
        Some(DeliverableStatus::Approved)
    );
    assert_eq!(
        money.escrow.map(|e| e.status),
        Some(EscrowStatus::Released),
        "the payout settled the escrow"
    );
    assert_eq!(
        money.transactions.len(),
        3,
        "charge, release and payout: {:?}",
        money.transactions
    );

    let (_, _, milestones) = active_milestone_contract(&env).await;
    let (work, money) = bundled(milestones, client.user_id).await;
    assert_eq!((work.clone(), money.clone()), separate(milestones).await);
    let titles: Vec<&str> = work.milestones.iter().map(|m| m.title.as_str()).collect();
    assert_eq!(titles, ["Script", "Shoot", "Edit"], "in sequence order");
    assert!(money.escrow.is_some(), "funded on acceptance");
}

/// `Store::contract_parties` returns what the separate reads return: the
/// contract, both parties' profiles and the escrow once funding opened it;
/// `None` for a contract that does not exist. So do
/// `Store::contract_parties_with_user` and `Store::charge_context`, each
/// part on its own.
pub async fn contract_parties_match_the_separate_reads(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, _, id) = ordered_gig(&env).await;
    let separate = || async {
        let contract = env
            .store
            .contracts()
            .get_by_id(id)
            .await
            .expect("read")
            .expect("contract");
        let client = env
            .store
            .clients()
            .get_by_id(contract.client_profile_id)
            .await
            .expect("read")
            .expect("client profile");
        let creator = env
            .store
            .creators()
            .get_by_id(contract.creator_profile_id)
            .await
            .expect("read")
            .expect("creator profile");
        let escrow = env
            .store
            .contracts()
            .get_escrow_by_contract_id(id)
            .await
            .expect("read");
        let notifications = env.store.notifications();
        let preferences = PartyPreferences {
            client: notifications
                .get_preferences_by_user_id(client.user_id)
                .await
                .expect("read"),
            creator: notifications
                .get_preferences_by_user_id(creator.user_id)
                .await
                .expect("read"),
        };
        ContractParties {
            contract,
            client,
            creator,
            escrow,
            preferences,
        }
    };
    let ordered = env
        .store
        .contract_parties(id)
        .await
        .expect("read")
        .expect("parties");
    assert_eq!(ordered, separate().await);
    assert_eq!(ordered.client.user_id, client.user_id);
    assert_eq!(ordered.creator.user_id, creator.user_id);
    assert_eq!(ordered.escrow, None, "nothing is funded yet");
    assert_eq!(
        ordered.preferences,
        PartyPreferences::default(),
        "neither party saved preferences"
    );

    // Once a party saves preferences, they come with the parties.
    let saved = env
        .market
        .update_notification_preferences(
            &creator.ctx,
            crate::service::UpdatePreferencesInput {
                email_payment: Some(false),
                ..Default::default()
            },
        )
        .await
        .expect("save preferences");

    env.market
        .fund_escrow(&client.ctx, id, None)
        .await
        .expect("fund");
    let funded = env
        .store
        .contract_parties(id)
        .await
        .expect("read")
        .expect("parties");
    assert_eq!(funded, separate().await);
    assert_eq!(funded.preferences.creator, Some(saved));
    assert_eq!(funded.preferences.client, None);
    assert_eq!(
        funded.escrow.map(|e| e.held_amount),
        Some(usd("100.00")),
        "the escrow comes with the contract once funded"
    );
    assert_eq!(
        env.store
            .contract_parties(ContractId::new())
            .await
            .expect("read"),
        None
    );

    // With a user: both reads, each `None` on its own when it finds nothing.
    let client_user = env
        .store
        .users()
        .get_by_id(client.user_id)
        .await
        .expect("read")
        .expect("the client's user");
    let (parties, user) = env
        .store
        .contract_parties_with_user(id, client.user_id)
        .await
        .expect("read");
    assert_eq!(parties, Some(separate().await));
    assert_eq!(user, Some(client_user.clone()));
    let (parties, user) = env
        .store
        .contract_parties_with_user(ContractId::new(), client.user_id)
        .await
        .expect("read");
    assert_eq!((parties, user), (None, Some(client_user.clone())));
    let (parties, user) = env
        .store
        .contract_parties_with_user(id, crate::ids::UserId::new())
        .await
        .expect("read");
    assert_eq!((parties, user), (Some(separate().await), None));

    // With a payer: the same reads and the user's payment methods, in the
    // order the repository lists them.
    let methods = env
        .store
        .payment_methods()
        .list_by_user_id(client.user_id)
        .await
        .expect("read");
    assert!(!methods.is_empty(), "the client saved a card");
    let cases = [
        (
            id,
            client.user_id,
            Some(separate().await),
            Some(client_user.clone()),
            methods.clone(),
        ),
        (
            ContractId::new(),
            client.user_id,
            None,
            Some(client_user),
            methods,
        ),
        (
            id,
            crate::ids::UserId::new(),
            Some(separate().await),
            None,
            Vec::new(),
        ),
    ];
    for (contract, user, parties, user_row, payment_methods) in cases {
        assert_eq!(
            env.store
                .charge_context(contract, user)
                .await
                .expect("read"),
            ChargeContext {
                parties,
                user: user_row,
                payment_methods,
            }
        );
    }
}

/// `Store::gig_order_context` returns what the separate reads return: the
/// user and their client profile, the gig with its creator's profile and
/// saved preferences, every fee tier in order; `None` for what is missing.
pub async fn gig_order_context_matches_the_separate_reads(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let client = env.client().await;
    let staff = env.staff().await;
    let gig = env.seed_gig(creator.creator_id()).await;
    let separate = |gig: GigId, user: crate::ids::UserId| {
        let store = env.store.clone();
        async move {
            let user_row = store.users().get_by_id(user).await.expect("read");
            let client = store.clients().get_by_user_id(user).await.expect("read");
            let gig = store.gigs().get_by_id(gig).await.expect("read");
            let creator = match &gig {
                Some(g) => store
                    .creators()
                    .get_by_id(g.creator_profile_id)
                    .await
                    .expect("read"),
                None => None,
            };
            let creator_preferences = match &creator {
                Some(c) => store
                    .notifications()
                    .get_preferences_by_user_id(c.user_id)
                    .await
                    .expect("read"),
                None => None,
            };
            GigOrderContext {
                user: user_row,
                client,
                gig,
                creator,
                creator_preferences,
                fee_tiers: store.admin().list_fee_tiers().await.expect("read"),
            }
        }
    };
    let read = |gig: GigId, user: crate::ids::UserId| {
        let store = env.store.clone();
        async move { store.gig_order_context(gig, user).await.expect("read") }
    };

    let plain = read(gig, client.user_id).await;
    assert_eq!(plain, separate(gig, client.user_id).await);
    assert_eq!(plain.user.as_ref().map(|u| u.id), Some(client.user_id));
    assert_eq!(
        plain.client.as_ref().map(|c| c.id),
        Some(client.client_id())
    );
    assert_eq!(plain.gig.as_ref().map(|g| g.id), Some(gig));
    assert_eq!(
        plain.creator.as_ref().map(|c| c.id),
        Some(creator.creator_id())
    );
    assert_eq!(plain.creator_preferences, None, "nothing saved yet");
    assert!(plain.fee_tiers.is_empty(), "no tiers configured");

    // Saved preferences and two tiers, listed in order.
    let saved = env
        .market
        .update_notification_preferences(
            &creator.ctx,
            crate::service::UpdatePreferencesInput {
                push_contract_updates: Some(false),
                ..Default::default()
            },
        )
        .await
        .expect("save preferences");
    let start = env.now() - Duration::days(1);
    let later = env.now() + Duration::days(30);
    let first = env
        .market
        .add_fee_tier(
            &staff.ctx,
            crate::testing::operations::tier("first", 20, start),
        )
        .await
        .expect("add a tier");
    env.market
        .end_fee_tier(&staff.ctx, first.id, later)
        .await
        .expect("end it");
    env.market
        .add_fee_tier(
            &staff.ctx,
            crate::testing::operations::tier("next", 12, later),
        )
        .await
        .expect("add the next tier");
    let full = read(gig, client.user_id).await;
    assert_eq!(full, separate(gig, client.user_id).await);
    assert_eq!(full.creator_preferences, Some(saved));
    assert_eq!(full.fee_tiers.len(), 2);

    // What is missing is `None`, each part on its own.
    let no_gig = read(GigId::new(), client.user_id).await;
    assert_eq!(no_gig, separate(GigId::new(), client.user_id).await);
    assert_eq!(
        (&no_gig.gig, &no_gig.creator, &no_gig.creator_preferences),
        (&None, &None, &None)
    );
    assert!(no_gig.user.is_some() && no_gig.client.is_some());
    let stranger = crate::ids::UserId::new();
    let no_user = read(gig, stranger).await;
    assert_eq!(no_user, separate(gig, stranger).await);
    assert_eq!((&no_user.user, &no_user.client), (&None, &None));
    assert!(no_user.gig.is_some());
    // A creator has no client profile.
    let as_creator = read(gig, creator.user_id).await;
    assert_eq!(as_creator, separate(gig, creator.user_id).await);
    assert!(as_creator.user.is_some() && as_creator.client.is_none());
}

/// Contract commands check who acts before anything else: no user is not
/// signed in, a suspended one is refused, and a user who is not a party
/// learns nothing of the contract. Each refusal changes nothing.
pub async fn contract_commands_check_the_actor_first(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (_, client, _, id) = ordered_gig(&env).await;
    let error = env
        .refused(env.market.fund_escrow(&Ctx::anonymous(), id, None))
        .await;
    assert!(matches!(error, Error::Unauthenticated), "{error:?}");
    let stranger = env.client().await;
    let error = env
        .refused(env.market.fund_escrow(&stranger.ctx, id, None))
        .await;
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
    let error = env
        .refused(
            env.market
                .fund_escrow(&stranger.ctx, ContractId::new(), None),
        )
        .await;
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");

    let staff = env.staff().await;
    env.market
        .suspend_user(&staff.ctx, client.user_id, "chargeback fraud")
        .await
        .expect("suspend");
    let error = env
        .refused(env.market.fund_escrow(&client.ctx, id, None))
        .await;
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    // A suspended user is refused as such even on a contract that does not
    // exist: the actor is checked first.
    let error = env
        .refused(env.market.fund_escrow(&client.ctx, ContractId::new(), None))
        .await;
    assert!(matches!(error, Error::Forbidden { .. }), "{error:?}");
    env.check_invariants().await;
}

/// A creator who declines an offer refunds the funded escrow.
pub async fn declining_an_offer_refunds_the_client(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, _, id) = ordered_gig(&env).await;
    env.market
        .fund_escrow(&client.ctx, id, None)
        .await
        .expect("fund");
    let err = env
        .refused(env.market.decline_contract(&client.ctx, id))
        .await;
    assert!(matches!(err, Error::Forbidden { .. }), "{err}");
    let declined = env
        .market
        .decline_contract(&creator.ctx, id)
        .await
        .expect("decline");
    assert_eq!(declined.status, ContractStatus::Cancelled);
    let escrow = env
        .store
        .contracts()
        .get_escrow_by_contract_id(id)
        .await
        .expect("read")
        .expect("escrow");
    assert_eq!(escrow.refunded_amount, usd("100.00"));
    env.check_invariants().await;
}

/// Delivered work is approved automatically when the policy window passes;
/// running the timers twice changes nothing more.
pub async fn run_due_auto_approves_and_is_idempotent(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_gig_contract(&env).await;
    env.market
        .submit_deliverable(&creator.ctx, id, video())
        .await
        .expect("deliver");
    env.clock.advance(Duration::days(3) - Duration::seconds(1));
    let early = env.market.run_due(env.now()).await.expect("run");
    assert!(early.auto_approved.is_empty());
    env.clock.advance(Duration::seconds(1));
    let report = env.market.run_due(env.now()).await.expect("run");
    assert_eq!(report.auto_approved, vec![id]);
    let before = env.snapshot().await;
    let again = env.market.run_due(env.now()).await.expect("run again");
    assert!(again.auto_approved.is_empty() && again.reconciled.is_empty());
    assert_eq!(before, env.snapshot().await, "a second run changes nothing");
    let c = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("view")
        .contract;
    assert_eq!(c.status, ContractStatus::Completed);
    env.check_invariants().await;
}

/// Offers not accepted within the acceptance window expire and are refunded.
pub async fn run_due_expires_unaccepted_offers(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (_, client, _, id) = ordered_gig(&env).await;
    env.market
        .fund_escrow(&client.ctx, id, None)
        .await
        .expect("fund");
    env.clock.advance(Duration::days(8));
    let report = env.market.run_due(env.now()).await.expect("run");
    assert_eq!(report.expired_offers, vec![id]);
    let c = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("view");
    assert_eq!(c.contract.status, ContractStatus::Cancelled);
    assert_eq!(c.escrow.expect("escrow").status, EscrowStatus::Refunded);
    env.check_invariants().await;
}

/// Bad deliverables and texts are refused with typed errors.
pub async fn bad_contract_input_is_refused(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_gig_contract(&env).await;
    let mut empty = video();
    empty.video_urls.clear();
    let err = env
        .refused(env.market.submit_deliverable(&creator.ctx, id, empty))
        .await;
    assert!(matches!(err, Error::Validation { .. }), "{err}");
    let err = env
        .refused(env.market.submit_deliverable(&client.ctx, id, video()))
        .await;
    assert!(matches!(err, Error::Forbidden { .. }), "{err}");
    let err = env
        .refused(env.market.request_revision(&client.ctx, id, "   "))
        .await;
    assert!(matches!(err, Error::Validation { .. }), "{err}");
    let err = env
        .refused(env.market.approve_delivery(&client.ctx, id, None))
        .await;
    assert!(matches!(err, Error::InvalidTransition(_)), "{err}");
}

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_contracts {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, contracts;
            order_gig_creates_contract_with_tier_terms,
            order_gig_refusals,
            contracts_are_private_to_their_parties,
            accepting_requires_funded_escrow,
            gig_order_is_delivered_revised_and_approved,
            accepting_a_proposal_creates_the_contract,
            milestones_must_sum_to_the_total,
            milestone_steps_follow_the_machine,
            cancelling_refunds_what_is_held,
            declining_an_offer_refunds_the_client,
            contract_parties_match_the_separate_reads,
            contract_work_and_money_match_the_separate_reads,
            an_update_from_the_read_row_stores_exactly_the_new_row,
            gig_order_context_matches_the_separate_reads,
            contract_commands_check_the_actor_first,
            run_due_auto_approves_and_is_idempotent,
            run_due_expires_unaccepted_offers,
            bad_contract_input_is_refused,
        );
    };
}
