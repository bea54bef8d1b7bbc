-- 17 running rating sums (plan sections 2 and 3: denormalised review figures).
--
-- A new review used to read every earlier review of the reviewee to
-- recompute `average_rating`, O(reviews) per review. Profiles now keep the
-- sum of the overall stars that `total_reviews` counts, so a review moves
-- `total_reviews`, `rating_sum` and `average_rating` from the profile alone.
-- Existing profiles get their sums from the reviews already stored.
ALTER TABLE creator_profiles ADD COLUMN rating_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE client_profiles ADD COLUMN rating_sum BIGINT NOT NULL DEFAULT 0;

UPDATE creator_profiles p
SET rating_sum = s.stars
FROM (
    SELECT reviewee_user_id, sum(overall_rating) AS stars
    FROM reviews
    WHERE reviewer_type = 'client'
    GROUP BY reviewee_user_id
) s
WHERE s.reviewee_user_id = p.user_id;

UPDATE client_profiles p
SET rating_sum = s.stars
FROM (
    SELECT reviewee_user_id, sum(overall_rating) AS stars
    FROM reviews
    WHERE reviewer_type = 'creator'
    GROUP BY reviewee_user_id
) s
WHERE s.reviewee_user_id = p.user_id;
