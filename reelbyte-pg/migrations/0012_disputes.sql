-- 12 disputes and support (plan section 12).
CREATE TABLE disputes (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    contract_id UUID NOT NULL REFERENCES contracts(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    raised_by_user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,

    dispute_type VARCHAR(50) CHECK (dispute_type IN ('quality', 'payment', 'timeline', 'scope', 'other')),

    title VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    evidence_urls JSONB,

    status VARCHAR(20) DEFAULT 'open' CHECK (status IN ('open', 'under_review', 'resolved', 'escalated', 'closed')),

    resolution TEXT,
    resolved_by_user_id UUID REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,

    created_at TIMESTAMPTZ DEFAULT NOW(),
    resolved_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_disputes_contract_id ON disputes(contract_id);
CREATE INDEX idx_disputes_status ON disputes(status);
CREATE INDEX idx_disputes_raised_by ON disputes(raised_by_user_id);
-- At most one unresolved dispute per contract.
CREATE UNIQUE INDEX idx_disputes_open_contract ON disputes(contract_id)
    WHERE status IN ('open', 'under_review', 'escalated');

CREATE TABLE support_tickets (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,

    category VARCHAR(50) NOT NULL,
    priority VARCHAR(20) DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),

    subject VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    attachments JSONB,

    status VARCHAR(20) DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed')),

    assigned_to_user_id UUID REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    resolved_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_support_tickets_user_id ON support_tickets(user_id);
CREATE INDEX idx_support_tickets_status ON support_tickets(status);
CREATE INDEX idx_support_tickets_assigned ON support_tickets(assigned_to_user_id);
