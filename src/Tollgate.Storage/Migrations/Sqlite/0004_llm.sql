-- Effective-dated model prices: token prices in nano-USD per million tokens, request and image prices per unit.
CREATE TABLE model_prices (
    id                    TEXT PRIMARY KEY,
    model                 TEXT NOT NULL,
    pattern               TEXT,
    provider              TEXT NOT NULL,
    effective_from        INTEGER NOT NULL,
    input_nano            INTEGER,
    output_nano           INTEGER,
    cached_input_nano     INTEGER,
    cache_write_nano      INTEGER,
    reasoning_nano        INTEGER,
    request_nano          INTEGER,
    image_nano            INTEGER,
    tier_threshold_tokens INTEGER,
    tier_input_nano       INTEGER,
    tier_output_nano      INTEGER,
    tier_cached_nano      INTEGER,
    tier_cache_write_nano INTEGER,
    source                TEXT,
    created_at            INTEGER NOT NULL,
    UNIQUE (model, effective_from)
);

-- Every logged model call, with the cost and the plan snapshotted at logging; the sender's request id makes a retry count once.
CREATE TABLE llm_calls (
    customer_id         TEXT NOT NULL,
    request_id          TEXT NOT NULL,
    feature_code        TEXT,
    model               TEXT NOT NULL,
    provider            TEXT,
    price_id            TEXT,
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens  INTEGER NOT NULL,
    reasoning_tokens    INTEGER NOT NULL,
    requests            INTEGER NOT NULL,
    images              INTEGER NOT NULL,
    cost_nano           INTEGER NOT NULL,
    unpriced            INTEGER NOT NULL,
    plan_code           TEXT,
    plan_version_id     TEXT,
    occurred_at         INTEGER NOT NULL,
    received_at         INTEGER NOT NULL,
    body_hash           TEXT NOT NULL,
    metadata_json       TEXT,
    PRIMARY KEY (customer_id, request_id)
);

CREATE INDEX llm_calls_occurred ON llm_calls (occurred_at);

-- Rollups maintained on write, in the same transaction as the calls, so analytics cost O(days × groups), never O(calls).
-- Per customer, for one customer's costs: keyed customer first, so that read is a key range.
CREATE TABLE llm_daily (
    customer_id         TEXT NOT NULL,
    day                 TEXT NOT NULL,
    feature_code        TEXT NOT NULL,
    model               TEXT NOT NULL,
    plan_code           TEXT NOT NULL,
    calls               INTEGER NOT NULL,
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens  INTEGER NOT NULL,
    reasoning_tokens    INTEGER NOT NULL,
    requests            INTEGER NOT NULL,
    images              INTEGER NOT NULL,
    cost_nano           INTEGER NOT NULL,
    unpriced_calls      INTEGER NOT NULL,
    PRIMARY KEY (customer_id, day, feature_code, model, plan_code)
);

-- Across customers, for the operator's reports: days × features × models × plans rows, however many customers.
CREATE TABLE llm_daily_totals (
    day                 TEXT NOT NULL,
    feature_code        TEXT NOT NULL,
    model               TEXT NOT NULL,
    plan_code           TEXT NOT NULL,
    calls               INTEGER NOT NULL,
    input_tokens        INTEGER NOT NULL,
    output_tokens       INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    cache_write_tokens  INTEGER NOT NULL,
    reasoning_tokens    INTEGER NOT NULL,
    requests            INTEGER NOT NULL,
    images              INTEGER NOT NULL,
    cost_nano           INTEGER NOT NULL,
    unpriced_calls      INTEGER NOT NULL,
    PRIMARY KEY (day, feature_code, model, plan_code)
);

-- Per customer and day, for rankings (top spenders, negative margin).
CREATE TABLE llm_daily_customers (
    day                 TEXT NOT NULL,
    customer_id         TEXT NOT NULL,
    calls               INTEGER NOT NULL,
    cost_nano           INTEGER NOT NULL,
    PRIMARY KEY (day, customer_id)
);

-- The last day each customer called (feature_code '*' for any feature, '' for calls logged without one): distinct users over a window that ends
-- today are the rows whose last_day falls in it, counted from an index rather than from every day's rows.
CREATE TABLE llm_activity (
    customer_id         TEXT NOT NULL,
    feature_code        TEXT NOT NULL,
    last_day            TEXT NOT NULL,
    PRIMARY KEY (customer_id, feature_code)
);

CREATE INDEX llm_activity_last_day ON llm_activity (feature_code, last_day);
