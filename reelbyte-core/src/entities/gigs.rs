//! Section 4 of the plan, service listings: `gigs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::{GigStatus, GigTier};
use crate::ids::{CreatorProfileId, GigId};
use crate::money::Money;
use crate::value::{Slug, Text, Url};

/// A row of `gigs`: a pre-packaged service a creator sells in up to three
/// pricing tiers.
///
/// The tiers are kept flat, exactly as the plan's columns (`basic_*`,
/// `standard_*`, `premium_*`); [`Gig::tier`] gives one tier as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gig {
    /// Primary key.
    pub id: GigId,
    /// The creator selling the gig.
    pub creator_profile_id: CreatorProfileId,
    /// Title of the listing.
    pub title: Text<200>,
    /// URL slug, unique across gigs.
    pub slug: Slug,
    /// Full description.
    pub description: String,
    /// Price of the basic tier (always offered).
    pub basic_price: Money,
    /// What the basic tier includes.
    pub basic_description: Option<String>,
    /// Delivery time of the basic tier, in days.
    pub basic_delivery_days: i32,
    /// Revisions included in the basic tier.
    pub basic_revisions: i32,
    /// Price of the standard tier, when offered.
    pub standard_price: Option<Money>,
    /// What the standard tier includes.
    pub standard_description: Option<String>,
    /// Delivery time of the standard tier, in days.
    pub standard_delivery_days: Option<i32>,
    /// Revisions included in the standard tier (none when `NULL`).
    pub standard_revisions: Option<i32>,
    /// Price of the premium tier, when offered.
    pub premium_price: Option<Money>,
    /// What the premium tier includes.
    pub premium_description: Option<String>,
    /// Delivery time of the premium tier, in days.
    pub premium_delivery_days: Option<i32>,
    /// Revisions included in the premium tier (none when `NULL`).
    pub premium_revisions: Option<i32>,
    /// Category, e.g. `"editing"`.
    pub category: Text<50>,
    /// Subcategory.
    pub subcategory: Option<Text<50>>,
    /// Kind of video: Reel, Short, TikTok, YouTube Short, ...
    pub video_type: Option<Text<50>>,
    /// Listing thumbnail.
    pub thumbnail_url: Option<Url>,
    /// Sample videos (the plan's JSONB "array of video URLs").
    pub video_samples: Option<Vec<Url>>,
    /// What the creator needs from the client to start.
    pub requirements: Option<String>,
    /// Times the gig was viewed.
    pub view_count: i32,
    /// Times the gig was ordered.
    pub order_count: i32,
    /// Times the gig was favourited.
    pub favorite_count: i32,
    /// Listing status.
    pub status: GigStatus,
    /// Search tags (`TEXT[]`).
    pub search_tags: Option<Vec<String>>,
    /// When the gig was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// When the gig was first made active.
    #[serde(default, with = "crate::timestamp::option")]
    pub published_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// One pricing tier of a [`Gig`], gathered from its flat columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GigTierOffer {
    /// Which tier this is.
    pub tier: GigTier,
    /// The tier's price.
    pub price: Money,
    /// What the tier includes.
    pub description: Option<String>,
    /// Delivery time in days.
    pub delivery_days: i32,
    /// Revisions included.
    pub revisions: i32,
}

impl Gig {
    /// The offer of `tier`, or `None` when the gig does not offer it: the
    /// standard and premium tiers are offered only when both their price and
    /// their delivery days are set. A `NULL` revision count means no
    /// revisions, matching the basic tier's default of 0.
    pub fn tier(&self, tier: GigTier) -> Option<GigTierOffer> {
        let (price, description, delivery_days, revisions) = match tier {
            GigTier::Basic => (
                Some(self.basic_price),
                &self.basic_description,
                Some(self.basic_delivery_days),
                Some(self.basic_revisions),
            ),
            GigTier::Standard => (
                self.standard_price,
                &self.standard_description,
                self.standard_delivery_days,
                self.standard_revisions,
            ),
            GigTier::Premium => (
                self.premium_price,
                &self.premium_description,
                self.premium_delivery_days,
                self.premium_revisions,
            ),
        };
        Some(GigTierOffer {
            tier,
            price: price?,
            description: description.clone(),
            delivery_days: delivery_days?,
            revisions: revisions.unwrap_or(0),
        })
    }

    /// Every tier the gig offers, cheapest tier first (basic, standard,
    /// premium).
    pub fn offers(&self) -> impl Iterator<Item = GigTierOffer> + '_ {
        GigTier::ALL.iter().filter_map(|tier| self.tier(*tier))
    }
}
