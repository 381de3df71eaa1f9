-- A credit note's Idempotency-Key, once per server: the note's transaction claims its key here before it writes, so two
-- notes sent at once under one key for two invoices (each holding only its own invoice's lock) cannot both be issued;
-- the second waits on this primary key and finds the first. Not a unique index on credit_notes: before 0053 a key could
-- issue one note per invoice, and those notes stay. Each key keeps its earliest note here; the lookup by key still reads
-- credit_notes, where such a key's other notes are. No foreign key: the key is claimed before its note is written.
CREATE TABLE credit_note_keys (
    idempotency_key TEXT PRIMARY KEY,
    credit_note_id  TEXT NOT NULL
);

INSERT INTO credit_note_keys (idempotency_key, credit_note_id)
SELECT n.idempotency_key, n.id FROM credit_notes n
WHERE n.idempotency_key IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM credit_notes e
    WHERE e.idempotency_key = n.idempotency_key AND (e.created_at < n.created_at OR (e.created_at = n.created_at AND e.id < n.id)));
