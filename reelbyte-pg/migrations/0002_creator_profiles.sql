-- 02 creator profiles (plan section 2). Money columns carry their currency
-- in a `<column>_currency` column; `contracts_closed` and
-- `on_time_completions` are the library's counters behind the rates.
CREATE TABLE creator_profiles (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID UNIQUE NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    display_name VARCHAR(100) NOT NULL,
    tagline VARCHAR(200),
    bio TEXT,
    profile_image_url TEXT,
    cover_image_url TEXT,
    portfolio_video_url TEXT,

    years_of_experience INTEGER,
    hourly_rate DECIMAL(10, 2),
    hourly_rate_currency VARCHAR(3),
    availability_status VARCHAR(20) DEFAULT 'available' CHECK (availability_status IN ('available', 'busy', 'unavailable')),
    response_time_hours INTEGER,

    total_jobs_completed INTEGER DEFAULT 0,
    total_earnings DECIMAL(12, 2) DEFAULT 0,
    total_earnings_currency VARCHAR(3) NOT NULL DEFAULT 'USD',
    success_rate DECIMAL(5, 2) DEFAULT 0,
    on_time_delivery_rate DECIMAL(5, 2) DEFAULT 0,
    average_rating DECIMAL(3, 2) DEFAULT 0,
    total_reviews INTEGER DEFAULT 0,
    contracts_closed INTEGER NOT NULL DEFAULT 0,
    on_time_completions INTEGER NOT NULL DEFAULT 0,

    is_verified BOOLEAN DEFAULT FALSE,
    verification_level VARCHAR(20) CHECK (verification_level IN ('none', 'basic', 'pro', 'elite')),
    verified_at TIMESTAMPTZ,

    instagram_handle VARCHAR(100),
    tiktok_handle VARCHAR(100),
    youtube_channel VARCHAR(255),
    website_url VARCHAR(255),

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0,
    CHECK ((hourly_rate IS NULL) = (hourly_rate_currency IS NULL))
);

CREATE INDEX idx_creator_profiles_user_id ON creator_profiles(user_id);
CREATE INDEX idx_creator_profiles_availability ON creator_profiles(availability_status);
CREATE INDEX idx_creator_profiles_verified ON creator_profiles(is_verified);
CREATE INDEX idx_creator_profiles_rating ON creator_profiles(average_rating DESC);
CREATE INDEX idx_creator_profiles_search
    ON creator_profiles(availability_status, is_verified, average_rating DESC)
    WHERE availability_status = 'available';

CREATE TABLE creator_skills (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_profile_id UUID NOT NULL REFERENCES creator_profiles(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    skill_name VARCHAR(50) NOT NULL,
    proficiency_level VARCHAR(20) CHECK (proficiency_level IN ('beginner', 'intermediate', 'expert')),
    years_experience INTEGER,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_creator_skills_profile_id ON creator_skills(creator_profile_id);
CREATE INDEX idx_creator_skills_skill_name ON creator_skills(skill_name);
CREATE INDEX idx_creator_skills_skill_name_lower ON creator_skills(lower(skill_name));
-- Case-insensitive, as the core compares skill names.
CREATE UNIQUE INDEX idx_creator_skills_unique ON creator_skills(creator_profile_id, lower(skill_name));

CREATE TABLE creator_categories (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_profile_id UUID NOT NULL REFERENCES creator_profiles(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    category VARCHAR(50) NOT NULL,
    is_primary BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_creator_categories_profile_id ON creator_categories(creator_profile_id);
CREATE INDEX idx_creator_categories_category ON creator_categories(category);
CREATE INDEX idx_creator_categories_category_lower ON creator_categories(lower(category));
CREATE UNIQUE INDEX idx_creator_categories_unique ON creator_categories(creator_profile_id, lower(category));
CREATE UNIQUE INDEX idx_creator_categories_primary ON creator_categories(creator_profile_id) WHERE is_primary;

CREATE TABLE portfolio_items (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_profile_id UUID NOT NULL REFERENCES creator_profiles(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    title VARCHAR(200) NOT NULL,
    description TEXT,
    video_url TEXT NOT NULL,
    thumbnail_url TEXT,
    video_duration_seconds INTEGER,
    view_count INTEGER DEFAULT 0,
    like_count INTEGER DEFAULT 0,

    project_type VARCHAR(50),
    platform VARCHAR(50),

    display_order INTEGER DEFAULT 0,
    is_featured BOOLEAN DEFAULT FALSE,

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_portfolio_items_creator_id ON portfolio_items(creator_profile_id);
CREATE INDEX idx_portfolio_items_featured ON portfolio_items(is_featured, display_order);
