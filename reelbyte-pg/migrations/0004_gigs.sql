-- 04 gigs (plan section 4). Each price carries its currency.
CREATE TABLE gigs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_profile_id UUID NOT NULL REFERENCES creator_profiles(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    title VARCHAR(200) NOT NULL,
    slug VARCHAR(250) UNIQUE NOT NULL,
    description TEXT NOT NULL,

    basic_price DECIMAL(10, 2) NOT NULL,
    basic_price_currency VARCHAR(3) NOT NULL DEFAULT 'USD',
    basic_description TEXT,
    basic_delivery_days INTEGER NOT NULL,
    basic_revisions INTEGER DEFAULT 0,

    standard_price DECIMAL(10, 2),
    standard_price_currency VARCHAR(3),
    standard_description TEXT,
    standard_delivery_days INTEGER,
    standard_revisions INTEGER,

    premium_price DECIMAL(10, 2),
    premium_price_currency VARCHAR(3),
    premium_description TEXT,
    premium_delivery_days INTEGER,
    premium_revisions INTEGER,

    category VARCHAR(50) NOT NULL,
    subcategory VARCHAR(50),
    video_type VARCHAR(50),

    thumbnail_url TEXT,
    video_samples JSONB,

    requirements TEXT,

    view_count INTEGER DEFAULT 0,
    order_count INTEGER DEFAULT 0,
    favorite_count INTEGER DEFAULT 0,

    status VARCHAR(20) DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'deleted')),

    search_tags TEXT[],

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    published_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0,
    CHECK ((standard_price IS NULL) = (standard_price_currency IS NULL)),
    CHECK ((premium_price IS NULL) = (premium_price_currency IS NULL))
);

CREATE INDEX idx_gigs_creator_id ON gigs(creator_profile_id);
CREATE INDEX idx_gigs_status ON gigs(status);
CREATE INDEX idx_gigs_category ON gigs(category);
CREATE INDEX idx_gigs_slug ON gigs(slug);
CREATE INDEX idx_gigs_published_at ON gigs(published_at DESC) WHERE status = 'active';
CREATE INDEX idx_gigs_search_tags ON gigs USING GIN(search_tags);
CREATE INDEX idx_gigs_full_text ON gigs USING GIN(to_tsvector('english', title || ' ' || description));
CREATE INDEX idx_gigs_category_creator ON gigs(category, creator_profile_id, created_at DESC) WHERE status = 'active';
CREATE INDEX idx_gigs_active_only ON gigs(created_at DESC) WHERE status = 'active';
