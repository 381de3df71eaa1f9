-- Credit grants: units of a metered feature (or nano-USD of the LLM budget) beyond the plan's limit. A consume past
-- the window's allowance takes from them by a conditional UPDATE (used + take <= amount), so they are never overspent.
CREATE TABLE credit_grants (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL,
    feature_code TEXT NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount > 0),
    used         INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
    expires_at   INTEGER,
    priority     INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 100),
    reason       TEXT,
    pack_code    TEXT,
    source_ref   TEXT,
    created_at   INTEGER NOT NULL,
    voided_at    INTEGER,
    CHECK (used <= amount)
);

CREATE INDEX credit_grants_customer ON credit_grants (customer_id, feature_code);

-- A purchase (a Checkout session, an invoice) creates its grant once, however often its event is delivered.
CREATE UNIQUE INDEX credit_grants_source ON credit_grants (source_ref) WHERE source_ref IS NOT NULL;

-- The units a reservation took from grants, given back when it is released or expires, or committed for less.
CREATE TABLE credit_grant_holds (
    reservation_id TEXT NOT NULL,
    grant_id       TEXT NOT NULL REFERENCES credit_grants (id),
    amount         INTEGER NOT NULL CHECK (amount > 0),
    PRIMARY KEY (reservation_id, grant_id)
);

-- Tiered overage (Stripe's tiers and tiers_mode) for a soft-capped plan feature: {"Mode": "graduated"|"volume", "Tiers": [...]}.
ALTER TABLE plan_features ADD COLUMN overage_tiers_json TEXT;
