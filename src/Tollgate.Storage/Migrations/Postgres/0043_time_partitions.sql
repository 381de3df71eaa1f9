-- usage_events (by received_at, what retention counts from) and llm_calls (by occurred_at) become partitioned by time, one
-- partition per week (Monday 00:00 UTC), so retention drops a partition instead of deleting its rows. A DEFAULT partition
-- takes what no partition covers, so an insert never fails. A partitioned table's unique keys must hold the partition
-- column, and a resent event or call must count once whatever time it arrives at, so each sender's id is kept once in a
-- narrow table of its own (usage_event_keys, llm_call_keys). Event ids are pruned with the same cutoff as the rows; call
-- ids go with the week of their rows.

-- Adds the week partition holding at_ms, unless it exists; rows the DEFAULT partition took for that week move into it
-- (attaching would fail otherwise). ATTACH takes a lighter lock on the parent than CREATE TABLE … PARTITION OF, so inserts
-- into other partitions go on meanwhile.
CREATE FUNCTION tollgate_add_week_partition(parent TEXT, part_column TEXT, at_ms BIGINT) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
DECLARE
    week CONSTANT BIGINT := 604800000;
    monday CONSTANT BIGINT := 345600000; -- 1970-01-05, the first Monday of the epoch
    start_ms BIGINT := monday + floor((at_ms - monday)::numeric / week)::BIGINT * week;
    name TEXT := parent || '_' || to_char(to_timestamp(start_ms / 1000) AT TIME ZONE 'UTC', 'YYYYMMDD');
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN FALSE;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name, parent);
    -- The lock ATTACH takes on DEFAULT anyway, taken before the move: a row inserted between the move and the attach
    -- would make the attach fail. Inserts lock the parent first and take nothing ATTACH's parent lock conflicts with.
    EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', parent || '_default');
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
        parent || '_default', part_column, part_column, name) USING start_ms, start_ms + week;
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)', parent, name, start_ms, start_ms + week);
    RETURN TRUE;
END $$;

-- Usage events.
ALTER TABLE usage_events RENAME TO usage_events_unpartitioned;

CREATE TABLE usage_events (
    customer_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    feature_code    TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    occurred_at     BIGINT NOT NULL,
    received_at     BIGINT NOT NULL,
    properties_json TEXT,
    metadata_json   TEXT,
    source          TEXT NOT NULL DEFAULT 'event' CHECK (source IN ('event', 'consume', 'reservation')),
    member_id       TEXT
) PARTITION BY RANGE (received_at);

CREATE TABLE usage_events_default PARTITION OF usage_events DEFAULT;

-- An event's id per customer, kept once: the row it names may sit in any partition.
CREATE TABLE usage_event_keys (
    customer_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (customer_id, id)
);

-- Llm calls.
ALTER TABLE llm_calls RENAME TO llm_calls_unpartitioned;

CREATE TABLE llm_calls (
    customer_id         TEXT NOT NULL,
    request_id          TEXT NOT NULL,
    feature_code        TEXT,
    model               TEXT NOT NULL,
    provider            TEXT,
    price_id            TEXT,
    input_tokens        BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,
    cached_input_tokens BIGINT NOT NULL,
    cache_write_tokens  BIGINT NOT NULL,
    reasoning_tokens    BIGINT NOT NULL,
    requests            BIGINT NOT NULL,
    images              BIGINT NOT NULL,
    cost_nano           BIGINT NOT NULL,
    unpriced            BOOLEAN NOT NULL,
    plan_code           TEXT,
    plan_version_id     TEXT,
    occurred_at         BIGINT NOT NULL,
    received_at         BIGINT NOT NULL,
    body_hash           TEXT NOT NULL,
    metadata_json       TEXT,
    member_id           TEXT
) PARTITION BY RANGE (occurred_at);

CREATE TABLE llm_calls_default PARTITION OF llm_calls DEFAULT;

-- A call's request id per customer, kept once, and forgotten only with its row (retention deletes the ids of a week as it drops
-- the week), so llm_calls itself needs no unique key: an id here always names exactly one row there.
CREATE TABLE llm_call_keys (
    customer_id TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    PRIMARY KEY (customer_id, request_id)
);

-- Week partitions over the rows there are (no further back than 800 days: older rows wait in DEFAULT for retention) and
-- four weeks ahead.
DO $$
DECLARE
    week CONSTANT BIGINT := 604800000;
    now_ms CONSTANT BIGINT := (extract(epoch FROM now()) * 1000)::BIGINT;
    t BIGINT;
BEGIN
    t := GREATEST(COALESCE((SELECT min(received_at) FROM usage_events_unpartitioned), now_ms), now_ms - 800 * 86400000::BIGINT);
    WHILE t < now_ms + 5 * week LOOP
        PERFORM tollgate_add_week_partition('usage_events', 'received_at', t);
        t := t + week;
    END LOOP;
    t := GREATEST(COALESCE((SELECT min(occurred_at) FROM llm_calls_unpartitioned), now_ms), now_ms - 800 * 86400000::BIGINT);
    WHILE t < now_ms + 5 * week LOOP
        PERFORM tollgate_add_week_partition('llm_calls', 'occurred_at', t);
        t := t + week;
    END LOOP;
END $$;

INSERT INTO usage_event_keys (customer_id, id, received_at) SELECT customer_id, id, received_at FROM usage_events_unpartitioned;
INSERT INTO usage_events (customer_id, id, feature_code, amount, occurred_at, received_at, properties_json, metadata_json, source, member_id)
    SELECT customer_id, id, feature_code, amount, occurred_at, received_at, properties_json, metadata_json, source, member_id
    FROM usage_events_unpartitioned;
DROP TABLE usage_events_unpartitioned;

INSERT INTO llm_call_keys (customer_id, request_id, occurred_at) SELECT customer_id, request_id, occurred_at FROM llm_calls_unpartitioned;
INSERT INTO llm_calls (customer_id, request_id, feature_code, model, provider, price_id, input_tokens, output_tokens, cached_input_tokens,
        cache_write_tokens, reasoning_tokens, requests, images, cost_nano, unpriced, plan_code, plan_version_id, occurred_at, received_at,
        body_hash, metadata_json, member_id)
    SELECT customer_id, request_id, feature_code, model, provider, price_id, input_tokens, output_tokens, cached_input_tokens,
        cache_write_tokens, reasoning_tokens, requests, images, cost_nano, unpriced, plan_code, plan_version_id, occurred_at, received_at,
        body_hash, metadata_json, member_id
    FROM llm_calls_unpartitioned;
DROP TABLE llm_calls_unpartitioned;

-- The indexes the unpartitioned tables had (now per partition), built after the rows went in; the primary keys hold the
-- partition column, as they must.
ALTER TABLE usage_events ADD PRIMARY KEY (customer_id, id, received_at);
CREATE INDEX usage_events_received ON usage_events (received_at);
CREATE INDEX usage_events_customer_occurred ON usage_events (customer_id, occurred_at);
CREATE INDEX usage_events_occurred ON usage_events (occurred_at);
CREATE INDEX usage_events_member_occurred ON usage_events (member_id, occurred_at) WHERE member_id IS NOT NULL;
CREATE INDEX usage_event_keys_received ON usage_event_keys (received_at);

-- No primary key on llm_calls and no time index on llm_call_keys: uniqueness lives in llm_call_keys, a call is found by
-- its id through it (customer_id, occurred_at name the row and its week), and its ids go with the week they belong to.
-- Each index fewer is one entry fewer per logged call, the LLM ingestion hot path.
CREATE INDEX llm_calls_occurred ON llm_calls (occurred_at);
CREATE INDEX llm_calls_customer_occurred ON llm_calls (customer_id, occurred_at);
CREATE INDEX llm_calls_member_occurred ON llm_calls (member_id, occurred_at) WHERE member_id IS NOT NULL;

-- Events are inserted by SQL both stores share (INSERT … ON CONFLICT DO NOTHING), so the key is taken here: an event whose
-- id is kept already is not inserted, and the insert reports no row, as a conflict did before. LLM calls take their key
-- in their own (PostgreSQL-only) bulk insert, which costs one statement per batch rather than a trigger per row.
CREATE FUNCTION usage_events_keep_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO usage_event_keys (customer_id, id, received_at) VALUES (NEW.customer_id, NEW.id, NEW.received_at) ON CONFLICT DO NOTHING;
    IF FOUND THEN
        RETURN NEW;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER usage_events_keep_once BEFORE INSERT ON usage_events FOR EACH ROW EXECUTE FUNCTION usage_events_keep_once();
