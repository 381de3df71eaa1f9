-- Coupons say what a discount takes off and for how long; promotion codes are the customer-facing names that redeem
-- them; discounts are coupons attached to subscriptions. Deleting a coupon only marks it, so discounts keep their terms.
CREATE TABLE coupons (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    percent_off_bp      INTEGER CHECK (percent_off_bp > 0 AND percent_off_bp <= 10000),
    amount_off_cents    INTEGER CHECK (amount_off_cents > 0),
    currency            TEXT,
    duration            TEXT NOT NULL CHECK (duration IN ('once', 'repeating', 'forever')),
    duration_in_months  INTEGER,
    applies_to_plans    TEXT NOT NULL DEFAULT '',
    max_redemptions     INTEGER,
    redeem_by           INTEGER,
    times_redeemed      INTEGER NOT NULL DEFAULT 0,
    stripe_coupon_id    TEXT,
    created_at          INTEGER NOT NULL,
    deleted_at          INTEGER,
    CHECK ((percent_off_bp IS NULL) <> (amount_off_cents IS NULL))
);

CREATE TABLE promotion_codes (
    id               TEXT PRIMARY KEY,
    code             TEXT NOT NULL,
    code_key         TEXT NOT NULL UNIQUE,
    coupon_id        TEXT NOT NULL REFERENCES coupons (id),
    max_redemptions  INTEGER,
    expires_at       INTEGER,
    first_time_only  INTEGER NOT NULL DEFAULT 0,
    customer_id      TEXT,
    active           INTEGER NOT NULL DEFAULT 1,
    times_redeemed   INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL
);

CREATE TABLE discounts (
    id                 TEXT PRIMARY KEY,
    subscription_id    TEXT NOT NULL REFERENCES subscriptions (id),
    customer_id        TEXT NOT NULL,
    coupon_id          TEXT NOT NULL REFERENCES coupons (id),
    promotion_code_id  TEXT REFERENCES promotion_codes (id),
    start_at           INTEGER NOT NULL,
    end_at             INTEGER,
    ended_at           INTEGER,
    created_at         INTEGER NOT NULL
);

CREATE INDEX discounts_subscription ON discounts (subscription_id, start_at);

ALTER TABLE invoices ADD COLUMN discount_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoice_lines ADD COLUMN discount_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pending_invoice_items ADD COLUMN discount_cents INTEGER NOT NULL DEFAULT 0;
