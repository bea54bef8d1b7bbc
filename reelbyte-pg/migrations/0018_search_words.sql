-- 18 the vocabulary of the typo fallback (plan, "Full-text search": fuzzy
-- search with trigrams), and search vectors kept only when their text moves.
--
-- The fallback used to compare the whole query with every title by trigram
-- similarity (`title % $1`). A misspelt query shares trigrams with a large
-- share of the titles, and each of them had to be rechecked on the heap:
-- seconds at a million gigs, from a public endpoint. It now corrects each
-- misspelt word against this vocabulary and runs the ordinary word search
-- with the corrections, so a typo costs what a correctly spelt query costs.
--
-- The vocabulary holds every word (3 to 30 letters or digits, lowercase) of
-- the titles and tags of gigs and of the titles and skills of jobs, each
-- under its own spelling and under every spelling with one character
-- deleted. A query word is looked up under itself and its spellings with one
-- or two characters deleted (symmetric deletion), which finds every word one
-- insertion, deletion, substitution or transposition away, and many two
-- away, with index lookups only. The library ranks the candidates by edit
-- distance (`reelbyte_pg::spelling`).
--
-- Words are added when a title or tag first uses them and never removed: a
-- stale word can only correct a query towards a word that matches nothing.
CREATE TABLE search_words (
    variant TEXT NOT NULL,
    word TEXT NOT NULL,
    PRIMARY KEY (variant, word)
);

GRANT SELECT, INSERT ON search_words TO reelbyte_app;
GRANT SELECT ON search_words TO reelbyte_readonly;

-- Learns the words of `source`. Rows go in sorted order, so that two writers
-- adding the same new words wait for each other instead of deadlocking.
CREATE FUNCTION search_words_learn(source TEXT) RETURNS void AS $$
    INSERT INTO search_words (variant, word)
    SELECT DISTINCT v.variant, w.word
    FROM (
        SELECT DISTINCT t AS word
        FROM regexp_split_to_table(lower(coalesce(source, '')), '[^[:alnum:]]+') AS t
        WHERE char_length(t) BETWEEN 3 AND 30
    ) AS w
    CROSS JOIN LATERAL (
        SELECT w.word AS variant
        UNION
        SELECT overlay(w.word PLACING '' FROM i FOR 1)
        FROM generate_series(1, char_length(w.word)) AS i
    ) AS v
    ORDER BY 1, 2
    ON CONFLICT DO NOTHING
$$ LANGUAGE sql;

-- The search vector as before, but computed only when the title, the
-- description or the tags change: an update of a counter (orders, views,
-- favourites) no longer parses the description again.
CREATE OR REPLACE FUNCTION gigs_search_vector_update() RETURNS trigger AS $$
DECLARE
    learn BOOLEAN := TG_OP = 'INSERT';
BEGIN
    -- OLD exists only on UPDATE, so it is read only there.
    IF TG_OP = 'UPDATE' THEN
        IF OLD.search_vector IS NOT NULL
            AND NEW.title IS NOT DISTINCT FROM OLD.title
            AND NEW.description IS NOT DISTINCT FROM OLD.description
            AND NEW.search_tags IS NOT DISTINCT FROM OLD.search_tags
        THEN
            NEW.search_vector := OLD.search_vector;
            RETURN NEW;
        END IF;
        learn := NEW.title IS DISTINCT FROM OLD.title
            OR NEW.search_tags IS DISTINCT FROM OLD.search_tags;
    END IF;
    NEW.search_vector :=
        setweight(to_tsvector('english', COALESCE(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', COALESCE(NEW.description, '')), 'B') ||
        setweight(to_tsvector('english', COALESCE(array_to_string(NEW.search_tags, ' '), '')), 'C');
    IF learn THEN
        PERFORM search_words_learn(
            COALESCE(NEW.title, '') || ' ' || COALESCE(array_to_string(NEW.search_tags, ' '), '')
        );
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION jobs_search_vector_update() RETURNS trigger AS $$
DECLARE
    learn BOOLEAN := TG_OP = 'INSERT';
BEGIN
    -- OLD exists only on UPDATE, so it is read only there.
    IF TG_OP = 'UPDATE' THEN
        IF OLD.search_vector IS NOT NULL
            AND NEW.title IS NOT DISTINCT FROM OLD.title
            AND NEW.description IS NOT DISTINCT FROM OLD.description
            AND NEW.required_skills IS NOT DISTINCT FROM OLD.required_skills
        THEN
            NEW.search_vector := OLD.search_vector;
            RETURN NEW;
        END IF;
        learn := NEW.title IS DISTINCT FROM OLD.title
            OR NEW.required_skills IS DISTINCT FROM OLD.required_skills;
    END IF;
    NEW.search_vector :=
        setweight(to_tsvector('english', COALESCE(NEW.title, '')), 'A') ||
        setweight(to_tsvector('english', COALESCE(NEW.description, '')), 'B') ||
        setweight(to_tsvector('english', COALESCE(array_to_string(NEW.required_skills, ' '), '')), 'C');
    IF learn THEN
        PERFORM search_words_learn(
            COALESCE(NEW.title, '') || ' ' || COALESCE(array_to_string(NEW.required_skills, ' '), '')
        );
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- The words of the rows already stored.
SELECT search_words_learn(
    COALESCE(title, '') || ' ' || COALESCE(array_to_string(search_tags, ' '), '')
) FROM gigs;
SELECT search_words_learn(
    COALESCE(title, '') || ' ' || COALESCE(array_to_string(required_skills, ' '), '')
) FROM jobs;
