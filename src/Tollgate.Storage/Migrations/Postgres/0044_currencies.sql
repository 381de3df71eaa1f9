-- Several currencies (issue 33). A plan may price one billing period in several currencies, so a price is keyed by
-- version, period and currency; currency_position keeps the order the catalog listed its currencies in (0 is the
-- plan's default).
ALTER TABLE plan_prices DROP CONSTRAINT plan_prices_pkey;
ALTER TABLE plan_prices ADD PRIMARY KEY (plan_version_id, billing_period, currency);
ALTER TABLE plan_prices ADD COLUMN currency_position BIGINT NOT NULL DEFAULT 0;

-- A customer has one currency: set on the customer, or fixed by its first subscription. NULL until then.
ALTER TABLE customers ADD COLUMN currency TEXT;

-- A subscription is sold in one of its plan's currencies. Those sold before were in the plan's only currency.
ALTER TABLE subscriptions ADD COLUMN currency TEXT NOT NULL DEFAULT '';
UPDATE subscriptions s SET currency = COALESCE((SELECT p.currency FROM plan_prices p
    WHERE p.plan_version_id = s.plan_version_id AND p.billing_period = s.billing_period), 'USD');
-- A customer takes its live subscription's currency, or else its newest one's: what it buys in now.
UPDATE customers c SET currency = (SELECT s.currency FROM subscriptions s WHERE s.customer_id = c.id
    ORDER BY CASE WHEN s.status IN ('trialing', 'active', 'past_due', 'incomplete') THEN 0 ELSE 1 END, s.created_at DESC LIMIT 1)
WHERE EXISTS (SELECT 1 FROM subscriptions s WHERE s.customer_id = c.id);

-- A fixed-amount coupon may take off another amount in another currency, as Stripe's currency_options: {"EUR": 2500}.
ALTER TABLE coupons ADD COLUMN currency_options_json TEXT;
