//! Section 7 of the plan, reviews and ratings: `reviews`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::ReviewerType;
use crate::ids::{ContractId, ReviewId, UserId};
use crate::value::{Rating, Text};

/// A row of `reviews`: one party's rating of the other after a contract
/// (one per reviewer per contract).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// Primary key.
    pub id: ReviewId,
    /// The contract reviewed.
    pub contract_id: ContractId,
    /// Who wrote the review.
    pub reviewer_user_id: UserId,
    /// Who is reviewed.
    pub reviewee_user_id: UserId,
    /// Which side of the contract the reviewer was on.
    pub reviewer_type: Option<ReviewerType>,
    /// Overall rating.
    pub overall_rating: Rating,
    /// Rating of communication.
    pub communication_rating: Option<Rating>,
    /// Rating of the quality of work.
    pub quality_rating: Option<Rating>,
    /// Rating of professionalism.
    pub professionalism_rating: Option<Rating>,
    /// Rating of value for money.
    pub value_rating: Option<Rating>,
    /// Headline of the review.
    pub title: Option<Text<200>>,
    /// Body of the review.
    pub comment: Option<String>,
    /// The reviewee's public answer.
    pub response_text: Option<String>,
    /// When the reviewee answered.
    #[serde(default, with = "crate::timestamp::option")]
    pub response_at: Option<DateTime<Utc>>,
    /// Whether the review is shown publicly.
    pub is_public: bool,
    /// Whether the review is highlighted.
    pub is_featured: bool,
    /// Whether the review was reported for moderation.
    pub flagged: bool,
    /// When the review was written.
    #[serde(with = "crate::timestamp")]
    pub created_at: DateTime<Utc>,
    /// When the row last changed.
    #[serde(with = "crate::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency counter, starting at 1 and bumped by every
    /// update (library addition, not in the plan).
    pub version: i64,
}
