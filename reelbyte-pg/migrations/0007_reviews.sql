-- 07 reviews (plan section 7).
CREATE TABLE reviews (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    contract_id UUID NOT NULL REFERENCES contracts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,

    reviewer_user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    reviewee_user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    reviewer_type VARCHAR(10) CHECK (reviewer_type IN ('client', 'creator')),

    overall_rating INTEGER NOT NULL CHECK (overall_rating BETWEEN 1 AND 5),

    communication_rating INTEGER CHECK (communication_rating BETWEEN 1 AND 5),
    quality_rating INTEGER CHECK (quality_rating BETWEEN 1 AND 5),
    professionalism_rating INTEGER CHECK (professionalism_rating BETWEEN 1 AND 5),
    value_rating INTEGER CHECK (value_rating BETWEEN 1 AND 5),

    title VARCHAR(200),
    comment TEXT,

    response_text TEXT,
    response_at TIMESTAMPTZ,

    is_public BOOLEAN DEFAULT TRUE,
    is_featured BOOLEAN DEFAULT FALSE,
    flagged BOOLEAN DEFAULT FALSE,

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_reviews_contract_id ON reviews(contract_id);
CREATE INDEX idx_reviews_reviewer_id ON reviews(reviewer_user_id);
CREATE INDEX idx_reviews_reviewee_id ON reviews(reviewee_user_id);
CREATE INDEX idx_reviews_rating ON reviews(overall_rating);
CREATE UNIQUE INDEX idx_reviews_unique ON reviews(contract_id, reviewer_user_id);
