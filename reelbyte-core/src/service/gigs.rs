//! Gigs: the pre-packaged services creators sell (section 4 of the plan,
//! step 4 of the creator workflow and step 1 of gig-based orders).
//!
//! A creator drafts a gig, publishes it, may pause and resume it, and may
//! delete it (a soft delete: contracts keep pointing at the row and its slug
//! stays reserved). Every status change goes through [`GigMachine`].
//!
//! Only active gigs are public. A draft, paused or deleted gig exists only for
//! its creator: anyone else is told [`Error::NotFound`], so gig ids cannot be
//! probed.
//!
//! This module also holds the small input checks that gigs and jobs share
//! (long free text, tag lists, prices that fit `DECIMAL(10,2)`, pages).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

use crate::entities::{CreatorProfile, Gig, GigView, User};
use crate::enums::{GigStatus, GigTier};
use crate::error::{Error, Result};
use crate::ids::{CreatorProfileId, GigId, GigViewId};
use crate::money::Money;
use crate::service::{Ctx, Marketplace, Retry, command};
use crate::spelling;
use crate::state::{GigEvent, GigMachine, StateMachine};
use crate::store::{ChangeSet, Counter, GigQuery, Page};
use crate::value::{Slug, Text, Url};

// ---------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------

/// Longest gig or job description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// Longest tier description or requirements text of a gig, in characters.
pub const MAX_NOTE_CHARS: usize = 5_000;
/// Most search tags on a gig.
pub const MAX_SEARCH_TAGS: usize = 20;
/// Longest search tag (or required skill of a job), in characters.
pub const MAX_TAG_CHARS: usize = 50;
/// Most sample videos on a gig (and attachments on a job or proposal).
pub const MAX_MEDIA_ITEMS: usize = 20;
/// Longest delivery time of a tier (and timeline of a proposal), in days.
pub const MAX_DELIVERY_DAYS: i32 = 365;
/// Most revisions a tier may include.
pub const MAX_REVISIONS: i32 = 100;
/// Longest free-text filter of a browse query, in characters.
pub const MAX_QUERY_TEXT_CHARS: usize = 200;
/// The largest price or budget the plan's `DECIMAL(10, 2)` columns hold:
/// 99,999,999.99.
pub const MAX_PRICE: Decimal = Decimal::from_parts(1_410_065_407, 2, 0, false, 2);

/// How many numbered slugs (`title`, `title-2`, ..., `title-20`) are tried
/// before falling back to a suffix taken from the gig's id.
const NUMBERED_SLUGS: u32 = 20;
/// The slug of a gig whose title has no letter or digit a slug can use.
const FALLBACK_SLUG: &str = "gig";

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/// One pricing tier of a gig, as the creator enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierInput {
    /// The tier's price: positive, at most [`MAX_PRICE`], in the same
    /// currency as the other tiers.
    pub price: Money,
    /// What the tier includes (at most [`MAX_NOTE_CHARS`] characters).
    #[serde(default)]
    pub description: Option<String>,
    /// Delivery time, 1 to [`MAX_DELIVERY_DAYS`] days.
    pub delivery_days: i32,
    /// Revisions included, 0 to [`MAX_REVISIONS`].
    #[serde(default)]
    pub revisions: i32,
}

/// What a creator enters to create a gig.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateGigInput {
    /// Title of the listing; the slug is derived from it.
    pub title: Text<200>,
    /// Full description: not blank, at most [`MAX_DESCRIPTION_CHARS`]
    /// characters.
    pub description: String,
    /// Category, e.g. `"editing"`.
    pub category: Text<50>,
    /// Subcategory.
    #[serde(default)]
    pub subcategory: Option<Text<50>>,
    /// Kind of video: Reel, Short, TikTok, YouTube Short, ...
    #[serde(default)]
    pub video_type: Option<Text<50>>,
    /// The basic tier, always offered.
    pub basic: TierInput,
    /// The standard tier: dearer than the basic one.
    #[serde(default)]
    pub standard: Option<TierInput>,
    /// The premium tier: dearer than the standard one, which it requires.
    #[serde(default)]
    pub premium: Option<TierInput>,
    /// Listing thumbnail.
    #[serde(default)]
    pub thumbnail_url: Option<Url>,
    /// Sample videos (at most [`MAX_MEDIA_ITEMS`]).
    #[serde(default)]
    pub video_samples: Vec<Url>,
    /// What the creator needs from the client to start (at most
    /// [`MAX_NOTE_CHARS`] characters).
    #[serde(default)]
    pub requirements: Option<String>,
    /// Search tags: at most [`MAX_SEARCH_TAGS`], each 1 to [`MAX_TAG_CHARS`]
    /// characters; stored lowercased and without duplicates.
    #[serde(default)]
    pub search_tags: Vec<String>,
}

/// Changes to a gig: `None` leaves a field as it is. For a nullable field,
/// `Some(None)` (JSON `null`) clears it. The slug never changes, so links to
/// the gig keep working after its title is edited.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpdateGigInput {
    /// A new title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text<200>>,
    /// A new description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A new category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Text<50>>,
    /// A new subcategory, or `Some(None)` to clear it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub subcategory: Option<Option<Text<50>>>,
    /// A new video type, or `Some(None)` to clear it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub video_type: Option<Option<Text<50>>>,
    /// A new basic tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic: Option<TierInput>,
    /// A new standard tier, or `Some(None)` to stop offering it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub standard: Option<Option<TierInput>>,
    /// A new premium tier, or `Some(None)` to stop offering it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub premium: Option<Option<TierInput>>,
    /// A new thumbnail, or `Some(None)` to remove it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub thumbnail_url: Option<Option<Url>>,
    /// New sample videos (replacing the old ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_samples: Option<Vec<Url>>,
    /// New requirements, or `Some(None)` to clear them.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub requirements: Option<Option<String>>,
    /// New search tags (replacing the old ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_tags: Option<Vec<String>>,
}

/// Deserializes a field that is present (even as `null`) into `Some`, so
/// that a missing field (`None`, via `#[serde(default)]`) can be told apart
/// from an explicit `null` (`Some(None)`: clear the value).
pub(crate) fn present<'de, D, T>(deserializer: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

// ---------------------------------------------------------------------------
// Pure rules
// ---------------------------------------------------------------------------

/// The field names of one tier's columns, for validation errors.
struct TierFields {
    price: &'static str,
    description: &'static str,
    delivery_days: &'static str,
    revisions: &'static str,
}

fn tier_fields(tier: GigTier) -> TierFields {
    match tier {
        GigTier::Basic => TierFields {
            price: "basic_price",
            description: "basic_description",
            delivery_days: "basic_delivery_days",
            revisions: "basic_revisions",
        },
        GigTier::Standard => TierFields {
            price: "standard_price",
            description: "standard_description",
            delivery_days: "standard_delivery_days",
            revisions: "standard_revisions",
        },
        GigTier::Premium => TierFields {
            price: "premium_price",
            description: "premium_description",
            delivery_days: "premium_delivery_days",
            revisions: "premium_revisions",
        },
    }
}

/// Checks a gig's pricing tiers.
///
/// - every price is positive and fits `DECIMAL(10, 2)` (at most
///   [`MAX_PRICE`], at most two decimals);
/// - all tiers are priced in the basic tier's currency;
/// - delivery takes 1 to [`MAX_DELIVERY_DAYS`] days and includes 0 to
///   [`MAX_REVISIONS`] revisions;
/// - a premium tier requires a standard tier;
/// - each tier costs strictly more than the one below it, so the tiers are an
///   upgrade path rather than three names for one price.
pub fn validate_tiers(
    basic: &TierInput,
    standard: Option<&TierInput>,
    premium: Option<&TierInput>,
) -> Result<()> {
    let currency = basic.price.currency();
    let tiers = [
        (GigTier::Basic, Some(basic)),
        (GigTier::Standard, standard),
        (GigTier::Premium, premium),
    ];
    for (tier, input) in tiers {
        let Some(input) = input else { continue };
        let fields = tier_fields(tier);
        check_price(fields.price, input.price)?;
        if input.price.currency() != currency {
            return Err(Error::validation(
                fields.price,
                format!(
                    "must be in {currency}, the basic tier's currency, not {}",
                    input.price.currency()
                ),
            ));
        }
        check_range(
            fields.delivery_days,
            input.delivery_days,
            1,
            MAX_DELIVERY_DAYS,
        )?;
        check_range(fields.revisions, input.revisions, 0, MAX_REVISIONS)?;
    }
    if premium.is_some() && standard.is_none() {
        return Err(Error::validation(
            "premium_price",
            "a premium tier requires a standard tier",
        ));
    }
    if let Some(standard) = standard
        && standard.price.amount() <= basic.price.amount()
    {
        return Err(Error::validation(
            "standard_price",
            format!("must be more than the basic price {}", basic.price),
        ));
    }
    if let (Some(standard), Some(premium)) = (standard, premium)
        && premium.price.amount() <= standard.price.amount()
    {
        return Err(Error::validation(
            "premium_price",
            format!("must be more than the standard price {}", standard.price),
        ));
    }
    Ok(())
}

/// Refuses a price or budget that is not positive or does not fit the plan's
/// `DECIMAL(10, 2)` columns.
pub(crate) fn check_price(field: &'static str, price: Money) -> Result<Money> {
    price.ensure_positive(field)?;
    check_fits_column(field, price)
}

/// Refuses an amount that does not fit `DECIMAL(10, 2)`: more than
/// [`MAX_PRICE`] in absolute value, or more than two decimals (possible for
/// three-decimal currencies).
pub(crate) fn check_fits_column(field: &'static str, amount: Money) -> Result<Money> {
    if amount.amount().abs() > MAX_PRICE {
        return Err(Error::validation(
            field,
            format!("must be at most {MAX_PRICE}"),
        ));
    }
    if amount.amount().normalize().scale() > 2 {
        return Err(Error::validation(field, "must have at most two decimals"));
    }
    Ok(amount)
}

/// Refuses `value` outside `min..=max`.
pub(crate) fn check_range(field: &'static str, value: i32, min: i32, max: i32) -> Result<i32> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(Error::validation(
            field,
            format!("must be between {min} and {max}, got {value}"),
        ))
    }
}

/// Free text of at most `max` characters: trimmed, Windows line endings
/// folded to `\n`, and no control characters other than newline and tab
/// (they corrupt logs and terminals). Refuses blank text.
pub(crate) fn long_text(field: &'static str, value: &str, max: usize) -> Result<String> {
    let text = value.trim().replace("\r\n", "\n");
    if text.is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    let chars = text.chars().count();
    if chars > max {
        return Err(Error::validation(
            field,
            format!("must be at most {max} characters, got {chars}"),
        ));
    }
    if let Some(bad) = text
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(Error::validation(
            field,
            format!("control character {bad:?} is not allowed"),
        ));
    }
    Ok(text)
}

/// Optional free text (see [`long_text`]); blank text counts as none, as
/// forms send an empty field for "nothing".
pub(crate) fn optional_long_text(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>> {
    match value {
        Some(text) if !text.trim().is_empty() => long_text(field, text, max).map(Some),
        _ => Ok(None),
    }
}

/// A list of short labels (search tags, skills): at most `max_count`, each
/// trimmed and 1 to [`MAX_TAG_CHARS`] characters, duplicates (ignoring case)
/// dropped keeping the first; lowercased when `lowercase` is set.
pub(crate) fn labels(
    field: &'static str,
    values: &[String],
    max_count: usize,
    lowercase: bool,
) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        let label = Text::<MAX_TAG_CHARS>::parse_field(field, value)?.into_string();
        let label = if lowercase {
            label.to_lowercase()
        } else {
            label
        };
        let key = label.to_lowercase();
        if !out.iter().any(|seen| seen.to_lowercase() == key) {
            out.push(label);
        }
    }
    if out.len() > max_count {
        return Err(Error::validation(
            field,
            format!("at most {max_count} are allowed, got {}", out.len()),
        ));
    }
    Ok(out)
}

/// Refuses a list longer than `max`.
pub(crate) fn bounded<T>(field: &'static str, items: Vec<T>, max: usize) -> Result<Vec<T>> {
    if items.len() > max {
        return Err(Error::validation(
            field,
            format!("at most {max} are allowed, got {}", items.len()),
        ));
    }
    Ok(items)
}

/// `Some(items)`, or `None` for an empty list: the plan's array columns are
/// `NULL` when there is nothing in them.
pub(crate) fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

/// Refuses a page that the stores would otherwise clamp silently (its fields
/// are public, so [`Page::new`]'s bound may have been bypassed).
pub(crate) fn check_page(page: &Page) -> Result<()> {
    if page.limit == 0 || page.limit > Page::MAX_LIMIT {
        return Err(Error::validation(
            "page.limit",
            format!(
                "must be between 1 and {}, got {}",
                Page::MAX_LIMIT,
                page.limit
            ),
        ));
    }
    Ok(())
}

/// A free-text filter: blank counts as none; refuses over-long text.
pub(crate) fn query_text(text: Option<&str>) -> Result<Option<String>> {
    match text.map(str::trim) {
        Some(text) if !text.is_empty() => {
            if text.chars().count() > MAX_QUERY_TEXT_CHARS {
                return Err(Error::validation(
                    "text",
                    format!("must be at most {MAX_QUERY_TEXT_CHARS} characters"),
                ));
            }
            Ok(Some(text.to_string()))
        }
        _ => Ok(None),
    }
}

/// A category filter: blank counts as none; otherwise a valid category.
pub(crate) fn query_category(category: Option<&str>) -> Result<Option<String>> {
    match category.map(str::trim) {
        Some(category) if !category.is_empty() => Ok(Some(
            Text::<50>::parse_field("category", category)?.into_string(),
        )),
        _ => Ok(None),
    }
}

/// Checks a `min..=max` amount filter: each bound non-negative and within
/// the columns' range, both in one currency, `min <= max`.
pub(crate) fn check_amount_filter(
    min_field: &'static str,
    min: Option<Money>,
    max_field: &'static str,
    max: Option<Money>,
) -> Result<()> {
    for (field, amount) in [(min_field, min), (max_field, max)] {
        if let Some(amount) = amount {
            amount.ensure_non_negative(field)?;
            check_fits_column(field, amount)?;
        }
    }
    if let (Some(min), Some(max)) = (min, max) {
        if min.currency() != max.currency() {
            return Err(Error::validation(
                max_field,
                format!("must be in {}, like {min_field}", min.currency()),
            ));
        }
        if min.amount() > max.amount() {
            return Err(Error::validation(
                max_field,
                format!("must not be less than {min_field} {min}"),
            ));
        }
    }
    Ok(())
}

/// A gig's editable fields, checked and normalised: what both
/// [`Marketplace::create_gig`] and [`Marketplace::update_gig`] write.
#[derive(Debug, Clone, PartialEq)]
struct GigDetails {
    title: Text<200>,
    description: String,
    category: Text<50>,
    subcategory: Option<Text<50>>,
    video_type: Option<Text<50>>,
    basic: TierInput,
    standard: Option<TierInput>,
    premium: Option<TierInput>,
    thumbnail_url: Option<Url>,
    video_samples: Vec<Url>,
    requirements: Option<String>,
    search_tags: Vec<String>,
}

impl GigDetails {
    fn from_input(input: CreateGigInput) -> Self {
        Self {
            title: input.title,
            description: input.description,
            category: input.category,
            subcategory: input.subcategory,
            video_type: input.video_type,
            basic: input.basic,
            standard: input.standard,
            premium: input.premium,
            thumbnail_url: input.thumbnail_url,
            video_samples: input.video_samples,
            requirements: input.requirements,
            search_tags: input.search_tags,
        }
    }

    /// The current values of `gig`.
    fn of(gig: &Gig) -> Self {
        let tier = |tier| {
            gig.tier(tier).map(|offer| TierInput {
                price: offer.price,
                description: offer.description,
                delivery_days: offer.delivery_days,
                revisions: offer.revisions,
            })
        };
        Self {
            title: gig.title.clone(),
            description: gig.description.clone(),
            category: gig.category.clone(),
            subcategory: gig.subcategory.clone(),
            video_type: gig.video_type.clone(),
            basic: TierInput {
                price: gig.basic_price,
                description: gig.basic_description.clone(),
                delivery_days: gig.basic_delivery_days,
                revisions: gig.basic_revisions,
            },
            standard: tier(GigTier::Standard),
            premium: tier(GigTier::Premium),
            thumbnail_url: gig.thumbnail_url.clone(),
            video_samples: gig.video_samples.clone().unwrap_or_default(),
            requirements: gig.requirements.clone(),
            search_tags: gig.search_tags.clone().unwrap_or_default(),
        }
    }

    /// Applies the fields `patch` sets.
    fn patch(&mut self, patch: &UpdateGigInput) {
        fn set<T: Clone>(field: &mut T, value: &Option<T>) {
            if let Some(value) = value {
                *field = value.clone();
            }
        }
        set(&mut self.title, &patch.title);
        set(&mut self.description, &patch.description);
        set(&mut self.category, &patch.category);
        set(&mut self.subcategory, &patch.subcategory);
        set(&mut self.video_type, &patch.video_type);
        set(&mut self.basic, &patch.basic);
        set(&mut self.standard, &patch.standard);
        set(&mut self.premium, &patch.premium);
        set(&mut self.thumbnail_url, &patch.thumbnail_url);
        set(&mut self.video_samples, &patch.video_samples);
        set(&mut self.requirements, &patch.requirements);
        set(&mut self.search_tags, &patch.search_tags);
    }

    /// Checks every field and normalises the free text and the tags.
    fn validated(mut self) -> Result<Self> {
        self.description = long_text("description", &self.description, MAX_DESCRIPTION_CHARS)?;
        self.requirements =
            optional_long_text("requirements", self.requirements.as_deref(), MAX_NOTE_CHARS)?;
        for (tier, input) in [
            (GigTier::Basic, Some(&mut self.basic)),
            (GigTier::Standard, self.standard.as_mut()),
            (GigTier::Premium, self.premium.as_mut()),
        ] {
            if let Some(input) = input {
                input.description = optional_long_text(
                    tier_fields(tier).description,
                    input.description.as_deref(),
                    MAX_NOTE_CHARS,
                )?;
            }
        }
        validate_tiers(&self.basic, self.standard.as_ref(), self.premium.as_ref())?;
        self.video_samples = bounded("video_samples", self.video_samples, MAX_MEDIA_ITEMS)?;
        self.search_tags = labels("search_tags", &self.search_tags, MAX_SEARCH_TAGS, true)?;
        Ok(self)
    }

    /// Writes the fields into `gig`'s columns.
    fn write_to(&self, gig: &mut Gig) {
        gig.title = self.title.clone();
        gig.description = self.description.clone();
        gig.category = self.category.clone();
        gig.subcategory = self.subcategory.clone();
        gig.video_type = self.video_type.clone();
        gig.basic_price = self.basic.price;
        gig.basic_description = self.basic.description.clone();
        gig.basic_delivery_days = self.basic.delivery_days;
        gig.basic_revisions = self.basic.revisions;
        gig.standard_price = self.standard.as_ref().map(|t| t.price);
        gig.standard_description = self.standard.as_ref().and_then(|t| t.description.clone());
        gig.standard_delivery_days = self.standard.as_ref().map(|t| t.delivery_days);
        gig.standard_revisions = self.standard.as_ref().map(|t| t.revisions);
        gig.premium_price = self.premium.as_ref().map(|t| t.price);
        gig.premium_description = self.premium.as_ref().and_then(|t| t.description.clone());
        gig.premium_delivery_days = self.premium.as_ref().map(|t| t.delivery_days);
        gig.premium_revisions = self.premium.as_ref().map(|t| t.revisions);
        gig.thumbnail_url = self.thumbnail_url.clone();
        gig.video_samples = non_empty(self.video_samples.clone());
        gig.requirements = self.requirements.clone();
        gig.search_tags = non_empty(self.search_tags.clone());
    }

    /// A new draft gig with these details.
    fn into_draft(
        self,
        creator: CreatorProfileId,
        id: GigId,
        slug: Slug,
        now: DateTime<Utc>,
    ) -> Gig {
        let mut gig = Gig {
            id,
            creator_profile_id: creator,
            title: self.title.clone(),
            slug,
            description: String::new(),
            basic_price: self.basic.price,
            basic_description: None,
            basic_delivery_days: self.basic.delivery_days,
            basic_revisions: self.basic.revisions,
            standard_price: None,
            standard_description: None,
            standard_delivery_days: None,
            standard_revisions: None,
            premium_price: None,
            premium_description: None,
            premium_delivery_days: None,
            premium_revisions: None,
            category: self.category.clone(),
            subcategory: None,
            video_type: None,
            thumbnail_url: None,
            video_samples: None,
            requirements: None,
            view_count: 0,
            order_count: 0,
            favorite_count: 0,
            status: GigMachine::INITIAL,
            search_tags: None,
            created_at: now,
            updated_at: now,
            published_at: None,
            version: 1,
        };
        self.write_to(&mut gig);
        gig
    }
}

/// Whether anyone may see a gig in `status`; other gigs are their creator's
/// alone.
fn is_public(status: GigStatus) -> bool {
    match status {
        GigStatus::Active => true,
        GigStatus::Draft | GigStatus::Paused | GigStatus::Deleted => false,
    }
}

/// `base` with `-suffix` appended, the base cut (at a character, then
/// without a trailing hyphen) so that the whole stays within
/// [`Slug::MAX_LEN`].
fn slug_with_suffix(base: &Slug, suffix: &str) -> Result<Slug> {
    let room = Slug::MAX_LEN.saturating_sub(suffix.len() + 1);
    let base = base.as_str();
    // Slugs are ASCII, so any byte index is a character boundary.
    let stem = base
        .get(..room.min(base.len()))
        .unwrap_or(base)
        .trim_end_matches('-');
    Slug::parse(&format!("{stem}-{suffix}"))
}

/// The slug candidates for a title after the first: `base-2` to
/// `base-20`, then `base-<8 hex digits of the gig's id>`.
fn slug_candidates(base: &Slug, id: GigId) -> Result<Vec<Slug>> {
    let mut candidates = vec![base.clone()];
    for n in 2..=NUMBERED_SLUGS {
        candidates.push(slug_with_suffix(base, &n.to_string())?);
    }
    // The tail of a UUIDv7 is random (its head is the timestamp, shared by
    // gigs created in the same millisecond).
    let simple = id.as_uuid().simple().to_string();
    let tail = simple
        .get(simple.len().saturating_sub(8)..)
        .unwrap_or(&simple);
    candidates.push(slug_with_suffix(base, tail)?);
    Ok(candidates)
}

// ---------------------------------------------------------------------------
// Commands and queries
// ---------------------------------------------------------------------------

impl Marketplace {
    /// Loads the acting user and their creator profile; [`Error::Forbidden`]
    /// when they have none (clients cannot act as creators).
    pub(crate) async fn acting_creator(&self, ctx: &Ctx) -> Result<(User, CreatorProfile)> {
        let user = self.acting_user(ctx).await?;
        let creator = self
            .store()
            .creators()
            .get_by_user_id(user.id)
            .await?
            .ok_or_else(|| Error::forbidden("only creators can do this"))?;
        Ok((user, creator))
    }

    /// The creator profile of whoever `ctx` names, if any, for deciding
    /// whether a private gig is theirs. Reads do not refuse suspended users:
    /// they only ever see public gigs and their own.
    async fn viewing_creator(&self, ctx: &Ctx) -> Result<Option<CreatorProfileId>> {
        let Some(user) = ctx.actor else {
            return Ok(None);
        };
        Ok(self
            .store()
            .creators()
            .get_by_user_id(user)
            .await?
            .map(|c| c.id))
    }

    /// `gig` if `ctx` may see it: active gigs are public, others are their
    /// creator's alone ([`Error::NotFound`] for anyone else).
    async fn visible_gig(&self, ctx: &Ctx, gig: Option<Gig>) -> Result<Gig> {
        let gig = gig.ok_or(Error::not_found("gig"))?;
        if is_public(gig.status) || self.viewing_creator(ctx).await? == Some(gig.creator_profile_id)
        {
            Ok(gig)
        } else {
            Err(Error::not_found("gig"))
        }
    }

    /// The acting creator's gig `id`, in any status; [`Error::NotFound`] for
    /// anyone else's.
    async fn own_gig(&self, creator: &CreatorProfile, id: GigId) -> Result<Gig> {
        self.store()
            .gigs()
            .get_by_id(id)
            .await?
            .filter(|g| g.creator_profile_id == creator.id)
            .ok_or(Error::not_found("gig"))
    }

    /// The first free slug for a gig with `title`: the title's slug, then
    /// `-2` to `-20`, then a suffix from the gig's id (unchecked: should it be
    /// taken too, the insert fails and the caller tries again with a new id).
    async fn free_slug(&self, title: &Text<200>, id: GigId) -> Result<Slug> {
        let base = Slug::from_title(title.as_str()).or_else(|_| Slug::parse(FALLBACK_SLUG))?;
        let candidates = slug_candidates(&base, id)?;
        let (last, numbered) = candidates
            .split_last()
            .ok_or_else(|| Error::validation("slug", "no candidate"))?;
        for candidate in numbered {
            if self
                .store()
                .gigs()
                .get_by_slug(candidate.as_str())
                .await?
                .is_none()
            {
                return Ok(candidate.clone());
            }
        }
        Ok(last.clone())
    }

    /// Creates a draft gig for the acting creator.
    ///
    /// The slug is derived from the title and made unique with a numeric
    /// suffix. Two creators racing for the same slug both see it free; the
    /// store's unique key lets one win and refuses the other with
    /// [`Error::AlreadyExists`], which this command answers by choosing the
    /// next free slug (the command loop itself only retries conflicts).
    pub async fn create_gig(&self, ctx: &Ctx, input: CreateGigInput) -> Result<Gig> {
        let details = GigDetails::from_input(input).validated()?;
        let mut collisions: u32 = 0;
        loop {
            let created = command!(self, async {
                let (_user, creator) = self.acting_creator(ctx).await?;
                let id = GigId::new();
                let slug = self.free_slug(&details.title, id).await?;
                let gig = details.clone().into_draft(creator.id, id, slug, self.now());
                let mut changes = ChangeSet::new();
                changes.insert(gig.clone());
                changes.insert(self.audit(
                    ctx,
                    "gig",
                    gig.id.as_uuid(),
                    "create",
                    None::<&Gig>,
                    Some(&gig),
                )?);
                Ok((changes, gig))
            });
            match created {
                // A new gig row with a fresh id occupies exactly one unique
                // key, its slug: this is a lost race for the slug.
                Err(Error::AlreadyExists { .. }) if collisions < self.max_retries() => {
                    collisions += 1;
                    Retry::backoff(collisions).await;
                }
                other => return other,
            }
        }
    }

    /// Edits the acting creator's gig (in any status but deleted). Only the
    /// fields set in `input` change, with the same checks as
    /// [`Marketplace::create_gig`]; the slug stays. An edit that changes
    /// nothing writes nothing.
    pub async fn update_gig(&self, ctx: &Ctx, gig: GigId, input: UpdateGigInput) -> Result<Gig> {
        command!(self, async {
            let (_user, creator) = self.acting_creator(ctx).await?;
            let mut gig = self.own_gig(&creator, gig).await?;
            // Deletion is final; no machine event edits a gig, so the rule is
            // stated here.
            if GigMachine::TERMINAL.contains(&gig.status) {
                return Err(Error::rule("gig_deleted", "a deleted gig cannot be edited"));
            }
            let old = gig.clone();
            let mut details = GigDetails::of(&gig);
            details.patch(&input);
            details.validated()?.write_to(&mut gig);
            if gig == old {
                return Ok((ChangeSet::new(), gig));
            }
            gig.updated_at = self.now();
            let mut changes = ChangeSet::new();
            changes.update(&gig);
            changes.insert(self.audit_update(
                ctx,
                "gig",
                gig.id.as_uuid(),
                "update",
                &old,
                &gig,
            )?);
            gig.version += 1;
            Ok((changes, gig))
        })
    }

    /// Applies `event` to the acting creator's gig, recording `action`.
    async fn gig_transition(
        &self,
        ctx: &Ctx,
        gig: GigId,
        event: GigEvent,
        action: &str,
    ) -> Result<Gig> {
        command!(self, async {
            let (_user, creator) = self.acting_creator(ctx).await?;
            let mut gig = self.own_gig(&creator, gig).await?;
            let old = gig.clone();
            gig.status = GigMachine::transition(gig.status, event)?;
            let now = self.now();
            if event == GigEvent::Publish {
                gig.published_at.get_or_insert(now);
            }
            gig.updated_at = now;
            let mut changes = ChangeSet::new();
            changes.update(&gig);
            changes.insert(self.audit_update(ctx, "gig", gig.id.as_uuid(), action, &old, &gig)?);
            gig.version += 1;
            Ok((changes, gig))
        })
    }

    /// Publishes the acting creator's draft gig: it becomes active and
    /// public.
    pub async fn publish_gig(&self, ctx: &Ctx, gig: GigId) -> Result<Gig> {
        self.gig_transition(ctx, gig, GigEvent::Publish, "publish")
            .await
    }

    /// Pauses the acting creator's active gig: it stops taking orders and
    /// leaves the public listings.
    pub async fn pause_gig(&self, ctx: &Ctx, gig: GigId) -> Result<Gig> {
        self.gig_transition(ctx, gig, GigEvent::Pause, "pause")
            .await
    }

    /// Makes the acting creator's paused gig active again.
    pub async fn resume_gig(&self, ctx: &Ctx, gig: GigId) -> Result<Gig> {
        self.gig_transition(ctx, gig, GigEvent::Resume, "resume")
            .await
    }

    /// Deletes the acting creator's gig. The row stays (status `deleted`)
    /// for the contracts that point at it, and keeps its slug.
    pub async fn delete_gig(&self, ctx: &Ctx, gig: GigId) -> Result<Gig> {
        self.gig_transition(ctx, gig, GigEvent::Delete, "delete")
            .await
    }

    /// The gig `id`: any active gig, or one of the acting creator's own in
    /// any status. Anyone else's draft, paused or deleted gig is
    /// [`Error::NotFound`]. `ctx` may be anonymous.
    pub async fn get_gig(&self, ctx: &Ctx, id: GigId) -> Result<Gig> {
        let gig = self.store().gigs().get_by_id(id).await?;
        self.visible_gig(ctx, gig).await
    }

    /// The gig with `slug`, under the rules of [`Marketplace::get_gig`].
    pub async fn get_gig_by_slug(&self, ctx: &Ctx, slug: &str) -> Result<Gig> {
        let slug = Slug::parse(slug)?;
        let gig = self.store().gigs().get_by_slug(slug.as_str()).await?;
        self.visible_gig(ctx, gig).await
    }

    /// The acting creator's gigs in every status but deleted, newest first.
    pub async fn list_my_gigs(&self, ctx: &Ctx) -> Result<Vec<Gig>> {
        let (_user, creator) = self.acting_creator(ctx).await?;
        self.store()
            .gigs()
            .list_by_creator_profile_id(creator.id)
            .await
    }

    /// Active gigs matching `query` (see [`GigQuery`]), after checking the
    /// page, the price range and the other filters.
    pub async fn browse_gigs(&self, query: &GigQuery) -> Result<Vec<Gig>> {
        check_page(&query.page)?;
        check_amount_filter("min_price", query.min_price, "max_price", query.max_price)?;
        if let Some(days) = query.max_delivery_days {
            check_range("max_delivery_days", days, 1, MAX_DELIVERY_DAYS)?;
        }
        let query = GigQuery {
            text: query_text(query.text.as_deref())?,
            category: query_category(query.category.as_deref())?,
            ..query.clone()
        };
        let hits = self.store().gigs().search(&query).await?;
        if !hits.is_empty() {
            return Ok(hits);
        }
        match self.corrected_text(query.text.as_deref()).await? {
            Some(text) => {
                let query = GigQuery {
                    text: Some(text),
                    ..query
                };
                self.store().gigs().search(&query).await
            }
            None => Ok(hits),
        }
    }

    /// `text` with its misspelt words corrected from the store's search
    /// vocabulary ([`crate::spelling`]), or `None` when no word changes:
    /// the fallback of [`Marketplace::browse_gigs`] and
    /// [`Marketplace::browse_jobs`] when the words match nothing.
    pub(crate) async fn corrected_text(&self, text: Option<&str>) -> Result<Option<String>> {
        let words: Vec<String> = text
            .map(|t| t.split_whitespace().map(str::to_lowercase).collect())
            .unwrap_or_default();
        let keys = spelling::lookup_keys(&words);
        if keys.is_empty() {
            return Ok(None);
        }
        let candidates = self.store().discovery().spelling_candidates(&keys).await?;
        Ok(spelling::correct(&words, &candidates).map(|fixed| fixed.join(" ")))
    }

    /// Records that whoever `ctx` names (possibly nobody) viewed a gig they
    /// may see: one `gig_views` row (viewer, address, user agent and
    /// referrer from `ctx`) and `view_count + 1`.
    ///
    /// A view is analytics, not a change of the gig's state: it bumps no
    /// version (so it never conflicts with an edit) and writes no audit
    /// entry. A creator looking at their own gig is not counted.
    pub async fn record_gig_view(&self, ctx: &Ctx, gig: GigId) -> Result<()> {
        let referrer = crate::service::discovery::view_header("referrer", ctx.referrer.as_deref())?;
        let user_agent =
            crate::service::discovery::view_header("user_agent", ctx.user_agent.as_deref())?;
        let gig = self
            .store()
            .gigs()
            .get_by_id(gig)
            .await?
            .ok_or(Error::not_found("gig"))?;
        let own = self.viewing_creator(ctx).await? == Some(gig.creator_profile_id);
        if !is_public(gig.status) && !own {
            return Err(Error::not_found("gig"));
        }
        if own {
            return Ok(());
        }
        let mut changes = ChangeSet::new();
        changes.count(Counter::GigViews(gig.id), 1);
        changes.insert(GigView {
            id: GigViewId::new(),
            gig_id: gig.id,
            viewer_user_id: ctx.actor,
            ip_address: ctx.ip_address,
            user_agent,
            referrer,
            viewed_at: self.now(),
        });
        self.commit(changes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn usd(amount: &str) -> Money {
        Money::usd(amount).expect("valid amount")
    }

    fn tier(price: &str) -> TierInput {
        TierInput {
            price: usd(price),
            description: None,
            delivery_days: 3,
            revisions: 1,
        }
    }

    fn field_of(result: Result<()>) -> &'static str {
        match result {
            Err(Error::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn max_price_is_the_largest_decimal_10_2() {
        assert_eq!(MAX_PRICE, Decimal::new(9_999_999_999, 2));
        assert_eq!(MAX_PRICE.to_string(), "99999999.99");
    }

    #[test]
    fn one_two_or_three_ascending_tiers_are_accepted() {
        assert!(validate_tiers(&tier("10"), None, None).is_ok());
        assert!(validate_tiers(&tier("10"), Some(&tier("20")), None).is_ok());
        assert!(validate_tiers(&tier("10"), Some(&tier("20")), Some(&tier("30.50"))).is_ok());
        assert!(validate_tiers(&tier("0.01"), None, None).is_ok());
        assert!(validate_tiers(&tier("99999999.99"), None, None).is_ok());
    }

    #[test]
    fn prices_must_be_positive_and_fit_the_column() {
        assert_eq!(
            field_of(validate_tiers(&tier("0"), None, None)),
            "basic_price"
        );
        assert_eq!(
            field_of(validate_tiers(&tier("-5"), None, None)),
            "basic_price"
        );
        assert_eq!(
            field_of(validate_tiers(&tier("100000000"), None, None)),
            "basic_price"
        );
        assert_eq!(
            field_of(validate_tiers(
                &tier("10"),
                Some(&tier("100000000.00")),
                None
            )),
            "standard_price"
        );
        let kwd = TierInput {
            price: Money::parse("1.234", Currency::KWD).expect("valid"),
            ..tier("1")
        };
        assert_eq!(field_of(validate_tiers(&kwd, None, None)), "basic_price");
    }

    #[test]
    fn tiers_share_one_currency() {
        let eur = TierInput {
            price: Money::parse("20", Currency::EUR).expect("valid"),
            ..tier("20")
        };
        assert_eq!(
            field_of(validate_tiers(&tier("10"), Some(&eur), None)),
            "standard_price"
        );
        assert_eq!(
            field_of(validate_tiers(&tier("10"), Some(&tier("20")), Some(&eur))),
            "premium_price"
        );
    }

    #[test]
    fn delivery_days_and_revisions_are_bounded() {
        for (days, ok) in [
            (0, false),
            (1, true),
            (365, true),
            (366, false),
            (-1, false),
        ] {
            let t = TierInput {
                delivery_days: days,
                ..tier("10")
            };
            assert_eq!(validate_tiers(&t, None, None).is_ok(), ok, "{days} days");
        }
        for (revisions, ok) in [(-1, false), (0, true), (100, true), (101, false)] {
            let t = TierInput {
                revisions,
                ..tier("10")
            };
            assert_eq!(
                validate_tiers(&t, None, None).is_ok(),
                ok,
                "{revisions} revisions"
            );
        }
        let slow = TierInput {
            delivery_days: 400,
            ..tier("20")
        };
        assert_eq!(
            field_of(validate_tiers(&tier("10"), Some(&slow), None)),
            "standard_delivery_days"
        );
        let generous = TierInput {
            revisions: 101,
            ..tier("30")
        };
        assert_eq!(
            field_of(validate_tiers(
                &tier("10"),
                Some(&tier("20")),
                Some(&generous)
            )),
            "premium_revisions"
        );
    }

    #[test]
    fn each_tier_costs_more_than_the_one_below() {
        assert_eq!(
            field_of(validate_tiers(&tier("10"), Some(&tier("10")), None)),
            "standard_price"
        );
        assert_eq!(
            field_of(validate_tiers(&tier("10"), Some(&tier("9.99")), None)),
            "standard_price"
        );
        assert_eq!(
            field_of(validate_tiers(
                &tier("10"),
                Some(&tier("20")),
                Some(&tier("20"))
            )),
            "premium_price"
        );
        assert_eq!(
            field_of(validate_tiers(
                &tier("10"),
                Some(&tier("20")),
                Some(&tier("15"))
            )),
            "premium_price"
        );
    }

    #[test]
    fn premium_requires_standard() {
        assert_eq!(
            field_of(validate_tiers(&tier("10"), None, Some(&tier("30")))),
            "premium_price"
        );
    }

    #[test]
    fn long_text_is_trimmed_bounded_and_clean() {
        assert_eq!(
            long_text("d", "  hi\r\nthere\t ", 100).expect("valid"),
            "hi\nthere"
        );
        assert!(long_text("d", "   ", 100).is_err());
        assert!(long_text("d", &"é".repeat(5), 5).is_ok());
        assert!(long_text("d", &"é".repeat(6), 5).is_err());
        assert!(long_text("d", "a\u{0}b", 100).is_err());
        assert!(long_text("d", "a\rb", 100).is_err());
        assert_eq!(
            optional_long_text("d", Some("  "), 10).expect("blank is none"),
            None
        );
        assert_eq!(optional_long_text("d", None, 10).expect("none"), None);
    }

    #[test]
    fn labels_are_trimmed_deduplicated_and_bounded() {
        let raw: Vec<String> = ["Reels", " reels ", "TikTok", "ugc"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            labels("t", &raw, 20, true).expect("valid"),
            ["reels", "tiktok", "ugc"]
        );
        assert_eq!(
            labels("t", &raw, 20, false).expect("valid"),
            ["Reels", "TikTok", "ugc"]
        );
        assert!(labels("t", &["".to_string()], 20, true).is_err());
        assert!(labels("t", &["x".repeat(51)], 20, true).is_err());
        assert!(labels("t", &["x".repeat(50)], 20, true).is_ok());
        let many: Vec<String> = (0..21).map(|i| format!("tag{i}")).collect();
        assert!(labels("t", &many, 20, true).is_err());
        // Duplicates do not count towards the limit.
        let repeated: Vec<String> = (0..40).map(|i| format!("tag{}", i % 20)).collect();
        assert_eq!(labels("t", &repeated, 20, true).expect("valid").len(), 20);
    }

    #[test]
    fn slug_candidates_are_numbered_then_random_and_fit_the_column() {
        let base = Slug::parse("product-reel").expect("valid");
        let id = GigId::new();
        let candidates = slug_candidates(&base, id).expect("valid");
        assert_eq!(candidates.len(), 21);
        assert_eq!(candidates[0].as_str(), "product-reel");
        assert_eq!(candidates[1].as_str(), "product-reel-2");
        assert_eq!(candidates[19].as_str(), "product-reel-20");
        let simple = id.as_uuid().simple().to_string();
        assert_eq!(
            candidates[20].as_str(),
            format!("product-reel-{}", &simple[24..])
        );

        let long = Slug::parse(&format!("{}-b", "a".repeat(247))).expect("valid");
        for candidate in slug_candidates(&long, id).expect("valid") {
            assert!(candidate.as_str().len() <= Slug::MAX_LEN, "{candidate}");
            assert!(!candidate.as_str().contains("--"), "{candidate}");
        }
    }

    #[test]
    fn amount_filters_are_checked() {
        assert!(check_amount_filter("min", Some(usd("1")), "max", Some(usd("2"))).is_ok());
        assert!(check_amount_filter("min", Some(usd("0")), "max", None).is_ok());
        assert!(check_amount_filter("min", Some(usd("3")), "max", Some(usd("2"))).is_err());
        assert!(check_amount_filter("min", Some(usd("-1")), "max", None).is_err());
        let eur = Money::parse("2", Currency::EUR).expect("valid");
        assert!(check_amount_filter("min", Some(usd("1")), "max", Some(eur)).is_err());
        assert!(
            check_page(&Page {
                limit: 0,
                offset: 0
            })
            .is_err()
        );
        assert!(
            check_page(&Page {
                limit: 101,
                offset: 0
            })
            .is_err()
        );
        assert!(check_page(&Page::first()).is_ok());
    }

    #[test]
    fn an_update_can_tell_missing_from_null() {
        let patch: UpdateGigInput =
            serde_json::from_str(r#"{"premium": null, "title": "New"}"#).expect("valid");
        assert_eq!(patch.premium, Some(None));
        assert_eq!(patch.standard, None);
        assert_eq!(patch.title.as_ref().map(|t| t.as_str()), Some("New"));
        let json = serde_json::to_string(&patch).expect("serialize");
        let back: UpdateGigInput = serde_json::from_str(&json).expect("round trip");
        assert_eq!(back.premium, Some(None));
        assert_eq!(back.standard, None);
    }
}
