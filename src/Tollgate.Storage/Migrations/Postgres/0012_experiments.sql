-- Price experiments. Assignment is a hash of (experiment, visitor), so no table holds it; exposures and conversions
-- are recorded once per visitor by their primary keys (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE experiments (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'running', 'stopped')),
    created_at  BIGINT NOT NULL,
    started_at  BIGINT,
    stopped_at  BIGINT
);

-- At most one experiment runs at a time, so a visitor sees one price per plan and period.
CREATE UNIQUE INDEX experiments_one_running ON experiments (status) WHERE status = 'running';

CREATE TABLE experiment_variants (
    experiment_id  TEXT NOT NULL REFERENCES experiments (id),
    variant        TEXT NOT NULL,
    weight         INTEGER NOT NULL CHECK (weight > 0),
    position       INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, variant)
);

CREATE TABLE experiment_prices (
    experiment_id   TEXT NOT NULL,
    variant         TEXT NOT NULL,
    plan_code       TEXT NOT NULL,
    billing_period  TEXT NOT NULL,
    price_cents     BIGINT NOT NULL CHECK (price_cents >= 0),
    PRIMARY KEY (experiment_id, variant, plan_code, billing_period),
    FOREIGN KEY (experiment_id, variant) REFERENCES experiment_variants (experiment_id, variant)
);

CREATE TABLE experiment_exposures (
    experiment_id  TEXT NOT NULL REFERENCES experiments (id),
    visitor_id     TEXT NOT NULL,
    variant        TEXT NOT NULL,
    exposed_at     BIGINT NOT NULL,
    PRIMARY KEY (experiment_id, visitor_id)
);

-- mrr_twelfths: the subscription's price per month in twelfths of a cent, so yearly prices add up exactly.
CREATE TABLE experiment_conversions (
    experiment_id    TEXT NOT NULL REFERENCES experiments (id),
    visitor_id       TEXT NOT NULL,
    variant          TEXT NOT NULL,
    subscription_id  TEXT NOT NULL,
    customer_id      TEXT NOT NULL,
    mrr_twelfths     BIGINT NOT NULL,
    converted_at     BIGINT NOT NULL,
    PRIMARY KEY (experiment_id, visitor_id)
);

ALTER TABLE subscriptions ADD COLUMN price_override_cents BIGINT;
ALTER TABLE subscriptions ADD COLUMN price_override_plan_version_id TEXT;
ALTER TABLE subscriptions ADD COLUMN price_override_billing_period TEXT;
