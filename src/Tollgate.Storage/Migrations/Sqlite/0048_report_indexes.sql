-- Indexes the operator's reports needed once the tables grew (a trial at 100,000 invoices, 62,000 webhook deliveries):
-- revenue by window read every invoice line ever issued (period_start < to matches all history, so only the end can
-- narrow it); payments by window every invoice; and retention's pass over webhook events checked each event against
-- every delivery (event_id is a foreign key, which PostgreSQL does not index by itself; the check on delete needs it too).
CREATE INDEX invoice_lines_period_end ON invoice_lines (period_end);
CREATE INDEX invoices_paid ON invoices (paid_at) WHERE status = 'paid';
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
