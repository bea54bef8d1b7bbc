//! Section 3 of the plan, client profiles: `client_profiles`.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::enums::CompanySize;
use crate::ids::{ClientProfileId, UserId};
use crate::money::Money;
use crate::value::{BoundedUrl, Text, Url};

/// A row of `client_profiles`: a brand or business that hires creators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientProfile {
    /// Primary key.
    pub id: ClientProfileId,
    /// The owning user (one client profile per user).
    pub user_id: UserId,
    /// The company's name.
    pub company_name: Text<200>,
    /// The company's logo.
    pub company_logo_url: Option<Url>,
    /// The company's industry.
    pub industry: Option<Text<100>>,
    /// Head-count bracket.
    pub company_size: Option<CompanySize>,
    /// The company's website (`VARCHAR(255)`, hence at most 255 characters).
    pub website_url: Option<BoundedUrl<255>>,
    /// Free-form description.
    pub description: Option<String>,
    /// Jobs posted (denormalised statistic).
    pub total_jobs_posted: i32,
    /// Lifetime spend (denormalised statistic).
    pub total_spent: Money,
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
    /// Whether the platform has verified the company.
    pub is_verified: bool,
    /// When the company was verified.
    #[serde(default, with = "crate::timestamp::option")]
    pub verified_at: Option<DateTime<Utc>>,
    /// Whether a payment method has been verified.
    pub payment_verified: bool,
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
