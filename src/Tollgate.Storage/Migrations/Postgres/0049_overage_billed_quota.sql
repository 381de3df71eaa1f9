-- The quota a window's overage was billed past (per-seat limits multiplied by the seats held then). A late event that
-- re-rates the window after its seats changed re-rates against this, not today's seats: 3 seats billed 20 past 300, then
-- 5 seats and one late unit credited the 20 as if the limit had been 500. Null for windows billed before it was kept.
ALTER TABLE usage_counters ADD COLUMN billed_quota BIGINT;
