-- Tollgate's own lines on a Stripe-billed subscription (soft-cap overage, prorations), to be sent to Stripe as invoice
-- items. Each row is written in the transaction that made its line; the sender posts it once, under its own idempotency key.
CREATE TABLE stripe_invoice_items (
    id                     TEXT PRIMARY KEY,
    customer_id            TEXT NOT NULL,
    subscription_id        TEXT NOT NULL,
    -- null when the subscription had already ended: the item then waits for the customer's next Stripe invoice
    stripe_subscription_id TEXT,
    kind                   TEXT NOT NULL,
    description            TEXT NOT NULL,
    amount_cents           INTEGER NOT NULL,
    currency               TEXT NOT NULL,
    period_start           INTEGER NOT NULL,
    period_end             INTEGER NOT NULL,
    -- the order the lines were made in (milliseconds, then place), which is the order Stripe lists them in
    sequence               INTEGER NOT NULL,
    -- pending until Stripe answers; sent with Stripe's ii_ id; failed when Stripe refused it or 24 hours of retries ran out
    status                 TEXT NOT NULL,
    attempts               INTEGER NOT NULL,
    next_attempt_at        INTEGER NOT NULL,
    locked_until           INTEGER,
    stripe_invoice_item_id TEXT,
    last_error             TEXT,
    created_at             INTEGER NOT NULL,
    sent_at                INTEGER
);

CREATE INDEX stripe_invoice_items_due ON stripe_invoice_items (next_attempt_at, sequence) WHERE status = 'pending';

CREATE INDEX stripe_invoice_items_subscription ON stripe_invoice_items (subscription_id);
