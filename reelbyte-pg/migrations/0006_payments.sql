-- 06 payments (plan section 6), plus the library's double-entry ledger
-- postings, the escrow's refunded amount and idempotency keys.
CREATE TABLE payment_methods (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,

    provider VARCHAR(50) NOT NULL,
    provider_payment_method_id VARCHAR(255) NOT NULL,

    type VARCHAR(20) CHECK (type IN ('card', 'bank_account', 'paypal', 'crypto')),

    last_four VARCHAR(4),
    brand VARCHAR(50),
    expiry_month INTEGER,
    expiry_year INTEGER,

    is_default BOOLEAN DEFAULT FALSE,
    is_verified BOOLEAN DEFAULT FALSE,

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_payment_methods_user_id ON payment_methods(user_id);
CREATE INDEX idx_payment_methods_default ON payment_methods(user_id, is_default);
CREATE UNIQUE INDEX idx_payment_methods_one_default ON payment_methods(user_id) WHERE is_default;

CREATE TABLE payout_methods (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_profile_id UUID NOT NULL REFERENCES creator_profiles(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,

    type VARCHAR(20) CHECK (type IN ('bank_transfer', 'paypal', 'stripe', 'crypto')),

    provider VARCHAR(50) NOT NULL,
    provider_account_id VARCHAR(255) NOT NULL,

    account_name VARCHAR(200),
    last_four VARCHAR(4),

    is_default BOOLEAN DEFAULT FALSE,
    is_verified BOOLEAN DEFAULT FALSE,

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_payout_methods_creator_id ON payout_methods(creator_profile_id);
CREATE UNIQUE INDEX idx_payout_methods_one_default ON payout_methods(creator_profile_id) WHERE is_default;

CREATE TABLE transactions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),

    payer_user_id UUID REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    payee_user_id UUID REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,

    contract_id UUID REFERENCES contracts(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    milestone_id UUID REFERENCES milestones(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,

    transaction_type VARCHAR(50) NOT NULL CHECK (transaction_type IN (
        'payment', 'refund', 'payout', 'escrow_hold', 'escrow_release',
        'platform_fee', 'tip', 'adjustment'
    )),

    amount DECIMAL(10, 2) NOT NULL,
    currency VARCHAR(3) DEFAULT 'USD',

    platform_fee DECIMAL(10, 2) DEFAULT 0,
    processing_fee DECIMAL(10, 2) DEFAULT 0,
    net_amount DECIMAL(10, 2) NOT NULL,

    payment_provider VARCHAR(50),
    provider_transaction_id VARCHAR(255),
    payment_method_id UUID REFERENCES payment_methods(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,

    status VARCHAR(20) DEFAULT 'pending' CHECK (status IN (
        'pending', 'processing', 'completed', 'failed', 'refunded', 'cancelled'
    )),

    description TEXT,
    metadata JSONB,

    created_at TIMESTAMPTZ DEFAULT NOW(),
    completed_at TIMESTAMPTZ,
    failed_at TIMESTAMPTZ,
    error_message TEXT,
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_transactions_payer_id ON transactions(payer_user_id);
CREATE INDEX idx_transactions_payee_id ON transactions(payee_user_id);
CREATE INDEX idx_transactions_contract_id ON transactions(contract_id);
CREATE INDEX idx_transactions_status ON transactions(status);
CREATE INDEX idx_transactions_type ON transactions(transaction_type);
CREATE INDEX idx_transactions_created_at ON transactions(created_at DESC);
CREATE INDEX idx_transactions_user_recent ON transactions(payer_user_id, created_at DESC, status);
CREATE INDEX idx_transactions_pending ON transactions(created_at DESC) WHERE status IN ('pending', 'processing');
-- One live charge into escrow per contract.
CREATE UNIQUE INDEX idx_transactions_escrow_hold_contract ON transactions(contract_id)
    WHERE transaction_type = 'escrow_hold' AND status IN ('pending', 'processing', 'completed');

-- Library addition: the double-entry ledger. Postings are signed; the
-- postings of one transaction sum to zero per currency (checked at commit).
CREATE TABLE ledger_postings (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    transaction_id UUID NOT NULL REFERENCES transactions(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,
    account VARCHAR(100) NOT NULL,
    amount DECIMAL(12, 2) NOT NULL,
    currency VARCHAR(3) NOT NULL DEFAULT 'USD',
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_ledger_postings_transaction_id ON ledger_postings(transaction_id);
CREATE INDEX idx_ledger_postings_account ON ledger_postings(account, created_at);

CREATE FUNCTION ledger_postings_check_balanced() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM ledger_postings
        WHERE transaction_id = NEW.transaction_id
        GROUP BY currency
        HAVING SUM(amount) <> 0
    ) THEN
        RAISE EXCEPTION 'ledger postings of transaction % do not balance', NEW.transaction_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_postings_balanced';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_postings_balanced
AFTER INSERT OR UPDATE ON ledger_postings
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION ledger_postings_check_balanced();

CREATE TABLE escrow_accounts (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    contract_id UUID UNIQUE NOT NULL REFERENCES contracts(id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,

    total_amount DECIMAL(10, 2) NOT NULL,
    held_amount DECIMAL(10, 2) NOT NULL,
    released_amount DECIMAL(10, 2) DEFAULT 0,
    refunded_amount DECIMAL(10, 2) NOT NULL DEFAULT 0,
    currency VARCHAR(3) NOT NULL DEFAULT 'USD',

    status VARCHAR(20) DEFAULT 'active' CHECK (status IN ('active', 'releasing', 'released', 'refunding', 'refunded')),

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT escrow_accounts_held_non_negative CHECK (held_amount >= 0),
    CONSTRAINT escrow_accounts_balanced CHECK (total_amount = held_amount + released_amount + refunded_amount)
);

CREATE INDEX idx_escrow_accounts_contract_id ON escrow_accounts(contract_id);
CREATE INDEX idx_escrow_accounts_status ON escrow_accounts(status);

-- Library addition: the first outcome of a command, per actor and key.
CREATE TABLE idempotency_keys (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    actor_user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    key TEXT NOT NULL,
    command TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX idx_idempotency_actor_key ON idempotency_keys(actor_user_id, key);
CREATE INDEX idx_idempotency_keys_created_at ON idempotency_keys(created_at);
