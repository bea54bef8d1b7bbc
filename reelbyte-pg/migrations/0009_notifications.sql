-- 09 notifications (plan section 9), plus the library's outbox of emails
-- and pushes waiting for delivery.
CREATE TABLE notifications (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,

    notification_type VARCHAR(50) NOT NULL,
    title VARCHAR(200) NOT NULL,
    message TEXT NOT NULL,

    related_entity_type VARCHAR(50),
    related_entity_id UUID,

    action_url TEXT,

    is_read BOOLEAN DEFAULT FALSE,
    read_at TIMESTAMPTZ,

    created_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_notifications_user_id ON notifications(user_id, created_at DESC);
CREATE INDEX idx_notifications_unread ON notifications(user_id, is_read) WHERE is_read = FALSE;

CREATE TABLE notification_preferences (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID UNIQUE NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,

    email_new_message BOOLEAN DEFAULT TRUE,
    email_new_job BOOLEAN DEFAULT TRUE,
    email_proposal_status BOOLEAN DEFAULT TRUE,
    email_contract_updates BOOLEAN DEFAULT TRUE,
    email_payment BOOLEAN DEFAULT TRUE,
    email_reviews BOOLEAN DEFAULT TRUE,
    email_marketing BOOLEAN DEFAULT FALSE,

    push_new_message BOOLEAN DEFAULT TRUE,
    push_contract_updates BOOLEAN DEFAULT TRUE,
    push_payment BOOLEAN DEFAULT TRUE,

    inapp_enabled BOOLEAN DEFAULT TRUE,

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE notification_outbox (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    channel VARCHAR(10) NOT NULL CHECK (channel IN ('email', 'push')),
    notification_type TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    notification_id UUID REFERENCES notifications(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    delivered_at TIMESTAMPTZ,
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_notification_outbox_user_id ON notification_outbox(user_id, created_at);
CREATE INDEX idx_notification_outbox_undelivered ON notification_outbox(created_at) WHERE delivered_at IS NULL;
