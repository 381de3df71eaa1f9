-- The answers of keyed POSTs that have no key of their own (subscriptions, seats, discounts, invoice states): a retry under
-- the same Idempotency-Key gets the first answer back, and another request under it a 409 (Http/IdempotentPost).
-- answered_at is null while the first request runs; its duplicates wait for the answer.
CREATE TABLE idempotent_requests (
    scope TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER,
    content_type TEXT,
    location TEXT,
    body TEXT,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    PRIMARY KEY (scope, idempotency_key)
);
