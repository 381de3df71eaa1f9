-- A credit note's Idempotency-Key is the server's, as a grant's, a pack sale's and Stripe's are: the same key sent for
-- another invoice is a mismatch, found by this index (the unique key on (invoice_id, idempotency_key) cannot serve a
-- lookup by key alone).
CREATE INDEX credit_notes_idempotency_key ON credit_notes (idempotency_key) WHERE idempotency_key IS NOT NULL;
