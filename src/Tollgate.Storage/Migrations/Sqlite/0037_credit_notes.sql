-- A credit note corrects an issued invoice without touching its lines: on an open invoice it lowers what is due, on a
-- paid one it becomes customer credit (or a refund). credited_cents on the invoice and on each line is what credit notes
-- took from it so far; the invoice row is locked first, so concurrent notes on one invoice never pass its total.
CREATE TABLE credit_notes (
    id                       TEXT PRIMARY KEY,
    number                   TEXT NOT NULL UNIQUE,
    invoice_id               TEXT NOT NULL REFERENCES invoices (id),
    customer_id              TEXT NOT NULL REFERENCES customers (id),
    currency                 TEXT NOT NULL,
    amount_cents             INTEGER NOT NULL CHECK (amount_cents > 0),
    pre_payment_amount_cents INTEGER NOT NULL,
    credit_balance_cents     INTEGER NOT NULL,
    refund_amount_cents      INTEGER NOT NULL,
    refund_status            TEXT,
    stripe_refund_id         TEXT,
    reason                   TEXT NOT NULL,
    memo                     TEXT,
    idempotency_key          TEXT,
    request_hash             TEXT,
    created_at               INTEGER NOT NULL,
    UNIQUE (invoice_id, idempotency_key)
);

CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id, created_at);
CREATE INDEX credit_notes_created ON credit_notes (created_at, id);
CREATE INDEX credit_notes_customer ON credit_notes (customer_id, created_at);

-- Each note's amount as it falls on the invoice's lines (an amount without lines is spread over them), for revenue.
CREATE TABLE credit_note_lines (
    credit_note_id TEXT NOT NULL REFERENCES credit_notes (id),
    position       INTEGER NOT NULL,
    invoice_id     TEXT NOT NULL,
    line_position  INTEGER NOT NULL,
    description    TEXT NOT NULL,
    amount_cents   INTEGER NOT NULL,
    PRIMARY KEY (credit_note_id, position)
);

CREATE INDEX credit_note_lines_invoice_line ON credit_note_lines (invoice_id, line_position);

-- Credit notes are numbered on their own gapless yearly sequence: CN-2026-000001.
CREATE TABLE credit_note_sequences (
    year        INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
);

ALTER TABLE invoices ADD COLUMN credited_cents INTEGER NOT NULL DEFAULT 0;
