-- 08 messaging (plan section 8). `messages` is partitioned by month (plan,
-- "Time-based partitioning"), so its primary key includes `created_at`.
CREATE TABLE conversations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),

    job_id UUID REFERENCES jobs(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    contract_id UUID REFERENCES contracts(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,

    conversation_type VARCHAR(20) DEFAULT 'direct' CHECK (conversation_type IN ('direct', 'job_inquiry', 'contract_discussion')),

    last_message_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_conversations_job_id ON conversations(job_id);
CREATE INDEX idx_conversations_contract_id ON conversations(contract_id);
CREATE INDEX idx_conversations_last_message ON conversations(last_message_at DESC);

CREATE TABLE conversation_participants (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id UUID NOT NULL REFERENCES conversations(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,

    is_muted BOOLEAN DEFAULT FALSE,
    is_archived BOOLEAN DEFAULT FALSE,

    last_read_at TIMESTAMPTZ,
    unread_count INTEGER DEFAULT 0,

    joined_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_conversation_participants_conversation_id ON conversation_participants(conversation_id);
CREATE INDEX idx_conversation_participants_user_id ON conversation_participants(user_id);
CREATE UNIQUE INDEX idx_conversation_participants_unique ON conversation_participants(conversation_id, user_id);

CREATE TABLE messages (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    conversation_id UUID NOT NULL REFERENCES conversations(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    sender_user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,

    message_type VARCHAR(20) DEFAULT 'text' CHECK (message_type IN ('text', 'file', 'video', 'image', 'system')),
    content TEXT NOT NULL,

    attachments JSONB,

    is_edited BOOLEAN DEFAULT FALSE,
    is_deleted BOOLEAN DEFAULT FALSE,

    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    edited_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

CREATE TABLE messages_default PARTITION OF messages DEFAULT;

CREATE INDEX idx_messages_id ON messages(id);
CREATE INDEX idx_messages_conversation_id ON messages(conversation_id, created_at DESC);
CREATE INDEX idx_messages_sender_id ON messages(sender_user_id);
CREATE INDEX idx_messages_conversation_unread ON messages(conversation_id, created_at DESC) WHERE is_deleted = FALSE;

-- Creates the monthly partitions of `parent` (`messages` or `audit_logs`)
-- for `months` months from the month of `start`; existing ones are kept.
-- Rows already in the default partition for a new month are moved into it.
CREATE FUNCTION create_monthly_partitions(parent TEXT, start DATE, months INTEGER)
RETURNS INTEGER AS $$
DECLARE
    first_day DATE := date_trunc('month', start)::date;
    lower_bound DATE;
    upper_bound DATE;
    part TEXT;
    created INTEGER := 0;
BEGIN
    IF parent NOT IN ('messages', 'audit_logs') THEN
        RAISE EXCEPTION 'create_monthly_partitions: % is not partitioned by month', parent;
    END IF;
    FOR i IN 0 .. months - 1 LOOP
        lower_bound := (first_day + make_interval(months => i))::date;
        upper_bound := (lower_bound + interval '1 month')::date;
        part := format('%s_%s', parent, to_char(lower_bound, 'YYYY_MM'));
        IF to_regclass(part) IS NULL THEN
            EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
            EXECUTE format(
                'WITH moved AS (DELETE FROM %I WHERE created_at >= %L AND created_at < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                parent || '_default', lower_bound, upper_bound, part);
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                parent, part, lower_bound, upper_bound);
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END;
$$ LANGUAGE plpgsql;

SELECT create_monthly_partitions('messages', CURRENT_DATE, 3);
