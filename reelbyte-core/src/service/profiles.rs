//! Profiles: the creator's public profile with its skills, categories and
//! portfolio, the client's company profile, and the private payment and
//! payout methods.
//!
//! Only a profile's owner changes it. Objects hanging off another user's
//! profile (a skill, a portfolio item, a payment method) are reported as
//! `NotFound`, exactly like ids that do not exist, so ids cannot be probed.
//! Statistics and verification columns are not in any input type: they are
//! derived or granted by the platform, never assigned by the user.
//!
//! Update inputs use `Option<Option<T>>` for nullable columns: an absent
//! field (`None`) keeps the value, `null` (`Some(None)`) clears it and a value
//! (`Some(Some(v))`) sets it. They refuse unknown fields, so a request that
//! tries to set `is_verified` or `total_earnings` fails loudly instead of
//! being silently half-applied.

use std::collections::HashSet;
use std::ops::RangeInclusive;

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use crate::entities::{
    ClientProfile, CreatorCategory, CreatorProfile, CreatorSkill, PaymentMethod, PayoutMethod,
    PortfolioItem, User,
};
use crate::enums::{
    AvailabilityStatus, CompanySize, PaymentMethodType, PayoutMethodType, ProficiencyLevel,
    UserStatus, UserType,
};
use crate::error::{Error, Result};
use crate::ids::{
    ClientProfileId, CreatorCategoryId, CreatorProfileId, CreatorSkillId, PaymentMethodId,
    PayoutMethodId, PortfolioItemId, UserId,
};
use crate::money::{Currency, Money};
use crate::service::accounts::replanning_command;
use crate::service::{Ctx, Marketplace, command};
use crate::store::{ChangeSet, CreatorProfileBundle};
use crate::value::{BoundedUrl, Percentage, Text, Url};

/// Years of experience a profile or skill may claim.
const YEARS_OF_EXPERIENCE: RangeInclusive<i32> = 0..=80;
/// Hours a creator may quote as their typical response time (30 days).
const RESPONSE_TIME_HOURS: RangeInclusive<i32> = 0..=720;
/// Length of a portfolio video, in seconds (1 second to 10 hours).
const VIDEO_DURATION_SECONDS: RangeInclusive<i32> = 1..=36_000;
/// How many years ahead a card's expiry may lie.
const EXPIRY_YEARS_AHEAD: i32 = 20;

/// Deserialises a nullable column of an update input, telling "absent"
/// (`None`: keep) from `null` (`Some(None)`: clear). Used with
/// `#[serde(default)]`, which supplies the `None` when the field is absent.
fn nullable<'de, D, T>(deserializer: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Refuses `value` outside `range`, naming `field`.
fn in_range(field: &'static str, value: i32, range: &RangeInclusive<i32>) -> Result<i32> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(Error::validation(
            field,
            format!(
                "must be between {} and {}, got {value}",
                range.start(),
                range.end()
            ),
        ))
    }
}

/// Refuses an optional `value` outside `range`.
fn opt_in_range(
    field: &'static str,
    value: Option<i32>,
    range: &RangeInclusive<i32>,
) -> Result<Option<i32>> {
    value.map(|v| in_range(field, v, range)).transpose()
}

/// Refuses display digits that are not exactly four ASCII digits.
fn check_last_four(last_four: Option<&Text<4>>) -> Result<()> {
    match last_four {
        Some(digits)
            if digits.as_str().len() != 4
                || !digits.as_str().bytes().all(|b| b.is_ascii_digit()) =>
        {
            Err(Error::validation(
                "last_four",
                "must be exactly four digits",
            ))
        }
        _ => Ok(()),
    }
}

/// Applies one field of an update input: `Some(v)` replaces, `None` keeps.
fn patch<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

/// A creator profile with no details yet and zeroed statistics, for a user
/// who just became a creator.
pub(super) fn new_creator_profile(
    user_id: UserId,
    display_name: Text<100>,
    now: DateTime<Utc>,
) -> CreatorProfile {
    CreatorProfile {
        id: CreatorProfileId::new(),
        user_id,
        display_name,
        tagline: None,
        bio: None,
        profile_image_url: None,
        cover_image_url: None,
        portfolio_video_url: None,
        years_of_experience: None,
        hourly_rate: None,
        availability_status: AvailabilityStatus::Available,
        response_time_hours: None,
        total_jobs_completed: 0,
        total_earnings: Money::zero(Currency::USD),
        success_rate: Percentage::ZERO,
        on_time_delivery_rate: Percentage::ZERO,
        average_rating: rust_decimal::Decimal::ZERO,
        total_reviews: 0,
        rating_sum: 0,
        contracts_closed: 0,
        on_time_completions: 0,
        is_verified: false,
        verification_level: None,
        verified_at: None,
        instagram_handle: None,
        tiktok_handle: None,
        youtube_channel: None,
        website_url: None,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// A client profile with only its company name and zeroed statistics, for a
/// user who just became a client.
pub(super) fn new_client_profile(
    user_id: UserId,
    company_name: Text<200>,
    now: DateTime<Utc>,
) -> ClientProfile {
    ClientProfile {
        id: ClientProfileId::new(),
        user_id,
        company_name,
        company_logo_url: None,
        industry: None,
        company_size: None,
        website_url: None,
        description: None,
        total_jobs_posted: 0,
        total_spent: Money::zero(Currency::USD),
        average_rating: rust_decimal::Decimal::ZERO,
        total_reviews: 0,
        rating_sum: 0,
        is_verified: false,
        verified_at: None,
        payment_verified: false,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

// ---------------------------------------------------------------------------
// Inputs and views
// ---------------------------------------------------------------------------

/// A creator profile as anyone may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorProfileView {
    /// The profile.
    pub profile: CreatorProfile,
    /// Its skills, by name.
    pub skills: Vec<CreatorSkill>,
    /// Its categories, primary first.
    pub categories: Vec<CreatorCategory>,
    /// Its portfolio, featured first, then by display order.
    pub portfolio: Vec<PortfolioItem>,
}

/// Changes to the editable columns of the actor's creator profile (see the
/// module docs for the `Option<Option<_>>` convention).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateCreatorProfileInput {
    /// Name shown on the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Text<100>>,
    /// One-line pitch.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub tagline: Option<Option<Text<200>>>,
    /// Biography, at most 5000 characters.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub bio: Option<Option<Text<5000>>>,
    /// Avatar image.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_image_url: Option<Option<Url>>,
    /// Banner image.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub cover_image_url: Option<Option<Url>>,
    /// Showreel video.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub portfolio_video_url: Option<Option<Url>>,
    /// Years of professional experience, 0 to 80.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub years_of_experience: Option<Option<i32>>,
    /// Asking rate per hour; must be positive.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub hourly_rate: Option<Option<Money>>,
    /// Whether the creator currently takes work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_status: Option<AvailabilityStatus>,
    /// Typical time to answer a message, 0 to 720 hours.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub response_time_hours: Option<Option<i32>>,
    /// Instagram handle.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub instagram_handle: Option<Option<Text<100>>>,
    /// TikTok handle.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub tiktok_handle: Option<Option<Text<100>>>,
    /// YouTube channel, as a handle or a URL.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub youtube_channel: Option<Option<Text<255>>>,
    /// Personal website.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub website_url: Option<Option<BoundedUrl<255>>>,
}

/// A skill to add to the actor's creator profile.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AddSkillInput {
    /// The skill, unique per profile regardless of case.
    pub skill_name: Text<50>,
    /// Self-assessed proficiency.
    #[serde(default)]
    pub proficiency_level: Option<ProficiencyLevel>,
    /// Years of experience with the skill, 0 to 80.
    #[serde(default)]
    pub years_experience: Option<i32>,
}

/// A portfolio item to add to the actor's creator profile.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioItemInput {
    /// Title of the sample.
    pub title: Text<200>,
    /// Description, at most 5000 characters.
    #[serde(default)]
    pub description: Option<Text<5000>>,
    /// The video.
    pub video_url: Url,
    /// Its thumbnail.
    #[serde(default)]
    pub thumbnail_url: Option<Url>,
    /// Length of the video, 1 to 36000 seconds.
    #[serde(default)]
    pub video_duration_seconds: Option<i32>,
    /// Kind of project, e.g. "product launch".
    #[serde(default)]
    pub project_type: Option<Text<50>>,
    /// Target platform: TikTok, Instagram Reels, YouTube Shorts, ...
    #[serde(default)]
    pub platform: Option<Text<50>>,
}

/// Changes to one of the actor's portfolio items (see the module docs for
/// the `Option<Option<_>>` convention). Counters, order and the featured
/// flag have their own commands.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatePortfolioItemInput {
    /// Title of the sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text<200>>,
    /// Description, at most 5000 characters.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Option<Text<5000>>>,
    /// The video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_url: Option<Url>,
    /// Its thumbnail.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub thumbnail_url: Option<Option<Url>>,
    /// Length of the video, 1 to 36000 seconds.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub video_duration_seconds: Option<Option<i32>>,
    /// Kind of project.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub project_type: Option<Option<Text<50>>>,
    /// Target platform.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub platform: Option<Option<Text<50>>>,
}

/// A client profile for a creator who starts hiring too.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CreateClientProfileInput {
    /// The company's name.
    pub company_name: Text<200>,
    /// The company's logo.
    #[serde(default)]
    pub company_logo_url: Option<Url>,
    /// The company's industry.
    #[serde(default)]
    pub industry: Option<Text<100>>,
    /// Head-count bracket.
    #[serde(default)]
    pub company_size: Option<CompanySize>,
    /// The company's website.
    #[serde(default)]
    pub website_url: Option<BoundedUrl<255>>,
    /// Description, at most 5000 characters.
    #[serde(default)]
    pub description: Option<Text<5000>>,
}

/// Changes to the editable columns of the actor's client profile (see the
/// module docs for the `Option<Option<_>>` convention).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateClientProfileInput {
    /// The company's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<Text<200>>,
    /// The company's logo.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub company_logo_url: Option<Option<Url>>,
    /// The company's industry.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub industry: Option<Option<Text<100>>>,
    /// Head-count bracket.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub company_size: Option<Option<CompanySize>>,
    /// The company's website.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub website_url: Option<Option<BoundedUrl<255>>>,
    /// Description, at most 5000 characters.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Option<Text<5000>>>,
}

/// A payment method to store for the actor: the provider's token for it,
/// never a card or account number.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AddPaymentMethodInput {
    /// The payment provider, e.g. "stripe".
    pub provider: Text<50>,
    /// The provider's token for the method.
    pub provider_payment_method_id: Text<255>,
    /// Kind of method (`type` in JSON).
    pub r#type: PaymentMethodType,
    /// Last four digits, for display: exactly four digits.
    #[serde(default)]
    pub last_four: Option<Text<4>>,
    /// Card brand: Visa, Mastercard, ...
    #[serde(default)]
    pub brand: Option<Text<50>>,
    /// Expiry month, 1 to 12; required for cards, together with the year.
    #[serde(default)]
    pub expiry_month: Option<i32>,
    /// Expiry year, from this year to 20 years ahead; the card must not have
    /// expired.
    #[serde(default)]
    pub expiry_year: Option<i32>,
}

/// A payout method to store for the actor's creator profile: the provider's
/// identifier of the receiving account, never an account number.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AddPayoutMethodInput {
    /// Kind of method (`type` in JSON).
    pub r#type: PayoutMethodType,
    /// The payout provider, e.g. "stripe".
    pub provider: Text<50>,
    /// The provider's identifier of the receiving account.
    pub provider_account_id: Text<255>,
    /// Account holder's name, for display.
    #[serde(default)]
    pub account_name: Option<Text<200>>,
    /// Last four digits of the account, for display: exactly four digits.
    #[serde(default)]
    pub last_four: Option<Text<4>>,
}

/// The audit record of a portfolio reorder.
#[derive(Serialize)]
struct PortfolioOrder<'a> {
    portfolio_order: &'a [PortfolioItemId],
}

/// Refuses an expiry date that is malformed, missing for a card, in the past
/// or implausibly far ahead.
fn check_expiry(
    kind: PaymentMethodType,
    month: Option<i32>,
    year: Option<i32>,
    now: DateTime<Utc>,
) -> Result<()> {
    let (month, year) = match (month, year) {
        (None, None) if kind == PaymentMethodType::Card => {
            return Err(Error::validation(
                "expiry_month",
                "a card needs an expiry date",
            ));
        }
        (None, None) => return Ok(()),
        (Some(month), Some(year)) => (month, year),
        (None, Some(_)) => {
            return Err(Error::validation(
                "expiry_month",
                "missing, while the year is given",
            ));
        }
        (Some(_), None) => {
            return Err(Error::validation(
                "expiry_year",
                "missing, while the month is given",
            ));
        }
    };
    in_range("expiry_month", month, &(1..=12))?;
    let this_year = now.year();
    in_range(
        "expiry_year",
        year,
        &(this_year..=this_year + EXPIRY_YEARS_AHEAD),
    )?;
    // Cards expire at the end of their expiry month; chrono's months are 1-based.
    if year == this_year && u32::try_from(month).is_ok_and(|m| m < now.month()) {
        return Err(Error::validation("expiry_month", "the card has expired"));
    }
    Ok(())
}

impl Marketplace {
    // -----------------------------------------------------------------------
    // Loading what the actor owns
    // -----------------------------------------------------------------------

    /// The acting user and their creator profile (`NotFound` without one).
    async fn my_creator_profile(&self, ctx: &Ctx) -> Result<(User, CreatorProfile)> {
        let user = self.acting_user(ctx).await?;
        let profile = self
            .store()
            .creators()
            .get_by_user_id(user.id)
            .await?
            .ok_or(Error::not_found(CreatorProfileId::ENTITY))?;
        Ok((user, profile))
    }

    /// The acting user's client profile (`NotFound` without one).
    async fn my_client_profile(&self, ctx: &Ctx) -> Result<ClientProfile> {
        let user = self.acting_user(ctx).await?;
        self.store()
            .clients()
            .get_by_user_id(user.id)
            .await?
            .ok_or(Error::not_found(ClientProfileId::ENTITY))
    }

    /// One of the actor's portfolio items; anyone else's is `NotFound`.
    async fn my_portfolio_item(
        &self,
        profile: &CreatorProfile,
        item: PortfolioItemId,
    ) -> Result<PortfolioItem> {
        self.store()
            .creators()
            .get_portfolio_item_by_id(item)
            .await?
            .filter(|i| i.creator_profile_id == profile.id)
            .ok_or(Error::not_found(PortfolioItemId::ENTITY))
    }

    /// One of the actor's payment methods; anyone else's is `NotFound`.
    async fn my_payment_method(&self, user: UserId, id: PaymentMethodId) -> Result<PaymentMethod> {
        self.store()
            .payment_methods()
            .get_by_id(id)
            .await?
            .filter(|m| m.user_id == user)
            .ok_or(Error::not_found(PaymentMethodId::ENTITY))
    }

    /// One of the actor's payout methods; anyone else's is `NotFound`.
    async fn my_payout_method(
        &self,
        profile: &CreatorProfile,
        id: PayoutMethodId,
    ) -> Result<PayoutMethod> {
        self.store()
            .payment_methods()
            .get_payout_method_by_id(id)
            .await?
            .filter(|m| m.creator_profile_id == profile.id)
            .ok_or(Error::not_found(PayoutMethodId::ENTITY))
    }

    /// Whether `user` is an account whose profiles the public may see: the
    /// plan's row-level policy shows active users only.
    async fn profile_is_public(&self, user: UserId) -> Result<bool> {
        let user = self.store().users().get_by_id(user).await?;
        Ok(user.is_some_and(|u| u.status == UserStatus::Active))
    }

    /// The profile with its skills, categories and portfolio.
    async fn creator_profile_view(&self, profile: CreatorProfile) -> Result<CreatorProfileView> {
        let (skills, categories, portfolio) = self
            .store()
            .creators()
            .list_parts_by_creator_profile_id(profile.id)
            .await?;
        Ok(CreatorProfileView {
            profile,
            skills,
            categories,
            portfolio,
        })
    }

    // -----------------------------------------------------------------------
    // Creator profile
    // -----------------------------------------------------------------------

    /// A creator's public profile. Anyone may read it, anonymous visitors
    /// included; the profile of an account that is not active (unverified,
    /// suspended or deleted) is `NotFound`.
    pub async fn get_creator_profile(&self, id: CreatorProfileId) -> Result<CreatorProfileView> {
        // One bundle: the owner's status and the profile's lists do not
        // depend on each other, so a backend loads them at once (the lists
        // are read for nothing only when the profile is hidden, which is
        // rare), and a cache answers the whole page in one round trip.
        let CreatorProfileBundle {
            profile,
            owner,
            skills,
            categories,
            portfolio,
        } = self
            .store()
            .creator_profile_bundle(id)
            .await?
            .ok_or(Error::not_found(CreatorProfileId::ENTITY))?;
        if owner.is_none_or(|u| u.status != UserStatus::Active) {
            return Err(Error::not_found(CreatorProfileId::ENTITY));
        }
        Ok(CreatorProfileView {
            profile,
            skills,
            categories,
            portfolio,
        })
    }

    /// The actor's own creator profile, whatever the account's status.
    pub async fn get_my_creator_profile(&self, ctx: &Ctx) -> Result<CreatorProfileView> {
        let (_, profile) = self.my_creator_profile(ctx).await?;
        self.creator_profile_view(profile).await
    }

    /// Makes a client a creator too: creates their creator profile and turns
    /// the account into `both`, in one change set. A second creator profile
    /// is `AlreadyExists`.
    pub async fn create_creator_profile(
        &self,
        ctx: &Ctx,
        display_name: Text<100>,
    ) -> Result<CreatorProfile> {
        replanning_command!(self, async {
            let mut user = self.acting_user(ctx).await?;
            if self
                .store()
                .creators()
                .get_by_user_id(user.id)
                .await?
                .is_some()
            {
                return Err(Error::AlreadyExists {
                    entity: CreatorProfileId::ENTITY,
                    key: "user_id".into(),
                });
            }
            let now = self.now();
            let profile = new_creator_profile(user.id, display_name.clone(), now);
            let mut changes = ChangeSet::new();
            if user.user_type == UserType::Client {
                user.user_type = UserType::Both;
                user.updated_at = now;
                changes.update(&user);
            } else {
                // The user type decided nothing to change; make sure it still holds.
                changes.check(&user);
            }
            changes.insert(profile.clone());
            changes.insert(self.audit(
                ctx,
                "creator_profile",
                profile.id.as_uuid(),
                "create",
                None::<&()>,
                Some(&profile),
            )?);
            Ok((changes, profile))
        })
    }

    /// Changes the editable columns of the actor's creator profile. Writes
    /// nothing when nothing changes.
    ///
    /// Refuses years of experience outside 0..=80, a response time outside
    /// 0..=720 hours and a rate that is not positive ([`Error::Validation`]).
    pub async fn update_creator_profile(
        &self,
        ctx: &Ctx,
        input: UpdateCreatorProfileInput,
    ) -> Result<CreatorProfile> {
        if let Some(Some(years)) = input.years_of_experience {
            in_range("years_of_experience", years, &YEARS_OF_EXPERIENCE)?;
        }
        if let Some(Some(hours)) = input.response_time_hours {
            in_range("response_time_hours", hours, &RESPONSE_TIME_HOURS)?;
        }
        if let Some(Some(rate)) = input.hourly_rate {
            rate.ensure_positive("hourly_rate")?;
        }
        command!(self, async {
            let (_, mut profile) = self.my_creator_profile(ctx).await?;
            let old = profile.clone();
            let input = input.clone();
            patch(&mut profile.display_name, input.display_name);
            patch(&mut profile.tagline, input.tagline);
            patch(
                &mut profile.bio,
                input.bio.map(|b| b.map(Text::into_string)),
            );
            patch(&mut profile.profile_image_url, input.profile_image_url);
            patch(&mut profile.cover_image_url, input.cover_image_url);
            patch(&mut profile.portfolio_video_url, input.portfolio_video_url);
            patch(&mut profile.years_of_experience, input.years_of_experience);
            patch(&mut profile.hourly_rate, input.hourly_rate);
            patch(&mut profile.availability_status, input.availability_status);
            patch(&mut profile.response_time_hours, input.response_time_hours);
            patch(&mut profile.instagram_handle, input.instagram_handle);
            patch(&mut profile.tiktok_handle, input.tiktok_handle);
            patch(&mut profile.youtube_channel, input.youtube_channel);
            patch(&mut profile.website_url, input.website_url);
            if profile == old {
                return Ok((ChangeSet::new(), profile));
            }
            profile.updated_at = self.now();
            let mut changes = ChangeSet::new();
            changes.update(&profile);
            changes.insert(self.audit_update(
                ctx,
                "creator_profile",
                profile.id.as_uuid(),
                "update",
                &old,
                &profile,
            )?);
            profile.version += 1;
            Ok((changes, profile))
        })
    }

    /// Adds a skill to the actor's creator profile. A skill the profile
    /// already has, in any letter case, is
    /// `AlreadyExists { entity: "creator_skill", key: "skill_name" }`.
    pub async fn add_skill(&self, ctx: &Ctx, input: AddSkillInput) -> Result<CreatorSkill> {
        opt_in_range(
            "years_experience",
            input.years_experience,
            &YEARS_OF_EXPERIENCE,
        )?;
        replanning_command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            let wanted = input.skill_name.as_str().to_lowercase();
            let skills = self
                .store()
                .creators()
                .list_skills_by_creator_profile_id(profile.id)
                .await?;
            if skills
                .iter()
                .any(|s| s.skill_name.as_str().to_lowercase() == wanted)
            {
                return Err(Error::AlreadyExists {
                    entity: CreatorSkillId::ENTITY,
                    key: "skill_name".into(),
                });
            }
            let skill = CreatorSkill {
                id: CreatorSkillId::new(),
                creator_profile_id: profile.id,
                skill_name: input.skill_name.clone(),
                proficiency_level: input.proficiency_level,
                years_experience: input.years_experience,
                created_at: self.now(),
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.insert(skill.clone());
            changes.insert(self.audit(
                ctx,
                "creator_skill",
                skill.id.as_uuid(),
                "add",
                None::<&()>,
                Some(&skill),
            )?);
            Ok((changes, skill))
        })
    }

    /// Removes one of the actor's skills; anyone else's is `NotFound`.
    pub async fn remove_skill(&self, ctx: &Ctx, skill: CreatorSkillId) -> Result<()> {
        command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            // Listing the profile's own skills is the ownership check.
            let found = self
                .store()
                .creators()
                .list_skills_by_creator_profile_id(profile.id)
                .await?
                .into_iter()
                .find(|s| s.id == skill)
                .ok_or(Error::not_found(CreatorSkillId::ENTITY))?;
            let mut changes = ChangeSet::new();
            changes.delete(&found);
            changes.insert(self.audit(
                ctx,
                "creator_skill",
                found.id.as_uuid(),
                "remove",
                Some(&found),
                None::<&()>,
            )?);
            Ok((changes, ()))
        })
    }

    /// Adds a category to the actor's creator profile. When `primary`, the
    /// previous primary category is demoted in the same change set, so a
    /// profile never has two. A category the profile already has, in any
    /// letter case, is `AlreadyExists { entity: "creator_category", .. }`.
    pub async fn add_category(
        &self,
        ctx: &Ctx,
        category: Text<50>,
        primary: bool,
    ) -> Result<CreatorCategory> {
        replanning_command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            let wanted = category.as_str().to_lowercase();
            let categories = self
                .store()
                .creators()
                .list_categories_by_creator_profile_id(profile.id)
                .await?;
            if categories
                .iter()
                .any(|c| c.category.as_str().to_lowercase() == wanted)
            {
                return Err(Error::AlreadyExists {
                    entity: CreatorCategoryId::ENTITY,
                    key: "category".into(),
                });
            }
            let added = CreatorCategory {
                id: CreatorCategoryId::new(),
                creator_profile_id: profile.id,
                category: category.clone(),
                is_primary: primary,
                created_at: self.now(),
                version: 1,
            };
            let mut changes = ChangeSet::new();
            if primary {
                demote_primary(&mut changes, categories);
            }
            changes.insert(added.clone());
            changes.insert(self.audit(
                ctx,
                "creator_category",
                added.id.as_uuid(),
                "add",
                None::<&()>,
                Some(&added),
            )?);
            Ok((changes, added))
        })
    }

    /// Makes one of the actor's categories the primary one, demoting the
    /// previous primary in the same change set; anyone else's category is
    /// `NotFound`.
    pub async fn set_primary_category(
        &self,
        ctx: &Ctx,
        category: CreatorCategoryId,
    ) -> Result<CreatorCategory> {
        replanning_command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            let categories = self
                .store()
                .creators()
                .list_categories_by_creator_profile_id(profile.id)
                .await?;
            let mut chosen = categories
                .iter()
                .find(|c| c.id == category)
                .cloned()
                .ok_or(Error::not_found(CreatorCategoryId::ENTITY))?;
            if chosen.is_primary {
                return Ok((ChangeSet::new(), chosen));
            }
            let old = chosen.clone();
            let mut changes = ChangeSet::new();
            demote_primary(&mut changes, categories);
            chosen.is_primary = true;
            changes.update(&chosen);
            changes.insert(self.audit_update(
                ctx,
                "creator_category",
                chosen.id.as_uuid(),
                "set_primary",
                &old,
                &chosen,
            )?);
            chosen.version += 1;
            Ok((changes, chosen))
        })
    }

    /// Removes one of the actor's categories; anyone else's is `NotFound`.
    /// Removing the primary category leaves the profile without one.
    pub async fn remove_category(&self, ctx: &Ctx, category: CreatorCategoryId) -> Result<()> {
        command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            let found = self
                .store()
                .creators()
                .list_categories_by_creator_profile_id(profile.id)
                .await?
                .into_iter()
                .find(|c| c.id == category)
                .ok_or(Error::not_found(CreatorCategoryId::ENTITY))?;
            let mut changes = ChangeSet::new();
            changes.delete(&found);
            changes.insert(self.audit(
                ctx,
                "creator_category",
                found.id.as_uuid(),
                "remove",
                Some(&found),
                None::<&()>,
            )?);
            Ok((changes, ()))
        })
    }

    // -----------------------------------------------------------------------
    // Portfolio
    // -----------------------------------------------------------------------

    /// Adds an item at the end of the actor's portfolio.
    ///
    /// Two concurrent additions may get the same `display_order`; that only
    /// ties their position until the next [`Marketplace::reorder_portfolio`].
    pub async fn add_portfolio_item(
        &self,
        ctx: &Ctx,
        input: PortfolioItemInput,
    ) -> Result<PortfolioItem> {
        opt_in_range(
            "video_duration_seconds",
            input.video_duration_seconds,
            &VIDEO_DURATION_SECONDS,
        )?;
        command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            let items = self
                .store()
                .creators()
                .list_portfolio_by_creator_profile_id(profile.id)
                .await?;
            let next = items
                .iter()
                .map(|i| i.display_order.saturating_add(1))
                .max()
                .unwrap_or(0);
            let now = self.now();
            let input = input.clone();
            let item = PortfolioItem {
                id: PortfolioItemId::new(),
                creator_profile_id: profile.id,
                title: input.title,
                description: input.description.map(Text::into_string),
                video_url: input.video_url,
                thumbnail_url: input.thumbnail_url,
                video_duration_seconds: input.video_duration_seconds,
                view_count: 0,
                like_count: 0,
                project_type: input.project_type,
                platform: input.platform,
                display_order: next,
                is_featured: false,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.insert(item.clone());
            changes.insert(self.audit(
                ctx,
                "portfolio_item",
                item.id.as_uuid(),
                "add",
                None::<&()>,
                Some(&item),
            )?);
            Ok((changes, item))
        })
    }

    /// Changes one of the actor's portfolio items; anyone else's is
    /// `NotFound`. Writes nothing when nothing changes.
    pub async fn update_portfolio_item(
        &self,
        ctx: &Ctx,
        item: PortfolioItemId,
        input: UpdatePortfolioItemInput,
    ) -> Result<PortfolioItem> {
        if let Some(Some(seconds)) = input.video_duration_seconds {
            in_range("video_duration_seconds", seconds, &VIDEO_DURATION_SECONDS)?;
        }
        command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            let mut found = self.my_portfolio_item(&profile, item).await?;
            let old = found.clone();
            let input = input.clone();
            patch(&mut found.title, input.title);
            patch(
                &mut found.description,
                input.description.map(|d| d.map(Text::into_string)),
            );
            patch(&mut found.video_url, input.video_url);
            patch(&mut found.thumbnail_url, input.thumbnail_url);
            patch(
                &mut found.video_duration_seconds,
                input.video_duration_seconds,
            );
            patch(&mut found.project_type, input.project_type);
            patch(&mut found.platform, input.platform);
            if found == old {
                return Ok((ChangeSet::new(), found));
            }
            found.updated_at = self.now();
            let mut changes = ChangeSet::new();
            changes.update(&found);
            changes.insert(self.audit_update(
                ctx,
                "portfolio_item",
                found.id.as_uuid(),
                "update",
                &old,
                &found,
            )?);
            found.version += 1;
            Ok((changes, found))
        })
    }

    /// Puts the actor's portfolio in the order of `ordered`, which must list
    /// each of the profile's items exactly once ([`Error::Validation`]
    /// otherwise): `display_order` becomes 0, 1, 2, ... in one change set.
    /// Returns the items in their new order.
    pub async fn reorder_portfolio(
        &self,
        ctx: &Ctx,
        ordered: &[PortfolioItemId],
    ) -> Result<Vec<PortfolioItem>> {
        let unique: HashSet<_> = ordered.iter().collect();
        if unique.len() != ordered.len() {
            return Err(Error::validation(
                "portfolio_item_ids",
                "an item is listed twice",
            ));
        }
        command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            let mut items = self
                .store()
                .creators()
                .list_portfolio_by_creator_profile_id(profile.id)
                .await?;
            if items.len() != ordered.len() || items.iter().any(|i| !unique.contains(&i.id)) {
                return Err(Error::validation(
                    "portfolio_item_ids",
                    "must list each of the profile's portfolio items exactly once",
                ));
            }
            items.sort_by_key(|i| i.display_order);
            let before: Vec<PortfolioItemId> = items.iter().map(|i| i.id).collect();
            let now = self.now();
            let mut changes = ChangeSet::new();
            let mut reordered = Vec::with_capacity(ordered.len());
            for (position, id) in ordered.iter().enumerate() {
                let Some(mut item) = items.iter().find(|i| i.id == *id).cloned() else {
                    return Err(Error::not_found(PortfolioItemId::ENTITY));
                };
                let order = i32::try_from(position)
                    .map_err(|_| Error::validation("portfolio_item_ids", "too many items"))?;
                if item.display_order == order {
                    // Unchanged, but the new order depends on it: it must
                    // still be there, at the version read.
                    changes.check(&item);
                } else {
                    item.display_order = order;
                    item.updated_at = now;
                    changes.update(&item);
                    item.version += 1;
                }
                reordered.push(item);
            }
            changes.insert(self.audit(
                ctx,
                "creator_profile",
                profile.id.as_uuid(),
                "reorder_portfolio",
                Some(&PortfolioOrder {
                    portfolio_order: &before,
                }),
                Some(&PortfolioOrder {
                    portfolio_order: ordered,
                }),
            )?);
            Ok((changes, reordered))
        })
    }

    /// Features or unfeatures one of the actor's portfolio items; anyone
    /// else's is `NotFound`. Writes nothing when the flag already has that
    /// value.
    pub async fn set_portfolio_featured(
        &self,
        ctx: &Ctx,
        item: PortfolioItemId,
        featured: bool,
    ) -> Result<PortfolioItem> {
        command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            let mut found = self.my_portfolio_item(&profile, item).await?;
            if found.is_featured == featured {
                return Ok((ChangeSet::new(), found));
            }
            let old = found.clone();
            found.is_featured = featured;
            found.updated_at = self.now();
            let mut changes = ChangeSet::new();
            changes.update(&found);
            changes.insert(self.audit_update(
                ctx,
                "portfolio_item",
                found.id.as_uuid(),
                if featured { "feature" } else { "unfeature" },
                &old,
                &found,
            )?);
            found.version += 1;
            Ok((changes, found))
        })
    }

    /// Removes one of the actor's portfolio items; anyone else's is
    /// `NotFound`.
    pub async fn remove_portfolio_item(&self, ctx: &Ctx, item: PortfolioItemId) -> Result<()> {
        command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            let found = self.my_portfolio_item(&profile, item).await?;
            let mut changes = ChangeSet::new();
            changes.delete(&found);
            changes.insert(self.audit(
                ctx,
                "portfolio_item",
                found.id.as_uuid(),
                "remove",
                Some(&found),
                None::<&()>,
            )?);
            Ok((changes, ()))
        })
    }

    // -----------------------------------------------------------------------
    // Client profile
    // -----------------------------------------------------------------------

    /// A client's public profile. Anyone may read it; the profile of an
    /// account that is not active is `NotFound`.
    pub async fn get_client_profile(&self, id: ClientProfileId) -> Result<ClientProfile> {
        let profile = self
            .store()
            .clients()
            .get_by_id(id)
            .await?
            .ok_or(Error::not_found(ClientProfileId::ENTITY))?;
        if !self.profile_is_public(profile.user_id).await? {
            return Err(Error::not_found(ClientProfileId::ENTITY));
        }
        Ok(profile)
    }

    /// The actor's own client profile, whatever the account's status.
    pub async fn get_my_client_profile(&self, ctx: &Ctx) -> Result<ClientProfile> {
        self.my_client_profile(ctx).await
    }

    /// Makes a creator a client too: creates their client profile and turns
    /// the account into `both`, in one change set. A second client profile
    /// is `AlreadyExists`.
    pub async fn create_client_profile(
        &self,
        ctx: &Ctx,
        input: CreateClientProfileInput,
    ) -> Result<ClientProfile> {
        replanning_command!(self, async {
            let mut user = self.acting_user(ctx).await?;
            if self
                .store()
                .clients()
                .get_by_user_id(user.id)
                .await?
                .is_some()
            {
                return Err(Error::AlreadyExists {
                    entity: ClientProfileId::ENTITY,
                    key: "user_id".into(),
                });
            }
            let now = self.now();
            let input = input.clone();
            let mut profile = new_client_profile(user.id, input.company_name, now);
            profile.company_logo_url = input.company_logo_url;
            profile.industry = input.industry;
            profile.company_size = input.company_size;
            profile.website_url = input.website_url;
            profile.description = input.description.map(Text::into_string);
            let mut changes = ChangeSet::new();
            if user.user_type == UserType::Creator {
                user.user_type = UserType::Both;
                user.updated_at = now;
                changes.update(&user);
            } else {
                changes.check(&user);
            }
            changes.insert(profile.clone());
            changes.insert(self.audit(
                ctx,
                "client_profile",
                profile.id.as_uuid(),
                "create",
                None::<&()>,
                Some(&profile),
            )?);
            Ok((changes, profile))
        })
    }

    /// Changes the editable columns of the actor's client profile. Writes
    /// nothing when nothing changes.
    pub async fn update_client_profile(
        &self,
        ctx: &Ctx,
        input: UpdateClientProfileInput,
    ) -> Result<ClientProfile> {
        command!(self, async {
            let mut profile = self.my_client_profile(ctx).await?;
            let old = profile.clone();
            let input = input.clone();
            patch(&mut profile.company_name, input.company_name);
            patch(&mut profile.company_logo_url, input.company_logo_url);
            patch(&mut profile.industry, input.industry);
            patch(&mut profile.company_size, input.company_size);
            patch(&mut profile.website_url, input.website_url);
            patch(
                &mut profile.description,
                input.description.map(|d| d.map(Text::into_string)),
            );
            if profile == old {
                return Ok((ChangeSet::new(), profile));
            }
            profile.updated_at = self.now();
            let mut changes = ChangeSet::new();
            changes.update(&profile);
            changes.insert(self.audit_update(
                ctx,
                "client_profile",
                profile.id.as_uuid(),
                "update",
                &old,
                &profile,
            )?);
            profile.version += 1;
            Ok((changes, profile))
        })
    }

    // -----------------------------------------------------------------------
    // Payment methods (the actor's own)
    // -----------------------------------------------------------------------

    /// Stores a payment method for the actor. The first one becomes the
    /// default. The same provider token twice is
    /// `AlreadyExists { entity: "payment_method", .. }`.
    ///
    /// Refuses `last_four` that is not four digits, an expiry month outside
    /// 1..=12, an expiry year before this year or more than 20 years ahead,
    /// an expired card, and a card without an expiry date
    /// ([`Error::Validation`]).
    pub async fn add_payment_method(
        &self,
        ctx: &Ctx,
        input: AddPaymentMethodInput,
    ) -> Result<PaymentMethod> {
        check_last_four(input.last_four.as_ref())?;
        check_expiry(
            input.r#type,
            input.expiry_month,
            input.expiry_year,
            self.now(),
        )?;
        // Planned again when a concurrent first method took the default.
        replanning_command!(self, async {
            let user = self.acting_user(ctx).await?;
            let existing = self
                .store()
                .payment_methods()
                .list_by_user_id(user.id)
                .await?;
            if existing.iter().any(|m| {
                m.provider == input.provider
                    && m.provider_payment_method_id == input.provider_payment_method_id
            }) {
                return Err(Error::AlreadyExists {
                    entity: PaymentMethodId::ENTITY,
                    key: "provider_payment_method_id".into(),
                });
            }
            let now = self.now();
            let input = input.clone();
            let method = PaymentMethod {
                id: PaymentMethodId::new(),
                user_id: user.id,
                provider: input.provider,
                provider_payment_method_id: input.provider_payment_method_id,
                r#type: Some(input.r#type),
                last_four: input.last_four,
                brand: input.brand,
                expiry_month: input.expiry_month,
                expiry_year: input.expiry_year,
                is_default: !existing.iter().any(|m| m.is_default),
                // Verification is the provider's word, reported later.
                is_verified: false,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.insert(method.clone());
            changes.insert(self.audit(
                ctx,
                "payment_method",
                method.id.as_uuid(),
                "add",
                None::<&()>,
                Some(&method),
            )?);
            Ok((changes, method))
        })
    }

    /// Makes one of the actor's payment methods the default, demoting the
    /// old default in the same change set; anyone else's method is
    /// `NotFound`.
    pub async fn set_default_payment_method(
        &self,
        ctx: &Ctx,
        id: PaymentMethodId,
    ) -> Result<PaymentMethod> {
        replanning_command!(self, async {
            let user = self.acting_user(ctx).await?;
            let mut chosen = self.my_payment_method(user.id, id).await?;
            if chosen.is_default {
                return Ok((ChangeSet::new(), chosen));
            }
            let now = self.now();
            let old = chosen.clone();
            let mut changes = ChangeSet::new();
            // Demoted first: the store allows one default per user at every
            // step of the change set.
            for mut other in self
                .store()
                .payment_methods()
                .list_by_user_id(user.id)
                .await?
            {
                if other.is_default {
                    other.is_default = false;
                    other.updated_at = now;
                    changes.update(&other);
                }
            }
            chosen.is_default = true;
            chosen.updated_at = now;
            changes.update(&chosen);
            changes.insert(self.audit_update(
                ctx,
                "payment_method",
                chosen.id.as_uuid(),
                "set_default",
                &old,
                &chosen,
            )?);
            chosen.version += 1;
            Ok((changes, chosen))
        })
    }

    /// Removes one of the actor's payment methods; anyone else's is
    /// `NotFound`. Removing the default makes the oldest remaining method
    /// the default, in the same change set.
    pub async fn remove_payment_method(&self, ctx: &Ctx, id: PaymentMethodId) -> Result<()> {
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let removed = self.my_payment_method(user.id, id).await?;
            let mut changes = ChangeSet::new();
            changes.delete(&removed);
            if removed.is_default {
                let oldest = self
                    .store()
                    .payment_methods()
                    .list_by_user_id(user.id)
                    .await?
                    .into_iter()
                    .find(|m| m.id != removed.id);
                if let Some(mut heir) = oldest {
                    heir.is_default = true;
                    heir.updated_at = self.now();
                    changes.update(&heir);
                }
            }
            changes.insert(self.audit(
                ctx,
                "payment_method",
                removed.id.as_uuid(),
                "remove",
                Some(&removed),
                None::<&()>,
            )?);
            Ok((changes, ()))
        })
    }

    /// The actor's payment methods, oldest first.
    pub async fn list_payment_methods(&self, ctx: &Ctx) -> Result<Vec<PaymentMethod>> {
        let user = self.acting_user(ctx).await?;
        self.store()
            .payment_methods()
            .list_by_user_id(user.id)
            .await
    }

    // -----------------------------------------------------------------------
    // Payout methods (the actor's creator profile's)
    // -----------------------------------------------------------------------

    /// Stores a payout method for the actor's creator profile (`NotFound`
    /// without one). The first one becomes the default. The same provider
    /// account twice is `AlreadyExists { entity: "payout_method", .. }`;
    /// `last_four` must be four digits.
    pub async fn add_payout_method(
        &self,
        ctx: &Ctx,
        input: AddPayoutMethodInput,
    ) -> Result<PayoutMethod> {
        check_last_four(input.last_four.as_ref())?;
        replanning_command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            let existing = self
                .store()
                .payment_methods()
                .list_payout_methods_by_creator_profile_id(profile.id)
                .await?;
            if existing.iter().any(|m| {
                m.provider == input.provider && m.provider_account_id == input.provider_account_id
            }) {
                return Err(Error::AlreadyExists {
                    entity: PayoutMethodId::ENTITY,
                    key: "provider_account_id".into(),
                });
            }
            let now = self.now();
            let input = input.clone();
            let method = PayoutMethod {
                id: PayoutMethodId::new(),
                creator_profile_id: profile.id,
                r#type: Some(input.r#type),
                provider: input.provider,
                provider_account_id: input.provider_account_id,
                account_name: input.account_name,
                last_four: input.last_four,
                is_default: !existing.iter().any(|m| m.is_default),
                is_verified: false,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            changes.insert(method.clone());
            changes.insert(self.audit(
                ctx,
                "payout_method",
                method.id.as_uuid(),
                "add",
                None::<&()>,
                Some(&method),
            )?);
            Ok((changes, method))
        })
    }

    /// Makes one of the actor's payout methods the default, demoting the old
    /// default in the same change set; anyone else's is `NotFound`.
    pub async fn set_default_payout_method(
        &self,
        ctx: &Ctx,
        id: PayoutMethodId,
    ) -> Result<PayoutMethod> {
        replanning_command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            let mut chosen = self.my_payout_method(&profile, id).await?;
            if chosen.is_default {
                return Ok((ChangeSet::new(), chosen));
            }
            let now = self.now();
            let old = chosen.clone();
            let mut changes = ChangeSet::new();
            let all = self
                .store()
                .payment_methods()
                .list_payout_methods_by_creator_profile_id(profile.id)
                .await?;
            for mut other in all {
                if other.is_default {
                    other.is_default = false;
                    other.updated_at = now;
                    changes.update(&other);
                }
            }
            chosen.is_default = true;
            chosen.updated_at = now;
            changes.update(&chosen);
            changes.insert(self.audit_update(
                ctx,
                "payout_method",
                chosen.id.as_uuid(),
                "set_default",
                &old,
                &chosen,
            )?);
            chosen.version += 1;
            Ok((changes, chosen))
        })
    }

    /// Removes one of the actor's payout methods; anyone else's is
    /// `NotFound`. Removing the default makes the oldest remaining method
    /// the default, in the same change set.
    pub async fn remove_payout_method(&self, ctx: &Ctx, id: PayoutMethodId) -> Result<()> {
        command!(self, async {
            let (_, profile) = self.my_creator_profile(ctx).await?;
            let removed = self.my_payout_method(&profile, id).await?;
            let mut changes = ChangeSet::new();
            changes.delete(&removed);
            if removed.is_default {
                let oldest = self
                    .store()
                    .payment_methods()
                    .list_payout_methods_by_creator_profile_id(profile.id)
                    .await?
                    .into_iter()
                    .find(|m| m.id != removed.id);
                if let Some(mut heir) = oldest {
                    heir.is_default = true;
                    heir.updated_at = self.now();
                    changes.update(&heir);
                }
            }
            changes.insert(self.audit(
                ctx,
                "payout_method",
                removed.id.as_uuid(),
                "remove",
                Some(&removed),
                None::<&()>,
            )?);
            Ok((changes, ()))
        })
    }

    /// The payout methods of the actor's creator profile, oldest first
    /// (`NotFound` without a creator profile).
    pub async fn list_payout_methods(&self, ctx: &Ctx) -> Result<Vec<PayoutMethod>> {
        let (_, profile) = self.my_creator_profile(ctx).await?;
        self.store()
            .payment_methods()
            .list_payout_methods_by_creator_profile_id(profile.id)
            .await
    }
}

/// Demotes the primary category among `categories`, if there is one. Written
/// before the new primary, as the store allows one primary per profile at
/// every step of a change set.
fn demote_primary(changes: &mut ChangeSet, categories: Vec<CreatorCategory>) {
    for mut category in categories {
        if category.is_primary {
            category.is_primary = false;
            changes.update(&category);
        }
    }
}
