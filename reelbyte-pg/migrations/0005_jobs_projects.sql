-- 05 jobs, proposals, contracts, deliverables, milestones (plan section 5).
-- Contracts keep one currency for all their amounts; the library adds
-- `processing_fee`, `fee_tier_id`, `gig_tier` and `revisions_allowed`.
CREATE TABLE jobs (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    client_profile_id UUID NOT NULL REFERENCES client_profiles(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    title VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,

    category VARCHAR(50) NOT NULL,
    video_type VARCHAR(50),
    video_duration_preference VARCHAR(50),
    platform_preference VARCHAR(50),

    budget_type VARCHAR(20) CHECK (budget_type IN ('fixed', 'hourly', 'range')),
    budget_min DECIMAL(10, 2),
    budget_min_currency VARCHAR(3),
    budget_max DECIMAL(10, 2),
    budget_max_currency VARCHAR(3),

    deadline_date DATE,
    estimated_duration_days INTEGER,

    required_skills TEXT[],
    experience_level VARCHAR(20) CHECK (experience_level IN ('entry', 'intermediate', 'expert', 'any')),

    attachments JSONB,

    view_count INTEGER DEFAULT 0,
    proposal_count INTEGER DEFAULT 0,

    status VARCHAR(20) DEFAULT 'open' CHECK (status IN ('draft', 'open', 'in_progress', 'completed', 'cancelled', 'closed')),

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    published_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0,
    CHECK ((budget_min IS NULL) = (budget_min_currency IS NULL)),
    CHECK ((budget_max IS NULL) = (budget_max_currency IS NULL))
);

CREATE INDEX idx_jobs_client_id ON jobs(client_profile_id);
CREATE INDEX idx_jobs_status ON jobs(status);
CREATE INDEX idx_jobs_category ON jobs(category);
CREATE INDEX idx_jobs_published_at ON jobs(published_at DESC) WHERE status = 'open';
CREATE INDEX idx_jobs_required_skills ON jobs USING GIN(required_skills);
CREATE INDEX idx_jobs_full_text ON jobs USING GIN(to_tsvector('english', title || ' ' || description));
CREATE INDEX idx_jobs_budget_range ON jobs(category, budget_min, budget_max, published_at DESC) WHERE status = 'open';
CREATE INDEX idx_jobs_open_only ON jobs(published_at DESC) WHERE status = 'open';

CREATE TABLE proposals (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    job_id UUID NOT NULL REFERENCES jobs(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    creator_profile_id UUID NOT NULL REFERENCES creator_profiles(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,

    cover_letter TEXT NOT NULL,
    proposed_budget DECIMAL(10, 2) NOT NULL,
    currency VARCHAR(3) NOT NULL DEFAULT 'USD',
    proposed_timeline_days INTEGER NOT NULL,

    attachments JSONB,
    portfolio_samples JSONB,

    status VARCHAR(20) DEFAULT 'pending' CHECK (status IN ('pending', 'shortlisted', 'accepted', 'rejected', 'withdrawn')),

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    reviewed_at TIMESTAMPTZ,
    accepted_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_proposals_job_id ON proposals(job_id);
CREATE INDEX idx_proposals_creator_id ON proposals(creator_profile_id);
CREATE INDEX idx_proposals_status ON proposals(status);
CREATE UNIQUE INDEX idx_proposals_unique ON proposals(job_id, creator_profile_id);

CREATE TABLE contracts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    job_id UUID REFERENCES jobs(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    proposal_id UUID REFERENCES proposals(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    gig_id UUID REFERENCES gigs(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,

    client_profile_id UUID NOT NULL REFERENCES client_profiles(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,
    creator_profile_id UUID NOT NULL REFERENCES creator_profiles(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,

    title VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    scope_of_work TEXT NOT NULL,

    total_amount DECIMAL(10, 2) NOT NULL,
    platform_fee DECIMAL(10, 2) NOT NULL,
    creator_payout DECIMAL(10, 2) NOT NULL,
    processing_fee DECIMAL(10, 2) NOT NULL DEFAULT 0,
    currency VARCHAR(3) NOT NULL DEFAULT 'USD',
    -- No foreign key: the built-in default schedule has no fee_structure row.
    fee_tier_id UUID,
    gig_tier VARCHAR(20) CHECK (gig_tier IN ('basic', 'standard', 'premium')),
    revisions_allowed INTEGER,

    start_date DATE NOT NULL,
    deadline_date DATE NOT NULL,
    estimated_hours INTEGER,

    deliverable_description TEXT,
    revision_count INTEGER DEFAULT 0,

    status VARCHAR(20) DEFAULT 'pending_acceptance' CHECK (status IN (
        'pending_acceptance', 'active', 'in_review',
        'revision_requested', 'completed', 'cancelled', 'disputed'
    )),

    created_at TIMESTAMPTZ DEFAULT NOW(),
    accepted_at TIMESTAMPTZ,
    started_at TIMESTAMPTZ,
    submitted_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0,
    -- The platform fee includes the processing fee (see `reelbyte_core::fees`).
    CONSTRAINT contracts_fee_split CHECK (platform_fee + creator_payout = total_amount),
    CONSTRAINT contracts_processing_fee_within_platform_fee CHECK (processing_fee >= 0 AND processing_fee <= platform_fee)
);

CREATE INDEX idx_contracts_client_id ON contracts(client_profile_id);
CREATE INDEX idx_contracts_creator_id ON contracts(creator_profile_id);
CREATE INDEX idx_contracts_status ON contracts(status);
CREATE INDEX idx_contracts_job_id ON contracts(job_id);
CREATE INDEX idx_contracts_deadline ON contracts(deadline_date);
CREATE INDEX idx_contracts_user_active ON contracts(creator_profile_id, status, deadline_date) WHERE status IN ('active', 'in_review');
CREATE INDEX idx_contracts_client_active ON contracts(client_profile_id, status, deadline_date) WHERE status IN ('active', 'in_review');
-- One contract per accepted proposal.
CREATE UNIQUE INDEX idx_contracts_proposal_id ON contracts(proposal_id);

CREATE TABLE deliverables (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    contract_id UUID NOT NULL REFERENCES contracts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    version_number INTEGER NOT NULL DEFAULT 1,

    title VARCHAR(200),
    description TEXT,
    video_urls JSONB NOT NULL,
    file_urls JSONB,

    status VARCHAR(20) DEFAULT 'submitted' CHECK (status IN ('submitted', 'under_review', 'approved', 'revision_requested', 'rejected')),

    client_feedback TEXT,
    revision_notes TEXT,

    created_at TIMESTAMPTZ DEFAULT NOW(),
    reviewed_at TIMESTAMPTZ,
    approved_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_deliverables_contract_id ON deliverables(contract_id);
CREATE INDEX idx_deliverables_status ON deliverables(status);
CREATE UNIQUE INDEX idx_deliverables_version ON deliverables(contract_id, version_number);

CREATE TABLE milestones (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    contract_id UUID NOT NULL REFERENCES contracts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    title VARCHAR(200) NOT NULL,
    description TEXT,
    amount DECIMAL(10, 2) NOT NULL,
    currency VARCHAR(3) NOT NULL DEFAULT 'USD',
    due_date DATE,
    sequence_order INTEGER NOT NULL,

    status VARCHAR(20) DEFAULT 'pending' CHECK (status IN ('pending', 'in_progress', 'submitted', 'approved', 'paid')),

    created_at TIMESTAMPTZ DEFAULT NOW(),
    submitted_at TIMESTAMPTZ,
    approved_at TIMESTAMPTZ,
    paid_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_milestones_contract_id ON milestones(contract_id);
CREATE INDEX idx_milestones_status ON milestones(status);
CREATE UNIQUE INDEX idx_milestones_sequence ON milestones(contract_id, sequence_order);
