//! Conformance behaviours: reviews and rating figures.

use crate::enums::ReviewerType;
use crate::error::Error;
use crate::service::ReviewInput;
use crate::testing::contracts::{active_gig_contract, deliver_and_approve};
use crate::testing::{StoreFactory, TestEnv};
use crate::value::Rating;

/// A review of `stars` stars with a quality rating and a comment.
pub(crate) fn review(stars: i32) -> ReviewInput {
    ReviewInput {
        overall_rating: Rating::parse(stars).expect("valid"),
        communication_rating: None,
        quality_rating: Some(Rating::parse(stars).expect("valid")),
        professionalism_rating: None,
        value_rating: None,
        title: None,
        comment: Some("Worked well together.".into()),
    }
}

/// Both sides review after completion; ratings and totals follow the reviews;
/// one review per reviewer per contract; one reply by the reviewee.
pub async fn both_sides_review_a_completed_contract(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_gig_contract(&env).await;
    let early = env
        .refused(env.market.leave_review(&client.ctx, id, review(5)))
        .await;
    assert!(
        matches!(
            early,
            Error::Rule {
                rule: "contract_not_completed",
                ..
            }
        ),
        "{early}"
    );
    deliver_and_approve(&env, &creator, &client, id).await;
    let about_creator = env
        .market
        .leave_review(&client.ctx, id, review(4))
        .await
        .expect("client reviews");
    assert_eq!(about_creator.reviewer_type, Some(ReviewerType::Client));
    env.market
        .leave_review(&creator.ctx, id, review(5))
        .await
        .expect("creator reviews");
    let dup = env
        .refused(env.market.leave_review(&client.ctx, id, review(1)))
        .await;
    // The unique key refuses it; callers see the review's own vocabulary.
    assert!(
        matches!(
            &dup,
            Error::AlreadyExists { entity: "review", key } if key == "contract_id, reviewer_user_id"
        ),
        "{dup}"
    );
    let stranger = env.client().await;
    let err = env
        .refused(env.market.leave_review(&stranger.ctx, id, review(1)))
        .await;
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    let profile = env
        .store
        .creators()
        .get_by_id(creator.creator_id())
        .await
        .expect("read")
        .expect("p");
    assert_eq!(
        (profile.total_reviews, profile.average_rating),
        (1, rust_decimal::Decimal::new(400, 2))
    );
    let reply = env
        .market
        .reply_to_review(&creator.ctx, about_creator.id, "Thank you!")
        .await
        .expect("reply");
    assert!(reply.response_text.is_some());
    let again = env
        .refused(
            env.market
                .reply_to_review(&creator.ctx, about_creator.id, "Again"),
        )
        .await;
    assert!(matches!(again, Error::AlreadyExists { .. }), "{again}");
    let not_mine = env
        .refused(
            env.market
                .reply_to_review(&client.ctx, about_creator.id, "Hi"),
        )
        .await;
    assert!(matches!(not_mine, Error::NotFound { .. }), "{not_mine}");
    env.check_invariants().await;
}

/// Reviews close when the review window passes.
pub async fn reviews_close_after_the_window(factory: &StoreFactory) {
    let env = TestEnv::new(factory).await;
    let (creator, client, id) = active_gig_contract(&env).await;
    deliver_and_approve(&env, &creator, &client, id).await;
    env.clock.advance(chrono::Duration::days(15));
    let err = env
        .refused(env.market.leave_review(&client.ctx, id, review(5)))
        .await;
    assert!(
        matches!(
            err,
            Error::Rule {
                rule: "review_window_closed",
                ..
            }
        ),
        "{err}"
    );
}

/// Stamps this area's behaviours.
#[doc(hidden)]
#[macro_export]
macro_rules! conformance_area_reviews {
    ($factory:expr) => {
        $crate::stamp_conformance_tests!($factory, reviews;
            both_sides_review_a_completed_contract,
            reviews_close_after_the_window,
        );
    };
}
