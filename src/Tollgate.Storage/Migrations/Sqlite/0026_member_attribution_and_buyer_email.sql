-- Which member sent a usage record or an LLM call: the rows belong to the organisation (its quota, its costs), so the
-- member is kept beside them; NULL when the call named the organisation itself.
ALTER TABLE usage_events ADD COLUMN member_id TEXT;
ALTER TABLE llm_calls ADD COLUMN member_id TEXT;

-- The member a hold was taken by, for the usage record its commit writes. reservations.member_id names only a hold on a
-- member's per_member_limit share (what commit must settle), so it cannot carry this.
ALTER TABLE reservations ADD COLUMN attributed_member_id TEXT;

-- GET /v1/events?member= and GET /v1/llm/calls?member= read one member's rows newest first; org-only rows stay out of it.
CREATE INDEX usage_events_member_occurred ON usage_events (member_id, occurred_at) WHERE member_id IS NOT NULL;
CREATE INDEX llm_calls_member_occurred ON llm_calls (member_id, occurred_at) WHERE member_id IS NOT NULL;

-- The pricing page's checkout finds an existing customer by e-mail, any case, instead of making a second one.
CREATE INDEX customers_email_lower ON customers (LOWER(email)) WHERE deleted_at IS NULL;
