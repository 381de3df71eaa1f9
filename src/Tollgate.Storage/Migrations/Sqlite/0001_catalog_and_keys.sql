-- Instants are INTEGER Unix milliseconds (UTC) in both dialects, so the same SQL compares them exactly.
CREATE TABLE features (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    unit        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('boolean', 'metered', 'value')),
    uses_llm    INTEGER NOT NULL DEFAULT 0,
    position    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE plans (
    code               TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    description        TEXT NOT NULL,
    is_active          INTEGER NOT NULL,
    sort_order         INTEGER NOT NULL,
    is_popular         INTEGER NOT NULL,
    current_version_id TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

-- Terms are immutable once written: a change is a new version, and subscriptions keep theirs.
CREATE TABLE plan_versions (
    id                  TEXT PRIMARY KEY,
    plan_code           TEXT NOT NULL REFERENCES plans (code),
    version             INTEGER NOT NULL,
    terms_hash          TEXT NOT NULL,
    llm_budget_nano_usd INTEGER,
    created_at          INTEGER NOT NULL,
    UNIQUE (plan_code, version)
);

CREATE TABLE plan_prices (
    plan_version_id TEXT NOT NULL REFERENCES plan_versions (id),
    billing_period  TEXT NOT NULL CHECK (billing_period IN ('monthly', 'yearly')),
    price_cents     INTEGER NOT NULL CHECK (price_cents >= 0),
    currency        TEXT NOT NULL,
    trial_days      INTEGER NOT NULL CHECK (trial_days >= 0),
    stripe_price_id TEXT,
    PRIMARY KEY (plan_version_id, billing_period)
);

CREATE INDEX plan_prices_stripe_price ON plan_prices (stripe_price_id) WHERE stripe_price_id IS NOT NULL;

CREATE TABLE plan_features (
    plan_version_id          TEXT NOT NULL REFERENCES plan_versions (id),
    feature_code             TEXT NOT NULL REFERENCES features (code),
    kind                     TEXT NOT NULL,
    monthly_quota            INTEGER CHECK (monthly_quota >= 0),
    hard_cap                 INTEGER NOT NULL,
    rollover                 INTEGER NOT NULL,
    overage_unit_price_cents INTEGER CHECK (overage_unit_price_cents >= 0),
    enabled                  INTEGER NOT NULL,
    value_json               TEXT,
    alert_thresholds         TEXT NOT NULL,
    position                 INTEGER NOT NULL,
    PRIMARY KEY (plan_version_id, feature_code)
);

CREATE TABLE catalog_settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    default_plan TEXT,
    upgrade_url  TEXT,
    faq_json     TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

INSERT INTO catalog_settings (id, default_plan, upgrade_url, faq_json, revision, updated_at) VALUES (1, NULL, NULL, '[]', 0, 0);

-- Keys are stored as SHA-256 hashes; lookup is a non-secret prefix, the hash is compared in constant time.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'secret', 'publishable')),
    lookup     TEXT NOT NULL,
    key_hash   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE INDEX api_keys_lookup ON api_keys (lookup);
