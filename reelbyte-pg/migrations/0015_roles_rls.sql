-- Access control (plan, "Row-level security" and "Database access control").
--
-- `reelbyte_app` is the application role: no BYPASSRLS, owns no table, so
-- the policies below apply to it. The acting user is set per transaction
-- with `set_config('app.user_id', <uuid>, true)`; when it is unset,
-- `app_user_id()` is NULL and the policies match no row.
-- `reelbyte_readonly` reads everything (analytics) and writes nothing.
-- Roles are cluster-wide: create them only once. No passwords here: grant
-- LOGIN and set a password out of band.
-- Databases migrated concurrently (one per test) may race to create them:
-- the loser's duplicate is ignored.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reelbyte_app') THEN
        BEGIN
            CREATE ROLE reelbyte_app NOLOGIN NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reelbyte_readonly') THEN
        BEGIN
            CREATE ROLE reelbyte_readonly NOLOGIN NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO reelbyte_app, reelbyte_readonly;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO reelbyte_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO reelbyte_app;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO reelbyte_readonly;

CREATE FUNCTION app_user_id() RETURNS UUID AS $$
    SELECT NULLIF(current_setting('app.user_id', true), '')::uuid
$$ LANGUAGE sql STABLE;

-- Creators see and edit their own profile; signed-in users see the
-- profiles of active users.
ALTER TABLE creator_profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY creator_own_profile ON creator_profiles
    FOR ALL TO reelbyte_app
    USING (user_id = app_user_id());
CREATE POLICY creator_public_view ON creator_profiles
    FOR SELECT TO reelbyte_app
    USING (app_user_id() IS NOT NULL AND user_id IN (
        SELECT id FROM users WHERE status = 'active'
    ));

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_own_row ON users
    FOR ALL TO reelbyte_app
    USING (id = app_user_id());

-- Rows that belong to one user: only that user sees or changes them.
DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'user_sessions', 'password_reset_tokens', 'email_verification_tokens',
        'user_consents', 'payment_methods', 'notifications',
        'notification_preferences', 'notification_outbox', 'saved_searches',
        'favorites', 'support_tickets'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY %I ON %I FOR ALL TO reelbyte_app USING (user_id = app_user_id())',
            t || '_owner', t);
    END LOOP;
END
$$;

ALTER TABLE transactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY transactions_parties ON transactions
    FOR ALL TO reelbyte_app
    USING (payer_user_id = app_user_id() OR payee_user_id = app_user_id());

ALTER TABLE conversation_participants ENABLE ROW LEVEL SECURITY;
CREATE POLICY conversation_participants_own ON conversation_participants
    FOR ALL TO reelbyte_app
    USING (user_id = app_user_id());

-- Messages: the participants of the conversation.
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY messages_participants ON messages
    FOR ALL TO reelbyte_app
    USING (conversation_id IN (
        SELECT conversation_id FROM conversation_participants WHERE user_id = app_user_id()
    ));

-- The read-only role sees every row of the tables above.
DO $$
DECLARE
    t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'creator_profiles', 'users', 'user_sessions', 'password_reset_tokens',
        'email_verification_tokens', 'user_consents', 'payment_methods',
        'notifications', 'notification_preferences', 'notification_outbox',
        'saved_searches', 'favorites', 'support_tickets', 'transactions',
        'conversation_participants', 'messages'
    ] LOOP
        EXECUTE format(
            'CREATE POLICY %I ON %I FOR SELECT TO reelbyte_readonly USING (true)',
            t || '_readonly', t);
    END LOOP;
END
$$;
