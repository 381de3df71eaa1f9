-- Retention deletes settled reservations past Tollgate:Retention:EventsDays (a gated LLM call makes one per call) and
-- customer sessions a day past their expiry (an app may make one per page view), oldest first a batch at a time: an
-- index each, so a batch reads no whole table.
CREATE INDEX reservations_settled ON reservations (settled_at) WHERE status <> 'held';
CREATE INDEX customer_sessions_expires ON customer_sessions (expires_at);
