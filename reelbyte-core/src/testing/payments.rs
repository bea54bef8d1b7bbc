//! Conformance behaviours: escrow funding, releases, refunds, tips, the
//! payment gateway's failures, idempotency keys and races.

use crate::enums::{ContractStatus, EscrowStatus, TransactionStatus, TransactionType};
use crate::error::Error;
use crate::gateway::SimulatedBehaviour;
use crate::idempotency::IdempotencyKey;
use crate::money::{Currency, Money};
use crate::testing::contracts::{active_gig_contract, active_milestone_contract, ordered_gig};
use crate::testing::{StoreFactory, TestEnv};

fn usd(s: &str) -> Money {
    Money::usd(s).expect("valid amount")
}

fn key(k: &str) -> IdempotencyKey {
    IdempotencyKey::parse(k).expect("valid key")
}

/// The creator starts and submits a milestone.
pub async fn submit(
    env: &TestEnv,
    creator: &crate::testing::Seeded,
    milestone: crate::ids::MilestoneId,
) {
    env.market
        .start_milestone(&creator.ctx, milestone)
        .await
        .expect("start");
    env.market
        .submit_milestone(&creator.ctx, milestone)
        .await
        .expect("submit");
}

/// Funding charges the client once and holds the total in escrow, with a
/// balanced ledger entry.
pub async fn funding_holds_the_total_in_escrow(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (_, client, _, id) = ordered_gig(&env).await;
    // A clock finer than PostgreSQL's microseconds, as the system clock is:
    // the escrow funding returns must still equal the escrow stored.
    env.clock
        .advance(chrono::Duration::nanoseconds(123_456_789));
    let escrow = env
        .market
        .fund_escrow(&client.ctx, id, None)
        .await
        .expect("fund");
    assert_eq!(
        (escrow.total_amount, escrow.held_amount, escrow.status),
        (usd("100.00"), usd("100.00"), EscrowStatus::Active)
    );
    assert_eq!(
        env.store
            .contracts()
            .get_escrow_by_contract_id(id)
            .await
            .expect("read"),
        Some(escrow),
        "the escrow returned is the escrow stored"
    );
    assert_eq!(env.gateway.succeeded().len(), 1);
    let err = env
        .refused(env.market.fund_escrow(&client.ctx, id, None))
        .await;
    assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");
    env.check_invariants().await;
}

/// The same idempotency key and request returns the first result without a
/// second charge; the same key with another request is refused.
pub async fn funding_is_idempotent(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (_, client, _, id) = ordered_gig(&env).await;
    let ctx = client.ctx.clone().with_idempotency_key(key("fund-1"));
    let first = env.market.fund_escrow(&ctx, id, None).await.expect("fund");
    let replay = env
        .market
        .fund_escrow(&ctx, id, None)
        .await
        .expect("replay");
    assert_eq!(first, replay);
    assert_eq!(env.gateway.calls().len(), 1, "one charge");
    let (_, _, _, other) = ordered_gig(&env).await;
    let err = env.refused(env.market.fund_escrow(&ctx, other, None)).await;
    assert!(matches!(err, Error::IdempotencyKeyReused), "{err}");
}

/// A declined card fails the charge and opens no escrow; a later attempt works.
pub async fn declined_charge_opens_no_escrow(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (_, client, _, id) = ordered_gig(&env).await;
    env.gateway.set_behaviour(SimulatedBehaviour::Decline);
    let err = env
        .market
        .fund_escrow(&client.ctx, id, None)
        .await
        .expect_err("declined");
    assert!(matches!(err, Error::Payment { .. }), "{err}");
    assert!(
        env.store
            .contracts()
            .get_escrow_by_contract_id(id)
            .await
            .expect("read")
            .is_none()
    );
    let txs = env
        .store
        .ledger()
        .list_by_contract_id(id)
        .await
        .expect("read");
    assert_eq!(
        txs.iter().map(|t| t.status).collect::<Vec<_>>(),
        [TransactionStatus::Failed]
    );
    env.gateway.set_behaviour(SimulatedBehaviour::Approve);
    env.market
        .fund_escrow(&client.ctx, id, None)
        .await
        .expect("second attempt");
    env.check_invariants().await;
}

/// When the provider's answer is lost, the charge stays pending and
/// `run_due` reconciles it: escrow opens exactly once.
pub async fn lost_answers_are_reconciled_by_run_due(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (_, client, _, id) = ordered_gig(&env).await;
    env.gateway.set_behaviour(SimulatedBehaviour::TimeOut);
    let err = env
        .market
        .fund_escrow(&client.ctx, id, None)
        .await
        .expect_err("unknown outcome");
    assert!(matches!(err, Error::Payment { .. }), "{err}");
    let txs = env
        .store
        .ledger()
        .list_by_contract_id(id)
        .await
        .expect("read");
    assert_eq!(txs[0].status, TransactionStatus::Pending);
    env.gateway.set_behaviour(SimulatedBehaviour::Approve);
    let report = env.market.run_due(env.now()).await.expect("run");
    assert_eq!(report.reconciled, vec![txs[0].id]);
    let escrow = env
        .store
        .contracts()
        .get_escrow_by_contract_id(id)
        .await
        .expect("read")
        .expect("escrow opened");
    assert_eq!(escrow.held_amount, usd("100.00"));
    assert_eq!(env.gateway.calls().len(), 1, "the provider charged once");
    env.market.run_due(env.now()).await.expect("run again");
    env.check_invariants().await;
}

/// A provider that cannot be reached leaves nothing half-done.
pub async fn unreachable_provider_leaves_a_pending_charge(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (_, client, _, id) = ordered_gig(&env).await;
    env.gateway.set_behaviour(SimulatedBehaviour::Fail);
    env.market
        .fund_escrow(&client.ctx, id, None)
        .await
        .expect_err("unreachable");
    assert!(env.gateway.calls().is_empty());
    env.gateway.set_behaviour(SimulatedBehaviour::Approve);
    env.market.run_due(env.now()).await.expect("reconcile");
    assert!(
        env.store
            .contracts()
            .get_escrow_by_contract_id(id)
            .await
            .expect("read")
            .is_some()
    );
    env.check_invariants().await;
}

/// Sixteen concurrent fundings of one contract charge the client once.
pub async fn concurrent_funding_charges_once(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (_, client, _, id) = ordered_gig(&env).await;
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let market = env.market.clone();
        let ctx = client.ctx.clone();
        tasks.push(tokio::spawn(async move {
            market.fund_escrow(&ctx, id, None).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.expect("task").is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 1, "exactly one funding wins");
    assert_eq!(env.gateway.calls().len(), 1, "one charge");
    env.check_invariants().await;
}

/// Thirty-two tasks releasing the same milestone: exactly one succeeds, the
/// rest get a typed error, the ledger balances.
pub async fn concurrent_releases_of_one_milestone_release_once(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_milestone_contract(&env).await;
    let milestone = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("view")
        .milestones[0]
        .id;
    submit(&env, &creator, milestone).await;
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let market = env.market.clone();
        let ctx = client.ctx.clone();
        tasks.push(tokio::spawn(async move {
            market.release_milestone(&ctx, milestone).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => ok += 1,
            Err(Error::InvalidTransition(_)) | Err(Error::Conflict { .. }) => {}
            Err(other) => panic!("unexpected error {other}"),
        }
    }
    assert_eq!(ok, 1, "exactly one release");
    let escrow = env
        .store
        .contracts()
        .get_escrow_by_contract_id(id)
        .await
        .expect("read")
        .expect("escrow");
    assert_eq!(escrow.released_amount, usd("100.00"));
    env.check_invariants().await;
}

/// Releasing every milestone completes the contract, and the fees of the
/// parts add up exactly to the contract's quoted fee.
pub async fn releasing_every_milestone_completes_the_contract(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_milestone_contract(&env).await;
    let view = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("view");
    let err = env
        .refused(
            env.market
                .release_milestone(&client.ctx, view.milestones[0].id),
        )
        .await;
    assert!(
        matches!(err, Error::InvalidTransition(_)),
        "a pending milestone is not payable: {err}"
    );
    for m in &view.milestones {
        submit(&env, &creator, m.id).await;
        env.market
            .release_milestone(&client.ctx, m.id)
            .await
            .expect("release");
    }
    let err = env
        .refused(
            env.market
                .release_milestone(&client.ctx, view.milestones[0].id),
        )
        .await;
    assert!(
        matches!(err, Error::InvalidTransition(_) | Error::Rule { .. }),
        "{err}"
    );
    let after = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("view");
    assert_eq!(after.contract.status, ContractStatus::Completed);
    let releases: Vec<_> = env
        .transactions_of(id)
        .await
        .into_iter()
        .filter(|t| t.transaction_type == TransactionType::EscrowRelease)
        .collect();
    assert_eq!(releases.len(), 3);
    let fees = Money::sum(Currency::USD, releases.iter().map(|t| t.platform_fee)).expect("sum");
    assert_eq!(fees, after.contract.platform_fee);
    let payouts = Money::sum(Currency::USD, releases.iter().map(|t| t.net_amount)).expect("sum");
    assert_eq!(payouts, after.contract.creator_payout);
    let profile = env
        .store
        .creators()
        .get_by_id(creator.creator_id())
        .await
        .expect("read")
        .expect("p");
    assert_eq!(profile.total_earnings, after.contract.creator_payout);
    assert_eq!(after.escrow.expect("escrow").status, EscrowStatus::Released);
    env.check_invariants().await;
}

/// Only the client releases; a milestone id of another contract is not found.
pub async fn release_refusals(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_milestone_contract(&env).await;
    let milestone = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("view")
        .milestones[0]
        .id;
    let err = env
        .refused(env.market.release_milestone(&creator.ctx, milestone))
        .await;
    assert!(matches!(err, Error::Forbidden { .. }), "{err}");
    let stranger = env.client().await;
    let err = env
        .refused(env.market.release_milestone(&stranger.ctx, milestone))
        .await;
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    let err = env
        .refused(
            env.market
                .release_milestone(&client.ctx, crate::ids::MilestoneId::new()),
        )
        .await;
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

/// A replayed release returns the first receipt without a second release.
pub async fn release_is_idempotent(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_milestone_contract(&env).await;
    let milestone = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("view")
        .milestones[0]
        .id;
    submit(&env, &creator, milestone).await;
    let ctx = client.ctx.clone().with_idempotency_key(key("release-1"));
    let first = env
        .market
        .release_milestone(&ctx, milestone)
        .await
        .expect("release");
    let replay = env
        .market
        .release_milestone(&ctx, milestone)
        .await
        .expect("replay");
    assert_eq!(first, replay);
    let releases = env
        .store
        .ledger()
        .list_by_contract_id(id)
        .await
        .expect("read")
        .into_iter()
        .filter(|t| t.transaction_type == TransactionType::EscrowRelease)
        .count();
    assert_eq!(releases, 1);
}

/// The creator refunds part of what is held; more than is held is refused.
pub async fn partial_refunds_never_exceed_what_is_held(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_gig_contract(&env).await;
    let escrow = env
        .market
        .refund_escrow(&creator.ctx, id, usd("30.00"))
        .await
        .expect("refund");
    assert_eq!(
        (escrow.held_amount, escrow.refunded_amount),
        (usd("70.00"), usd("30.00"))
    );
    let err = env
        .refused(env.market.refund_escrow(&creator.ctx, id, usd("70.01")))
        .await;
    assert!(
        matches!(
            err,
            Error::Rule {
                rule: "insufficient_escrow",
                ..
            }
        ),
        "{err}"
    );
    let err = env
        .refused(env.market.refund_escrow(&client.ctx, id, usd("1.00")))
        .await;
    assert!(matches!(err, Error::Forbidden { .. }), "{err}");
    let err = env
        .refused(env.market.refund_escrow(&creator.ctx, id, usd("-1.00")))
        .await;
    assert!(matches!(err, Error::Validation { .. }), "{err}");
    let refunds = env
        .store
        .ledger()
        .list_by_contract_id(id)
        .await
        .expect("read")
        .into_iter()
        .filter(|t| t.transaction_type == TransactionType::Refund)
        .collect::<Vec<_>>();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].status, TransactionStatus::Completed);
    env.check_invariants().await;
}

/// A tip is charged, credited in full to the creator and paid out.
pub async fn tips_reach_the_creator_in_full(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_gig_contract(&env).await;
    let tip = env
        .market
        .tip(&client.ctx, id, usd("15.00"))
        .await
        .expect("tip");
    assert_eq!(tip.status, TransactionStatus::Completed);
    let profile = env
        .store
        .creators()
        .get_by_id(creator.creator_id())
        .await
        .expect("read")
        .expect("p");
    assert_eq!(profile.total_earnings, usd("15.00"));
    let err = env
        .refused(env.market.tip(&creator.ctx, id, usd("1.00")))
        .await;
    assert!(matches!(err, Error::Forbidden { .. }), "{err}");
    let err = env
        .refused(env.market.tip(&client.ctx, id, usd("0.00")))
        .await;
    assert!(matches!(err, Error::Validation { .. }), "{err}");
    env.check_invariants().await;
}

/// A contract whose escrow waits on two pending calls: a partial refund
/// and, after approval, the payout of the rest, both left pending by a
/// provider whose answers are lost. Returns the contract, the escrow's
/// status meanwhile, and the two transactions.
async fn escrow_waiting_on_two_calls(
    env: &TestEnv,
) -> (
    crate::ids::ContractId,
    crate::entities::Transaction,
    crate::entities::Transaction,
) {
    let (creator, client, id) = active_gig_contract(env).await;
    env.gateway.set_behaviour(SimulatedBehaviour::TimeOut);
    env.market
        .refund_escrow(&creator.ctx, id, usd("30.00"))
        .await
        .expect("the refund is recorded; its answer is lost");
    crate::testing::contracts::deliver_and_approve(env, &creator, &client, id).await;
    let pending: Vec<_> = env
        .transactions_of(id)
        .await
        .into_iter()
        .filter(|t| {
            matches!(
                t.transaction_type,
                TransactionType::Payout | TransactionType::Refund
            )
        })
        .collect();
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert!(
        pending
            .iter()
            .all(|t| t.status == TransactionStatus::Pending)
    );
    env.gateway.set_behaviour(SimulatedBehaviour::Approve);
    let mut calls = pending.into_iter();
    let (first, second) = (calls.next().expect("one"), calls.next().expect("two"));
    (id, first, second)
}

/// The escrow settles when the last of its pending payouts and refunds
/// completes, not before, whichever completes first.
pub async fn escrow_settles_when_its_last_call_completes(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    for refund_first in [true, false] {
        let (id, a, b) = escrow_waiting_on_two_calls(&env).await;
        assert_eq!(env.escrow_of(id).await.status, EscrowStatus::Releasing);
        let (first, last) = match (refund_first, a.transaction_type) {
            (true, TransactionType::Refund) | (false, TransactionType::Payout) => (a, b),
            _ => (b, a),
        };
        let done = env.market.execute_pending(first.id).await.expect("first");
        assert_eq!(done.status, TransactionStatus::Completed);
        assert_eq!(
            env.escrow_of(id).await.status,
            EscrowStatus::Releasing,
            "the {} is still pending",
            last.transaction_type
        );
        let done = env.market.execute_pending(last.id).await.expect("last");
        assert_eq!(done.status, TransactionStatus::Completed);
        assert_eq!(env.escrow_of(id).await.status, EscrowStatus::Released);
    }
    env.check_invariants().await;
}

/// The last two pending calls of an escrow completing at the same time
/// still settle it: neither may conclude that the other is pending once
/// both have completed.
pub async fn concurrent_last_calls_settle_the_escrow(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    for _ in 0..4 {
        let (id, a, b) = escrow_waiting_on_two_calls(&env).await;
        let tasks: Vec<_> = [a.id, b.id]
            .into_iter()
            .map(|tx| {
                let market = env.market.clone();
                tokio::spawn(async move { market.execute_pending(tx).await })
            })
            .collect();
        for t in tasks {
            let done = t.await.expect("task").expect("executed");
            assert_eq!(done.status, TransactionStatus::Completed);
        }
        assert_eq!(env.escrow_of(id).await.status, EscrowStatus::Released);
    }
    env.check_invariants().await;
}

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_payments {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, payments;
            funding_holds_the_total_in_escrow,
            funding_is_idempotent,
            declined_charge_opens_no_escrow,
            lost_answers_are_reconciled_by_run_due,
            unreachable_provider_leaves_a_pending_charge,
            concurrent_funding_charges_once,
            concurrent_releases_of_one_milestone_release_once,
            releasing_every_milestone_completes_the_contract,
            release_refusals,
            release_is_idempotent,
            partial_refunds_never_exceed_what_is_held,
            tips_reach_the_creator_in_full,
            escrow_settles_when_its_last_call_completes,
            concurrent_last_calls_settle_the_escrow,
        );
    };
}
