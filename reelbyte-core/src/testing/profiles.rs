//! Conformance behaviours: profiles (creator profile, skills, categories,
//! portfolio, client profile, payment and payout methods).

use chrono::Duration;
use serde_json::json;

use crate::entities::{CreatorCategory, PaymentMethod, PayoutMethod, PortfolioItem};
use crate::enums::{
    AvailabilityStatus, CompanySize, PaymentMethodType, PayoutMethodType, ProficiencyLevel,
    UserType,
};
use crate::error::Error;
use crate::ids::{CreatorCategoryId, CreatorProfileId, PaymentMethodId, PortfolioItemId, UserId};
use crate::money::Money;
use crate::service::{
    AddPaymentMethodInput, AddPayoutMethodInput, AddSkillInput, CreateClientProfileInput, Ctx,
    PortfolioItemInput, UpdateClientProfileInput, UpdateCreatorProfileInput,
    UpdatePortfolioItemInput,
};
use crate::store::{ChangeSet, Record};
use crate::testing::{Seeded, StoreFactory, TestEnv};
use crate::value::{BoundedUrl, Text, Url};

fn text<const N: usize>(s: &str) -> Text<N> {
    Text::parse(s).expect("valid text")
}

fn url(s: &str) -> Url {
    Url::parse(s).expect("valid url")
}

fn skill(name: &str) -> AddSkillInput {
    AddSkillInput {
        skill_name: text(name),
        proficiency_level: Some(ProficiencyLevel::Expert),
        years_experience: Some(4),
    }
}

fn portfolio_item(title: &str) -> PortfolioItemInput {
    PortfolioItemInput {
        title: text(title),
        description: Some(text("Three hooks, one product")),
        video_url: url("https://cdn.example.com/reel.mp4"),
        thumbnail_url: None,
        video_duration_seconds: Some(30),
        project_type: Some(text("product launch")),
        platform: Some(text("TikTok")),
    }
}

fn card(token: &str) -> AddPaymentMethodInput {
    AddPaymentMethodInput {
        provider: text("stripe"),
        provider_payment_method_id: text(token),
        r#type: PaymentMethodType::Card,
        last_four: Some(text("4242")),
        brand: Some(text("Visa")),
        expiry_month: Some(12),
        expiry_year: Some(2030),
    }
}

fn payout(account: &str) -> AddPayoutMethodInput {
    AddPayoutMethodInput {
        r#type: PayoutMethodType::Stripe,
        provider: text("stripe"),
        provider_account_id: text(account),
        account_name: Some(text("Ada Reels LLC")),
        last_four: Some(text("6789")),
    }
}

async fn payment_methods_of(env: &TestEnv, user: UserId) -> Vec<PaymentMethod> {
    env.store
        .payment_methods()
        .list_by_user_id(user)
        .await
        .expect("list payment methods")
}

async fn payout_methods_of(env: &TestEnv, creator: CreatorProfileId) -> Vec<PayoutMethod> {
    env.store
        .payment_methods()
        .list_payout_methods_by_creator_profile_id(creator)
        .await
        .expect("list payout methods")
}

async fn categories_of(env: &TestEnv, creator: CreatorProfileId) -> Vec<CreatorCategory> {
    env.store
        .creators()
        .list_categories_by_creator_profile_id(creator)
        .await
        .expect("list categories")
}

async fn user_type_of(env: &TestEnv, user: UserId) -> UserType {
    env.store
        .users()
        .get_by_id(user)
        .await
        .expect("read")
        .expect("the user exists")
        .user_type
}

/// A client with no payment method yet.
async fn bare_client(env: &TestEnv) -> Seeded {
    env.seed(UserType::Client, false).await
}

fn is_not_found(error: &Error) -> bool {
    matches!(error, Error::NotFound { .. })
}

/// Gives `creator`'s profile the skill `skill`, the primary category
/// "beauty" and a "Launch reel" portfolio item, which it returns.
async fn furnish(env: &TestEnv, creator: &Seeded, skill_name: &str) -> PortfolioItem {
    env.market
        .add_skill(&creator.ctx, skill(skill_name))
        .await
        .expect("skill");
    env.market
        .add_category(&creator.ctx, text("beauty"), true)
        .await
        .expect("category");
    env.market
        .add_portfolio_item(&creator.ctx, portfolio_item("Launch reel"))
        .await
        .expect("item")
}

// ---------------------------------------------------------------------------
// Creator profile
// ---------------------------------------------------------------------------

/// Anyone, anonymous visitors included, sees an active creator's profile
/// with its skills, categories and portfolio.
pub async fn public_creator_profile_shows_skills_categories_and_portfolio(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let item = furnish(&env, &creator, "Color grading").await;

    let view = env
        .market
        .get_creator_profile(creator.creator_id())
        .await
        .expect("public view");
    assert_eq!(view.profile.id, creator.creator_id());
    assert_eq!(view.skills.len(), 1);
    assert_eq!(view.skills[0].skill_name.as_str(), "Color grading");
    assert_eq!(view.categories.len(), 1);
    assert!(view.categories[0].is_primary);
    assert_eq!(view.portfolio, vec![item]);

    let mine = env
        .market
        .get_my_creator_profile(&creator.ctx)
        .await
        .expect("own view");
    assert_eq!(mine, view);
    let error = env
        .market
        .get_creator_profile(CreatorProfileId::new())
        .await
        .expect_err("unknown");
    assert!(is_not_found(&error), "{error:?}");
}

/// A creator's page, read again and again, follows every later change:
/// to the profile, to its lists and to its owner's status. The store's
/// bundle read matches the separate reads every time (a cache answers
/// repeated pages from what it holds, so this is where it would go stale).
pub async fn creator_profile_page_follows_later_changes(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let staff = env.staff().await;
    let creator = env.creator().await;
    let id = creator.creator_id();
    let matches_separate_reads = |label: &'static str| {
        let env = &env;
        async move {
            let bundle = env
                .store
                .creator_profile_bundle(id)
                .await
                .expect("bundle")
                .expect("the profile exists");
            let creators = env.store.creators();
            let profile = creators.get_by_id(id).await.expect("profile");
            let owner = env
                .store
                .users()
                .get_by_id(creator.user_id)
                .await
                .expect("owner");
            let skills = creators
                .list_skills_by_creator_profile_id(id)
                .await
                .expect("skills");
            let categories = categories_of(env, id).await;
            let portfolio = creators
                .list_portfolio_by_creator_profile_id(id)
                .await
                .expect("portfolio");
            assert_eq!(Some(&bundle.profile), profile.as_ref(), "{label}: profile");
            assert_eq!(bundle.owner, owner, "{label}: owner");
            assert_eq!(bundle.skills, skills, "{label}: skills");
            assert_eq!(bundle.categories, categories, "{label}: categories");
            assert_eq!(bundle.portfolio, portfolio, "{label}: portfolio");
            bundle
        }
    };
    assert_eq!(
        env.store
            .creator_profile_bundle(CreatorProfileId::new())
            .await
            .expect("bundle of nothing"),
        None
    );

    env.market
        .add_skill(&creator.ctx, skill("Color grading"))
        .await
        .expect("skill");
    // Twice: the first read may fill a cache, the second may be answered
    // from it.
    for _ in 0..2 {
        let view = env
            .market
            .get_creator_profile(id)
            .await
            .expect("public view");
        assert_eq!(view.skills.len(), 1);
        assert!(view.portfolio.is_empty());
        matches_separate_reads("first skill").await;
    }

    env.market
        .update_creator_profile(
            &creator.ctx,
            UpdateCreatorProfileInput {
                display_name: Some(text("Ada Renamed")),
                ..UpdateCreatorProfileInput::default()
            },
        )
        .await
        .expect("rename");
    let item = furnish(&env, &creator, "Motion design").await;
    let view = env
        .market
        .get_creator_profile(id)
        .await
        .expect("public view");
    assert_eq!(view.profile.display_name.as_str(), "Ada Renamed");
    assert_eq!(view.skills.len(), 2);
    assert_eq!(view.categories.len(), 1);
    assert_eq!(view.portfolio, vec![item]);
    matches_separate_reads("after the edits").await;

    // Lists whose orders are not their insertion orders: skills by name
    // whatever the case, categories primary first.
    env.market
        .add_skill(&creator.ctx, skill("animation"))
        .await
        .expect("skill");
    env.market
        .add_category(&creator.ctx, text("fashion"), false)
        .await
        .expect("category");
    env.market
        .add_portfolio_item(&creator.ctx, portfolio_item("Behind the scenes"))
        .await
        .expect("item");
    let bundle = matches_separate_reads("longer lists").await;
    let names: Vec<&str> = bundle
        .skills
        .iter()
        .map(|s| s.skill_name.as_str())
        .collect();
    assert_eq!(names, ["animation", "Color grading", "Motion design"]);
    assert!(bundle.categories[0].is_primary);
    assert_eq!(bundle.categories.len(), 2);
    assert_eq!(bundle.portfolio.len(), 2);

    env.market
        .suspend_user(&staff.ctx, creator.user_id, "spam")
        .await
        .expect("suspend");
    let error = env
        .market
        .get_creator_profile(id)
        .await
        .expect_err("hidden while suspended");
    assert!(is_not_found(&error), "{error:?}");
    matches_separate_reads("suspended").await;

    env.market
        .reinstate_user(&staff.ctx, creator.user_id)
        .await
        .expect("reinstate");
    let view = env
        .market
        .get_creator_profile(id)
        .await
        .expect("shown again");
    assert_eq!(view.skills.len(), 3);
    matches_separate_reads("reinstated").await;
}

/// The profile of a suspended, deleted or unverified account is not shown.
pub async fn creator_profile_of_an_inactive_account_is_not_found(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let staff = env.staff().await;
    let suspended = env.creator().await;
    let deleted = env.creator().await;
    env.market
        .suspend_user(&staff.ctx, suspended.user_id, "spam")
        .await
        .expect("suspend");
    env.market
        .delete_account(&deleted.ctx)
        .await
        .expect("delete");

    for creator in [&suspended, &deleted] {
        let error = env
            .market
            .get_creator_profile(creator.creator_id())
            .await
            .expect_err("hidden");
        assert!(is_not_found(&error), "{error:?}");
    }

    let pending = env
        .market
        .register(
            &Ctx::anonymous(),
            crate::service::RegisterInput {
                email: "pending@example.com".parse().expect("valid email"),
                password: "correct horse battery staple".into(),
                user_type: UserType::Creator,
                display_name: text("Pending"),
                company_name: None,
                phone_number: None,
            },
        )
        .await
        .expect("register");
    let ctx = Ctx::user(pending.user.id);
    let own = env
        .market
        .get_my_creator_profile(&ctx)
        .await
        .expect("own view");
    let error = env
        .market
        .get_creator_profile(own.profile.id)
        .await
        .expect_err("hidden until verified");
    assert!(is_not_found(&error), "{error:?}");
}

/// Editable columns change and clear; statistics and verification stay;
/// an update that changes nothing writes nothing.
pub async fn update_creator_profile_changes_and_clears_editable_fields(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let before = env
        .market
        .get_my_creator_profile(&creator.ctx)
        .await
        .expect("view")
        .profile;

    let updated = env
        .market
        .update_creator_profile(
            &creator.ctx,
            UpdateCreatorProfileInput {
                display_name: Some(text("Ada Reels")),
                tagline: Some(Some(text("Scroll-stopping UGC"))),
                bio: Some(Some(text("Ten years behind the camera."))),
                profile_image_url: Some(Some(url("https://cdn.example.com/ada.jpg"))),
                years_of_experience: Some(Some(10)),
                hourly_rate: Some(Some(Money::usd("85.00").expect("valid"))),
                availability_status: Some(AvailabilityStatus::Busy),
                response_time_hours: Some(Some(4)),
                instagram_handle: Some(Some(text("@adareels"))),
                website_url: Some(Some(
                    BoundedUrl::parse("https://ada.example.com").expect("valid"),
                )),
                ..UpdateCreatorProfileInput::default()
            },
        )
        .await
        .expect("update");
    assert_eq!(updated.display_name.as_str(), "Ada Reels");
    assert_eq!(
        updated.tagline.as_ref().map(Text::as_str),
        Some("Scroll-stopping UGC")
    );
    assert_eq!(updated.bio.as_deref(), Some("Ten years behind the camera."));
    assert_eq!(updated.years_of_experience, Some(10));
    assert_eq!(updated.availability_status, AvailabilityStatus::Busy);
    assert_eq!(updated.total_earnings, before.total_earnings);
    assert_eq!(updated.is_verified, before.is_verified);
    assert_eq!(updated.version, before.version + 1);

    let cleared = env
        .market
        .update_creator_profile(
            &creator.ctx,
            UpdateCreatorProfileInput {
                tagline: Some(None),
                hourly_rate: Some(None),
                ..UpdateCreatorProfileInput::default()
            },
        )
        .await
        .expect("clear");
    assert_eq!(cleared.tagline, None);
    assert_eq!(cleared.hourly_rate, None);
    assert_eq!(cleared.bio, updated.bio, "absent fields are kept");
    let stored = env
        .store
        .creators()
        .get_by_id(creator.creator_id())
        .await
        .expect("read");
    assert_eq!(stored, Some(cleared.clone()));

    let snapshot = env.snapshot().await;
    let same = env
        .market
        .update_creator_profile(&creator.ctx, UpdateCreatorProfileInput::default())
        .await
        .expect("no-op");
    assert_eq!(same, cleared);
    assert_eq!(
        env.snapshot().await,
        snapshot,
        "nothing changed, nothing written"
    );

    let audit = env
        .store
        .admin()
        .list_audit_by_entity("creator_profile", creator.creator_id().as_uuid())
        .await
        .expect("audit");
    assert_eq!(audit.len(), 2);
}

/// Out-of-range experience, response time and rate are refused.
pub async fn update_creator_profile_with_out_of_range_values_is_refused(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let cases = [
        (
            "years_of_experience",
            UpdateCreatorProfileInput {
                years_of_experience: Some(Some(81)),
                ..Default::default()
            },
        ),
        (
            "years_of_experience",
            UpdateCreatorProfileInput {
                years_of_experience: Some(Some(-1)),
                ..Default::default()
            },
        ),
        (
            "response_time_hours",
            UpdateCreatorProfileInput {
                response_time_hours: Some(Some(721)),
                ..Default::default()
            },
        ),
        (
            "response_time_hours",
            UpdateCreatorProfileInput {
                response_time_hours: Some(Some(-1)),
                ..Default::default()
            },
        ),
        (
            "hourly_rate",
            UpdateCreatorProfileInput {
                hourly_rate: Some(Some(Money::usd("0").expect("valid"))),
                ..Default::default()
            },
        ),
        (
            "hourly_rate",
            UpdateCreatorProfileInput {
                hourly_rate: Some(Some(Money::usd("-5.00").expect("valid"))),
                ..Default::default()
            },
        ),
    ];
    for (field, input) in cases {
        let error = env
            .refused(env.market.update_creator_profile(&creator.ctx, input))
            .await;
        assert!(
            matches!(&error, Error::Validation { field: f, .. } if *f == field),
            "{field}: {error:?}"
        );
    }
}

/// Update inputs refuse statistics, verification and unknown fields, and
/// tell an absent field (keep) from `null` (clear).
pub async fn update_inputs_refuse_statistics_and_unknown_fields(factory: &StoreFactory) {
    let _env = TestEnv::new(factory).await;
    for smuggled in [
        json!({ "is_verified": true }),
        json!({ "total_earnings": { "amount": "1000000.00", "currency": "USD" } }),
        json!({ "average_rating": "5.00" }),
        json!({ "user_id": "0196f3a0-0000-7000-8000-000000000000" }),
    ] {
        assert!(serde_json::from_value::<UpdateCreatorProfileInput>(smuggled.clone()).is_err());
        assert!(serde_json::from_value::<UpdateClientProfileInput>(smuggled).is_err());
    }
    assert!(
        serde_json::from_value::<UpdateClientProfileInput>(json!({ "payment_verified": true }))
            .is_err()
    );
    assert!(
        serde_json::from_value::<UpdateCreatorProfileInput>(json!({ "website_url": "ftp://x" }))
            .is_err()
    );

    let input: UpdateCreatorProfileInput =
        serde_json::from_value(json!({ "tagline": null, "bio": "Hello" })).expect("valid");
    assert_eq!(input.tagline, Some(None));
    assert_eq!(input.bio, Some(Some(text("Hello"))));
    assert_eq!(input.hourly_rate, None);
    let round_trip: UpdateCreatorProfileInput =
        serde_json::from_value(serde_json::to_value(&input).expect("serialize"))
            .expect("deserialize");
    assert_eq!(round_trip.tagline, Some(None));
    assert_eq!(round_trip.hourly_rate, None);
}

/// A user without a creator profile has none to change.
pub async fn a_user_without_a_creator_profile_has_none_to_change(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let input = UpdateCreatorProfileInput {
        tagline: Some(Some(text("hi"))),
        ..Default::default()
    };
    let error = env
        .refused(env.market.update_creator_profile(&client.ctx, input))
        .await;
    assert!(is_not_found(&error), "{error:?}");
    let error = env
        .refused(env.market.add_skill(&client.ctx, skill("Editing")))
        .await;
    assert!(is_not_found(&error), "{error:?}");
    let error = env
        .refused(
            env.market
                .add_portfolio_item(&client.ctx, portfolio_item("Reel")),
        )
        .await;
    assert!(is_not_found(&error), "{error:?}");
    let error = env
        .refused(env.market.add_payout_method(&client.ctx, payout("acct_1")))
        .await;
    assert!(is_not_found(&error), "{error:?}");
    let error = env
        .market
        .list_payout_methods(&client.ctx)
        .await
        .expect_err("no profile");
    assert!(is_not_found(&error), "{error:?}");
}

// ---------------------------------------------------------------------------
// Skills and categories
// ---------------------------------------------------------------------------

/// Skills are added and removed.
pub async fn skills_are_added_and_removed(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let grading = env
        .market
        .add_skill(&creator.ctx, skill("Color grading"))
        .await
        .expect("add");
    let editing = env
        .market
        .add_skill(&creator.ctx, skill("Editing"))
        .await
        .expect("add");
    assert_eq!(grading.proficiency_level, Some(ProficiencyLevel::Expert));

    env.market
        .remove_skill(&creator.ctx, grading.id)
        .await
        .expect("remove");
    let view = env
        .market
        .get_creator_profile(creator.creator_id())
        .await
        .expect("view");
    assert_eq!(view.skills, vec![editing]);
    let error = env
        .refused(env.market.remove_skill(&creator.ctx, grading.id))
        .await;
    assert!(is_not_found(&error), "{error:?}");
}

/// A skill the profile has, in any letter case, is refused; so are
/// implausible years.
pub async fn duplicate_skill_is_refused(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    env.market
        .add_skill(&creator.ctx, skill("Color Grading"))
        .await
        .expect("add");
    let error = env
        .refused(
            env.market
                .add_skill(&creator.ctx, skill("  color grading ")),
        )
        .await;
    assert!(
        matches!(
            error,
            Error::AlreadyExists {
                entity: "creator_skill",
                ..
            }
        ),
        "{error:?}"
    );
    for years in [-1, 81] {
        let mut input = skill("Editing");
        input.years_experience = Some(years);
        let error = env.refused(env.market.add_skill(&creator.ctx, input)).await;
        assert!(
            matches!(
                error,
                Error::Validation {
                    field: "years_experience",
                    ..
                }
            ),
            "{error:?}"
        );
    }
    // Another creator may have the same skill.
    let other = env.creator().await;
    env.market
        .add_skill(&other.ctx, skill("Color Grading"))
        .await
        .expect("another profile");
}

/// Another creator's skill is `NotFound`.
pub async fn another_creators_skill_is_not_found(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let owner = env.creator().await;
    let intruder = env.creator().await;
    let owned = env
        .market
        .add_skill(&owner.ctx, skill("Editing"))
        .await
        .expect("add");
    let error = env
        .refused(env.market.remove_skill(&intruder.ctx, owned.id))
        .await;
    assert!(is_not_found(&error), "{error:?}");
}

/// A new primary category demotes the old one in the same change set; at
/// most one category is primary at any time.
pub async fn a_new_primary_category_demotes_the_previous_one(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let beauty = env
        .market
        .add_category(&creator.ctx, text("beauty"), true)
        .await
        .expect("add");
    let tech = env
        .market
        .add_category(&creator.ctx, text("tech"), true)
        .await
        .expect("add");
    let food = env
        .market
        .add_category(&creator.ctx, text("food"), false)
        .await
        .expect("add");

    let primaries = |categories: Vec<CreatorCategory>| -> Vec<CreatorCategoryId> {
        categories
            .into_iter()
            .filter(|c| c.is_primary)
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(
        primaries(categories_of(&env, creator.creator_id()).await),
        vec![tech.id]
    );

    let chosen = env
        .market
        .set_primary_category(&creator.ctx, food.id)
        .await
        .expect("set primary");
    assert!(chosen.is_primary);
    assert_eq!(
        primaries(categories_of(&env, creator.creator_id()).await),
        vec![food.id]
    );

    env.market
        .remove_category(&creator.ctx, food.id)
        .await
        .expect("remove");
    let left: Vec<_> = categories_of(&env, creator.creator_id())
        .await
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(left.len(), 2);
    assert!(left.contains(&beauty.id) && left.contains(&tech.id));

    let error = env
        .refused(env.market.add_category(&creator.ctx, text("BEAUTY"), false))
        .await;
    assert!(
        matches!(
            error,
            Error::AlreadyExists {
                entity: "creator_category",
                ..
            }
        ),
        "{error:?}"
    );
}

/// The store itself refuses a second primary category for a profile.
pub async fn the_store_refuses_a_second_primary_category(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let first = env
        .market
        .add_category(&creator.ctx, text("beauty"), true)
        .await
        .expect("add");
    let mut second = first.clone();
    second.id = CreatorCategoryId::new();
    second.category = text("tech");
    let mut changes = ChangeSet::new();
    changes.insert(second);
    let error = env.refused(env.store.apply(changes)).await;
    assert!(matches!(error, Error::AlreadyExists { .. }), "{error:?}");
}

/// Another creator's category is `NotFound`.
pub async fn another_creators_category_is_not_found(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let owner = env.creator().await;
    let intruder = env.creator().await;
    let owned = env
        .market
        .add_category(&owner.ctx, text("beauty"), false)
        .await
        .expect("add");
    let error = env
        .refused(env.market.set_primary_category(&intruder.ctx, owned.id))
        .await;
    assert!(is_not_found(&error), "{error:?}");
    let error = env
        .refused(env.market.remove_category(&intruder.ctx, owned.id))
        .await;
    assert!(is_not_found(&error), "{error:?}");
}

// ---------------------------------------------------------------------------
// Portfolio
// ---------------------------------------------------------------------------

/// Portfolio items are appended in order, updated, featured and removed.
pub async fn portfolio_items_are_added_updated_featured_and_removed(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let first = env
        .market
        .add_portfolio_item(&creator.ctx, portfolio_item("First"))
        .await
        .expect("add");
    let second = env
        .market
        .add_portfolio_item(&creator.ctx, portfolio_item("Second"))
        .await
        .expect("add");
    assert_eq!((first.display_order, second.display_order), (0, 1));
    assert!(!first.is_featured);

    let updated = env
        .market
        .update_portfolio_item(
            &creator.ctx,
            first.id,
            UpdatePortfolioItemInput {
                title: Some(text("First, recut")),
                description: Some(None),
                thumbnail_url: Some(Some(url("https://cdn.example.com/t.jpg"))),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    assert_eq!(updated.title.as_str(), "First, recut");
    assert_eq!(updated.description, None);
    assert_eq!(updated.video_url, first.video_url);
    assert_eq!(updated.version, first.version + 1);

    let featured = env
        .market
        .set_portfolio_featured(&creator.ctx, second.id, true)
        .await
        .expect("feature");
    assert!(featured.is_featured);
    let view = env
        .market
        .get_creator_profile(creator.creator_id())
        .await
        .expect("view");
    assert_eq!(
        view.portfolio.first().map(|i| i.id),
        Some(second.id),
        "featured first"
    );

    env.market
        .remove_portfolio_item(&creator.ctx, first.id)
        .await
        .expect("remove");
    let view = env
        .market
        .get_creator_profile(creator.creator_id())
        .await
        .expect("view");
    assert_eq!(view.portfolio, vec![featured]);
    let third = env
        .market
        .add_portfolio_item(&creator.ctx, portfolio_item("Third"))
        .await
        .expect("add");
    assert_eq!(third.display_order, 2, "after the last one");
}

/// Reordering rewrites `display_order` to 0..n in the given order.
pub async fn reorder_portfolio_rewrites_the_display_order(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let mut ids = Vec::new();
    for title in ["A", "B", "C"] {
        let item = env
            .market
            .add_portfolio_item(&creator.ctx, portfolio_item(title))
            .await
            .expect("add");
        ids.push(item.id);
    }
    let wanted = vec![ids[2], ids[0], ids[1]];
    let reordered = env
        .market
        .reorder_portfolio(&creator.ctx, &wanted)
        .await
        .expect("reorder");
    let got: Vec<_> = reordered.iter().map(|i| (i.id, i.display_order)).collect();
    assert_eq!(got, vec![(ids[2], 0), (ids[0], 1), (ids[1], 2)]);
    let view = env
        .market
        .get_creator_profile(creator.creator_id())
        .await
        .expect("view");
    let stored: Vec<_> = view.portfolio.iter().map(|i| i.id).collect();
    assert_eq!(stored, wanted);
    assert_eq!(view.portfolio, reordered);
}

/// A reorder must list exactly the profile's items, once each.
pub async fn reorder_portfolio_with_missing_duplicate_or_foreign_items_is_refused(
    factory: &StoreFactory,
) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let other = env.creator().await;
    let a = env
        .market
        .add_portfolio_item(&creator.ctx, portfolio_item("A"))
        .await
        .expect("add")
        .id;
    let b = env
        .market
        .add_portfolio_item(&creator.ctx, portfolio_item("B"))
        .await
        .expect("add")
        .id;
    let foreign = env
        .market
        .add_portfolio_item(&other.ctx, portfolio_item("Theirs"))
        .await
        .expect("add")
        .id;
    for ordered in [
        vec![a],
        vec![a, a],
        vec![a, b, foreign],
        vec![a, foreign],
        vec![a, b, PortfolioItemId::new()],
    ] {
        let error = env
            .refused(env.market.reorder_portfolio(&creator.ctx, &ordered))
            .await;
        assert!(
            matches!(
                error,
                Error::Validation {
                    field: "portfolio_item_ids",
                    ..
                }
            ),
            "{ordered:?}: {error:?}"
        );
    }
}

/// Video durations outside 1..=36000 seconds are refused.
pub async fn portfolio_item_with_an_out_of_range_duration_is_refused(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    for seconds in [0, 36_001] {
        let mut input = portfolio_item("Reel");
        input.video_duration_seconds = Some(seconds);
        let error = env
            .refused(env.market.add_portfolio_item(&creator.ctx, input))
            .await;
        assert!(
            matches!(
                error,
                Error::Validation {
                    field: "video_duration_seconds",
                    ..
                }
            ),
            "{error:?}"
        );
    }
    let item = env
        .market
        .add_portfolio_item(&creator.ctx, portfolio_item("Reel"))
        .await
        .expect("add");
    let input = UpdatePortfolioItemInput {
        video_duration_seconds: Some(Some(0)),
        ..Default::default()
    };
    let error = env
        .refused(
            env.market
                .update_portfolio_item(&creator.ctx, item.id, input),
        )
        .await;
    assert!(
        matches!(
            error,
            Error::Validation {
                field: "video_duration_seconds",
                ..
            }
        ),
        "{error:?}"
    );
}

/// Another creator's portfolio item is `NotFound` to every command.
pub async fn another_creators_portfolio_item_is_not_found(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let owner = env.creator().await;
    let intruder = env.creator().await;
    let item = env
        .market
        .add_portfolio_item(&owner.ctx, portfolio_item("Mine"))
        .await
        .expect("add");
    let input = UpdatePortfolioItemInput {
        title: Some(text("Stolen")),
        ..Default::default()
    };
    let error = env
        .refused(
            env.market
                .update_portfolio_item(&intruder.ctx, item.id, input),
        )
        .await;
    assert!(is_not_found(&error), "{error:?}");
    let error = env
        .refused(
            env.market
                .set_portfolio_featured(&intruder.ctx, item.id, true),
        )
        .await;
    assert!(is_not_found(&error), "{error:?}");
    let error = env
        .refused(env.market.remove_portfolio_item(&intruder.ctx, item.id))
        .await;
    assert!(is_not_found(&error), "{error:?}");
}

// ---------------------------------------------------------------------------
// Client profile and becoming both
// ---------------------------------------------------------------------------

/// A creator who starts hiring gets a client profile and becomes `both`.
pub async fn a_creator_becomes_both_with_a_client_profile(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let input = CreateClientProfileInput {
        company_name: text("Ada Reels LLC"),
        company_logo_url: None,
        industry: Some(text("Media")),
        company_size: Some(CompanySize::S1To10),
        website_url: None,
        description: Some(text("We hire editors.")),
    };
    let profile = env
        .market
        .create_client_profile(&creator.ctx, input.clone())
        .await
        .expect("create");
    assert_eq!(profile.company_name.as_str(), "Ada Reels LLC");
    assert_eq!(profile.total_jobs_posted, 0);
    assert!(!profile.payment_verified);
    assert_eq!(user_type_of(&env, creator.user_id).await, UserType::Both);
    assert_eq!(
        env.market
            .get_my_client_profile(&creator.ctx)
            .await
            .expect("own"),
        profile
    );

    let error = env
        .refused(env.market.create_client_profile(&creator.ctx, input))
        .await;
    assert!(
        matches!(
            error,
            Error::AlreadyExists {
                entity: "client_profile",
                ..
            }
        ),
        "{error:?}"
    );
}

/// A client who starts creating gets a creator profile and becomes `both`.
pub async fn a_client_becomes_both_with_a_creator_profile(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let profile = env
        .market
        .create_creator_profile(&client.ctx, text("Brand Studio"))
        .await
        .expect("create");
    assert_eq!(profile.display_name.as_str(), "Brand Studio");
    assert_eq!(profile.availability_status, AvailabilityStatus::Available);
    assert_eq!(user_type_of(&env, client.user_id).await, UserType::Both);
    env.market
        .add_skill(&client.ctx, skill("Editing"))
        .await
        .expect("now a creator");

    let error = env
        .refused(
            env.market
                .create_creator_profile(&client.ctx, text("Again")),
        )
        .await;
    assert!(
        matches!(
            error,
            Error::AlreadyExists {
                entity: "creator_profile",
                ..
            }
        ),
        "{error:?}"
    );
}

/// The client profile's editable columns change and clear; anyone sees an
/// active client's profile, nobody an inactive one's.
pub async fn client_profile_is_updated_and_shown_while_active(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let updated = env
        .market
        .update_client_profile(
            &client.ctx,
            UpdateClientProfileInput {
                company_name: Some(text("Brand Co")),
                industry: Some(Some(text("Beverages"))),
                company_size: Some(Some(CompanySize::S51To200)),
                website_url: Some(Some(
                    BoundedUrl::parse("https://brand.example.com").expect("valid"),
                )),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    assert_eq!(updated.company_name.as_str(), "Brand Co");
    assert_eq!(updated.company_size, Some(CompanySize::S51To200));
    let cleared = env
        .market
        .update_client_profile(
            &client.ctx,
            UpdateClientProfileInput {
                industry: Some(None),
                ..Default::default()
            },
        )
        .await
        .expect("clear");
    assert_eq!(cleared.industry, None);
    assert_eq!(cleared.company_size, updated.company_size);
    assert_eq!(
        env.market
            .get_client_profile(client.client_id())
            .await
            .expect("public"),
        cleared
    );

    let creator = env.creator().await;
    let error = env
        .refused(env.market.update_client_profile(
            &creator.ctx,
            UpdateClientProfileInput {
                company_name: Some(text("Nope")),
                ..Default::default()
            },
        ))
        .await;
    assert!(is_not_found(&error), "{error:?}");

    let staff = env.staff().await;
    env.market
        .suspend_user(&staff.ctx, client.user_id, "fraud")
        .await
        .expect("suspend");
    let error = env
        .market
        .get_client_profile(client.client_id())
        .await
        .expect_err("hidden");
    assert!(is_not_found(&error), "{error:?}");
}

// ---------------------------------------------------------------------------
// Payment methods
// ---------------------------------------------------------------------------

/// The first payment method becomes the default; changing the default
/// demotes the old one; removing the default promotes the oldest other.
pub async fn the_first_payment_method_becomes_the_default(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = bare_client(&env).await;
    let first = env
        .market
        .add_payment_method(&client.ctx, card("pm_first"))
        .await
        .expect("add");
    env.clock.advance(Duration::seconds(1));
    let second = env
        .market
        .add_payment_method(&client.ctx, card("pm_second"))
        .await
        .expect("add");
    env.clock.advance(Duration::seconds(1));
    let third = env
        .market
        .add_payment_method(&client.ctx, card("pm_third"))
        .await
        .expect("add");
    assert!(first.is_default);
    assert!(!second.is_default && !third.is_default);
    assert!(!first.is_verified, "only the provider verifies");

    let chosen = env
        .market
        .set_default_payment_method(&client.ctx, third.id)
        .await
        .expect("set default");
    assert!(chosen.is_default);
    let defaults: Vec<_> = payment_methods_of(&env, client.user_id)
        .await
        .into_iter()
        .filter(|m| m.is_default)
        .map(|m| m.id)
        .collect();
    assert_eq!(defaults, vec![third.id]);

    env.market
        .remove_payment_method(&client.ctx, third.id)
        .await
        .expect("remove");
    let listed = env
        .market
        .list_payment_methods(&client.ctx)
        .await
        .expect("list");
    let summary: Vec<_> = listed.iter().map(|m| (m.id, m.is_default)).collect();
    assert_eq!(
        summary,
        vec![(first.id, true), (second.id, false)],
        "the oldest inherits"
    );
    assert_eq!(listed, payment_methods_of(&env, client.user_id).await);

    env.market
        .remove_payment_method(&client.ctx, second.id)
        .await
        .expect("remove a non-default");
    env.market
        .remove_payment_method(&client.ctx, first.id)
        .await
        .expect("remove the last");
    assert!(payment_methods_of(&env, client.user_id).await.is_empty());
}

/// Malformed display digits and expiry dates are refused.
pub async fn payment_method_with_bad_input_is_refused(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = bare_client(&env).await;
    let this_year = chrono::Datelike::year(&env.now());
    let expired_month = i32::try_from(chrono::Datelike::month(&env.now())).expect("small") - 1;
    // Each case spoils one aspect of an otherwise valid card.
    type Spoil = Box<dyn Fn(&mut AddPaymentMethodInput)>;
    let cases: Vec<(&str, Spoil)> = vec![
        ("last_four", Box::new(|m| m.last_four = Some(text("12a4")))),
        ("last_four", Box::new(|m| m.last_four = Some(text("123")))),
        ("expiry_month", Box::new(|m| m.expiry_month = Some(0))),
        ("expiry_month", Box::new(|m| m.expiry_month = Some(13))),
        (
            "expiry_year",
            Box::new(move |m| m.expiry_year = Some(this_year - 1)),
        ),
        (
            "expiry_year",
            Box::new(move |m| m.expiry_year = Some(this_year + 21)),
        ),
        (
            "expiry_month",
            Box::new(move |m| {
                m.expiry_year = Some(this_year);
                m.expiry_month = Some(expired_month);
            }),
        ),
        (
            "expiry_month",
            Box::new(|m| {
                m.expiry_month = None;
                m.expiry_year = None;
            }),
        ),
        ("expiry_year", Box::new(|m| m.expiry_year = None)),
    ];
    for (field, spoil) in cases {
        let mut input = card("pm_bad");
        spoil(&mut input);
        let error = env
            .refused(env.market.add_payment_method(&client.ctx, input))
            .await;
        assert!(
            matches!(&error, Error::Validation { field: f, .. } if *f == field),
            "{field}: {error:?}"
        );
    }
    let paypal = AddPaymentMethodInput {
        r#type: PaymentMethodType::Paypal,
        last_four: None,
        brand: None,
        expiry_month: None,
        expiry_year: None,
        ..card("ba_paypal")
    };
    env.market
        .add_payment_method(&client.ctx, paypal)
        .await
        .expect("no expiry needed for PayPal");
    let json = json!({
        "provider": "stripe", "provider_payment_method_id": "pm_x", "type": "cheque",
    });
    assert!(serde_json::from_value::<AddPaymentMethodInput>(json).is_err());
}

/// The same provider token twice is refused.
pub async fn duplicate_payment_method_is_refused(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = bare_client(&env).await;
    env.market
        .add_payment_method(&client.ctx, card("pm_same"))
        .await
        .expect("add");
    let error = env
        .refused(env.market.add_payment_method(&client.ctx, card("pm_same")))
        .await;
    assert!(
        matches!(
            error,
            Error::AlreadyExists {
                entity: "payment_method",
                ..
            }
        ),
        "{error:?}"
    );
}

/// Another user's payment method is `NotFound`, and not listed.
pub async fn another_users_payment_method_is_not_found(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let owner = env.client().await;
    let intruder = env.client().await;
    let owned = env
        .market
        .add_payment_method(&owner.ctx, card("pm_owner"))
        .await
        .expect("add");
    let error = env
        .refused(
            env.market
                .set_default_payment_method(&intruder.ctx, owned.id),
        )
        .await;
    assert!(is_not_found(&error), "{error:?}");
    let error = env
        .refused(env.market.remove_payment_method(&intruder.ctx, owned.id))
        .await;
    assert!(is_not_found(&error), "{error:?}");
    let error = env
        .refused(
            env.market
                .remove_payment_method(&intruder.ctx, PaymentMethodId::new()),
        )
        .await;
    assert!(is_not_found(&error), "{error:?}");
    let listed = env
        .market
        .list_payment_methods(&intruder.ctx)
        .await
        .expect("list");
    assert!(listed.iter().all(|m| m.user_id == intruder.user_id));
    assert_eq!(listed.len(), 1);
}

/// Sixteen concurrent default changes leave exactly one default.
pub async fn concurrent_default_changes_leave_exactly_one_default(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = env.client().await;
    let mut ids = Vec::new();
    for n in 0..16 {
        let method = env
            .market
            .add_payment_method(&client.ctx, card(&format!("pm_{n}")))
            .await
            .expect("add");
        assert!(!method.is_default);
        ids.push(method.id);
    }
    let tasks: Vec<_> = ids
        .iter()
        .map(|&id| {
            let market = env.market.clone();
            let ctx = client.ctx.clone();
            tokio::spawn(async move { market.set_default_payment_method(&ctx, id).await })
        })
        .collect();
    for task in tasks {
        let chosen = task.await.expect("the task finished").expect("set default");
        assert!(chosen.is_default);
    }
    let defaults: Vec<_> = payment_methods_of(&env, client.user_id)
        .await
        .into_iter()
        .filter(|m| m.is_default)
        .collect();
    assert_eq!(defaults.len(), 1);
    assert!(ids.contains(&defaults[0].id));
}

/// Concurrent first payment methods all land, and exactly one is default.
pub async fn concurrent_first_payment_methods_leave_exactly_one_default(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let client = bare_client(&env).await;
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let market = env.market.clone();
            let ctx = client.ctx.clone();
            tokio::spawn(async move {
                market
                    .add_payment_method(&ctx, card(&format!("pm_{n}")))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("the task finished").expect("add");
    }
    let methods = payment_methods_of(&env, client.user_id).await;
    assert_eq!(methods.len(), 8);
    assert_eq!(methods.iter().filter(|m| m.is_default).count(), 1);
}

// ---------------------------------------------------------------------------
// Payout methods
// ---------------------------------------------------------------------------

/// Payout methods follow the payment methods' rules on the creator profile.
pub async fn payout_methods_keep_one_default(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.creator().await;
    let first = env
        .market
        .add_payout_method(&creator.ctx, payout("acct_first"))
        .await
        .expect("add");
    env.clock.advance(Duration::seconds(1));
    let second = env
        .market
        .add_payout_method(&creator.ctx, payout("acct_second"))
        .await
        .expect("add");
    env.clock.advance(Duration::seconds(1));
    let third = env
        .market
        .add_payout_method(&creator.ctx, payout("acct_third"))
        .await
        .expect("add");
    assert!(first.is_default && !second.is_default && !third.is_default);

    env.market
        .set_default_payout_method(&creator.ctx, second.id)
        .await
        .expect("set default");
    let defaults: Vec<_> = payout_methods_of(&env, creator.creator_id())
        .await
        .into_iter()
        .filter(|m| m.is_default)
        .map(|m| m.id)
        .collect();
    assert_eq!(defaults, vec![second.id]);

    env.market
        .remove_payout_method(&creator.ctx, second.id)
        .await
        .expect("remove");
    let listed = env
        .market
        .list_payout_methods(&creator.ctx)
        .await
        .expect("list");
    let summary: Vec<_> = listed.iter().map(|m| (m.id, m.is_default)).collect();
    assert_eq!(summary, vec![(first.id, true), (third.id, false)]);

    let error = env
        .refused(
            env.market
                .add_payout_method(&creator.ctx, payout("acct_first")),
        )
        .await;
    assert!(
        matches!(
            error,
            Error::AlreadyExists {
                entity: "payout_method",
                ..
            }
        ),
        "{error:?}"
    );
    let mut bad = payout("acct_bad");
    bad.last_four = Some(text("12x4"));
    let error = env
        .refused(env.market.add_payout_method(&creator.ctx, bad))
        .await;
    assert!(
        matches!(
            error,
            Error::Validation {
                field: "last_four",
                ..
            }
        ),
        "{error:?}"
    );
}

/// Another creator's payout method is `NotFound`.
pub async fn another_creators_payout_method_is_not_found(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let owner = env.creator().await;
    let intruder = env.creator().await;
    let owned = env.seed_payout_method(owner.creator_id()).await;
    let error = env
        .refused(env.market.set_default_payout_method(&intruder.ctx, owned))
        .await;
    assert!(is_not_found(&error), "{error:?}");
    let error = env
        .refused(env.market.remove_payout_method(&intruder.ctx, owned))
        .await;
    assert!(is_not_found(&error), "{error:?}");
    assert!(
        env.market
            .list_payout_methods(&intruder.ctx)
            .await
            .expect("list")
            .is_empty()
    );
}

/// Provider tokens and account ids never reach the audit log.
pub async fn audit_entries_hide_provider_tokens(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let creator = env.seed(UserType::Both, false).await;
    env.market
        .add_payment_method(&creator.ctx, card("pm_secret_token_123"))
        .await
        .expect("add");
    env.market
        .add_payout_method(&creator.ctx, payout("acct_secret_456"))
        .await
        .expect("add");
    let audit: Vec<_> = env
        .snapshot()
        .await
        .into_iter()
        .filter(|r| matches!(r, Record::AuditLog(_)))
        .collect();
    assert_eq!(audit.len(), 2);
    let audit = serde_json::to_string(&audit).expect("serialize");
    assert!(!audit.contains("pm_secret_token_123"));
    assert!(!audit.contains("acct_secret_456"));
}

/// Every creator profile comes a page at a time in id order, each once:
/// a page starts after the id it is given (a row's or not), a profile
/// whose rating changes mid-sweep keeps its place, and a client's profile
/// is no creator's.
pub async fn creators_are_swept_in_id_order(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(env.creator().await.creator_id());
    }
    env.client().await;
    ids.sort();
    let creators = env.store.creators();
    let page = async |after: Option<CreatorProfileId>, limit: u32| -> Vec<CreatorProfileId> {
        creators
            .list_after(after, limit)
            .await
            .expect("a page")
            .into_iter()
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(page(None, 2).await, ids[..2]);
    // The first profile gets a rating, which puts it first by rating: its
    // place by id stays, so the next pages neither repeat nor skip a row.
    let mut moved = creators
        .get_by_id(ids[0])
        .await
        .expect("read")
        .expect("a profile");
    moved.total_reviews = 1;
    moved.rating_sum = 5;
    moved.average_rating = 5.into();
    let mut changes = ChangeSet::new();
    changes.update(&moved);
    env.store.apply(changes).await.expect("rate");
    assert_eq!(page(Some(ids[1]), 2).await, ids[2..4]);
    assert_eq!(page(Some(ids[3]), 2).await, ids[4..]);
    assert!(page(Some(ids[4]), 2).await.is_empty());
    assert_eq!(page(None, 100).await, ids, "every profile, once");
    assert!(page(None, 0).await.is_empty(), "a limit of 0 reads nothing");
    let before_all = CreatorProfileId::from_uuid(uuid::Uuid::nil());
    assert_eq!(page(Some(before_all), 1).await, ids[..1]);
    let after_all = CreatorProfileId::from_uuid(uuid::Uuid::max());
    assert!(page(Some(after_all), 5).await.is_empty());
}

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_profiles {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, profiles;
            public_creator_profile_shows_skills_categories_and_portfolio,
            creator_profile_page_follows_later_changes,
            creator_profile_of_an_inactive_account_is_not_found,
            update_creator_profile_changes_and_clears_editable_fields,
            update_creator_profile_with_out_of_range_values_is_refused,
            update_inputs_refuse_statistics_and_unknown_fields,
            a_user_without_a_creator_profile_has_none_to_change,
            skills_are_added_and_removed,
            duplicate_skill_is_refused,
            another_creators_skill_is_not_found,
            a_new_primary_category_demotes_the_previous_one,
            the_store_refuses_a_second_primary_category,
            another_creators_category_is_not_found,
            portfolio_items_are_added_updated_featured_and_removed,
            reorder_portfolio_rewrites_the_display_order,
            reorder_portfolio_with_missing_duplicate_or_foreign_items_is_refused,
            portfolio_item_with_an_out_of_range_duration_is_refused,
            another_creators_portfolio_item_is_not_found,
            a_creator_becomes_both_with_a_client_profile,
            a_client_becomes_both_with_a_creator_profile,
            client_profile_is_updated_and_shown_while_active,
            the_first_payment_method_becomes_the_default,
            payment_method_with_bad_input_is_refused,
            duplicate_payment_method_is_refused,
            another_users_payment_method_is_not_found,
            concurrent_default_changes_leave_exactly_one_default,
            concurrent_first_payment_methods_leave_exactly_one_default,
            payout_methods_keep_one_default,
            another_creators_payout_method_is_not_found,
            audit_entries_hide_provider_tokens,
            creators_are_swept_in_id_order,
        );
    };
}
