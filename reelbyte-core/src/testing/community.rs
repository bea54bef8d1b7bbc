//! Conformance behaviours: messaging, notifications, favorites, saved-search
//! alerts and view analytics.

use std::net::{IpAddr, Ipv4Addr};

use chrono::Duration;

use crate::entities::Notification;
use crate::enums::{AlertFrequency, FavoritedType, MessageType, SearchType};
use crate::error::Error;
use crate::ids::{GigId, NotificationId, UserId};
use crate::notify::Channel;
use crate::service::{
    ConversationSubject, Ctx, NotificationKind, SaveSearchInput, SendMessageInput,
    UpdatePreferencesInput, UpdateSavedSearchInput,
};
use crate::store::{ChangeSet, MessageCursor, Page};
use crate::testing::contracts::{
    active_gig_contract, deliver_and_approve, fund_and_accept, order_basic_gig, video,
};
use crate::testing::{StoreFactory, TestEnv};
use crate::value::Text;

fn text(content: &str) -> SendMessageInput {
    SendMessageInput {
        content: content.into(),
        message_type: None,
        attachments: vec![],
    }
}

async fn kinds_for(env: &TestEnv, ctx: &Ctx) -> Vec<String> {
    env.market
        .list_notifications(ctx, false, Page::new(100, 0))
        .await
        .expect("list notifications")
        .into_iter()
        .map(|n| n.notification_type.as_str().to_string())
        .collect()
}

/// A contract discussion: one conversation per contract whoever starts it;
/// unread counts per participant; mark read; newest-first pages by cursor.
pub async fn conversations_count_unread_and_page_by_cursor(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, contract) = active_gig_contract(&env).await;
    let subject = ConversationSubject::ContractDiscussion { contract };
    let conv = env
        .market
        .start_conversation(&client.ctx, subject)
        .await
        .expect("start");
    let again = env
        .market
        .start_conversation(&creator.ctx, subject)
        .await
        .expect("start again");
    assert_eq!(conv.id, again.id, "one conversation per contract");

    let mut sent = Vec::new();
    for i in 0..5 {
        env.clock.advance(Duration::seconds(1));
        sent.push(
            env.market
                .send_message(&client.ctx, conv.id, text(&format!("message {i}")))
                .await
                .expect("send"),
        );
    }
    let theirs = env
        .market
        .get_conversation(&creator.ctx, conv.id)
        .await
        .expect("creator sees it");
    assert_eq!(theirs.me.unread_count, 5);
    assert_eq!(
        theirs.conversation.last_message_at,
        Some(sent[4].created_at)
    );
    let mine = env
        .market
        .get_conversation(&client.ctx, conv.id)
        .await
        .expect("client sees it");
    assert_eq!(mine.me.unread_count, 0, "own messages are not unread");
    assert!(
        kinds_for(&env, &creator.ctx)
            .await
            .contains(&"new_message".to_string())
    );
    assert!(
        !kinds_for(&env, &client.ctx)
            .await
            .contains(&"new_message".to_string())
    );

    // Pages of two, newest first, by cursor.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = env
            .market
            .list_messages(&creator.ctx, conv.id, cursor, 2)
            .await
            .expect("page");
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 2);
        let last = page.last().expect("non-empty");
        cursor = Some(MessageCursor {
            created_at: last.created_at,
            id: last.id,
        });
        seen.extend(page.into_iter().map(|m| m.id));
    }
    let expected: Vec<_> = sent.iter().rev().map(|m| m.id).collect();
    assert_eq!(seen, expected);

    let read = env
        .market
        .mark_conversation_read(&creator.ctx, conv.id)
        .await
        .expect("mark read");
    assert_eq!(read.unread_count, 0);
    assert_eq!(read.last_read_at, Some(env.now()));
    let stored = env
        .market
        .get_conversation(&creator.ctx, conv.id)
        .await
        .expect("reload");
    assert_eq!(stored.me.unread_count, 0);
    env.check_invariants().await;
}

/// Only participants read or write; only the sender edits or deletes.
pub async fn only_participants_read_or_write(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, contract) = active_gig_contract(&env).await;
    let outsider = env.client().await;
    let conv = env
        .market
        .start_conversation(
            &client.ctx,
            ConversationSubject::ContractDiscussion { contract },
        )
        .await
        .expect("start");
    let message = env
        .market
        .send_message(&client.ctx, conv.id, text("hello"))
        .await
        .expect("send");

    let e = env
        .refused(env.market.start_conversation(
            &outsider.ctx,
            ConversationSubject::ContractDiscussion { contract },
        ))
        .await;
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let e = env
        .refused(env.market.send_message(&outsider.ctx, conv.id, text("hi")))
        .await;
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let e = env
        .market
        .list_messages(&outsider.ctx, conv.id, None, 10)
        .await
        .expect_err("outsider cannot read");
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let e = env
        .market
        .get_conversation(&outsider.ctx, conv.id)
        .await
        .expect_err("outsider cannot see");
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let e = env
        .refused(
            env.market
                .edit_message(&outsider.ctx, message.id, "mine now"),
        )
        .await;
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let e = env
        .refused(env.market.edit_message(&creator.ctx, message.id, "changed"))
        .await;
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    let e = env
        .refused(env.market.delete_message(&creator.ctx, message.id))
        .await;
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    let e = env
        .refused(
            env.market
                .send_message(&Ctx::anonymous(), conv.id, text("hi")),
        )
        .await;
    assert!(matches!(e, Error::Unauthenticated), "{e}");
}

/// Edits mark a message edited; a soft delete keeps the row without its
/// content; bad messages are refused.
pub async fn messages_are_edited_and_soft_deleted(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let a = env.client().await;
    let b = env.creator().await;
    let conv = env
        .market
        .start_conversation(&a.ctx, ConversationSubject::Direct { with: b.user_id })
        .await
        .expect("start");
    let same = env
        .market
        .start_conversation(&b.ctx, ConversationSubject::Direct { with: a.user_id })
        .await
        .expect("start from the other side");
    assert_eq!(conv.id, same.id, "one direct conversation per pair");
    let m = env
        .market
        .send_message(&a.ctx, conv.id, text("frist"))
        .await
        .expect("send");
    env.clock.advance(Duration::minutes(1));
    let edited = env
        .market
        .edit_message(&a.ctx, m.id, "first")
        .await
        .expect("edit");
    assert!(edited.is_edited);
    assert_eq!(edited.content, "first");
    assert_eq!(edited.edited_at, Some(env.now()));
    let deleted = env
        .market
        .delete_message(&a.ctx, m.id)
        .await
        .expect("delete");
    assert!(deleted.is_deleted);
    assert!(deleted.content.is_empty());
    let listed = env
        .market
        .list_messages(&b.ctx, conv.id, None, 10)
        .await
        .expect("list");
    assert_eq!(listed.len(), 1, "the row stays in the thread");
    assert!(listed[0].is_deleted && listed[0].content.is_empty());
    let e = env
        .refused(env.market.edit_message(&a.ctx, m.id, "again"))
        .await;
    assert!(
        matches!(
            e,
            Error::Rule {
                rule: "message_deleted",
                ..
            }
        ),
        "{e}"
    );

    for bad in [
        text("   "),
        text(&"x".repeat(crate::service::MAX_MESSAGE_CHARS + 1)),
        SendMessageInput {
            content: "system".into(),
            message_type: Some(MessageType::System),
            attachments: vec![],
        },
    ] {
        let e = env
            .refused(env.market.send_message(&a.ctx, conv.id, bad))
            .await;
        assert!(matches!(e, Error::Validation { .. }), "{e}");
    }
    let e = env
        .refused(
            env.market
                .start_conversation(&a.ctx, ConversationSubject::Direct { with: a.user_id }),
        )
        .await;
    assert!(matches!(e, Error::Validation { .. }), "{e}");
    let e = env
        .refused(env.market.start_conversation(
            &a.ctx,
            ConversationSubject::Direct {
                with: UserId::new(),
            },
        ))
        .await;
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let e = env
        .market
        .list_messages(&a.ctx, conv.id, None, 0)
        .await
        .expect_err("a zero page");
    assert!(matches!(e, Error::Validation { .. }), "{e}");
}

/// Muted conversations still count unread messages but notify nobody;
/// archived ones leave the inbox unless asked for; the inbox is ordered by
/// the last message.
pub async fn mute_archive_and_inbox_order(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let me = env.client().await;
    let b = env.creator().await;
    let c = env.creator().await;
    let with_b = env
        .market
        .start_conversation(&me.ctx, ConversationSubject::Direct { with: b.user_id })
        .await
        .expect("start b");
    let with_c = env
        .market
        .start_conversation(&me.ctx, ConversationSubject::Direct { with: c.user_id })
        .await
        .expect("start c");
    env.clock.advance(Duration::seconds(1));
    env.market
        .send_message(&b.ctx, with_b.id, text("from b"))
        .await
        .expect("b writes");
    env.clock.advance(Duration::seconds(1));
    env.market
        .send_message(&c.ctx, with_c.id, text("from c"))
        .await
        .expect("c writes");
    let inbox = env
        .market
        .list_conversations(&me.ctx, false)
        .await
        .expect("inbox");
    let order: Vec<_> = inbox.iter().map(|s| s.conversation.id).collect();
    assert_eq!(order, vec![with_c.id, with_b.id], "most recent first");

    env.market
        .set_conversation_muted(&me.ctx, with_b.id, true)
        .await
        .expect("mute");
    let before = env
        .market
        .unread_notification_count(&me.ctx)
        .await
        .expect("count");
    env.market
        .send_message(&b.ctx, with_b.id, text("again"))
        .await
        .expect("b writes again");
    let after = env
        .market
        .unread_notification_count(&me.ctx)
        .await
        .expect("count");
    assert_eq!(before, after, "a muted conversation notifies nobody");
    let muted = env
        .market
        .get_conversation(&me.ctx, with_b.id)
        .await
        .expect("get");
    assert_eq!(muted.me.unread_count, 2, "but its messages still count");

    env.market
        .set_conversation_archived(&me.ctx, with_c.id, true)
        .await
        .expect("archive");
    let visible = env
        .market
        .list_conversations(&me.ctx, false)
        .await
        .expect("inbox");
    assert_eq!(visible.len(), 1);
    let all = env
        .market
        .list_conversations(&me.ctx, true)
        .await
        .expect("inbox with archive");
    assert_eq!(all.len(), 2);
}

/// Workflow events notify the other party, never the actor, in-app and
/// through the outbox according to the default preferences.
pub async fn workflow_events_notify_the_other_party(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, contract) = active_gig_contract(&env).await;
    let creator_kinds = kinds_for(&env, &creator.ctx).await;
    assert!(
        creator_kinds.contains(&"contract_update".to_string()),
        "{creator_kinds:?}"
    );
    assert!(
        creator_kinds.contains(&"payment".to_string()),
        "{creator_kinds:?}"
    );
    let client_kinds = kinds_for(&env, &client.ctx).await;
    assert!(
        client_kinds.contains(&"contract_update".to_string()),
        "the client hears of the acceptance: {client_kinds:?}"
    );
    let client_before = client_kinds.len();
    env.market
        .submit_deliverable(&creator.ctx, contract, video())
        .await
        .expect("deliver");
    let client_kinds = kinds_for(&env, &client.ctx).await;
    assert_eq!(client_kinds.len(), client_before + 1);
    assert_eq!(client_kinds[0], NotificationKind::Deliverable.as_str());
    let creator_count = kinds_for(&env, &creator.ctx).await.len();
    env.market
        .approve_delivery(&client.ctx, contract, None)
        .await
        .expect("approve");
    let creator_kinds = kinds_for(&env, &creator.ctx).await;
    assert!(creator_kinds.len() > creator_count);
    assert!(creator_kinds.contains(&"deliverable".to_string()));

    let outbox = env
        .store
        .notifications()
        .list_outbox_by_user_id(client.user_id)
        .await
        .expect("outbox");
    assert!(
        outbox
            .iter()
            .any(|m| m.channel == Channel::Email && m.notification_type == "deliverable"),
        "email goes to the outbox"
    );
    assert!(
        outbox
            .iter()
            .all(|m| m.notification_id.is_some() && m.delivered_at.is_none())
    );
    env.check_invariants().await;
}

/// Preferences switch channels off: no in-app row when the in-app list is
/// off, no email for a switched-off kind, push still queued.
pub async fn preferences_decide_the_channels(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let client = env.client().await;
    let prefs = env
        .market
        .update_notification_preferences(
            &creator.ctx,
            UpdatePreferencesInput {
                inapp_enabled: Some(false),
                email_contract_updates: Some(false),
                ..UpdatePreferencesInput::default()
            },
        )
        .await
        .expect("update preferences");
    assert!(!prefs.inapp_enabled && !prefs.email_contract_updates && prefs.push_contract_updates);
    let stored = env
        .market
        .notification_preferences(&creator.ctx)
        .await
        .expect("read back");
    assert_eq!(stored, prefs);
    let (_, contract) = order_basic_gig(&env, &creator, &client, None).await;
    assert!(
        kinds_for(&env, &creator.ctx).await.is_empty(),
        "no in-app list"
    );
    let outbox = env
        .store
        .notifications()
        .list_outbox_by_user_id(creator.user_id)
        .await
        .expect("outbox");
    assert!(outbox.iter().any(|m| m.channel == Channel::Push));
    assert!(outbox.iter().all(|m| m.channel != Channel::Email));
    assert!(outbox.iter().all(|m| m.notification_id.is_none()));

    // Funding notifies both parties at once, each by their own
    // preferences: the creator's saved ones, the client's defaults.
    env.market
        .fund_escrow(&client.ctx, contract, None)
        .await
        .expect("fund");
    assert!(
        kinds_for(&env, &creator.ctx).await.is_empty(),
        "still no in-app list for the creator"
    );
    assert!(
        kinds_for(&env, &client.ctx)
            .await
            .contains(&"payment".to_string()),
        "the client keeps the default in-app list"
    );
    let payment_channels = |outbox: Vec<crate::notify::OutboxMessage>| {
        let mut channels: Vec<Channel> = outbox
            .into_iter()
            .filter(|m| m.notification_type == "payment")
            .map(|m| m.channel)
            .collect();
        channels.sort_by_key(|c| format!("{c:?}"));
        channels
    };
    for user in [creator.user_id, client.user_id] {
        let outbox = env
            .store
            .notifications()
            .list_outbox_by_user_id(user)
            .await
            .expect("outbox");
        assert_eq!(
            payment_channels(outbox),
            vec![Channel::Email, Channel::Push],
            "payment emails and pushes stay on by default"
        );
    }
}

/// Every notice of a whole gig lifecycle (order, fund, accept, deliver,
/// approve and pay out, both reviews) follows what each party saved:
/// contract commands read the parties' preferences with the contract, and
/// those copies must decide exactly as a separate read would.
pub async fn saved_preferences_decide_every_lifecycle_notice(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    env.seed_payout_method(creator.creator_id()).await;
    let client = env.client().await;
    let client_saved = env
        .market
        .update_notification_preferences(
            &client.ctx,
            UpdatePreferencesInput {
                inapp_enabled: Some(false),
                email_contract_updates: Some(false),
                push_payment: Some(false),
                ..UpdatePreferencesInput::default()
            },
        )
        .await
        .expect("client preferences");
    let creator_saved = env
        .market
        .update_notification_preferences(
            &creator.ctx,
            UpdatePreferencesInput {
                email_reviews: Some(false),
                push_contract_updates: Some(false),
                email_payment: Some(false),
                ..UpdatePreferencesInput::default()
            },
        )
        .await
        .expect("creator preferences");
    let (_, id) = order_basic_gig(&env, &creator, &client, None).await;
    fund_and_accept(&env, &creator, &client, id).await;
    deliver_and_approve(&env, &creator, &client, id).await;
    for reviewer in [&client.ctx, &creator.ctx] {
        env.market
            .leave_review(reviewer, id, crate::testing::reviews::review(5))
            .await
            .expect("review");
    }

    let kinds = [
        NotificationKind::NewMessage,
        NotificationKind::NewProposal,
        NotificationKind::ProposalStatus,
        NotificationKind::ContractUpdate,
        NotificationKind::Deliverable,
        NotificationKind::Payment,
        NotificationKind::Review,
        NotificationKind::SavedSearchMatch,
        NotificationKind::SupportUpdate,
        NotificationKind::DisputeUpdate,
    ];
    let kind_of = |name: &str| {
        kinds
            .into_iter()
            .find(|k| k.as_str() == name)
            .unwrap_or_else(|| panic!("unknown notification type {name}"))
    };
    for (user, ctx, saved) in [
        (client.user_id, &client.ctx, &client_saved),
        (creator.user_id, &creator.ctx, &creator_saved),
    ] {
        let outbox = env
            .store
            .notifications()
            .list_outbox_by_user_id(user)
            .await
            .expect("outbox");
        assert!(!outbox.is_empty(), "some channels stay on for {user}");
        for message in &outbox {
            let kind = kind_of(&message.notification_type);
            let wanted = match message.channel {
                Channel::Email => kind.wants_email(saved),
                Channel::Push => kind.wants_push(saved),
            };
            assert!(
                wanted,
                "{user} switched off {:?} for {kind:?}",
                message.channel
            );
        }
        let listed = kinds_for(&env, ctx).await;
        assert_eq!(
            listed.is_empty(),
            !saved.inapp_enabled,
            "the in-app list of {user}: {listed:?}"
        );
    }
    // What stayed on arrived: the client's payment emails, the creator's
    // review in the in-app list and contract emails.
    let client_outbox = env
        .store
        .notifications()
        .list_outbox_by_user_id(client.user_id)
        .await
        .expect("outbox");
    assert!(
        client_outbox
            .iter()
            .any(|m| m.channel == Channel::Email && m.notification_type == "payment")
    );
    assert!(
        kinds_for(&env, &creator.ctx)
            .await
            .contains(&"review".to_string())
    );
    let creator_outbox = env
        .store
        .notifications()
        .list_outbox_by_user_id(creator.user_id)
        .await
        .expect("outbox");
    assert!(
        creator_outbox
            .iter()
            .any(|m| m.channel == Channel::Email && m.notification_type == "contract_update")
    );
    // The payout's notice, sent after the gateway answered, follows the
    // preferences the approving command read: the creator kept payment
    // pushes and the in-app list, and switched payment emails off. (The
    // creator's other payment notices, "Escrow funded" and "Payment
    // released", come from other steps, so the title picks this one.)
    let payout_sent = |channel: Channel| {
        creator_outbox
            .iter()
            .any(|m| m.channel == channel && m.title == "Payout sent")
    };
    assert!(payout_sent(Channel::Push), "{creator_outbox:?}");
    assert!(!payout_sent(Channel::Email), "{creator_outbox:?}");
    let listed = env
        .market
        .list_notifications(&creator.ctx, false, Page::new(100, 0))
        .await
        .expect("list notifications");
    assert!(
        listed
            .iter()
            .any(|n| n.notification_type.as_str() == "payment" && n.title.as_str() == "Payout sent"),
        "{listed:?}"
    );
    env.check_invariants().await;
}

/// Notifications are marked read one at a time or all at once, by their
/// owner only; the outbox is drained by staff, each message once.
pub async fn notifications_are_read_and_the_outbox_drained(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, _) = active_gig_contract(&env).await;
    let staff = env.staff().await;
    let unread = env
        .market
        .unread_notification_count(&creator.ctx)
        .await
        .expect("count");
    assert!(unread >= 2, "{unread}");
    let first = env
        .market
        .list_notifications(&creator.ctx, true, Page::new(1, 0))
        .await
        .expect("list")[0]
        .clone();
    let e = env
        .refused(env.market.mark_notification_read(&client.ctx, first.id))
        .await;
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let read = env
        .market
        .mark_notification_read(&creator.ctx, first.id)
        .await
        .expect("mark one");
    assert!(read.is_read && read.read_at.is_some());
    assert_eq!(
        env.market
            .unread_notification_count(&creator.ctx)
            .await
            .expect("count"),
        unread - 1
    );
    let marked = env
        .market
        .mark_all_notifications_read(&creator.ctx)
        .await
        .expect("mark all");
    assert_eq!(marked as u64, unread - 1);
    assert_eq!(
        env.market
            .unread_notification_count(&creator.ctx)
            .await
            .expect("count"),
        0
    );

    let e = env
        .market
        .pending_outbox(&creator.ctx, 10)
        .await
        .expect_err("staff only");
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    let pending = env
        .market
        .pending_outbox(&staff.ctx, 100)
        .await
        .expect("pending");
    assert!(!pending.is_empty());
    let delivered = env
        .market
        .mark_outbox_delivered(&staff.ctx, pending[0].id)
        .await
        .expect("deliver");
    assert!(delivered.delivered_at.is_some());
    let e = env
        .refused(env.market.mark_outbox_delivered(&staff.ctx, pending[0].id))
        .await;
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
}

/// Favorites are unique per user and target; a gig's favorite count
/// follows them.
pub async fn favorites_are_unique_and_counted(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let client = env.client().await;
    let gig = env.seed_gig(creator.creator_id()).await;
    let target = gig.as_uuid();
    env.market
        .add_favorite(&client.ctx, FavoritedType::Gig, target)
        .await
        .expect("favorite");
    let stored = env
        .store
        .gigs()
        .get_by_id(gig)
        .await
        .expect("get")
        .expect("gig");
    assert_eq!(stored.favorite_count, 1);
    let e = env
        .refused(
            env.market
                .add_favorite(&client.ctx, FavoritedType::Gig, target),
        )
        .await;
    assert!(matches!(e, Error::AlreadyExists { .. }), "{e}");
    let e = env
        .refused(
            env.market
                .add_favorite(&client.ctx, FavoritedType::Gig, GigId::new().as_uuid()),
        )
        .await;
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    env.market
        .add_favorite(
            &client.ctx,
            FavoritedType::Creator,
            creator.creator_id().as_uuid(),
        )
        .await
        .expect("favorite a creator");
    let all = env
        .market
        .list_favorites(&client.ctx, None)
        .await
        .expect("list");
    assert_eq!(all.len(), 2);
    let gigs = env
        .market
        .list_favorites(&client.ctx, Some(FavoritedType::Gig))
        .await
        .expect("list gigs");
    assert_eq!(gigs.len(), 1);
    env.market
        .remove_favorite(&client.ctx, FavoritedType::Gig, target)
        .await
        .expect("remove");
    let stored = env
        .store
        .gigs()
        .get_by_id(gig)
        .await
        .expect("get")
        .expect("gig");
    assert_eq!(stored.favorite_count, 0);
    let e = env
        .refused(
            env.market
                .remove_favorite(&client.ctx, FavoritedType::Gig, target),
        )
        .await;
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    env.check_invariants().await;
}

fn gig_search(frequency: AlertFrequency) -> SaveSearchInput {
    SaveSearchInput {
        name: Text::parse("Video editors").expect("valid"),
        search_type: SearchType::Gigs,
        search_params: serde_json::json!({ "text": "video", "page": { "limit": 20, "offset": 0 } }),
        alert_enabled: true,
        alert_frequency: Some(frequency),
    }
}

/// Saved-search alerts announce each new match once, at their frequency.
pub async fn saved_search_alerts_announce_new_matches_once(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let client = env.client().await;
    env.seed_gig(creator.creator_id()).await;
    env.clock.advance(Duration::minutes(1));
    let immediate = env
        .market
        .save_search(&client.ctx, gig_search(AlertFrequency::Immediate))
        .await
        .expect("save");
    let other = env.client().await;
    let daily = env
        .market
        .save_search(&other.ctx, gig_search(AlertFrequency::Daily))
        .await
        .expect("save daily");
    let report = env.market.run_due(env.now()).await.expect("run");
    assert_eq!(report.alerts_announced, 0, "older gigs are not news");

    env.clock.advance(Duration::minutes(1));
    let fresh = env.seed_gig(creator.creator_id()).await;
    env.clock.advance(Duration::minutes(1));
    let report = env.market.run_due(env.now()).await.expect("run");
    assert_eq!(
        report.alerts_announced, 1,
        "immediate alert, daily not yet due"
    );
    let alerts: Vec<_> = env
        .market
        .list_notifications(&client.ctx, false, Page::new(100, 0))
        .await
        .expect("list")
        .into_iter()
        .filter(|n| n.notification_type.as_str() == "saved_search_match")
        .collect();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].related_entity_id, Some(fresh.as_uuid()));
    let again = env.market.run_due(env.now()).await.expect("run again");
    assert_eq!(again.alerts_announced, 0, "announced once");

    env.clock.advance(Duration::days(1));
    let report = env.market.run_due(env.now()).await.expect("a day later");
    assert_eq!(report.alerts_announced, 1, "the daily alert comes due");
    let report = env.market.run_due(env.now()).await.expect("and again");
    assert_eq!(report.alerts_announced, 0);

    let updated = env
        .market
        .update_saved_search(
            &client.ctx,
            immediate.id,
            UpdateSavedSearchInput {
                alert_enabled: Some(false),
                ..UpdateSavedSearchInput::default()
            },
        )
        .await
        .expect("turn alerts off");
    assert!(!updated.alert_enabled);
    let e = env
        .refused(env.market.delete_saved_search(&client.ctx, daily.id))
        .await;
    assert!(matches!(e, Error::NotFound { .. }), "not the owner: {e}");
    env.market
        .delete_saved_search(&other.ctx, daily.id)
        .await
        .expect("owner deletes");
    assert!(
        env.market
            .list_saved_searches(&other.ctx)
            .await
            .expect("list")
            .is_empty()
    );
}

/// An unread notification of `kind` to `to`, about `about` (a gig).
fn unread_notice(
    to: UserId,
    kind: &str,
    about: Option<uuid::Uuid>,
    at: chrono::DateTime<chrono::Utc>,
) -> Notification {
    Notification {
        id: NotificationId::new(),
        user_id: to,
        notification_type: Text::parse(kind).expect("valid"),
        title: Text::parse("New match").expect("valid"),
        message: "A gig you may like".into(),
        related_entity_type: about.map(|_| Text::parse("gig").expect("valid")),
        related_entity_id: about,
        action_url: None,
        is_read: false,
        read_at: None,
        created_at: at,
        version: 1,
    }
}

/// A user's notifications come in one read, more than a page of them,
/// newest first (the unread ones only when asked); marking every one read
/// takes them all and leaves other users' alone.
pub async fn marking_all_read_takes_every_unread_notification(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = env.client().await;
    let other = env.client().await;
    let mut changes = ChangeSet::new();
    for n in 0..(Page::MAX_LIMIT + 30) {
        let at = env.now() + Duration::seconds(i64::from(n));
        changes.insert(unread_notice(user.user_id, "new_message", None, at));
    }
    let mut read = unread_notice(user.user_id, "new_message", None, env.now());
    read.is_read = true;
    read.read_at = Some(env.now());
    changes.insert(read);
    changes.insert(unread_notice(other.user_id, "new_message", None, env.now()));
    env.store.apply(changes).await.expect("notify");
    let unread = env
        .store
        .notifications()
        .list_every_by_user_id(user.user_id, true)
        .await
        .expect("unread");
    assert_eq!(unread.len(), Page::MAX_LIMIT as usize + 30);
    assert!(
        unread
            .iter()
            .all(|n| !n.is_read && n.user_id == user.user_id)
    );
    assert!(
        unread.windows(2).all(|w| w[0].created_at > w[1].created_at),
        "newest first"
    );
    let every = env
        .store
        .notifications()
        .list_every_by_user_id(user.user_id, false)
        .await
        .expect("every");
    assert_eq!(every.len(), unread.len() + 1, "the read one too");
    assert!(every.iter().all(|n| n.user_id == user.user_id));
    let marked = env
        .market
        .mark_all_notifications_read(&user.ctx)
        .await
        .expect("mark all");
    assert_eq!(marked, Page::MAX_LIMIT as usize + 30);
    let count = |ctx| env.market.unread_notification_count(ctx);
    assert_eq!(count(&user.ctx).await.expect("count"), 0);
    assert_eq!(count(&other.ctx).await.expect("count"), 1);
    let again = env
        .market
        .mark_all_notifications_read(&user.ctx)
        .await
        .expect("mark all again");
    assert_eq!(again, 0);
}

/// A user's notifications are asked which of some entities they are about,
/// by type: each match once, other users' and other types' left out.
pub async fn notifications_say_which_entities_they_are_about(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let user = env.client().await;
    let other = env.client().await;
    let (a, b, c, unrelated) = (
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
        uuid::Uuid::new_v4(),
    );
    let notice = |to: UserId, kind: &str, about: Option<uuid::Uuid>| {
        unread_notice(to, kind, about, env.now())
    };
    let mut changes = ChangeSet::new();
    for n in [
        notice(user.user_id, "saved_search_match", Some(a)),
        notice(user.user_id, "saved_search_match", Some(a)),
        notice(user.user_id, "saved_search_match", Some(unrelated)),
        notice(user.user_id, "new_message", Some(b)),
        notice(user.user_id, "saved_search_match", None),
        notice(other.user_id, "saved_search_match", Some(c)),
    ] {
        changes.insert(n);
    }
    env.store.apply(changes).await.expect("notify");
    let notifications = env.store.notifications();
    let about = async |kind: &str, among: &[uuid::Uuid]| {
        let mut ids = notifications
            .list_related_ids_by_user_id(user.user_id, kind, among)
            .await
            .expect("read");
        ids.sort();
        ids
    };
    assert_eq!(about("saved_search_match", &[a, b, c]).await, vec![a]);
    assert_eq!(about("new_message", &[a, b, c]).await, vec![b]);
    assert!(about("saved_search_match", &[]).await.is_empty());
    assert!(about("proposal_accepted", &[a, b]).await.is_empty());
}

/// Saved searches must parse as their type; alerts need a frequency.
pub async fn saved_search_refusals(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let mut bad = gig_search(AlertFrequency::Daily);
    bad.search_params = serde_json::json!({ "text": 42 });
    let e = env.refused(env.market.save_search(&client.ctx, bad)).await;
    assert!(
        matches!(
            e,
            Error::Validation {
                field: "search_params",
                ..
            }
        ),
        "{e}"
    );
    let mut no_frequency = gig_search(AlertFrequency::Daily);
    no_frequency.alert_frequency = None;
    let e = env
        .refused(env.market.save_search(&client.ctx, no_frequency))
        .await;
    assert!(
        matches!(
            e,
            Error::Validation {
                field: "alert_frequency",
                ..
            }
        ),
        "{e}"
    );
    let saved = env
        .market
        .save_search(&client.ctx, gig_search(AlertFrequency::Weekly))
        .await
        .expect("save");
    let results = env
        .market
        .run_saved_search(&client.ctx, saved.id, Page::first())
        .await
        .expect("run it");
    assert!(results.is_array());
}

/// Views carry viewer, address, user agent and referrer; counts over a
/// range are for the owner and staff; owners' own views do not count.
pub async fn views_are_recorded_and_counted(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let viewer = env.client().await;
    let staff = env.staff().await;
    let gig = env.seed_gig(creator.creator_id()).await;
    let start = env.now();
    let ctx = viewer
        .ctx
        .clone()
        .with_client(
            Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7))),
            Some("Mozilla/5.0".into()),
        )
        .with_referrer(Some("https://social.example/post/1".into()));
    env.market.record_gig_view(&ctx, gig).await.expect("view");
    env.clock.advance(Duration::hours(2));
    env.market
        .record_gig_view(&Ctx::anonymous(), gig)
        .await
        .expect("anonymous view");
    env.market
        .record_gig_view(&creator.ctx, gig)
        .await
        .expect("own view is not counted");
    let views = env
        .store
        .discovery()
        .list_gig_views_by_viewer_user_id(viewer.user_id)
        .await
        .expect("views");
    assert_eq!(views.len(), 1);
    assert_eq!(
        views[0].referrer.as_deref(),
        Some("https://social.example/post/1")
    );
    assert_eq!(views[0].user_agent.as_deref(), Some("Mozilla/5.0"));
    assert!(views[0].ip_address.is_some());
    let all = env
        .market
        .gig_view_count(&creator.ctx, gig, start, env.now() + Duration::seconds(1))
        .await
        .expect("count");
    assert_eq!(all, 2);
    let first_hour = env
        .market
        .gig_view_count(&staff.ctx, gig, start, start + Duration::hours(1))
        .await
        .expect("staff count");
    assert_eq!(first_hour, 1);
    let e = env
        .market
        .gig_view_count(&viewer.ctx, gig, start, env.now())
        .await
        .expect_err("not the owner");
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
    let e = env
        .market
        .gig_view_count(&creator.ctx, gig, env.now(), start)
        .await
        .expect_err("empty range");
    assert!(matches!(e, Error::Validation { .. }), "{e}");

    let profile = creator.creator_id();
    assert!(
        env.market
            .record_profile_view(&ctx, profile)
            .await
            .expect("view profile")
            .is_some()
    );
    assert!(
        env.market
            .record_profile_view(&creator.ctx, profile)
            .await
            .expect("own view")
            .is_none()
    );
    let count = env
        .market
        .profile_view_count(
            &creator.ctx,
            profile,
            start,
            env.now() + Duration::seconds(1),
        )
        .await
        .expect("count");
    assert_eq!(count, 1);
    let stored = env
        .store
        .gigs()
        .get_by_id(gig)
        .await
        .expect("get")
        .expect("gig");
    assert_eq!(stored.view_count, 2);
}

/// Stamps this area's behaviours for a backend.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_community {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, community;
            conversations_count_unread_and_page_by_cursor,
            only_participants_read_or_write,
            messages_are_edited_and_soft_deleted,
            mute_archive_and_inbox_order,
            workflow_events_notify_the_other_party,
            preferences_decide_the_channels,
            saved_preferences_decide_every_lifecycle_notice,
            notifications_are_read_and_the_outbox_drained,
            favorites_are_unique_and_counted,
            saved_search_alerts_announce_new_matches_once,
            saved_search_refusals,
            notifications_say_which_entities_they_are_about,
            marking_all_read_takes_every_unread_notification,
            views_are_recorded_and_counted,
        );
    };
}
