-- Lists page by keyset on (created_at, id), newest first; these let each page be an index range, never a sort of the table.
CREATE INDEX customers_created ON customers (created_at, id);
CREATE INDEX subscriptions_created ON subscriptions (created_at, id);
CREATE INDEX subscriptions_customer_created ON subscriptions (customer_id, created_at, id);
CREATE INDEX invoices_created ON invoices (created_at, id);

-- The LLM call log and the event log are read per customer, newest first, within a time range.
CREATE INDEX llm_calls_customer_occurred ON llm_calls (customer_id, occurred_at);
CREATE INDEX usage_events_customer_occurred ON usage_events (customer_id, occurred_at);
CREATE INDEX usage_events_occurred ON usage_events (occurred_at);
