-- Soft-cap overage units already invoiced from this window: a plan change that re-anchors the period bills the windows
-- it closes at the change, so the renewal that later sees the same window bills only what was counted since.
ALTER TABLE usage_counters ADD COLUMN overage_billed INTEGER NOT NULL DEFAULT 0;
