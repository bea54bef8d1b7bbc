-- 16 the library's change-set function (no plan section: adapter plumbing).
--
-- `Store::apply` used to send one statement per write, each a round trip.
-- It now sends the whole change set as one jsonb array to this function,
-- inside its transaction, and commits: two round trips for any change set.
-- The function decides nothing: it performs the writes in order exactly as
-- the statements did (inserts, version-guarded updates and deletes, version
-- checks, counter deltas) and reports a refused guard with SQLSTATE RB001,
-- whose message is a JSON object the adapter maps to the core's typed
-- errors:
--   {"kind": "conflict",  "table": t, "expected": e, "found": f}
--   {"kind": "deleted",   "table": t, "expected": e}   (a checked row is gone)
--   {"kind": "not_found", "table": t}
--   {"kind": "overflow",  "table": t}                  (a counter overflowed)
-- Unique, foreign-key and CHECK violations surface unchanged (SQLSTATE,
-- table and constraint), as they did from the single statements.
--
-- Operations (table, column and key-type names come from the adapter's
-- static table descriptions, never from user input; they are quoted anyway):
--   {"op": "insert", "table", "columns": [..], "rows": [{..}, ..]}
--   {"op": "update", "table", "key_column", "key_type", "key", "columns",
--    "row", "expected", "versioned"}  ("expected" null: unversioned table)
--   {"op": "delete", "table", "key_column", "key_type", "key", "expected",
--    "versioned"}
--   {"op": "refuse", "table", "key_column", "key_type", "key", "expected",
--    "versioned"}                (an unversioned row read at a version: the
--                                 memory store refuses it as not found or
--                                 as a conflict)
--   {"op": "check", "table", "key_column", "key_type", "key", "expected",
--    "versioned"}
--   {"op": "count", "table", "column", "key", "delta"}

CREATE FUNCTION reelbyte_refused(details jsonb) RETURNS void AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'RB001', MESSAGE = details::text;
END;
$$ LANGUAGE plpgsql;

-- The version of one row, locked against concurrent change until the
-- transaction ends; NULL when there is no such row.
CREATE FUNCTION reelbyte_current_version(w jsonb) RETURNS bigint AS $$
DECLARE
    found_version bigint;
BEGIN
    EXECUTE format(
        'SELECT %s FROM %I WHERE %I = $1::%s FOR SHARE',
        CASE WHEN (w->>'versioned')::boolean THEN 'version' ELSE '0::bigint' END,
        w->>'table', w->>'key_column', w->>'key_type')
        INTO found_version
        USING w->>'key';
    RETURN found_version;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION reelbyte_apply(changes jsonb) RETURNS void AS $$
DECLARE
    w jsonb;
    t text;
    cols text;
    affected bigint;
    found_version bigint;
BEGIN
    FOR w IN SELECT value FROM jsonb_array_elements(changes) LOOP
        t := w->>'table';
        CASE w->>'op'
        WHEN 'insert' THEN
            SELECT string_agg(quote_ident(c), ', ') INTO cols
                FROM jsonb_array_elements_text(w->'columns') AS c;
            EXECUTE format(
                'INSERT INTO %I (%s) SELECT %s FROM jsonb_populate_recordset(NULL::%I, $1)',
                t, cols, cols, t)
                USING w->'rows';
        WHEN 'update' THEN
            SELECT string_agg(quote_ident(c), ', ') INTO cols
                FROM jsonb_array_elements_text(w->'columns') AS c;
            IF jsonb_typeof(w->'expected') = 'number' THEN
                EXECUTE format(
                    'UPDATE %I SET (%s) = (SELECT %s FROM jsonb_populate_record(NULL::%I, $1)) '
                    'WHERE %I = $2::%s AND version = $3',
                    t, cols, cols, t, w->>'key_column', w->>'key_type')
                    USING w->'row', w->>'key', (w->>'expected')::bigint;
            ELSE
                EXECUTE format(
                    'UPDATE %I SET (%s) = (SELECT %s FROM jsonb_populate_record(NULL::%I, $1)) '
                    'WHERE %I = $2::%s',
                    t, cols, cols, t, w->>'key_column', w->>'key_type')
                    USING w->'row', w->>'key';
            END IF;
            GET DIAGNOSTICS affected = ROW_COUNT;
            IF affected = 0 THEN
                found_version := reelbyte_current_version(w);
                IF found_version IS NULL THEN
                    PERFORM reelbyte_refused(jsonb_build_object('kind', 'not_found', 'table', t));
                END IF;
                PERFORM reelbyte_refused(jsonb_build_object('kind', 'conflict', 'table', t,
                    'expected', w->'expected', 'found', found_version));
            END IF;
        WHEN 'delete' THEN
            IF (w->>'versioned')::boolean AND jsonb_typeof(w->'expected') = 'number' THEN
                EXECUTE format('DELETE FROM %I WHERE %I = $1::%s AND version = $2',
                    t, w->>'key_column', w->>'key_type')
                    USING w->>'key', (w->>'expected')::bigint;
            ELSE
                EXECUTE format('DELETE FROM %I WHERE %I = $1::%s',
                    t, w->>'key_column', w->>'key_type')
                    USING w->>'key';
            END IF;
            GET DIAGNOSTICS affected = ROW_COUNT;
            IF affected = 0 THEN
                found_version := reelbyte_current_version(w);
                IF found_version IS NOT NULL AND jsonb_typeof(w->'expected') = 'number' THEN
                    PERFORM reelbyte_refused(jsonb_build_object('kind', 'conflict', 'table', t,
                        'expected', w->'expected', 'found', found_version));
                END IF;
                PERFORM reelbyte_refused(jsonb_build_object('kind', 'not_found', 'table', t));
            END IF;
        WHEN 'refuse' THEN
            found_version := reelbyte_current_version(w);
            IF found_version IS NULL THEN
                PERFORM reelbyte_refused(jsonb_build_object('kind', 'not_found', 'table', t));
            END IF;
            PERFORM reelbyte_refused(jsonb_build_object('kind', 'conflict', 'table', t,
                'expected', w->'expected', 'found', found_version));
        WHEN 'check' THEN
            found_version := reelbyte_current_version(w);
            IF found_version IS NULL THEN
                PERFORM reelbyte_refused(jsonb_build_object('kind', 'deleted', 'table', t,
                    'expected', w->'expected'));
            ELSIF found_version <> (w->>'expected')::bigint THEN
                PERFORM reelbyte_refused(jsonb_build_object('kind', 'conflict', 'table', t,
                    'expected', w->'expected', 'found', found_version));
            END IF;
        WHEN 'count' THEN
            BEGIN
                EXECUTE format(
                    'UPDATE %I SET %I = GREATEST(COALESCE(%I, 0)::bigint + $1, 0) WHERE id = $2::uuid',
                    t, w->>'column', w->>'column')
                    USING (w->>'delta')::bigint, w->>'key';
                GET DIAGNOSTICS affected = ROW_COUNT;
            EXCEPTION WHEN numeric_value_out_of_range THEN
                PERFORM reelbyte_refused(jsonb_build_object('kind', 'overflow', 'table', t));
            END;
            IF affected = 0 THEN
                PERFORM reelbyte_refused(jsonb_build_object('kind', 'not_found', 'table', t));
            END IF;
        ELSE
            RAISE EXCEPTION 'reelbyte_apply: unknown operation %', w->>'op';
        END CASE;
    END LOOP;
END;
$$ LANGUAGE plpgsql;
