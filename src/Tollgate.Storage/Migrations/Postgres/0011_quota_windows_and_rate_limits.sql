-- A plan feature's limit counts per its own window, and any plan feature may carry a rate limit or an LLM meter.
ALTER TABLE plan_features ADD COLUMN quota_reset TEXT NOT NULL DEFAULT 'month'
    CHECK (quota_reset IN ('day', 'week', 'month', 'year', 'billing_period', 'never'));
ALTER TABLE plan_features ADD COLUMN rate_limit BIGINT CHECK (rate_limit > 0);
ALTER TABLE plan_features ADD COLUMN rate_limit_per TEXT CHECK (rate_limit_per IN ('second', 'minute', 'hour'));
ALTER TABLE plan_features ADD COLUMN meter_json TEXT;

-- Rate-limit windows: one row per customer, feature and fixed window, counted by a conditional upsert like quotas.
CREATE TABLE rate_counters (
    customer_id  TEXT NOT NULL,
    feature_code TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    window_end   BIGINT NOT NULL,
    used         BIGINT NOT NULL CHECK (used >= 0),
    PRIMARY KEY (customer_id, feature_code, window_start)
);
CREATE INDEX rate_counters_window_end ON rate_counters (window_end);

-- The feature whose rate_limit in a plan limits every request of that plan (a plan-wide rate limit).
ALTER TABLE catalog_settings ADD COLUMN rate_limit_feature TEXT;

-- Why a subscription was canceled, in Stripe's cancellation-feedback terms, and what the customer said.
ALTER TABLE subscriptions ADD COLUMN cancel_reason TEXT;
ALTER TABLE subscriptions ADD COLUMN cancel_comment TEXT;
