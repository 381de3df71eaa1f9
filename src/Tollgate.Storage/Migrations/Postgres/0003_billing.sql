-- Invoices are issued in advance at each period start; once issued they never change (corrections are new lines or credit).
CREATE TABLE invoices (
    id                   TEXT PRIMARY KEY,
    number               TEXT UNIQUE,
    customer_id          TEXT NOT NULL REFERENCES customers (id),
    subscription_id      TEXT REFERENCES subscriptions (id),
    status               TEXT NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
    billing_reason       TEXT NOT NULL,
    currency             TEXT NOT NULL,
    subtotal_cents       BIGINT NOT NULL,
    credit_applied_cents BIGINT NOT NULL,
    amount_due_cents     BIGINT NOT NULL,
    amount_paid_cents    BIGINT NOT NULL,
    period_start         BIGINT,
    period_end           BIGINT,
    collection_method    TEXT NOT NULL,
    issued_at            BIGINT,
    due_at               BIGINT,
    paid_at              BIGINT,
    voided_at            BIGINT,
    stripe_invoice_id    TEXT,
    created_at           BIGINT NOT NULL
);

CREATE INDEX invoices_customer ON invoices (customer_id, created_at);
CREATE INDEX invoices_subscription ON invoices (subscription_id, created_at);
CREATE INDEX invoices_open_due ON invoices (due_at) WHERE status = 'open';

CREATE TABLE invoice_lines (
    invoice_id        TEXT NOT NULL REFERENCES invoices (id),
    position          BIGINT NOT NULL,
    kind              TEXT NOT NULL,
    description       TEXT NOT NULL,
    amount_cents      BIGINT NOT NULL,
    quantity          BIGINT NOT NULL,
    unit_amount_cents BIGINT NOT NULL,
    period_start      BIGINT NOT NULL,
    period_end        BIGINT NOT NULL,
    plan_code         TEXT,
    plan_version_id   TEXT,
    feature_code      TEXT,
    PRIMARY KEY (invoice_id, position)
);

CREATE INDEX invoice_lines_period ON invoice_lines (period_start, period_end);

-- Gapless numbering: one counter per year, taken in the finalizing transaction.
CREATE TABLE invoice_sequences (
    year        BIGINT PRIMARY KEY,
    last_number BIGINT NOT NULL
);

-- Proration lines wait here for the next invoice of their subscription.
CREATE TABLE pending_invoice_items (
    id                TEXT PRIMARY KEY,
    customer_id       TEXT NOT NULL REFERENCES customers (id),
    subscription_id   TEXT NOT NULL REFERENCES subscriptions (id),
    currency          TEXT NOT NULL,
    kind              TEXT NOT NULL,
    description       TEXT NOT NULL,
    amount_cents      BIGINT NOT NULL,
    quantity          BIGINT NOT NULL,
    unit_amount_cents BIGINT NOT NULL,
    period_start      BIGINT NOT NULL,
    period_end        BIGINT NOT NULL,
    plan_code         TEXT,
    plan_version_id   TEXT,
    feature_code      TEXT,
    invoice_id        TEXT REFERENCES invoices (id),
    sequence          BIGINT NOT NULL,
    created_at        BIGINT NOT NULL
);

CREATE INDEX pending_invoice_items_open ON pending_invoice_items (subscription_id) WHERE invoice_id IS NULL;

-- A customer's credit balance is the sum of these (negative: owed to the customer), per currency.
CREATE TABLE balance_transactions (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    currency     TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    invoice_id   TEXT REFERENCES invoices (id),
    description  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE INDEX balance_transactions_customer ON balance_transactions (customer_id, currency);

-- The state of a subscription after each change, for MRR and its movements.
CREATE TABLE subscription_events (
    id                   TEXT PRIMARY KEY,
    subscription_id      TEXT NOT NULL REFERENCES subscriptions (id),
    customer_id          TEXT NOT NULL,
    at                   BIGINT NOT NULL,
    reason               TEXT NOT NULL,
    status               TEXT NOT NULL,
    plan_code            TEXT NOT NULL,
    plan_version_id      TEXT NOT NULL,
    billing_period       TEXT NOT NULL,
    price_cents          BIGINT NOT NULL,
    currency             TEXT NOT NULL,
    cancel_at_period_end BOOLEAN NOT NULL,
    was_trial            BOOLEAN NOT NULL,
    sequence             BIGINT NOT NULL
);

CREATE INDEX subscription_events_at ON subscription_events (at, sequence);
CREATE INDEX subscription_events_subscription ON subscription_events (subscription_id, at, sequence);
