//! Conformance behaviours: disputes and split settlements, support tickets,
//! platform settings and fee tiers, the audit log, consents and GDPR.

use std::net::{IpAddr, Ipv4Addr};

use chrono::Duration;
use rust_decimal::Decimal;

use crate::entities::AuditLog;
use crate::enums::{
    ContractStatus, DisputeStatus, DisputeType, EscrowStatus, TicketPriority, TicketStatus,
    TransactionType, UserStatus,
};
use crate::error::Error;
use crate::ids::UserId;
use crate::money::{Currency, Money};
use crate::service::{
    ConversationSubject, FeeTierInput, OpenTicketInput, RaiseDisputeInput, ResolveDisputeInput,
    ReviewInput, SendMessageInput,
};
use crate::state::SupportTicketEvent;
use crate::testing::contracts::{
    active_gig_contract, active_milestone_contract, deliver_and_approve, video,
};
use crate::testing::payments::submit;
use crate::testing::{StoreFactory, TestEnv};
use crate::value::{Percentage, Rating, Text};

fn usd(s: &str) -> Money {
    Money::usd(s).expect("valid amount")
}

fn dispute() -> RaiseDisputeInput {
    RaiseDisputeInput {
        dispute_type: Some(DisputeType::Quality),
        title: Text::parse("The last cut is unusable").expect("valid"),
        description: "The edit ignores the brief.".into(),
        evidence_urls: vec![],
    }
}

fn resolve(release: &str, refund: &str) -> ResolveDisputeInput {
    ResolveDisputeInput {
        release_to_creator: usd(release),
        refund_to_client: usd(refund),
        resolution: "Split after reviewing the brief and the cut.".into(),
    }
}

/// A dispute freezes the escrow; staff settle what is held by a split that
/// sums exactly, as one balanced transaction; the contract completes, the
/// escrow settles, and the dispute resolves once.
pub async fn disputes_freeze_escrow_and_settle_by_split(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_milestone_contract(&env).await;
    let staff = env.staff().await;
    let milestones = env
        .market
        .get_contract(&client.ctx, id)
        .await
        .expect("view")
        .milestones;
    submit(&env, &creator, milestones[0].id).await;
    env.market
        .release_milestone(&client.ctx, milestones[0].id)
        .await
        .expect("first milestone");
    submit(&env, &creator, milestones[1].id).await;

    let raised = env
        .market
        .raise_dispute(&client.ctx, id, dispute())
        .await
        .expect("raise");
    assert_eq!(raised.status, DisputeStatus::Open);
    let contract = env
        .store
        .contracts()
        .get_by_id(id)
        .await
        .expect("get")
        .expect("contract");
    assert_eq!(contract.status, ContractStatus::Disputed);
    let e = env
        .refused(env.market.release_milestone(&client.ctx, milestones[1].id))
        .await;
    assert!(
        matches!(
            e,
            Error::Rule {
                rule: "escrow_frozen",
                ..
            }
        ),
        "{e}"
    );
    let e = env
        .refused(env.market.refund_escrow(&creator.ctx, id, usd("10.00")))
        .await;
    assert!(
        matches!(
            e,
            Error::Rule {
                rule: "escrow_frozen",
                ..
            }
        ),
        "{e}"
    );
    let e = env
        .refused(env.market.raise_dispute(&creator.ctx, id, dispute()))
        .await;
    assert!(
        matches!(e, Error::AlreadyExists { .. }),
        "one open dispute: {e}"
    );

    let with_evidence = env
        .market
        .add_dispute_evidence(
            &creator.ctx,
            raised.id,
            vec![crate::value::Url::parse("https://cdn.example.com/brief.pdf").expect("valid")],
        )
        .await
        .expect("evidence");
    assert_eq!(with_evidence.evidence_urls.as_ref().map(Vec::len), Some(1));
    let e = env
        .refused(env.market.review_dispute(&client.ctx, raised.id))
        .await;
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    env.market
        .review_dispute(&staff.ctx, raised.id)
        .await
        .expect("review");
    env.market
        .escalate_dispute(&creator.ctx, raised.id)
        .await
        .expect("escalate");

    // 200.01 is held: a settlement must account for exactly that.
    let e = env
        .refused(
            env.market
                .resolve_dispute(&staff.ctx, raised.id, resolve("150.00", "60.00")),
        )
        .await;
    assert!(
        matches!(
            e,
            Error::Rule {
                rule: "settlement_must_match_held",
                ..
            }
        ),
        "{e}"
    );
    let e = env
        .refused(
            env.market
                .resolve_dispute(&client.ctx, raised.id, resolve("0.00", "200.01")),
        )
        .await;
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    let e = env
        .refused(env.market.resolve_dispute(
            &staff.ctx,
            raised.id,
            ResolveDisputeInput {
                release_to_creator:
                    Money::new(Decimal::new(12000, 2), Currency::EUR).expect("valid"),
                refund_to_client: usd("80.01"),
                resolution: "wrong currency".into(),
            },
        ))
        .await;
    assert!(matches!(e, Error::Validation { .. }), "{e}");

    let resolved = env
        .market
        .resolve_dispute(&staff.ctx, raised.id, resolve("120.00", "80.01"))
        .await
        .expect("resolve");
    assert_eq!(resolved.status, DisputeStatus::Resolved);
    assert_eq!(resolved.resolved_by_user_id, Some(staff.user_id));
    let after = env.escrow_of(id).await;
    assert_eq!(after.held_amount, usd("0.00"));
    assert_eq!(after.released_amount, usd("220.00"));
    assert_eq!(after.refunded_amount, usd("80.01"));
    assert_eq!(
        after.status,
        EscrowStatus::Released,
        "payout and refund completed, so the split escrow settles"
    );
    let contract = env
        .store
        .contracts()
        .get_by_id(id)
        .await
        .expect("get")
        .expect("contract");
    assert_eq!(contract.status, ContractStatus::Completed);
    let txs = env
        .store
        .ledger()
        .list_by_contract_id(id)
        .await
        .expect("txs");
    let releases: Vec<_> = txs
        .iter()
        .filter(|t| t.transaction_type == TransactionType::EscrowRelease)
        .collect();
    assert_eq!(releases.len(), 2);
    assert!(releases.iter().any(|t| t.amount == usd("120.00")));
    assert!(
        txs.iter()
            .any(|t| t.transaction_type == TransactionType::Refund && t.amount == usd("80.01"))
    );
    let e = env
        .refused(
            env.market
                .resolve_dispute(&staff.ctx, raised.id, resolve("0.00", "0.00")),
        )
        .await;
    assert!(
        matches!(e, Error::InvalidTransition(_)),
        "resolved once: {e}"
    );
    let notified = env
        .market
        .list_notifications(&creator.ctx, false, crate::store::Page::new(100, 0))
        .await
        .expect("list");
    assert!(
        notified
            .iter()
            .any(|n| n.notification_type.as_str() == "dispute_update")
    );
    let closed = env
        .market
        .close_dispute(&staff.ctx, raised.id)
        .await
        .expect("close");
    assert_eq!(closed.status, DisputeStatus::Closed);
    env.check_invariants().await;
}

/// A full refund by dispute cancels the contract; disputes need a party and
/// an active or in-review contract.
pub async fn dispute_refusals_and_full_refund(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_gig_contract(&env).await;
    let stranger = env.client().await;
    let staff = env.staff().await;
    let e = env
        .refused(env.market.raise_dispute(&stranger.ctx, id, dispute()))
        .await;
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let mut empty = dispute();
    empty.description = "  ".into();
    let e = env
        .refused(env.market.raise_dispute(&client.ctx, id, empty))
        .await;
    assert!(matches!(e, Error::Validation { .. }), "{e}");
    env.market
        .submit_deliverable(&creator.ctx, id, video())
        .await
        .expect("deliver");
    let raised = env
        .market
        .raise_dispute(&creator.ctx, id, dispute())
        .await
        .expect("an in-review contract can be disputed");
    let e = env
        .market
        .get_dispute(&stranger.ctx, raised.id)
        .await
        .expect_err("private");
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    env.market
        .resolve_dispute(&staff.ctx, raised.id, resolve("0.00", "100.00"))
        .await
        .expect("full refund");
    let contract = env
        .store
        .contracts()
        .get_by_id(id)
        .await
        .expect("get")
        .expect("contract");
    assert_eq!(contract.status, ContractStatus::Cancelled);
    let after = env.escrow_of(id).await;
    assert_eq!(after.refunded_amount, usd("100.00"));
    assert_eq!(after.status, EscrowStatus::Refunded);
    let e = env
        .refused(env.market.raise_dispute(&client.ctx, id, dispute()))
        .await;
    assert!(
        matches!(
            e,
            Error::Rule {
                rule: "dispute_not_allowed",
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        env.market
            .list_contract_disputes(&client.ctx, id)
            .await
            .expect("list")
            .len(),
        1
    );
    env.check_invariants().await;
}

/// Eight staff members resolving one dispute at once: exactly one wins.
pub async fn concurrent_resolutions_resolve_once(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (_, client, id) = active_gig_contract(&env).await;
    let staff = env.staff().await;
    let raised = env
        .market
        .raise_dispute(&client.ctx, id, dispute())
        .await
        .expect("raise");
    let mut tasks = Vec::new();
    for i in 0..8 {
        let market = env.market.clone();
        let ctx = staff.ctx.clone();
        let input = if i % 2 == 0 {
            resolve("100.00", "0.00")
        } else {
            resolve("30.00", "70.00")
        };
        tasks.push(tokio::spawn(async move {
            market.resolve_dispute(&ctx, raised.id, input).await
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
    assert_eq!(ok, 1, "exactly one resolution");
    let after = env.escrow_of(id).await;
    assert_eq!(after.held_amount, usd("0.00"));
    let releases = env
        .store
        .ledger()
        .list_by_contract_id(id)
        .await
        .expect("txs")
        .into_iter()
        .filter(|t| t.transaction_type == TransactionType::EscrowRelease)
        .count();
    assert_eq!(releases, 1);
    env.check_invariants().await;
}

fn ticket() -> OpenTicketInput {
    OpenTicketInput {
        category: Text::parse("Billing").expect("valid"),
        priority: Some(TicketPriority::High),
        subject: Text::parse("Charged twice?").expect("valid"),
        description: "I see two charges on my card.".into(),
        attachments: vec![],
    }
}

/// Tickets follow the plan's lifecycle; staff work them, authors reply,
/// reopen or close; resolution time is recorded.
pub async fn support_tickets_follow_their_lifecycle(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let author = env.client().await;
    let stranger = env.creator().await;
    let agent = env.staff().await;
    let opened = env
        .market
        .open_ticket(&author.ctx, ticket())
        .await
        .expect("open");
    assert_eq!(opened.status, TicketStatus::Open);
    assert_eq!(opened.category.as_str(), "billing");
    let e = env
        .market
        .get_ticket(&stranger.ctx, opened.id)
        .await
        .expect_err("private");
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let e = env
        .refused(
            env.market
                .assign_ticket(&agent.ctx, opened.id, stranger.user_id),
        )
        .await;
    assert!(matches!(e, Error::Validation { .. }), "{e}");
    let e = env
        .refused(
            env.market
                .assign_ticket(&author.ctx, opened.id, agent.user_id),
        )
        .await;
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    let assigned = env
        .market
        .assign_ticket(&agent.ctx, opened.id, agent.user_id)
        .await
        .expect("assign");
    assert_eq!(assigned.status, TicketStatus::InProgress);
    assert_eq!(assigned.assigned_to_user_id, Some(agent.user_id));
    assert_eq!(
        env.market
            .list_assigned_tickets(&agent.ctx)
            .await
            .expect("list")
            .len(),
        1
    );
    let e = env
        .refused(env.market.change_ticket_status(
            &author.ctx,
            opened.id,
            SupportTicketEvent::Resolve,
        ))
        .await;
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    for (ctx, event, status) in [
        (
            &agent.ctx,
            SupportTicketEvent::WaitOnCustomer,
            TicketStatus::WaitingOnCustomer,
        ),
        (
            &author.ctx,
            SupportTicketEvent::CustomerReplied,
            TicketStatus::InProgress,
        ),
    ] {
        let t = env
            .market
            .change_ticket_status(ctx, opened.id, event)
            .await
            .expect("move");
        assert_eq!(t.status, status);
    }
    env.clock.advance(Duration::hours(3));
    let resolved = env
        .market
        .change_ticket_status(&agent.ctx, opened.id, SupportTicketEvent::Resolve)
        .await
        .expect("resolve");
    assert_eq!(resolved.resolved_at, Some(env.now()));
    assert_eq!(
        resolved.resolved_at.map(|at| at - resolved.created_at),
        Some(Duration::hours(3))
    );
    let reopened = env
        .market
        .change_ticket_status(&author.ctx, opened.id, SupportTicketEvent::Reopen)
        .await
        .expect("reopen");
    assert_eq!(reopened.resolved_at, None);
    let closed = env
        .market
        .change_ticket_status(&author.ctx, opened.id, SupportTicketEvent::Close)
        .await
        .expect("close");
    assert_eq!(closed.status, TicketStatus::Closed);
    let e = env
        .refused(
            env.market
                .change_ticket_status(&agent.ctx, opened.id, SupportTicketEvent::Reopen),
        )
        .await;
    assert!(matches!(e, Error::InvalidTransition(_)), "{e}");
    let updates = env
        .market
        .list_notifications(&author.ctx, false, crate::store::Page::new(100, 0))
        .await
        .expect("list");
    assert!(
        updates
            .iter()
            .any(|n| n.notification_type.as_str() == "support_update")
    );
}

pub(crate) fn tier(name: &str, percent: i64, from: chrono::DateTime<chrono::Utc>) -> FeeTierInput {
    FeeTierInput {
        tier_name: Text::parse(name).expect("valid"),
        min_amount: usd("0.00"),
        max_amount: None,
        platform_fee_percentage: Percentage::parse(Decimal::from(percent)).expect("valid"),
        processing_fee_percentage: Percentage::parse(Decimal::new(29, 1)).expect("valid"),
        fixed_fee: usd("0.30"),
        effective_from: from,
        effective_until: None,
    }
}

/// Settings and fee tiers are staff-only; tiers may not overlap; a
/// contract keeps the fee quote it was made with.
pub async fn settings_and_fee_tiers_are_staff_only(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let staff = env.staff().await;
    let user = env.client().await;
    let e = env
        .refused(
            env.market
                .put_setting(&user.ctx, "maintenance", serde_json::json!(true), None),
        )
        .await;
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    let put = env
        .market
        .put_setting(
            &staff.ctx,
            "maintenance",
            serde_json::json!({ "enabled": false }),
            Some("Read-only mode".into()),
        )
        .await
        .expect("put");
    let replaced = env
        .market
        .put_setting(
            &staff.ctx,
            "maintenance",
            serde_json::json!({ "enabled": true }),
            None,
        )
        .await
        .expect("replace");
    assert_eq!(replaced.description, put.description);
    assert_eq!(
        env.market
            .get_setting(&staff.ctx, "maintenance")
            .await
            .expect("get")
            .value,
        serde_json::json!({ "enabled": true })
    );
    let e = env
        .market
        .get_setting(&user.ctx, "maintenance")
        .await
        .expect_err("staff only");
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");

    let e = env
        .market
        .run_due_as_staff(&user.ctx)
        .await
        .expect_err("staff only");
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    env.market
        .run_due_as_staff(&staff.ctx)
        .await
        .expect("staff run the due work");

    // A contract made under the fallback schedule keeps its quote.
    let (creator, client, id) = active_gig_contract(&env).await;
    let quoted = env
        .store
        .contracts()
        .get_by_id(id)
        .await
        .expect("get")
        .expect("contract");
    let start = env.now() - Duration::days(1);
    let expensive = env
        .market
        .add_fee_tier(&staff.ctx, tier("expensive", 30, start))
        .await
        .expect("add a tier");
    let e = env
        .refused(
            env.market
                .add_fee_tier(&staff.ctx, tier("overlapping", 5, start)),
        )
        .await;
    assert!(matches!(e, Error::Fees(_)), "{e}");
    let e = env
        .refused(env.market.add_fee_tier(&user.ctx, tier("mine", 1, start)))
        .await;
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    let later = env.now() + Duration::days(30);
    let ended = env
        .market
        .end_fee_tier(&staff.ctx, expensive.id, later)
        .await
        .expect("end");
    assert_eq!(ended.effective_until, Some(later));
    env.market
        .add_fee_tier(&staff.ctx, tier("next", 12, later))
        .await
        .expect("a tier after the end does not overlap");
    assert_eq!(env.market.list_fee_tiers().await.expect("list").len(), 2);

    deliver_and_approve(&env, &creator, &client, id).await;
    let release = env
        .store
        .ledger()
        .list_by_contract_id(id)
        .await
        .expect("txs")
        .into_iter()
        .find(|t| t.transaction_type == TransactionType::EscrowRelease)
        .expect("a release");
    assert_eq!(
        release.platform_fee, quoted.platform_fee,
        "the quote is kept"
    );
    env.check_invariants().await;
}

/// Commands write audit entries with actor, action, old and new values and
/// the caller's address; contact details never enter the log.
pub async fn commands_write_audit_entries(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let staff = env.staff().await;
    let client = env.client().await;
    let ctx = client.ctx.clone().with_client(
        Some(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 4))),
        Some("curl/8".into()),
    );
    let opened = env.market.open_ticket(&ctx, ticket()).await.expect("open");
    env.market
        .assign_ticket(&staff.ctx, opened.id, staff.user_id)
        .await
        .expect("assign");
    let trail = env
        .market
        .audit_trail(&staff.ctx, "support_ticket", opened.id.as_uuid())
        .await
        .expect("trail");
    let actions: Vec<_> = trail
        .iter()
        .map(|a| a.action.as_str().to_string())
        .collect();
    assert_eq!(actions, vec!["create", "assign"]);
    assert_eq!(trail[0].user_id, Some(client.user_id));
    assert_eq!(trail[0].ip_address, ctx.ip_address);
    assert_eq!(trail[0].user_agent.as_deref(), Some("curl/8"));
    assert!(trail[1].old_values.is_some() && trail[1].new_values.is_some());
    let e = env
        .market
        .audit_trail(&client.ctx, "support_ticket", opened.id.as_uuid())
        .await
        .expect_err("staff only");
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    let by_user = env
        .market
        .audit_by_user(&staff.ctx, client.user_id)
        .await
        .expect("by user");
    assert!(!by_user.is_empty());
    for entry in env
        .store
        .admin()
        .list_audit_by_user_id(staff.user_id)
        .await
        .expect("all")
    {
        let text = serde_json::to_string(&entry).expect("json");
        assert!(
            !text.contains("@example.com"),
            "contact details in the log: {text}"
        );
    }
}

/// An actor's newest audit entries come newest first (by time, then id),
/// at most as many as asked for: the reverse of the whole list's end.
pub async fn an_actors_newest_audit_entries_come_first(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    for _ in 0..3 {
        env.clock.advance(Duration::seconds(1));
        env.market
            .open_ticket(&client.ctx, ticket())
            .await
            .expect("open");
    }
    let admin = env.store.admin();
    let mut all = admin
        .list_audit_by_user_id(client.user_id)
        .await
        .expect("all");
    assert!(all.len() >= 3, "{all:?}");
    all.reverse();
    let ids = |entries: &[AuditLog]| entries.iter().map(|e| e.id).collect::<Vec<_>>();
    let newest = admin
        .list_recent_audit_by_user_id(client.user_id, 2)
        .await
        .expect("newest");
    assert_eq!(ids(&newest), ids(&all[..2]));
    assert_eq!(newest[0].action.as_str(), "create");
    assert!(newest[0].created_at > newest[1].created_at);
    let every = admin
        .list_recent_audit_by_user_id(client.user_id, 1000)
        .await
        .expect("every");
    assert_eq!(ids(&every), ids(&all));
    let nobody = admin
        .list_recent_audit_by_user_id(UserId::new(), 10)
        .await
        .expect("none");
    assert!(nobody.is_empty());
}

/// Consents are granted, revoked and granted again, with the request's
/// address.
pub async fn consents_are_recorded_and_revoked(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = env.client().await;
    let e = env
        .refused(env.market.revoke_consent(&user.ctx, "marketing_email"))
        .await;
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let ctx = user
        .ctx
        .clone()
        .with_client(Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))), None);
    let granted = env
        .market
        .grant_consent(&ctx, "Marketing_Email")
        .await
        .expect("grant");
    assert!(granted.granted && granted.granted_at.is_some());
    assert_eq!(granted.consent_type.as_str(), "marketing_email");
    assert_eq!(granted.ip_address, ctx.ip_address);
    env.clock.advance(Duration::hours(1));
    let revoked = env
        .market
        .revoke_consent(&user.ctx, "marketing_email")
        .await
        .expect("revoke");
    assert!(!revoked.granted);
    assert_eq!(revoked.revoked_at, Some(env.now()));
    let again = env
        .market
        .grant_consent(&user.ctx, "marketing_email")
        .await
        .expect("grant again");
    assert!(again.granted && again.revoked_at.is_none());
    assert_eq!(
        env.market
            .list_consents(&user.ctx)
            .await
            .expect("list")
            .len(),
        1
    );
}

/// A completed contract with messages and reviews, then the client exports
/// and erases their data: nothing of their email survives anywhere in the
/// store, the creator's records stay, and every ledger check still passes.
pub async fn erasure_removes_personal_data_and_keeps_the_books(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_gig_contract(&env).await;
    let staff = env.staff().await;
    let stranger = env.creator().await;
    let email = env
        .store
        .users()
        .get_by_id(client.user_id)
        .await
        .expect("get")
        .expect("user")
        .email
        .as_str()
        .to_string();
    let conv = env
        .market
        .start_conversation(
            &client.ctx,
            ConversationSubject::ContractDiscussion { contract: id },
        )
        .await
        .expect("start");
    env.market
        .send_message(
            &client.ctx,
            conv.id,
            SendMessageInput {
                content: format!("Write to me at {email}"),
                message_type: None,
                attachments: vec![],
            },
        )
        .await
        .expect("send");
    env.market
        .send_message(
            &creator.ctx,
            conv.id,
            SendMessageInput {
                content: "Will do".into(),
                message_type: None,
                attachments: vec![],
            },
        )
        .await
        .expect("reply");
    let e = env
        .refused(env.market.erase_user(&client.ctx, client.user_id))
        .await;
    assert!(
        matches!(
            e,
            Error::Rule {
                rule: "open_contracts",
                ..
            }
        ),
        "{e}"
    );
    deliver_and_approve(&env, &creator, &client, id).await;
    let stars = Rating::parse(5).expect("valid");
    let review = ReviewInput {
        overall_rating: stars,
        communication_rating: None,
        quality_rating: None,
        professionalism_rating: None,
        value_rating: None,
        title: None,
        comment: Some("Great".into()),
    };
    env.market
        .leave_review(&client.ctx, id, review.clone())
        .await
        .expect("client reviews");
    env.market
        .leave_review(&creator.ctx, id, review)
        .await
        .expect("creator reviews");
    env.market
        .grant_consent(&client.ctx, "terms")
        .await
        .expect("consent");

    let e = env
        .market
        .export_user_data(&stranger.ctx, client.user_id)
        .await
        .expect_err("not theirs");
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let export = env
        .market
        .export_user_data(&client.ctx, client.user_id)
        .await
        .expect("export");
    assert_eq!(export.contracts.len(), 1);
    assert_eq!(export.messages.len(), 1);
    assert_eq!(export.reviews_written.len(), 1);
    assert_eq!(export.reviews_received.len(), 1);
    assert_eq!(export.consents.len(), 1);
    assert!(!export.transactions.is_empty());
    let export_text = serde_json::to_string(&export).expect("json");
    assert!(export_text.contains(&email));
    assert!(
        !export_text.contains("$argon2"),
        "no password hash in an export"
    );

    let transactions_before = env
        .store
        .ledger()
        .list_by_contract_id(id)
        .await
        .expect("txs");
    let postings_before = env
        .store
        .ledger()
        .list_all_postings()
        .await
        .expect("postings");
    let report = env
        .market
        .erase_user(&client.ctx, client.user_id)
        .await
        .expect("erase");
    assert!(report.deleted > 0 && report.anonymised > 0);
    let survivors: Vec<_> = env
        .snapshot()
        .await
        .into_iter()
        .filter(|r| serde_json::to_string(r).expect("json").contains(&email))
        .collect();
    assert!(
        survivors.is_empty(),
        "the erased email survives in {survivors:#?}"
    );
    let user = env
        .store
        .users()
        .get_by_id(client.user_id)
        .await
        .expect("get")
        .expect("the row stays for the books");
    assert_eq!(user.status, UserStatus::Deleted);
    assert_eq!(
        env.store
            .ledger()
            .list_by_contract_id(id)
            .await
            .expect("txs"),
        transactions_before
    );
    assert_eq!(
        env.store
            .ledger()
            .list_all_postings()
            .await
            .expect("postings"),
        postings_before
    );
    let creators_view = env
        .market
        .list_messages(&creator.ctx, conv.id, None, 10)
        .await
        .expect("the creator keeps the thread");
    assert_eq!(creators_view.len(), 2);
    assert!(creators_view.iter().any(|m| m.content == "Will do"));
    assert!(
        env.market.get_contract(&creator.ctx, id).await.is_ok(),
        "the creator keeps the contract"
    );
    let e = env
        .market
        .list_notifications(&client.ctx, false, crate::store::Page::new(10, 0))
        .await
        .expect_err("an erased user cannot act");
    assert!(matches!(e, Error::Unauthenticated), "{e}");
    let e = env
        .refused(env.market.erase_user(&staff.ctx, client.user_id))
        .await;
    assert!(
        matches!(
            e,
            Error::Rule {
                rule: "already_erased",
                ..
            }
        ),
        "{e}"
    );
    env.check_invariants().await;
}

/// A brand writes about itself from a known address and browser, then
/// erases its account: every audit entry stays, with its action and the
/// states it records, but nothing the brand wrote, nor where it acted
/// from, survives anywhere in the store.
pub async fn erasure_scrubs_what_the_user_wrote_from_the_audit_log(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let ip = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 77));
    let browser = "Kestrel-Browser/9.1";
    let ctx = crate::service::Ctx {
        ip_address: Some(ip),
        user_agent: Some(browser.to_string()),
        ..client.ctx.clone()
    };
    let secret = "Ask for Zebulon Quartermaine at the loading dock";
    env.market
        .update_client_profile(
            &ctx,
            crate::service::UpdateClientProfileInput {
                company_name: Some(Text::parse("Quartermaine Sodas").expect("valid")),
                description: Some(Some(Text::parse(secret).expect("valid"))),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    let entries_before = env
        .store
        .admin()
        .list_audit_by_user_id(client.user_id)
        .await
        .expect("entries");
    assert!(
        entries_before.iter().any(|e| e.ip_address == Some(ip)),
        "the update was logged with its address"
    );

    env.market
        .erase_user(&ctx, client.user_id)
        .await
        .expect("erase");

    for needle in ["Zebulon", "Quartermaine", browser, "203.0.113.77"] {
        let survivors: Vec<_> = env
            .snapshot()
            .await
            .into_iter()
            .filter(|r| serde_json::to_string(r).expect("json").contains(needle))
            .collect();
        assert!(
            survivors.is_empty(),
            "{needle:?} survives erasure in {survivors:#?}"
        );
    }
    let entries_after = env
        .store
        .admin()
        .list_audit_by_user_id(client.user_id)
        .await
        .expect("entries");
    assert_eq!(
        entries_after.len(),
        entries_before.len() + 1,
        "every entry stays, and the erasure adds its own"
    );
    for before in &entries_before {
        let after = entries_after
            .iter()
            .find(|e| e.id == before.id)
            .expect("the entry stays");
        assert_eq!(
            (after.action.as_str(), after.entity_id, after.created_at),
            (before.action.as_str(), before.entity_id, before.created_at),
            "who did what to which row, and when, stays"
        );
        assert_eq!((after.ip_address, &after.user_agent), (None, &None));
    }
    let update = entries_after
        .iter()
        .find(|e| e.entity_type.as_str() == "client_profile" && e.new_values.is_some())
        .expect("the profile update's entry");
    let new_values = update.new_values.as_ref().expect("values");
    assert_eq!(new_values["description"], crate::service::ERASED);
    let erase = entries_after
        .iter()
        .find(|e| e.action.as_str().ends_with("erase"))
        .expect("the erasure's entry");
    assert_eq!(erase.user_id, Some(client.user_id));
    env.check_invariants().await;
}

/// Stamps this area's behaviours for a backend.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_operations {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, operations;
            disputes_freeze_escrow_and_settle_by_split,
            dispute_refusals_and_full_refund,
            concurrent_resolutions_resolve_once,
            support_tickets_follow_their_lifecycle,
            settings_and_fee_tiers_are_staff_only,
            commands_write_audit_entries,
            an_actors_newest_audit_entries_come_first,
            consents_are_recorded_and_revoked,
            erasure_removes_personal_data_and_keeps_the_books,
            erasure_scrubs_what_the_user_wrote_from_the_audit_log,
        );
    };
}
