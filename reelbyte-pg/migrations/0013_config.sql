-- 13 platform configuration (plan section 13). Fee amounts carry their
-- currency in `<column>_currency`.
CREATE TABLE platform_settings (
    key VARCHAR(100) PRIMARY KEY,
    value JSONB NOT NULL,
    description TEXT,
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE fee_structure (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),

    tier_name VARCHAR(50) NOT NULL,
    min_amount DECIMAL(10, 2) NOT NULL,
    min_amount_currency VARCHAR(3) NOT NULL DEFAULT 'USD',
    max_amount DECIMAL(10, 2),
    max_amount_currency VARCHAR(3),

    platform_fee_percentage DECIMAL(5, 2) NOT NULL,
    processing_fee_percentage DECIMAL(5, 2) NOT NULL,
    fixed_fee DECIMAL(10, 2) DEFAULT 0,
    fixed_fee_currency VARCHAR(3) NOT NULL DEFAULT 'USD',

    effective_from TIMESTAMPTZ NOT NULL,
    effective_until TIMESTAMPTZ,

    created_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0,
    CHECK ((max_amount IS NULL) = (max_amount_currency IS NULL))
);

CREATE INDEX idx_fee_structure_effective ON fee_structure(effective_from, effective_until);
