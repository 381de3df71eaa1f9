-- A rate limit keeps one row per customer and feature, whose window moves forward in place: a row per window grew
-- without end (86,400 rows a day for a per-second limit called every second) and cost an insert each window.
-- Only each pair's latest window is kept; older ones can never count again.
CREATE TABLE rate_windows (
    customer_id  TEXT NOT NULL,
    feature_code TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    window_end   BIGINT NOT NULL,
    used         BIGINT NOT NULL CHECK (used >= 0),
    PRIMARY KEY (customer_id, feature_code)
);
INSERT INTO rate_windows (customer_id, feature_code, window_start, window_end, used)
SELECT r.customer_id, r.feature_code, r.window_start, r.window_end, r.used
FROM rate_counters r
WHERE r.window_start = (SELECT MAX(l.window_start) FROM rate_counters l WHERE l.customer_id = r.customer_id AND l.feature_code = r.feature_code);
DROP TABLE rate_counters;
ALTER TABLE rate_windows RENAME TO rate_counters;
