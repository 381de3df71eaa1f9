-- Effective-dated model prices: token prices in nano-USD per million tokens, request and image prices per unit.
CREATE TABLE model_prices (
    id                    TEXT PRIMARY KEY,
    model                 TEXT NOT NULL,
    pattern               TEXT,
    provider              TEXT NOT NULL,
    effective_from        BIGINT NOT NULL,
    input_nano            BIGINT,
    output_nano           BIGINT,
    cached_input_nano     BIGINT,
    cache_write_nano      BIGINT,
    reasoning_nano        BIGINT,
    request_nano          BIGINT,
    image_nano            BIGINT,
    tier_threshold_tokens BIGINT,
    tier_input_nano       BIGINT,
    tier_output_nano      BIGINT,
    tier_cached_nano      BIGINT,
    tier_cache_write_nano BIGINT,
    source                TEXT,
    created_at            BIGINT NOT NULL,
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
    calls               BIGINT NOT NULL,
    input_tokens        BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,
    cached_input_tokens BIGINT NOT NULL,
    cache_write_tokens  BIGINT NOT NULL,
    reasoning_tokens    BIGINT NOT NULL,
    requests            BIGINT NOT NULL,
    images              BIGINT NOT NULL,
    cost_nano           BIGINT NOT NULL,
    unpriced_calls      BIGINT NOT NULL,
    PRIMARY KEY (customer_id, day, feature_code, model, plan_code)
);

-- Across customers, for the operator's reports: days × features × models × plans rows, however many customers.
CREATE TABLE llm_daily_totals (
    day                 TEXT NOT NULL,
    feature_code        TEXT NOT NULL,
    model               TEXT NOT NULL,
    plan_code           TEXT NOT NULL,
    calls               BIGINT NOT NULL,
    input_tokens        BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,
    cached_input_tokens BIGINT NOT NULL,
    cache_write_tokens  BIGINT NOT NULL,
    reasoning_tokens    BIGINT NOT NULL,
    requests            BIGINT NOT NULL,
    images              BIGINT NOT NULL,
    cost_nano           BIGINT NOT NULL,
    unpriced_calls      BIGINT NOT NULL,
    PRIMARY KEY (day, feature_code, model, plan_code)
);

-- Per customer and day, for rankings (top spenders, negative margin).
CREATE TABLE llm_daily_customers (
    day                 TEXT NOT NULL,
    customer_id         TEXT NOT NULL,
    calls               BIGINT NOT NULL,
    cost_nano           BIGINT NOT NULL,
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
