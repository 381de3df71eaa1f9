-- Retention deletes the keyed POSTs' keys and answers past Tollgate:Retention:IdempotencyKeysHours, oldest first and a
-- batch at a time, as it does the consume keys (idempotency_keys_created): without this index each batch read the table.
CREATE INDEX idempotent_requests_created ON idempotent_requests (created_at);
