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
    if count == 0 {
        return Decimal::ZERO;
    }
    (Decimal::from(sum) / Decimal::from(count))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
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
    /// policy's review window. The reviewee's `average_rating` and
    /// `total_reviews` are recomputed from all their reviews in the same step.
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
        command!(self, async {
            let user = self.acting_user(ctx).await?;
            let (
                ContractParties {
                    contract,
                    client,
                    creator,
                    ..
                },
                side,
            ) = self.parties_of(user.id, contract).await?;
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
            let existing = self
                .store()
                .reviews()
                .list_by_contract_id(contract.id)
                .await?;
            if existing.iter().any(|r| r.reviewer_user_id == user.id) {
                return Err(Error::AlreadyExists {
                    entity: "review",
                    key: "contract_id, reviewer_user_id".into(),
                });
            }
            let reviewee = match side {
                ReviewerType::Client => creator.user_id,
                ReviewerType::Creator => client.user_id,
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
            let mut ratings: Vec<Rating> = self
                .store()
                .reviews()
                .list_by_reviewee_user_id(reviewee)
                .await?
                .iter()
                .filter(|r| r.reviewer_type == Some(side))
                .map(|r| r.overall_rating)
                .collect();
            ratings.push(review.overall_rating);
            let total = i32::try_from(ratings.len())
                .map_err(|_| Error::validation("reviews", "too many"))?;
            let average = average_rating(ratings);
            match side {
                ReviewerType::Client => {
                    let mut profile = creator;
                    profile.total_reviews = total;
                    profile.average_rating = average;
                    profile.updated_at = now;
                    changes.update(&profile);
                }
                ReviewerType::Creator => {
                    let mut profile = client;
                    profile.total_reviews = total;
                    profile.average_rating = average;
                    profile.updated_at = now;
                    changes.update(&profile);
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
            self.plan_notice(
                ctx,
                &mut changes,
                Notice::new(
                    reviewee,
                    NotificationKind::Review,
                    "New review",
                    format!(
                        "{} stars for {}",
                        review.overall_rating.get(),
                        contract.title.as_str()
                    ),
                )
                .about("review", review.id.as_uuid()),
            )
            .await?;
            Ok((changes, review))
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
            changes.update(&review);
            changes.insert(self.audit(
                ctx,
                "review",
                review.id.as_uuid(),
                "reply",
                Some(&old),
                Some(&review),
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
}
