//! Conformance behaviours: gigs.
//!
//! Creating, editing, publishing, pausing, resuming and deleting gigs; who
//! may see which gig; slugs (numbered suffixes, the random fallback, races);
//! browsing; and view counting.

use std::collections::BTreeSet;

use crate::entities::Gig;
use crate::enums::GigStatus;
use crate::error::Error;
use crate::ids::{CreatorProfileId, GigId, JobId, UserId};
use crate::money::{Currency, Money};
use crate::service::{CreateGigInput, Ctx, TierInput, UpdateGigInput};
use crate::state::{GigEvent, GigMachine, StateMachine};
use crate::store::{GigQuery, JobQuery, Page};
use crate::testing::{Seeded, StoreFactory, TestEnv};
use crate::value::{Text, Url};

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_gigs {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, gigs;
            create_gig_makes_a_draft_with_a_slug,
            gig_lifecycle_follows_the_machine,
            refused_gig_transitions_change_nothing,
            only_creators_manage_gigs,
            other_creators_private_gigs_are_not_found,
            create_gig_refuses_bad_input,
            search_tags_are_lowercased_and_deduplicated,
            same_titles_get_numbered_slugs,
            slugs_fall_back_to_a_random_suffix,
            update_gig_changes_only_the_given_fields,
            update_gig_refuses_bad_input_and_deleted_gigs,
            list_my_gigs_lists_own_live_gigs,
            browse_gigs_lists_active_gigs_and_checks_the_query,
            misspelt_searches_are_corrected_from_titles_and_tags,
            text_search_matches_stems_and_term_prefixes,
            text_search_follows_edits_and_deletions,
            gig_views_are_counted_without_a_version_or_audit,
            concurrent_same_title_gigs_get_distinct_slugs,
            reads_by_ids_follow_the_order_given,
        );
    };
}

// ---------------------------------------------------------------------------
// Fixtures and assertions
// ---------------------------------------------------------------------------

/// A USD amount; panics on a malformed literal.
pub fn usd(amount: &str) -> Money {
    Money::usd(amount).expect("a valid amount")
}

/// A pricing tier at `price` USD, delivered in `days` days with one revision.
pub fn tier(price: &str, days: i32) -> TierInput {
    TierInput {
        price: usd(price),
        description: Some(format!("Delivered in {days} days")),
        delivery_days: days,
        revisions: 1,
    }
}

/// A valid gig titled `title`: basic at 50 USD and standard at 120 USD.
pub fn gig_input(title: &str) -> CreateGigInput {
    CreateGigInput {
        title: Text::parse(title).expect("a valid title"),
        description: "A punchy vertical video for your product, scripted, shot and edited.".into(),
        category: Text::parse("ugc").expect("valid"),
        subcategory: Some(Text::parse("product").expect("valid")),
        video_type: Some(Text::parse("Reel").expect("valid")),
        basic: tier("50", 5),
        standard: Some(tier("120", 4)),
        premium: None,
        thumbnail_url: Some(Url::parse("https://cdn.example.com/thumb.jpg").expect("valid")),
        video_samples: vec![Url::parse("https://cdn.example.com/sample.mp4").expect("valid")],
        requirements: Some("Send the product and your brand guidelines.".into()),
        search_tags: vec!["ugc".into(), "reels".into()],
    }
}

/// Creates a draft gig titled `title` for `creator`.
pub async fn draft_gig(env: &TestEnv, creator: &Seeded, title: &str) -> Gig {
    env.market
        .create_gig(&creator.ctx, gig_input(title))
        .await
        .expect("create a gig")
}

/// Creates and publishes a gig titled `title` for `creator`.
pub async fn active_gig(env: &TestEnv, creator: &Seeded, title: &str) -> Gig {
    let gig = draft_gig(env, creator, title).await;
    env.market
        .publish_gig(&creator.ctx, gig.id)
        .await
        .expect("publish the gig")
}

/// Creates and publishes a gig titled `title` for `creator`, with its own
/// description and one search tag.
async fn active_gig_described(
    env: &TestEnv,
    creator: &Seeded,
    title: &str,
    description: &str,
    tag: &str,
) -> Gig {
    let mut input = gig_input(title);
    input.description = description.into();
    input.search_tags = vec![tag.into()];
    let gig = env
        .market
        .create_gig(&creator.ctx, input)
        .await
        .expect("create a gig");
    env.market
        .publish_gig(&creator.ctx, gig.id)
        .await
        .expect("publish the gig")
}

/// Asserts that `err` is a validation error of `field`.
#[track_caller]
pub(crate) fn assert_invalid(err: &Error, field: &str) {
    match err {
        Error::Validation { field: got, .. } => assert_eq!(*got, field, "{err}"),
        other => panic!("expected a validation error of {field}, got {other:?}"),
    }
}

/// Asserts that `err` is [`Error::NotFound`].
#[track_caller]
pub(crate) fn assert_not_found(err: &Error) {
    assert!(
        matches!(err, Error::NotFound { .. }),
        "expected not found, got {err:?}"
    );
}

/// Asserts that `err` is [`Error::Forbidden`].
#[track_caller]
pub(crate) fn assert_forbidden(err: &Error) {
    assert!(
        matches!(err, Error::Forbidden { .. }),
        "expected forbidden, got {err:?}"
    );
}

/// Asserts that `err` is a refused state transition.
#[track_caller]
pub(crate) fn assert_invalid_transition(err: &Error) {
    assert!(
        matches!(err, Error::InvalidTransition(_)),
        "expected an invalid transition, got {err:?}"
    );
}

/// Asserts that `err` is the business rule `rule`.
#[track_caller]
pub(crate) fn assert_rule(err: &Error, rule: &str) {
    match err {
        Error::Rule { rule: got, .. } => assert_eq!(*got, rule, "{err}"),
        other => panic!("expected rule {rule}, got {other:?}"),
    }
}

/// How many audit entries an object has.
pub(crate) async fn audit_count(env: &TestEnv, entity_type: &str, id: uuid::Uuid) -> usize {
    env.store
        .admin()
        .list_audit_by_entity(entity_type, id)
        .await
        .expect("list audit entries")
        .len()
}

/// The gig as stored.
async fn stored(env: &TestEnv, id: GigId) -> Gig {
    env.store
        .gigs()
        .get_by_id(id)
        .await
        .expect("read the gig")
        .expect("the gig exists")
}

/// A gig of `creator` in `status`, reached through the commands.
async fn gig_in(env: &TestEnv, creator: &Seeded, status: GigStatus) -> Gig {
    let gig = draft_gig(env, creator, &format!("Gig {status}")).await;
    let ctx = &creator.ctx;
    match status {
        GigStatus::Draft => gig,
        GigStatus::Active => env.market.publish_gig(ctx, gig.id).await.expect("publish"),
        GigStatus::Paused => {
            env.market.publish_gig(ctx, gig.id).await.expect("publish");
            env.market.pause_gig(ctx, gig.id).await.expect("pause")
        }
        GigStatus::Deleted => env.market.delete_gig(ctx, gig.id).await.expect("delete"),
    }
}

/// Applies `event` through the matching command.
async fn apply_event(env: &TestEnv, ctx: &Ctx, gig: GigId, event: GigEvent) -> crate::Result<Gig> {
    match event {
        GigEvent::Publish => env.market.publish_gig(ctx, gig).await,
        GigEvent::Pause => env.market.pause_gig(ctx, gig).await,
        GigEvent::Resume => env.market.resume_gig(ctx, gig).await,
        GigEvent::Delete => env.market.delete_gig(ctx, gig).await,
    }
}

// ---------------------------------------------------------------------------
// Behaviours
// ---------------------------------------------------------------------------

/// A new gig is a draft of its creator, with the title's slug, every field
/// as entered, zeroed counters and one audit entry.
pub async fn create_gig_makes_a_draft_with_a_slug(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let mut input = gig_input("  Product Reel: 30s, Scripted!  ");
    input.premium = Some(tier("300", 3));
    input.description = "  Line one\r\nline two  ".into();
    let gig = env
        .market
        .create_gig(&creator.ctx, input)
        .await
        .expect("create");

    assert_eq!(gig.status, GigStatus::Draft);
    assert_eq!(gig.creator_profile_id, creator.creator_id());
    assert_eq!(gig.slug.as_str(), "product-reel-30s-scripted");
    assert_eq!(gig.title.as_str(), "Product Reel: 30s, Scripted!");
    assert_eq!(gig.description, "Line one\nline two");
    assert_eq!(gig.basic_price, usd("50"));
    assert_eq!(gig.standard_price, Some(usd("120")));
    assert_eq!(gig.premium_price, Some(usd("300")));
    assert_eq!(gig.premium_delivery_days, Some(3));
    assert_eq!(gig.offers().count(), 3);
    assert_eq!(
        (gig.view_count, gig.order_count, gig.favorite_count),
        (0, 0, 0)
    );
    assert_eq!(gig.published_at, None);
    assert_eq!(gig.version, 1);
    assert_eq!(gig.created_at, env.now());
    assert_eq!(stored(&env, gig.id).await, gig);
    assert_eq!(audit_count(&env, "gig", gig.id.as_uuid()).await, 1);
    env.check_invariants().await;
}

/// Publish, pause, resume and delete move the gig along the machine, each
/// with one audit entry; publishing stamps `published_at` once.
pub async fn gig_lifecycle_follows_the_machine(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let ctx = &creator.ctx;
    let gig = draft_gig(&env, &creator, "Lifecycle").await;

    env.clock.advance(chrono::Duration::hours(1));
    let published = env.market.publish_gig(ctx, gig.id).await.expect("publish");
    assert_eq!(published.status, GigStatus::Active);
    assert_eq!(published.published_at, Some(env.now()));
    assert_eq!(published.version, 2);
    assert_eq!(stored(&env, gig.id).await, published);

    env.clock.advance(chrono::Duration::hours(1));
    let paused = env.market.pause_gig(ctx, gig.id).await.expect("pause");
    assert_eq!(paused.status, GigStatus::Paused);
    let resumed = env.market.resume_gig(ctx, gig.id).await.expect("resume");
    assert_eq!(resumed.status, GigStatus::Active);
    assert_eq!(
        resumed.published_at, published.published_at,
        "resuming is not publishing again"
    );

    let deleted = env.market.delete_gig(ctx, gig.id).await.expect("delete");
    assert_eq!(deleted.status, GigStatus::Deleted);
    assert_eq!(deleted.version, 5);
    assert_eq!(stored(&env, gig.id).await, deleted);
    assert_eq!(audit_count(&env, "gig", gig.id.as_uuid()).await, 5);
    env.check_invariants().await;
}

/// Every (status, event) pair the gig machine refuses is refused by the
/// commands too, as an invalid transition that changes nothing.
pub async fn refused_gig_transitions_change_nothing(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let mut refused = 0;
    for &status in GigStatus::ALL {
        let gig = gig_in(&env, &creator, status).await;
        assert_eq!(gig.status, status);
        for &event in GigEvent::ALL {
            if GigMachine::can(status, event) {
                continue;
            }
            let err = env
                .refused(apply_event(&env, &creator.ctx, gig.id, event))
                .await;
            assert_invalid_transition(&err);
            refused += 1;
        }
    }
    // publish a deleted gig, pause a draft, resume an active gig, ...
    assert_eq!(
        refused,
        GigStatus::ALL.len() * GigEvent::ALL.len() - GigMachine::TRANSITIONS.len()
    );
}

/// Clients cannot create or list gigs (forbidden); anonymous callers are
/// unauthenticated.
pub async fn only_creators_manage_gigs(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let err = env
        .refused(env.market.create_gig(&client.ctx, gig_input("Nope")))
        .await;
    assert_forbidden(&err);
    let err = env.refused(env.market.list_my_gigs(&client.ctx)).await;
    assert_forbidden(&err);
    let err = env
        .refused(env.market.create_gig(&Ctx::anonymous(), gig_input("Nope")))
        .await;
    assert!(matches!(err, Error::Unauthenticated), "{err:?}");

    let creator = env.creator().await;
    let gig = active_gig(&env, &creator, "Mine").await;
    let err = env.refused(env.market.pause_gig(&client.ctx, gig.id)).await;
    assert_forbidden(&err);
}

/// Another creator's draft, paused or deleted gig is not found, for reads
/// and commands alike; active gigs are public.
pub async fn other_creators_private_gigs_are_not_found(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let owner = env.creator().await;
    let other = env.creator().await;
    let client = env.client().await;
    let anonymous = Ctx::anonymous();
    let gig = draft_gig(&env, &owner, "Private Draft").await;
    let slug = gig.slug.to_string();

    for viewer in [&other.ctx, &client.ctx, &anonymous] {
        assert_not_found(&env.refused(env.market.get_gig(viewer, gig.id)).await);
        assert_not_found(&env.refused(env.market.get_gig_by_slug(viewer, &slug)).await);
        assert_not_found(
            &env.refused(env.market.record_gig_view(viewer, gig.id))
                .await,
        );
    }
    assert_not_found(
        &env.refused(env.market.publish_gig(&other.ctx, gig.id))
            .await,
    );
    assert_not_found(&env.refused(env.market.delete_gig(&other.ctx, gig.id)).await);
    let edit = UpdateGigInput {
        title: Some(Text::parse("Hijacked").expect("valid")),
        ..UpdateGigInput::default()
    };
    assert_not_found(
        &env.refused(env.market.update_gig(&other.ctx, gig.id, edit))
            .await,
    );
    assert_not_found(
        &env.refused(env.market.get_gig(&other.ctx, GigId::new()))
            .await,
    );
    assert_eq!(
        env.market
            .get_gig(&owner.ctx, gig.id)
            .await
            .expect("own draft")
            .id,
        gig.id
    );

    env.market
        .publish_gig(&owner.ctx, gig.id)
        .await
        .expect("publish");
    for viewer in [&other.ctx, &client.ctx, &anonymous] {
        assert_eq!(
            env.market.get_gig(viewer, gig.id).await.expect("public").id,
            gig.id
        );
        assert_eq!(
            env.market
                .get_gig_by_slug(viewer, &slug)
                .await
                .expect("public")
                .id,
            gig.id
        );
    }
    // Public is not editable by others.
    assert_not_found(&env.refused(env.market.pause_gig(&other.ctx, gig.id)).await);

    env.market
        .pause_gig(&owner.ctx, gig.id)
        .await
        .expect("pause");
    assert_not_found(&env.refused(env.market.get_gig(&other.ctx, gig.id)).await);
    assert_not_found(&env.refused(env.market.resume_gig(&other.ctx, gig.id)).await);
    assert_eq!(
        env.market
            .get_gig(&owner.ctx, gig.id)
            .await
            .expect("own")
            .status,
        GigStatus::Paused
    );

    env.market
        .delete_gig(&owner.ctx, gig.id)
        .await
        .expect("delete");
    assert_not_found(&env.refused(env.market.get_gig(&client.ctx, gig.id)).await);
    assert_eq!(
        env.market
            .get_gig(&owner.ctx, gig.id)
            .await
            .expect("own")
            .status,
        GigStatus::Deleted
    );
}

/// Every validated field refuses bad input with a validation error naming
/// it, and nothing is written.
pub async fn create_gig_refuses_bad_input(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let eur = |amount: &str| Money::parse(amount, Currency::EUR).expect("valid");
    type Edit = Box<dyn Fn(&mut CreateGigInput)>;
    let cases: Vec<(&str, Edit)> = vec![
        ("description", Box::new(|i| i.description = "   ".into())),
        (
            "description",
            Box::new(|i| i.description = "x".repeat(20_001)),
        ),
        (
            "description",
            Box::new(|i| i.description = "bell\u{7}".into()),
        ),
        (
            "requirements",
            Box::new(|i| i.requirements = Some("r".repeat(5_001))),
        ),
        (
            "basic_description",
            Box::new(|i| i.basic.description = Some("d".repeat(5_001))),
        ),
        ("basic_price", Box::new(|i| i.basic.price = usd("0"))),
        ("basic_price", Box::new(|i| i.basic.price = usd("-10"))),
        (
            "basic_price",
            Box::new(|i| i.basic.price = usd("100000000")),
        ),
        (
            "basic_delivery_days",
            Box::new(|i| i.basic.delivery_days = 0),
        ),
        (
            "basic_delivery_days",
            Box::new(|i| i.basic.delivery_days = 366),
        ),
        ("basic_revisions", Box::new(|i| i.basic.revisions = -1)),
        ("basic_revisions", Box::new(|i| i.basic.revisions = 101)),
        (
            "standard_price",
            Box::new(|i| i.standard = Some(tier("50", 3))),
        ),
        (
            "standard_price",
            Box::new(|i| i.standard = Some(tier("40", 3))),
        ),
        (
            "standard_price",
            Box::new(move |i| {
                i.standard = Some(TierInput {
                    price: eur("120"),
                    ..tier("120", 3)
                })
            }),
        ),
        (
            "standard_delivery_days",
            Box::new(|i| i.standard = Some(tier("120", 400))),
        ),
        (
            "premium_price",
            Box::new(|i| i.premium = Some(tier("120", 2))),
        ),
        (
            "premium_price",
            Box::new(|i| {
                i.standard = None;
                i.premium = Some(tier("300", 2));
            }),
        ),
        (
            "premium_revisions",
            Box::new(|i| {
                i.premium = Some(TierInput {
                    revisions: 500,
                    ..tier("300", 2)
                })
            }),
        ),
        (
            "search_tags",
            Box::new(|i| i.search_tags = (0..21).map(|n| format!("tag{n}")).collect()),
        ),
        (
            "search_tags",
            Box::new(|i| i.search_tags = vec!["t".repeat(51)]),
        ),
        (
            "search_tags",
            Box::new(|i| i.search_tags = vec!["ok".into(), "  ".into()]),
        ),
        (
            "video_samples",
            Box::new(|i| {
                i.video_samples = (0..21)
                    .map(|n| {
                        Url::parse(&format!("https://cdn.example.com/{n}.mp4")).expect("valid")
                    })
                    .collect()
            }),
        ),
    ];
    for (field, edit) in cases {
        let mut input = gig_input("Bad Input");
        edit(&mut input);
        let err = env
            .refused(env.market.create_gig(&creator.ctx, input))
            .await;
        assert_invalid(&err, field);
    }

    // Value types refuse bad titles, categories and URLs at the boundary.
    let mut json = serde_json::to_value(gig_input("Fine")).expect("serialize");
    json["title"] = serde_json::Value::String("t".repeat(201));
    assert!(serde_json::from_value::<CreateGigInput>(json.clone()).is_err());
    json["title"] = "Fine".into();
    json["category"] = "".into();
    assert!(serde_json::from_value::<CreateGigInput>(json.clone()).is_err());
    json["category"] = "ugc".into();
    json["thumbnail_url"] = "javascript:alert(1)".into();
    assert!(serde_json::from_value::<CreateGigInput>(json.clone()).is_err());
    json["thumbnail_url"] = serde_json::Value::Null;
    assert!(serde_json::from_value::<CreateGigInput>(json).is_ok());
}

/// Search tags are trimmed, lowercased and deduplicated; no tags is `NULL`.
pub async fn search_tags_are_lowercased_and_deduplicated(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let mut input = gig_input("Tags");
    input.search_tags = vec![
        "Reels".into(),
        " reels ".into(),
        "UGC".into(),
        "TikTok Ads".into(),
        "ugc".into(),
    ];
    let gig = env
        .market
        .create_gig(&creator.ctx, input)
        .await
        .expect("create");
    assert_eq!(
        gig.search_tags,
        Some(vec!["reels".into(), "ugc".into(), "tiktok ads".into()])
    );

    let mut input = gig_input("No Tags");
    input.search_tags = Vec::new();
    input.video_samples = Vec::new();
    let gig = env
        .market
        .create_gig(&creator.ctx, input)
        .await
        .expect("create");
    assert_eq!(gig.search_tags, None);
    assert_eq!(gig.video_samples, None);
}

/// Gigs with the same title get `-2`, `-3`, ... appended; a deleted gig
/// keeps its slug reserved; an edited title keeps the slug; slugs are looked
/// up exactly.
pub async fn same_titles_get_numbered_slugs(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let first = env.creator().await;
    let second = env.creator().await;
    let a = draft_gig(&env, &first, "Product Reel").await;
    let b = draft_gig(&env, &second, "Product Reel").await;
    let c = draft_gig(&env, &first, "product reel!").await;
    assert_eq!(a.slug.as_str(), "product-reel");
    assert_eq!(b.slug.as_str(), "product-reel-2");
    assert_eq!(c.slug.as_str(), "product-reel-3");

    env.market
        .delete_gig(&first.ctx, a.id)
        .await
        .expect("delete");
    let d = draft_gig(&env, &second, "Product Reel").await;
    assert_eq!(
        d.slug.as_str(),
        "product-reel-4",
        "a deleted gig keeps its slug"
    );

    let edit = UpdateGigInput {
        title: Some(Text::parse("Something Else Entirely").expect("valid")),
        ..UpdateGigInput::default()
    };
    let edited = env
        .market
        .update_gig(&second.ctx, b.id, edit)
        .await
        .expect("edit");
    assert_eq!(edited.slug, b.slug, "slugs never change");

    env.market
        .publish_gig(&second.ctx, b.id)
        .await
        .expect("publish");
    let found = env
        .market
        .get_gig_by_slug(&Ctx::anonymous(), "product-reel-2")
        .await
        .expect("by slug");
    assert_eq!(found.id, b.id);
    assert_not_found(
        &env.refused(env.market.get_gig_by_slug(&Ctx::anonymous(), "no-such-gig"))
            .await,
    );
    let err = env
        .refused(env.market.get_gig_by_slug(&Ctx::anonymous(), "Not A Slug"))
        .await;
    assert_invalid(&err, "slug");
}

/// After the title's slug and `-2` to `-20` are taken, a suffix from the
/// gig's id is used; a title without slug characters gets the slug `gig`.
pub async fn slugs_fall_back_to_a_random_suffix(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let mut slugs = BTreeSet::new();
    for _ in 0..20 {
        slugs.insert(
            draft_gig(&env, &creator, "Busy Title")
                .await
                .slug
                .to_string(),
        );
    }
    assert!(slugs.contains("busy-title") && slugs.contains("busy-title-20"));
    let overflow = draft_gig(&env, &creator, "Busy Title").await;
    let simple = overflow.id.as_uuid().simple().to_string();
    assert_eq!(
        overflow.slug.as_str(),
        format!("busy-title-{}", &simple[24..])
    );
    assert!(slugs.insert(overflow.slug.to_string()));

    let unslugged = draft_gig(&env, &creator, "日本語").await;
    assert_eq!(unslugged.slug.as_str(), "gig");
    let again = draft_gig(&env, &creator, "!!!").await;
    assert_eq!(again.slug.as_str(), "gig-2");
}

/// An edit changes only the fields it sets, keeps counters and the slug,
/// bumps the version once and writes one audit entry; an edit that changes
/// nothing writes nothing.
pub async fn update_gig_changes_only_the_given_fields(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let gig = active_gig(&env, &creator, "Editable").await;
    env.clock.advance(chrono::Duration::minutes(5));

    let edit = UpdateGigInput {
        title: Some(Text::parse("Edited Title").expect("valid")),
        premium: Some(Some(tier("250", 2))),
        search_tags: Some(vec!["New".into()]),
        subcategory: Some(None),
        ..UpdateGigInput::default()
    };
    let edited = env
        .market
        .update_gig(&creator.ctx, gig.id, edit)
        .await
        .expect("edit");
    assert_eq!(edited.title.as_str(), "Edited Title");
    assert_eq!(edited.premium_price, Some(usd("250")));
    assert_eq!(edited.search_tags, Some(vec!["new".to_string()]));
    assert_eq!(edited.subcategory, None);
    assert_eq!(edited.description, gig.description);
    assert_eq!(edited.standard_price, gig.standard_price);
    assert_eq!(edited.status, GigStatus::Active);
    assert_eq!(edited.slug, gig.slug);
    assert_eq!(edited.updated_at, env.now());
    assert_eq!(edited.version, gig.version + 1);
    assert_eq!(stored(&env, gig.id).await, edited);
    assert_eq!(audit_count(&env, "gig", gig.id.as_uuid()).await, 3);

    let noop = UpdateGigInput {
        title: Some(Text::parse("Edited Title").expect("valid")),
        ..UpdateGigInput::default()
    };
    let same = env
        .market
        .update_gig(&creator.ctx, gig.id, noop)
        .await
        .expect("no-op edit");
    assert_eq!(same, edited);
    assert_eq!(stored(&env, gig.id).await.version, edited.version);
    assert_eq!(audit_count(&env, "gig", gig.id.as_uuid()).await, 3);

    // Dropping a tier: premium first, then standard.
    let edit = UpdateGigInput {
        premium: Some(None),
        ..UpdateGigInput::default()
    };
    let fewer = env
        .market
        .update_gig(&creator.ctx, gig.id, edit)
        .await
        .expect("drop premium");
    assert_eq!(fewer.premium_price, None);
    assert_eq!(fewer.premium_delivery_days, None);
    assert_eq!(fewer.offers().count(), 2);

    // A paused gig is still editable.
    env.market
        .pause_gig(&creator.ctx, gig.id)
        .await
        .expect("pause");
    let edit = UpdateGigInput {
        basic: Some(tier("60", 5)),
        ..UpdateGigInput::default()
    };
    let repriced = env
        .market
        .update_gig(&creator.ctx, gig.id, edit)
        .await
        .expect("reprice");
    assert_eq!(repriced.basic_price, usd("60"));
    assert_eq!(repriced.status, GigStatus::Paused);
    env.check_invariants().await;
}

/// Edits are checked like creations; deleted gigs cannot be edited.
pub async fn update_gig_refuses_bad_input_and_deleted_gigs(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let mut input = gig_input("Three Tiers");
    input.premium = Some(tier("300", 2));
    let gig = env
        .market
        .create_gig(&creator.ctx, input)
        .await
        .expect("create");

    let cases = [
        (
            "premium_price",
            UpdateGigInput {
                standard: Some(None),
                ..UpdateGigInput::default()
            },
        ),
        (
            "standard_price",
            UpdateGigInput {
                basic: Some(tier("150", 5)),
                ..UpdateGigInput::default()
            },
        ),
        (
            "description",
            UpdateGigInput {
                description: Some(" ".into()),
                ..UpdateGigInput::default()
            },
        ),
        (
            "search_tags",
            UpdateGigInput {
                search_tags: Some(vec!["".into()]),
                ..UpdateGigInput::default()
            },
        ),
        (
            "basic_delivery_days",
            UpdateGigInput {
                basic: Some(tier("50", 0)),
                ..UpdateGigInput::default()
            },
        ),
    ];
    for (field, edit) in cases {
        let err = env
            .refused(env.market.update_gig(&creator.ctx, gig.id, edit))
            .await;
        assert_invalid(&err, field);
    }

    env.market
        .delete_gig(&creator.ctx, gig.id)
        .await
        .expect("delete");
    let edit = UpdateGigInput {
        title: Some(Text::parse("Resurrected").expect("valid")),
        ..UpdateGigInput::default()
    };
    let err = env
        .refused(env.market.update_gig(&creator.ctx, gig.id, edit))
        .await;
    assert_rule(&err, "gig_deleted");
}

/// A creator lists their own gigs in every status but deleted.
pub async fn list_my_gigs_lists_own_live_gigs(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let other = env.creator().await;
    let draft = draft_gig(&env, &creator, "Draft One").await;
    let active = active_gig(&env, &creator, "Active One").await;
    let deleted = draft_gig(&env, &creator, "Deleted One").await;
    env.market
        .delete_gig(&creator.ctx, deleted.id)
        .await
        .expect("delete");
    draft_gig(&env, &other, "Not Mine").await;

    let mine: BTreeSet<GigId> = env
        .market
        .list_my_gigs(&creator.ctx)
        .await
        .expect("list")
        .into_iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(mine, BTreeSet::from([draft.id, active.id]));
}

/// A search whose words match nothing is run again with its misspelt words
/// corrected from the words of gig titles and tags and job titles, on every
/// backend ([`crate::spelling`]).
pub async fn misspelt_searches_are_corrected_from_titles_and_tags(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let editor = active_gig(&env, &creator, "Video editor for reels").await;
    let logo = active_gig(&env, &creator, "Logo animation").await;
    let gigs = |text: &str| {
        let query = GigQuery {
            text: Some(text.to_string()),
            ..GigQuery::default()
        };
        let market = env.market.clone();
        async move {
            market
                .browse_gigs(&query)
                .await
                .expect("search")
                .into_iter()
                .map(|g| g.id)
                .collect::<Vec<_>>()
        }
    };
    // "viedo" (a transposition) and "edtor" (a deletion) match no word;
    // corrected to "video editor", only the editor's gig has both.
    assert_eq!(gigs("viedo edtor").await, vec![editor.id]);
    // A misspelt tag ("reels" is one) is corrected too; every gig has it.
    assert_eq!(
        gigs("reals").await.into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from([editor.id, logo.id])
    );
    // Nothing near: no correction, no results.
    assert!(gigs("zzzzqqq").await.is_empty());

    // Jobs are corrected from the same vocabulary ("Launch campaign: five
    // TikToks").
    let client = env.client().await;
    let (job, _) = env
        .seed_job_with_proposal(client.client_id(), creator.creator_id(), usd("300.00"))
        .await;
    let jobs = env
        .market
        .browse_jobs(&JobQuery {
            text: Some("lanch campain".into()),
            ..JobQuery::default()
        })
        .await
        .expect("search jobs");
    assert_eq!(jobs.iter().map(|j| j.id).collect::<Vec<_>>(), vec![job]);
}

/// The ids of the gigs the store's own search (no typo fallback) finds for
/// `text`, in its order.
async fn searched(env: &TestEnv, text: &str) -> Vec<GigId> {
    let query = GigQuery {
        text: Some(text.to_string()),
        ..GigQuery::default()
    };
    env.store
        .gigs()
        .search(&query)
        .await
        .expect("search")
        .into_iter()
        .map(|g| g.id)
        .collect()
}

/// The stores find rows by `text_search`'s rule: a word matches a term by
/// its stem or as the start of one, never inside one, and tags and required
/// skills are searched too.
pub async fn text_search_matches_stems_and_term_prefixes(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let podcast = active_gig_described(
        &env,
        &creator,
        "Podcast editors on call",
        "Clips cut for podcasts.",
        "audio",
    )
    .await
    .id;
    let credit = active_gig_described(
        &env,
        &creator,
        "Credit union explainer",
        "Animated for a bank.",
        "finance",
    )
    .await
    .id;
    for (text, expected) in [
        // The start of "editors", not the inside of "Credit".
        ("edit", vec![podcast]),
        // By stem: "editor" and "editors" share one.
        ("editor", vec![podcast]),
        // A stop word needs no match when the other words match by stem.
        ("the explainers", vec![credit]),
        ("bank", vec![credit]),
        ("finance", vec![credit]),
        ("redit", vec![]),
        ("union podcast", vec![]),
        ("-- !", vec![]),
    ] {
        assert_eq!(
            searched(&env, text)
                .await
                .into_iter()
                .collect::<BTreeSet<_>>(),
            expected.into_iter().collect::<BTreeSet<_>>(),
            "{text:?}"
        );
    }

    let client = env.client().await;
    let job = env
        .market
        .create_job(
            &client.ctx,
            crate::testing::jobs::job_input("Blender reels", true),
        )
        .await
        .expect("post a job");
    for (text, expected) in [
        ("voice", vec![job.id]),
        ("kitchens", vec![job.id]),
        ("itchen", vec![]),
    ] {
        let jobs: Vec<_> = env
            .store
            .jobs()
            .search(&JobQuery {
                text: Some(text.into()),
                ..JobQuery::default()
            })
            .await
            .expect("search jobs")
            .into_iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(jobs, expected, "{text:?}");
    }
}

/// A gig is found by the words it has now: an edited title or tag stops
/// finding it by the old words and starts by the new, and a deleted gig is
/// found by none.
pub async fn text_search_follows_edits_and_deletions(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let gig = active_gig_described(
        &env,
        &creator,
        "Podcast editors on call",
        "Clips cut for the web.",
        "audio",
    )
    .await;
    assert_eq!(searched(&env, "podcasts").await, vec![gig.id]);
    assert!(searched(&env, "weddings").await.is_empty());

    env.market
        .update_gig(
            &creator.ctx,
            gig.id,
            UpdateGigInput {
                title: Some(Text::parse("Wedding highlight reels").expect("valid")),
                search_tags: Some(vec!["ceremony".into()]),
                ..UpdateGigInput::default()
            },
        )
        .await
        .expect("edit");
    for (text, expected) in [
        ("podcasts", vec![]),
        ("audio", vec![]),
        ("weddings", vec![gig.id]),
        ("ceremonies", vec![gig.id]),
        // The description did not change.
        ("clips", vec![gig.id]),
    ] {
        assert_eq!(
            searched(&env, text).await,
            expected,
            "{text:?} after the edit"
        );
    }

    env.market
        .delete_gig(&creator.ctx, gig.id)
        .await
        .expect("delete");
    assert!(searched(&env, "weddings").await.is_empty());
}

/// Browsing lists active gigs only, filters them, and refuses bad queries.
pub async fn browse_gigs_lists_active_gigs_and_checks_the_query(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let cheap = active_gig(&env, &creator, "Cheap Reel").await;
    let mut input = gig_input("Pricey Reel");
    input.basic = tier("500", 5);
    input.standard = None;
    let pricey = env
        .market
        .create_gig(&creator.ctx, input)
        .await
        .expect("create");
    env.market
        .publish_gig(&creator.ctx, pricey.id)
        .await
        .expect("publish");
    let paused = active_gig(&env, &creator, "Paused Reel").await;
    env.market
        .pause_gig(&creator.ctx, paused.id)
        .await
        .expect("pause");
    draft_gig(&env, &creator, "Draft Reel").await;

    let all: BTreeSet<GigId> = env
        .market
        .browse_gigs(&GigQuery::default())
        .await
        .expect("browse")
        .into_iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(all, BTreeSet::from([cheap.id, pricey.id]));

    let query = GigQuery {
        max_price: Some(usd("100")),
        ..GigQuery::default()
    };
    let found: Vec<GigId> = env
        .market
        .browse_gigs(&query)
        .await
        .expect("browse")
        .into_iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(found, vec![cheap.id]);

    let bad = [
        (
            "page.limit",
            GigQuery {
                page: Page {
                    limit: 0,
                    offset: 0,
                },
                ..GigQuery::default()
            },
        ),
        (
            "page.limit",
            GigQuery {
                page: Page {
                    limit: 101,
                    offset: 0,
                },
                ..GigQuery::default()
            },
        ),
        (
            "min_price",
            GigQuery {
                min_price: Some(usd("-1")),
                ..GigQuery::default()
            },
        ),
        (
            "max_price",
            GigQuery {
                min_price: Some(usd("10")),
                max_price: Some(usd("5")),
                ..GigQuery::default()
            },
        ),
        (
            "max_price",
            GigQuery {
                min_price: Some(usd("10")),
                max_price: Some(Money::parse("50", Currency::EUR).expect("valid")),
                ..GigQuery::default()
            },
        ),
        (
            "max_delivery_days",
            GigQuery {
                max_delivery_days: Some(0),
                ..GigQuery::default()
            },
        ),
        (
            "text",
            GigQuery {
                text: Some("w".repeat(201)),
                ..GigQuery::default()
            },
        ),
    ];
    for (field, query) in bad {
        let err = env.refused(env.market.browse_gigs(&query)).await;
        assert_invalid(&err, field);
    }
}

/// A view adds one to `view_count` and one `gig_views` row, without a
/// version bump or an audit entry; the creator's own views do not count; a
/// later edit keeps the count.
pub async fn gig_views_are_counted_without_a_version_or_audit(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let viewer = env.client().await;
    let gig = active_gig(&env, &creator, "Viewed").await;
    let audits = audit_count(&env, "gig", gig.id.as_uuid()).await;

    env.market
        .record_gig_view(&viewer.ctx, gig.id)
        .await
        .expect("view");
    env.market
        .record_gig_view(&viewer.ctx, gig.id)
        .await
        .expect("view");
    env.market
        .record_gig_view(&Ctx::anonymous(), gig.id)
        .await
        .expect("anonymous view");
    env.market
        .record_gig_view(&creator.ctx, gig.id)
        .await
        .expect("own view");
    let now = stored(&env, gig.id).await;
    assert_eq!(now.view_count, 3);
    assert_eq!(now.version, gig.version, "views bump no version");
    assert_eq!(
        audit_count(&env, "gig", gig.id.as_uuid()).await,
        audits,
        "views are not audited"
    );
    let logged = env
        .store
        .discovery()
        .list_gig_views_by_viewer_user_id(viewer.user_id)
        .await
        .expect("views");
    assert_eq!(logged.len(), 2);
    assert!(logged.iter().all(|v| v.gig_id == gig.id));

    let edit = UpdateGigInput {
        title: Some(Text::parse("Viewed And Edited").expect("valid")),
        ..UpdateGigInput::default()
    };
    env.market
        .update_gig(&creator.ctx, gig.id, edit)
        .await
        .expect("edit");
    assert_eq!(
        stored(&env, gig.id).await.view_count,
        3,
        "an edit keeps the counter"
    );

    env.market
        .pause_gig(&creator.ctx, gig.id)
        .await
        .expect("pause");
    assert_not_found(
        &env.refused(env.market.record_gig_view(&viewer.ctx, gig.id))
            .await,
    );
    assert_not_found(
        &env.refused(env.market.record_gig_view(&viewer.ctx, GigId::new()))
            .await,
    );
}

/// Eight concurrent creations with one title all succeed with eight
/// distinct slugs.
pub async fn concurrent_same_title_gigs_get_distinct_slugs(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let mut creators = Vec::new();
    for _ in 0..4 {
        creators.push(env.creator().await);
    }
    let mut tasks = Vec::new();
    for n in 0..8 {
        let market = env.market.clone();
        let ctx = creators[n % creators.len()].ctx.clone();
        tasks.push(tokio::spawn(async move {
            market.create_gig(&ctx, gig_input("Same Title")).await
        }));
    }
    let mut slugs = BTreeSet::new();
    for task in tasks {
        let gig = task
            .await
            .expect("the task ran")
            .expect("every creation succeeds");
        slugs.insert(gig.slug.to_string());
    }
    assert_eq!(slugs.len(), 8, "{slugs:?}");
    let expected: BTreeSet<String> = std::iter::once("same-title".to_string())
        .chain((2..=8).map(|n| format!("same-title-{n}")))
        .collect();
    assert_eq!(slugs, expected);
    env.check_invariants().await;
}

/// `get_by_ids` of users, creator profiles, gigs and jobs returns the rows
/// found in the order of the ids given, a repeated id repeated and a
/// missing one left out, whatever the store's own order.
pub async fn reads_by_ids_follow_the_order_given(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (first, second) = (env.creator().await, env.creator().await);
    let client = env.client().await;
    let gigs = [
        active_gig(&env, &first, "Reels cut to the beat").await.id,
        draft_gig(&env, &second, "Product unboxing").await.id,
        active_gig(&env, &first, "Talking-head edits").await.id,
    ];
    let jobs = [
        crate::testing::jobs::open_job(&env, &client, "Launch teaser")
            .await
            .id,
        crate::testing::jobs::open_job(&env, &client, "Holiday recipe reel")
            .await
            .id,
    ];

    let store = &env.store;
    let asked = [gigs[2], GigId::new(), gigs[0], gigs[2], gigs[1]];
    let read = ids_of(store.gigs().get_by_ids(&asked).await, |g| g.id);
    assert_eq!(read, [gigs[2], gigs[0], gigs[2], gigs[1]]);
    assert_eq!(
        stored(&env, gigs[1]).await,
        store.gigs().get_by_ids(&[gigs[1]]).await.expect("gig")[0]
    );

    let asked = [jobs[1], JobId::new(), jobs[0]];
    let read = ids_of(store.jobs().get_by_ids(&asked).await, |j| j.id);
    assert_eq!(read, [jobs[1], jobs[0]]);

    let (a, b) = (first.creator_id(), second.creator_id());
    let read = ids_of(
        store
            .creators()
            .get_by_ids(&[b, a, CreatorProfileId::new()])
            .await,
        |c| c.id,
    );
    assert_eq!(read, [b, a]);

    let (a, b) = (client.user_id, first.user_id);
    let read = ids_of(
        store.users().get_by_ids(&[a, UserId::new(), b, a]).await,
        |u| u.id,
    );
    assert_eq!(read, [a, b, a]);

    assert!(ids_of(store.gigs().get_by_ids(&[]).await, |g| g.id).is_empty());
}

/// The ids of the rows a read returned, in its order.
fn ids_of<T, I>(rows: crate::Result<Vec<T>>, id: impl Fn(&T) -> I) -> Vec<I> {
    rows.expect("read by ids").iter().map(id).collect()
}
