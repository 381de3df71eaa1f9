-- E-mail to customers goes through the outbox as webhooks do: a message row is written in the transaction of the change
-- it reports, and a dispatcher sends it. (idempotency_key, recipient) is unique, so one event never mails one address twice.
-- replayed_after holds the attempts made before the last replay, so a replayed message gets a fresh set of attempts.
CREATE TABLE email_messages (
    id               TEXT PRIMARY KEY,
    idempotency_key  TEXT NOT NULL,
    kind             TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    customer_id      TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    object_id        TEXT NOT NULL,
    payload_json     TEXT NOT NULL,
    subject          TEXT,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead', 'skipped')),
    attempts         INTEGER NOT NULL,
    replayed_after   INTEGER NOT NULL DEFAULT 0,
    queued_at        BIGINT NOT NULL,
    next_attempt_at  BIGINT,
    locked_until     BIGINT,
    last_attempt_at  BIGINT,
    last_error       TEXT,
    sent_at          BIGINT,
    created_at       BIGINT NOT NULL,
    UNIQUE (idempotency_key, recipient)
);

CREATE INDEX email_messages_due ON email_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX email_messages_created ON email_messages (created_at, id);

CREATE TABLE email_attempts (
    message_id   TEXT NOT NULL REFERENCES email_messages (id),
    attempt      INTEGER NOT NULL,
    at           BIGINT NOT NULL,
    smtp_status  INTEGER,
    error        TEXT,
    duration_ms  BIGINT NOT NULL,
    PRIMARY KEY (message_id, attempt)
);

-- The catalog's notify.email: ',kind,kind,' of the e-mails customers get, or NULL for every kind.
ALTER TABLE catalog_settings ADD COLUMN notify_email TEXT;
