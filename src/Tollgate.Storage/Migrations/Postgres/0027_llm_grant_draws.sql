-- What logged LLM spend drew from each budget grant, per billing period, so a recompute that lowers the period's cost
-- can give back to the grants that period drew (the most recently drawn first) and never more than it drew.
CREATE TABLE llm_grant_draws (
    customer_id  TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    grant_id     TEXT NOT NULL REFERENCES credit_grants (id),
    amount       BIGINT NOT NULL CHECK (amount >= 0),
    drawn_at     BIGINT NOT NULL,
    PRIMARY KEY (customer_id, period_start, grant_id)
);
