-- A promotion code sent to Stripe Checkout is redeemed when the session is made, so concurrent checkouts never pass
-- max_redemptions; the hold is given back when the session expires, and used when Stripe's discount arrives (which
-- then does not count the coupon a second time).
CREATE TABLE checkout_redemptions (
    id                 TEXT PRIMARY KEY,
    promotion_code_id  TEXT NOT NULL REFERENCES promotion_codes (id),
    coupon_id          TEXT NOT NULL REFERENCES coupons (id),
    customer_id        TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('held', 'used', 'released')),
    created_at         BIGINT NOT NULL,
    settled_at         BIGINT
);

CREATE INDEX checkout_redemptions_held ON checkout_redemptions (customer_id, coupon_id, created_at) WHERE status = 'held';
