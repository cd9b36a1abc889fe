-- Reference schema of the Supabase (Postgres) tables Model Suite uses.
-- Model Suite never creates or alters these in a configured Supabase; this
-- file is for tests and new installs:  psql "$SUPABASE_DB_URL" -f supabase_schema.sql

CREATE TABLE IF NOT EXISTS ai_model (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT        NOT NULL,
    model       TEXT,
    base_url    TEXT        NOT NULL,
    description TEXT,
    api_key     TEXT,
    timeout     INTEGER     DEFAULT 60,
    is_active   BOOLEAN     DEFAULT TRUE,
    is_default  BOOLEAN     DEFAULT FALSE,
    model_list  JSONB,
    created_at  TIMESTAMPTZ DEFAULT now(),
    updated_at  TIMESTAMPTZ DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ai_prompt (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT        NOT NULL,
    content     TEXT        NOT NULL,
    version     TEXT,
    category    TEXT,
    description TEXT,
    tools_json  JSONB,
    is_active   BOOLEAN     DEFAULT FALSE,
    created_at  TIMESTAMPTZ DEFAULT now(),
    updated_at  TIMESTAMPTZ DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ai_prompt_tests (
    id               BIGSERIAL PRIMARY KEY,
    prompt_id        BIGINT      NOT NULL REFERENCES ai_prompt(id),
    endpoint_id      BIGINT      NOT NULL REFERENCES ai_model(id),
    model            TEXT,
    request_message  TEXT        NOT NULL,
    response_message TEXT,
    success          BOOLEAN     DEFAULT FALSE,
    latency_ms       DOUBLE PRECISION,
    error            TEXT,
    created_at       TIMESTAMPTZ DEFAULT now()
);

-- Row level security: with no policy, Supabase's `anon` and `authenticated`
-- roles (the public REST and realtime APIs) read and write nothing here —
-- `ai_model.api_key` holds upstream keys. Model Suite connects as the
-- tables' owner (SUPABASE_DB_URL), which RLS does not restrict. Add narrow
-- policies only for what another service must read, never the key column.
ALTER TABLE ai_model ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_prompt ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_prompt_tests ENABLE ROW LEVEL SECURITY;

-- Live changes (recommended). Every Model Suite instance LISTENs on the
-- channel `model_suite_change`; with these triggers a change made anywhere
-- (another instance, GymBro's backend, SQL) reaches every instance's SQLite
-- within about a second. The function only calls pg_notify: it writes
-- nothing and adds no table or column. Without the triggers each instance
-- falls back to a cheap probe of each table twice a second (row count,
-- newest updated_at, row versions). Needs PostgreSQL 14+ (OR REPLACE TRIGGER).
CREATE OR REPLACE FUNCTION model_suite_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('model_suite_change', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER ai_model_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ai_model
    FOR EACH STATEMENT EXECUTE FUNCTION model_suite_notify();

CREATE OR REPLACE TRIGGER ai_prompt_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ai_prompt
    FOR EACH STATEMENT EXECUTE FUNCTION model_suite_notify();
