-- 10 search and discovery (plan sections 10 and "Full-text search"):
-- saved searches, favorites, weighted search vectors kept by triggers
-- (title A, description B, tags C) and trigram indexes for typos.
CREATE TABLE saved_searches (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,

    search_type VARCHAR(20) CHECK (search_type IN ('gigs', 'jobs', 'creators')),
    name VARCHAR(100) NOT NULL,
    search_params JSONB NOT NULL,

    alert_enabled BOOLEAN DEFAULT FALSE,
    alert_frequency VARCHAR(20) CHECK (alert_frequency IN ('immediate', 'daily', 'weekly')),

    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    version BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX idx_saved_searches_user_id ON saved_searches(user_id);

CREATE TABLE favorites (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,

    favorited_type VARCHAR(20) CHECK (favorited_type IN ('gig', 'creator', 'job')),
    favorited_id UUID NOT NULL,

    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_favorites_user_id ON favorites(user_id);
CREATE INDEX idx_favorites_favorited ON favorites(favorited_type, favorited_id);
CREATE UNIQUE INDEX idx_favorites_unique ON favorites(user_id, favorited_type, favorited_id);

ALTER TABLE gigs ADD COLUMN search_vector tsvector;
ALTER TABLE jobs ADD COLUMN search_vector tsvector;

CREATE FUNCTION gigs_search_vector_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', COALESCE(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', COALESCE(NEW.description, '')), 'B') ||
        setweight(to_tsvector('english', COALESCE(array_to_string(NEW.search_tags, ' '), '')), 'C');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER gigs_search_vector_trigger
BEFORE INSERT OR UPDATE ON gigs
FOR EACH ROW EXECUTE FUNCTION gigs_search_vector_update();

CREATE FUNCTION jobs_search_vector_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', COALESCE(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', COALESCE(NEW.description, '')), 'B') ||
        setweight(to_tsvector('english', COALESCE(array_to_string(NEW.required_skills, ' '), '')), 'C');
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER jobs_search_vector_trigger
BEFORE INSERT OR UPDATE ON jobs
FOR EACH ROW EXECUTE FUNCTION jobs_search_vector_update();

CREATE INDEX idx_gigs_search_vector ON gigs USING GIN(search_vector);
CREATE INDEX idx_jobs_search_vector ON jobs USING GIN(search_vector);
CREATE INDEX idx_gigs_title_trigram ON gigs USING GIN(title gin_trgm_ops);
CREATE INDEX idx_jobs_title_trigram ON jobs USING GIN(title gin_trgm_ops);
