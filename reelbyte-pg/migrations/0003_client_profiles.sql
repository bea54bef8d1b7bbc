-- 03 client profiles (plan section 3).
CREATE TABLE client_profiles (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID UNIQUE NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    company_name VARCHAR(200) NOT NULL,
    company_logo_url TEXT,
    industry VARCHAR(100),
    company_size VARCHAR(50) CHECK (company_size IN ('1-10', '11-50', '51-200', '201-500', '501-1000', '1000+')),
    website_url VARCHAR(255),
    description TEXT,

    total_jobs_posted INTEGER DEFAULT 0,
    total_spent DECIMAL(12, 2) DEFAULT 0,
    total_spent_currency VARCHAR(3) NOT NULL DEFAULT 'USD',
    average_rating DECIMAL(3, 2) DEFAULT 0,
    total_reviews INTEGER DEFAULT 0,

    is_verified BOOLEAN DEFAULT FALSE,
    verified_at TIMESTAMPTZ,
    payment_verified BOOLEAN DEFAULT FALSE,

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_client_profiles_user_id ON client_profiles(user_id);
CREATE INDEX idx_client_profiles_verified ON client_profiles(is_verified);
