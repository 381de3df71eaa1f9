-- Coupons say what a discount takes off and for how long; promotion codes are the customer-facing names that redeem
-- them; discounts are coupons attached to subscriptions. Deleting a coupon only marks it, so discounts keep their terms.
CREATE TABLE coupons (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    percent_off_bp      BIGINT CHECK (percent_off_bp > 0 AND percent_off_bp <= 10000),
    amount_off_cents    BIGINT CHECK (amount_off_cents > 0),
    currency            TEXT,
    duration            TEXT NOT NULL CHECK (duration IN ('once', 'repeating', 'forever')),
    duration_in_months  BIGINT,
    applies_to_plans    TEXT NOT NULL DEFAULT '',
    max_redemptions     BIGINT,
    redeem_by           BIGINT,
    times_redeemed      BIGINT NOT NULL DEFAULT 0,
    stripe_coupon_id    TEXT,
    created_at          BIGINT NOT NULL,
    deleted_at          BIGINT,
    CHECK ((percent_off_bp IS NULL) <> (amount_off_cents IS NULL))
);

CREATE TABLE promotion_codes (
    id               TEXT PRIMARY KEY,
    code             TEXT NOT NULL,
    code_key         TEXT NOT NULL UNIQUE,
    coupon_id        TEXT NOT NULL REFERENCES coupons (id),
    max_redemptions  BIGINT,
    expires_at       BIGINT,
    first_time_only  BOOLEAN NOT NULL DEFAULT FALSE,
    customer_id      TEXT,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    times_redeemed   BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL
);

CREATE TABLE discounts (
    id                 TEXT PRIMARY KEY,
    subscription_id    TEXT NOT NULL REFERENCES subscriptions (id),
    customer_id        TEXT NOT NULL,
    coupon_id          TEXT NOT NULL REFERENCES coupons (id),
    promotion_code_id  TEXT REFERENCES promotion_codes (id),
    start_at           BIGINT NOT NULL,
    end_at             BIGINT,
    ended_at           BIGINT,
    created_at         BIGINT NOT NULL
);

CREATE INDEX discounts_subscription ON discounts (subscription_id, start_at);

ALTER TABLE invoices ADD COLUMN discount_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoice_lines ADD COLUMN discount_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE pending_invoice_items ADD COLUMN discount_cents BIGINT NOT NULL DEFAULT 0;
