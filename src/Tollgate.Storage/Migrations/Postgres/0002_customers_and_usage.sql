CREATE TABLE customers (
    id                 TEXT PRIMARY KEY,
    email              TEXT,
    name               TEXT,
    metadata_json      TEXT NOT NULL,
    has_payment_method BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

CREATE TABLE subscriptions (
    id                      TEXT PRIMARY KEY,
    customer_id             TEXT NOT NULL REFERENCES customers (id),
    plan_code               TEXT NOT NULL,
    plan_version_id         TEXT NOT NULL REFERENCES plan_versions (id),
    billing_period          TEXT NOT NULL CHECK (billing_period IN ('monthly', 'yearly')),
    status                  TEXT NOT NULL CHECK (status IN ('trialing', 'active', 'past_due', 'canceled', 'incomplete')),
    anchor_at               BIGINT NOT NULL,
    current_period_start    BIGINT NOT NULL,
    current_period_end      BIGINT NOT NULL,
    trial_start_at          BIGINT,
    trial_end_at            BIGINT,
    cancel_at_period_end    BOOLEAN NOT NULL DEFAULT FALSE,
    canceled_at             BIGINT,
    ended_at                BIGINT,
    pending_plan_version_id TEXT REFERENCES plan_versions (id),
    pending_billing_period  TEXT CHECK (pending_billing_period IN ('monthly', 'yearly')),
    past_due_since          BIGINT,
    dunning_state           TEXT,
    collection_method       TEXT NOT NULL CHECK (collection_method IN ('send_invoice', 'charge_automatically')),
    days_until_due          BIGINT NOT NULL,
    stripe_subscription_id  TEXT,
    revision                BIGINT NOT NULL,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);

-- One live subscription per customer: entitlements come from exactly one plan version.
CREATE UNIQUE INDEX subscriptions_one_live ON subscriptions (customer_id)
    WHERE status IN ('trialing', 'active', 'past_due', 'incomplete');

-- The billing worker's queues: what falls due next.
CREATE INDEX subscriptions_period_due ON subscriptions (current_period_end) WHERE status IN ('active', 'past_due');
CREATE INDEX subscriptions_trial_due ON subscriptions (trial_end_at) WHERE status = 'trialing';

-- The hot path: one row per customer, feature and period, changed only by conditional upserts.
CREATE TABLE usage_counters (
    customer_id  TEXT NOT NULL,
    feature_code TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    period_end   BIGINT NOT NULL,
    used         BIGINT NOT NULL DEFAULT 0 CHECK (used >= 0),
    reserved     BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    carried_in   BIGINT NOT NULL DEFAULT 0,
    period_limit BIGINT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (customer_id, feature_code, period_start)
);

CREATE INDEX usage_counters_period_end ON usage_counters (customer_id, feature_code, period_end);

CREATE TABLE usage_daily (
    customer_id  TEXT NOT NULL,
    feature_code TEXT NOT NULL,
    day          TEXT NOT NULL,
    quantity     BIGINT NOT NULL,
    PRIMARY KEY (customer_id, feature_code, day)
);

CREATE INDEX usage_daily_day ON usage_daily (day);

CREATE TABLE reservations (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL,
    feature_code    TEXT NOT NULL,
    period_start    BIGINT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    status          TEXT NOT NULL CHECK (status IN ('held', 'committed', 'released', 'expired')),
    committed_amount BIGINT,
    expires_at      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    settled_at      BIGINT
);

CREATE INDEX reservations_held_expiry ON reservations (expires_at) WHERE status = 'held';

-- A retried request finds its first answer here; the same key with another body is refused.
CREATE TABLE idempotency_keys (
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status_code   BIGINT NOT NULL,
    response_json TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- After-the-fact usage, deduplicated by the sender's id per customer.
CREATE TABLE usage_events (
    customer_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    feature_code    TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    occurred_at     BIGINT NOT NULL,
    received_at     BIGINT NOT NULL,
    properties_json TEXT,
    PRIMARY KEY (customer_id, id)
);

CREATE INDEX usage_events_received ON usage_events (received_at);
