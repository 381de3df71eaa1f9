-- A feature's own rate limit counts on the feature's quota counter row while its rate window lies inside the quota
-- window, so a rate-limited consume updates one row, not two. rate_start is the rate window the row counts (Unix ms,
-- 0 before any), rate_used what it has taken in it. A rate window that crosses a quota window's edge still counts in
-- rate_counters, the one row both windows' counters share.
ALTER TABLE usage_counters ADD COLUMN rate_start BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_counters ADD COLUMN rate_used BIGINT NOT NULL DEFAULT 0;
