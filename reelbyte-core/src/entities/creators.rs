//! Section 2 of the plan, creator profiles: `creator_profiles`,
//! `creator_skills`, `creator_categories` and `portfolio_items`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::enums::{AvailabilityStatus, ProficiencyLevel, VerificationLevel};
use crate::ids::{CreatorCategoryId, CreatorProfileId, CreatorSkillId, PortfolioItemId, UserId};
use crate::money::Money;
use crate::value::{BoundedUrl, Percentage, Text, Url};

/// A row of `creator_profiles`: the public face of a video creator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorProfile {
    /// Primary key.
    pub id: CreatorProfileId,
    /// The owning user (one creator profile per user).
    pub user_id: UserId,
    /// Name shown on the profile.
    pub display_name: Text<100>,
    /// One-line pitch.
    pub tagline: Option<Text<200>>,
    /// Free-form biography.
    pub bio: Option<String>,
    /// Avatar image.
    pub profile_image_url: Option<Url>,
    /// Banner image.
    pub cover_image_url: Option<Url>,
    /// Showreel video.
    pub portfolio_video_url: Option<Url>,
    /// Years of professional experience.
    pub years_of_experience: Option<i32>,
    /// Asking rate per hour.
    pub hourly_rate: Option<Money>,
    /// Whether the creator currently takes work.
    pub availability_status: AvailabilityStatus,
    /// Typical time to answer a message, in hours.
    pub response_time_hours: Option<i32>,
    /// Completed contracts (denormalised statistic).
    pub total_jobs_completed: i32,
    /// Lifetime earnings (denormalised statistic).
    pub total_earnings: Money,
    /// Share of contracts completed successfully (denormalised statistic).
    pub success_rate: Percentage,
    /// Share of contracts delivered by their deadline (denormalised statistic).
    pub on_time_delivery_rate: Percentage,
    /// Mean overall rating received, 0 when there are no reviews yet
    /// (`DECIMAL(3,2)`, denormalised statistic).
    pub average_rating: Decimal,
    /// Number of reviews received (denormalised statistic).
    pub total_reviews: i32,
    /// The sum of the overall stars of the reviews counted in
    /// `total_reviews`, so that a new review updates `average_rating`
    /// exactly without reading the earlier ones (library addition, not in
    /// the plan; absent in rows written before it, hence the default).
    #[serde(default)]
    pub rating_sum: i64,
    /// Contracts that ended after the creator accepted them: completed,
    /// cancelled or settled by dispute. The denominator of `success_rate`
    /// (library addition, not in the plan).
    pub contracts_closed: i32,
    /// Completed contracts whose first delivery came on or before the
    /// deadline. The numerator of `on_time_delivery_rate` (library addition,
    /// not in the plan).
    pub on_time_completions: i32,
    /// Whether the platform has verified the creator.
    pub is_verified: bool,
    /// The verification level reached, if any.
    pub verification_level: Option<VerificationLevel>,
    /// When the creator was verified.
    #[serde(default, with = "crate::timestamp::option")]
    pub verified_at: Option<DateTime<Utc>>,
    /// Instagram handle.
    pub instagram_handle: Option<Text<100>>,
    /// TikTok handle.
    pub tiktok_handle: Option<Text<100>>,
    /// YouTube channel, as a handle or a URL (the plan does not say which, so
    /// this is bounded text rather than a [`Url`]).
    pub youtube_channel: Option<Text<255>>,
    /// Personal website (`VARCHAR(255)`, hence at most 255 characters).
    pub website_url: Option<BoundedUrl<255>>,
    /// When the profile was created.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `creator_skills`: one skill tag of a creator (unique per profile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorSkill {
    /// Primary key.
    pub id: CreatorSkillId,
    /// The profile the skill belongs to.
    pub creator_profile_id: CreatorProfileId,
    /// The skill, e.g. `"Color grading"`.
    pub skill_name: Text<50>,
    /// Self-assessed proficiency.
    pub proficiency_level: Option<ProficiencyLevel>,
    /// Years of experience with this skill.
    pub years_experience: Option<i32>,
    /// When the skill was added.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `creator_categories`: a content niche a creator works in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatorCategory {
    /// Primary key.
    pub id: CreatorCategoryId,
    /// The profile the category belongs to.
    pub creator_profile_id: CreatorProfileId,
    /// The category, e.g. `"beauty"`.
    pub category: Text<50>,
    /// Whether this is the creator's main niche.
    pub is_primary: bool,
    /// When the category was added.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}

/// A row of `portfolio_items`: a video sample of past work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioItem {
    /// Primary key.
    pub id: PortfolioItemId,
    /// The profile the item belongs to.
    pub creator_profile_id: CreatorProfileId,
    /// Title of the sample.
    pub title: Text<200>,
    /// Description of the sample.
    pub description: Option<String>,
    /// The video.
    pub video_url: Url,
    /// Its thumbnail.
    pub thumbnail_url: Option<Url>,
    /// Length of the video in seconds.
    pub video_duration_seconds: Option<i32>,
    /// Times the item was viewed.
    pub view_count: i32,
    /// Times the item was liked.
    pub like_count: i32,
    /// Kind of project, e.g. `"product launch"`.
    pub project_type: Option<Text<50>>,
    /// Target platform: TikTok, Instagram Reels, YouTube Shorts, ...
    pub platform: Option<Text<50>>,
    /// Position among the creator's items (ascending).
    pub display_order: i32,
    /// Whether the item is highlighted on the profile.
    pub is_featured: bool,
    /// When the item was added.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}
