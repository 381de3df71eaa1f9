-- The customer's Stripe customer, created at their first checkout; one Tollgate customer per Stripe customer.
ALTER TABLE customers ADD COLUMN stripe_customer_id TEXT;

CREATE UNIQUE INDEX customers_stripe_customer ON customers (stripe_customer_id) WHERE stripe_customer_id IS NOT NULL;

-- The `created` of the last Stripe event applied to the subscription: an older event arriving later is skipped.
ALTER TABLE subscriptions ADD COLUMN stripe_synced_at BIGINT;

CREATE UNIQUE INDEX subscriptions_stripe ON subscriptions (stripe_subscription_id) WHERE stripe_subscription_id IS NOT NULL;

CREATE INDEX invoices_stripe_invoice ON invoices (stripe_invoice_id) WHERE stripe_invoice_id IS NOT NULL;

-- Each Stripe event id once, written in the same transaction as its effect; a replay finds its row and does nothing.
CREATE TABLE stripe_events (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    outcome     TEXT NOT NULL,
    detail      TEXT
);

CREATE INDEX stripe_events_received ON stripe_events (received_at);
