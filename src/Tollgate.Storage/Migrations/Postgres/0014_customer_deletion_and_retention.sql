-- A deleted customer keeps its row (id and every amount stay, so invoices and metrics stay true) with its personal
-- fields erased; deleted_at marks it, so every later call for the id is a 404 and a PUT of it a 409.
ALTER TABLE customers ADD COLUMN deleted_at BIGINT;

-- Exports read by time range, and the retention worker deletes the oldest rows first, in small batches.
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
