-- Usage alerts: one row per customer, feature, period, kind and threshold, so each fires once whatever the concurrency.
CREATE TABLE usage_alerts (
    id            TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    feature_code  TEXT NOT NULL,
    period_start  INTEGER NOT NULL,
    period_end    INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('threshold', 'projected')),
    threshold     INTEGER NOT NULL,
    severity      TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    used          INTEGER NOT NULL,
    limit_value   INTEGER NOT NULL,
    projected_at  INTEGER,
    message       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    read_at       INTEGER,
    UNIQUE (customer_id, feature_code, period_start, kind, threshold)
);

CREATE INDEX usage_alerts_customer ON usage_alerts (customer_id, created_at);

-- Where outbound webhooks go. event_types is ',type,type,' (or '*' for every type), matched with LIKE in the same
-- statement that fans an event out to its deliveries.
CREATE TABLE webhook_endpoints (
    id           TEXT PRIMARY KEY,
    url          TEXT NOT NULL,
    description  TEXT,
    secret       TEXT NOT NULL,
    event_types  TEXT NOT NULL,
    enabled      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- The outbox: events and their deliveries are written in the transaction of the change they report.
CREATE TABLE webhook_events (
    id            TEXT PRIMARY KEY,
    type          TEXT NOT NULL,
    payload_json  TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE INDEX webhook_events_created ON webhook_events (created_at);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    event_id         TEXT NOT NULL REFERENCES webhook_events (id),
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'dead', 'canceled')),
    attempts         INTEGER NOT NULL,
    next_attempt_at  INTEGER,
    locked_until     INTEGER,
    last_attempt_at  INTEGER,
    last_status      INTEGER,
    last_error       TEXT,
    succeeded_at     INTEGER,
    created_at       INTEGER NOT NULL
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);

CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt      INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);
