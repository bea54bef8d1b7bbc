//! Reviews: both directions after completion, one per reviewer per contract,
//! a reply by the reviewee; rating figures updated in the same atomic step.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::entities::Review;
use crate::enums::{ContractStatus, ReviewerType};
use crate::error::{Error, Result};
use crate::ids::{ContractId, ReviewId, UserId};
use crate::service::notifications::{Notice, NotificationKind};
use crate::service::{Ctx, Marketplace, command};
use crate::store::{ChangeSet, ContractParties};
use crate::value::{Rating, Text};

/// The average of `ratings` rounded half-up to two decimals (the plan's
/// `DECIMAL(3,2)`), or zero when there are none.
pub fn average_rating(ratings: impl IntoIterator<Item = Rating>) -> Decimal {
    let (sum, count) = ratings
        .into_iter()
        .fold((0i64, 0i64), |(s, c), r| (s + i64::from(r.get()), c + 1));
    average_of(sum, count)
}

/// The average of `count` ratings whose stars add up to `sum`, rounded as
/// [`average_rating`] rounds; zero when `count` is not positive.
pub fn average_of(sum: i64, count: i64) -> Decimal {
    if count <= 0 {
        return Decimal::ZERO;
    }
    (Decimal::from(sum) / Decimal::from(count))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A profile's rating figures after one more review of `stars`: the new
/// `(total_reviews, rating_sum, average_rating)`. The running sum keeps the
/// average exact without reading the earlier reviews.
fn with_one_more(total: i32, sum: i64, stars: Rating) -> Result<(i32, i64, Decimal)> {
    let too_many = || Error::validation("reviews", "too many reviews to count");
    let total = total.checked_add(1).ok_or_else(too_many)?;
    let sum = sum
        .checked_add(i64::from(stars.get()))
        .ok_or_else(too_many)?;
    Ok((total, sum, average_of(sum, i64::from(total))))
}

/// A review to leave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewInput {
    /// Overall stars, 1 to 5.
    pub overall_rating: Rating,
    /// Communication stars.
    pub communication_rating: Option<Rating>,
    /// Quality stars.
    pub quality_rating: Option<Rating>,
    /// Professionalism stars.
    pub professionalism_rating: Option<Rating>,
    /// Value stars.
    pub value_rating: Option<Rating>,
    /// A headline.
    pub title: Option<Text<200>>,
    /// The review text (at most 5,000 characters).
    pub comment: Option<String>,
}

impl Marketplace {
    /// Leaves a review of the other party of a completed contract, within the
    /// policy's review window. The reviewee's `total_reviews`, `rating_sum`
    /// and `average_rating` move by this review in the same step (the
    /// profile's version guards them against a concurrent review).
    pub async fn leave_review(
        &self,
        ctx: &Ctx,
        contract: ContractId,
        input: ReviewInput,
    ) -> Result<Review> {
        if input
            .comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > 5_000)
        {
            return Err(Error::validation(
                "comment",
                "must have at most 5000 characters",
            ));
        }
        // A second review by the same reviewer is refused by the unique key
        // (contract, reviewer) when the change set commits, so the command
        // does not read the contract's reviews first; the refusal changes
        // nothing and is reported as before.
        let reviewed: Result<Review> = command!(self, async {
            let (
                user,
                ContractParties {
                    contract,
                    client,
                    creator,
                    preferences,
                    ..
                },
                side,
            ) = self.acting_party(ctx, contract).await?;
            if contract.status != ContractStatus::Completed {
                return Err(Error::rule(
                    "contract_not_completed",
                    "reviews open when the contract completes",
                ));
            }
            let completed_at = contract.completed_at.unwrap_or(contract.created_at);
            if !self.policy().review_window_open(completed_at, self.now()) {
                return Err(Error::rule(
                    "review_window_closed",
                    "the review window has closed",
                ));
            }
            let (reviewee, reviewee_saved) = match side {
                ReviewerType::Client => (creator.user_id, preferences.creator),
                ReviewerType::Creator => (client.user_id, preferences.client),
            };
            let now = self.now();
            let review = Review {
                id: ReviewId::new(),
                contract_id: contract.id,
                reviewer_user_id: user.id,
                reviewee_user_id: reviewee,
                reviewer_type: Some(side),
                overall_rating: input.overall_rating,
                communication_rating: input.communication_rating,
                quality_rating: input.quality_rating,
                professionalism_rating: input.professionalism_rating,
                value_rating: input.value_rating,
                title: input.title.clone(),
                comment: input.comment.clone(),
                response_text: None,
                response_at: None,
                is_public: true,
                is_featured: false,
                flagged: false,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            let mut changes = ChangeSet::new();
            let stars = review.overall_rating;
            match side {
                ReviewerType::Client => {
                    let mut p = creator.clone();
                    (p.total_reviews, p.rating_sum, p.average_rating) =
                        with_one_more(p.total_reviews, p.rating_sum, stars)?;
                    p.updated_at = now;
                    changes.update_from(&creator, &p);
                }
                ReviewerType::Creator => {
                    let mut p = client.clone();
                    (p.total_reviews, p.rating_sum, p.average_rating) =
                        with_one_more(p.total_reviews, p.rating_sum, stars)?;
                    p.updated_at = now;
                    changes.update_from(&client, &p);
                }
            }
            changes.insert(review.clone());
            changes.insert(self.audit(
                ctx,
                "review",
                review.id.as_uuid(),
                "create",
                None::<&()>,
                Some(&review),
            )?);
            self.plan_notices_known(
                ctx,
                &mut changes,
                [Notice::new(
                    reviewee,
                    NotificationKind::Review,
                    "New review",
                    format!(
                        "{} stars for {}",
                        review.overall_rating.get(),
                        contract.title.as_str()
                    ),
                )
                .about("review", review.id.as_uuid())],
                &[(reviewee, reviewee_saved.as_ref())],
            )
            .await?;
            Ok((changes, review))
        });
        reviewed.map_err(|e| match e {
            Error::AlreadyExists {
                entity: "reviews",
                key,
            } if key == "reviews_unique" => Error::AlreadyExists {
                entity: "review",
                key: "contract_id, reviewer_user_id".into(),
            },
            other => other,
        })
    }

    /// The reviewee's one public reply to a review about them.
    pub async fn reply_to_review(&self, ctx: &Ctx, review: ReviewId, text: &str) -> Result<Review> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 5_000 {
            return Err(Error::validation(
                "response_text",
                "must have 1 to 5000 characters",
            ));
        }
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let mut review = self
                .store()
                .reviews()
                .get_by_id(review)
                .await?
                .filter(|r| r.reviewee_user_id == user.id)
                .ok_or(Error::not_found("review"))?;
            if review.response_text.is_some() {
                return Err(Error::AlreadyExists {
                    entity: "review_response",
                    key: "review_id".into(),
                });
            }
            let old = review.clone();
            review.response_text = Some(text.to_string());
            review.response_at = Some(self.now());
            review.updated_at = self.now();
            let mut changes = ChangeSet::new();
            changes.update_from(&old, &review);
            changes.insert(self.audit_update(
                ctx,
                "review",
                review.id.as_uuid(),
                "reply",
                &old,
                &review,
            )?);
            review.version += 1;
            Ok((changes, review))
        })
    }

    /// Public reviews about a user, newest first.
    pub async fn list_reviews_of_user(&self, user: UserId) -> Result<Vec<Review>> {
        Ok(self
            .store()
            .reviews()
            .list_by_reviewee_user_id(user)
            .await?
            .into_iter()
            .filter(|r| r.is_public)
            .collect())
    }

    /// The reviews of a contract, for its parties.
    pub async fn list_contract_reviews(
        &self,
        ctx: &Ctx,
        contract: ContractId,
    ) -> Result<Vec<Review>> {
        let user = self.acting_user(ctx).await?;
        let (contract, _) = self.contract_party(user.id, contract).await?;
        self.store()
            .reviews()
            .list_by_contract_id(contract.id)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_rounds_half_up_to_two_places() {
        let r = |n| Rating::parse(n).expect("valid");
        assert_eq!(average_rating([]), Decimal::ZERO);
        assert_eq!(average_rating([r(5), r(4), r(4)]), Decimal::new(433, 2));
        assert_eq!(average_rating([r(5), r(4)]), Decimal::new(450, 2));
        assert_eq!(average_rating([r(1), r(2), r(2)]), Decimal::new(167, 2));
    }

    #[test]
    fn a_review_past_the_counters_range_is_refused() {
        let five = Rating::parse(5).expect("valid");
        assert!(with_one_more(i32::MAX, 5, five).is_err());
        assert!(with_one_more(1, i64::MAX, five).is_err());
    }

    proptest::proptest! {
        /// Reviews counted one at a time give the average of all of them,
        /// exactly as recomputing from every review would.
        #[test]
        fn the_running_sum_gives_the_average_of_every_review(
            stars in proptest::collection::vec(1u8..=5, 0..300),
        ) {
            let ratings: Vec<Rating> = stars
                .iter()
                .map(|s| Rating::parse(i32::from(*s)).expect("1 to 5"))
                .collect();
            let (mut total, mut sum, mut average) = (0, 0, Decimal::ZERO);
            for r in &ratings {
                (total, sum, average) = with_one_more(total, sum, *r).expect("in range");
            }
            proptest::prop_assert_eq!(usize::try_from(total).expect("positive"), ratings.len());
            proptest::prop_assert_eq!(sum, stars.iter().map(|s| i64::from(*s)).sum::<i64>());
            proptest::prop_assert_eq!(average, average_rating(ratings.iter().copied()));
        }
    }
}
