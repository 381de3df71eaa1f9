-- Invoices are issued in advance at each period start; once issued they never change (corrections are new lines or credit).
CREATE TABLE invoices (
    id                   TEXT PRIMARY KEY,
    number               TEXT UNIQUE,
    customer_id          TEXT NOT NULL REFERENCES customers (id),
    subscription_id      TEXT REFERENCES subscriptions (id),
    status               TEXT NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
    billing_reason       TEXT NOT NULL,
    currency             TEXT NOT NULL,
    subtotal_cents       INTEGER NOT NULL,
    credit_applied_cents INTEGER NOT NULL,
    amount_due_cents     INTEGER NOT NULL,
    amount_paid_cents    INTEGER NOT NULL,
    period_start         INTEGER,
    period_end           INTEGER,
    collection_method    TEXT NOT NULL,
    issued_at            INTEGER,
    due_at               INTEGER,
    paid_at              INTEGER,
    voided_at            INTEGER,
    stripe_invoice_id    TEXT,
    created_at           INTEGER NOT NULL
);

CREATE INDEX invoices_customer ON invoices (customer_id, created_at);
CREATE INDEX invoices_subscription ON invoices (subscription_id, created_at);
CREATE INDEX invoices_open_due ON invoices (due_at) WHERE status = 'open';

CREATE TABLE invoice_lines (
    invoice_id        TEXT NOT NULL REFERENCES invoices (id),
    position          INTEGER NOT NULL,
    kind              TEXT NOT NULL,
    description       TEXT NOT NULL,
    amount_cents      INTEGER NOT NULL,
    quantity          INTEGER NOT NULL,
    unit_amount_cents INTEGER NOT NULL,
    period_start      INTEGER NOT NULL,
    period_end        INTEGER NOT NULL,
    plan_code         TEXT,
    plan_version_id   TEXT,
    feature_code      TEXT,
    PRIMARY KEY (invoice_id, position)
);

CREATE INDEX invoice_lines_period ON invoice_lines (period_start, period_end);

-- Gapless numbering: one counter per year, taken in the finalizing transaction.
CREATE TABLE invoice_sequences (
    year        INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
);

-- Proration lines wait here for the next invoice of their subscription.
CREATE TABLE pending_invoice_items (
    id                TEXT PRIMARY KEY,
    customer_id       TEXT NOT NULL REFERENCES customers (id),
    subscription_id   TEXT NOT NULL REFERENCES subscriptions (id),
    currency          TEXT NOT NULL,
    kind              TEXT NOT NULL,
    description       TEXT NOT NULL,
    amount_cents      INTEGER NOT NULL,
    quantity          INTEGER NOT NULL,
    unit_amount_cents INTEGER NOT NULL,
    period_start      INTEGER NOT NULL,
    period_end        INTEGER NOT NULL,
    plan_code         TEXT,
    plan_version_id   TEXT,
    feature_code      TEXT,
    invoice_id        TEXT REFERENCES invoices (id),
    sequence          INTEGER NOT NULL,
    created_at        INTEGER NOT NULL
);

CREATE INDEX pending_invoice_items_open ON pending_invoice_items (subscription_id) WHERE invoice_id IS NULL;

-- A customer's credit balance is the sum of these (negative: owed to the customer), per currency.
CREATE TABLE balance_transactions (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    currency     TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    invoice_id   TEXT REFERENCES invoices (id),
    description  TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);

CREATE INDEX balance_transactions_customer ON balance_transactions (customer_id, currency);

-- The state of a subscription after each change, for MRR and its movements.
CREATE TABLE subscription_events (
    id                   TEXT PRIMARY KEY,
    subscription_id      TEXT NOT NULL REFERENCES subscriptions (id),
    customer_id          TEXT NOT NULL,
    at                   INTEGER NOT NULL,
    reason               TEXT NOT NULL,
    status               TEXT NOT NULL,
    plan_code            TEXT NOT NULL,
    plan_version_id      TEXT NOT NULL,
    billing_period       TEXT NOT NULL,
    price_cents          INTEGER NOT NULL,
    currency             TEXT NOT NULL,
    cancel_at_period_end INTEGER NOT NULL,
    was_trial            INTEGER NOT NULL,
    sequence             INTEGER NOT NULL
);

CREATE INDEX subscription_events_at ON subscription_events (at, sequence);
CREATE INDEX subscription_events_subscription ON subscription_events (subscription_id, at, sequence);
