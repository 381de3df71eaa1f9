-- Several currencies (issue 33). A plan may price one billing period in several currencies, so a price is keyed by
-- version, period and currency; currency_position keeps the order the catalog listed its currencies in (0 is the
-- plan's default). SQLite cannot change a primary key, so plan_prices is rebuilt with its rows copied.
CREATE TABLE plan_prices_new (
    plan_version_id   TEXT NOT NULL REFERENCES plan_versions (id),
    billing_period    TEXT NOT NULL CHECK (billing_period IN ('monthly', 'yearly')),
    price_cents       INTEGER NOT NULL CHECK (price_cents >= 0),
    currency          TEXT NOT NULL,
    trial_days        INTEGER NOT NULL CHECK (trial_days >= 0),
    stripe_price_id   TEXT,
    per_seat          INTEGER NOT NULL DEFAULT 0,
    included_seats    INTEGER NOT NULL DEFAULT 1,
    max_seats         INTEGER,
    promoted_by       TEXT,
    currency_position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (plan_version_id, billing_period, currency)
);

INSERT INTO plan_prices_new (plan_version_id, billing_period, price_cents, currency, trial_days, stripe_price_id, per_seat, included_seats,
    max_seats, promoted_by)
SELECT plan_version_id, billing_period, price_cents, currency, trial_days, stripe_price_id, per_seat, included_seats, max_seats, promoted_by
FROM plan_prices;
DROP TABLE plan_prices;
ALTER TABLE plan_prices_new RENAME TO plan_prices;
CREATE INDEX plan_prices_stripe_price ON plan_prices (stripe_price_id) WHERE stripe_price_id IS NOT NULL;

-- A customer has one currency: set on the customer, or fixed by its first subscription. NULL until then.
ALTER TABLE customers ADD COLUMN currency TEXT;

-- A subscription is sold in one of its plan's currencies. Those sold before were in the plan's only currency.
ALTER TABLE subscriptions ADD COLUMN currency TEXT NOT NULL DEFAULT '';
UPDATE subscriptions SET currency = COALESCE((SELECT p.currency FROM plan_prices p
    WHERE p.plan_version_id = subscriptions.plan_version_id AND p.billing_period = subscriptions.billing_period), 'USD');
-- A customer takes its live subscription's currency, or else its newest one's: what it buys in now.
UPDATE customers SET currency = (SELECT s.currency FROM subscriptions s WHERE s.customer_id = customers.id
    ORDER BY CASE WHEN s.status IN ('trialing', 'active', 'past_due', 'incomplete') THEN 0 ELSE 1 END, s.created_at DESC LIMIT 1)
WHERE EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer_id = customers.id);

-- A fixed-amount coupon may take off another amount in another currency, as Stripe's currency_options: {"EUR": 2500}.
ALTER TABLE coupons ADD COLUMN currency_options_json TEXT;
