-- Events with properties (POST /v1/events with "event"), kept under their sender's id so a resent event counts once.
CREATE TABLE metric_events (
    customer_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    event_name      TEXT NOT NULL,
    occurred_at     INTEGER NOT NULL,
    received_at     INTEGER NOT NULL,
    properties_json TEXT NOT NULL,
    PRIMARY KEY (customer_id, id)
);

CREATE INDEX metric_events_received ON metric_events (received_at);

-- Each metric folded per quota window and group as events arrive, so reading usage is one row, never a scan of events.
-- group_key is '' for the whole window and the group's JSON object for each group; the aggregation picks the column.
CREATE TABLE metric_rollups (
    customer_id     TEXT NOT NULL,
    metric_code     TEXT NOT NULL,
    window_start    INTEGER NOT NULL,
    window_end      INTEGER NOT NULL,
    group_key       TEXT NOT NULL,
    events          INTEGER NOT NULL DEFAULT 0,
    total           INTEGER NOT NULL DEFAULT 0,
    maximum         INTEGER NOT NULL DEFAULT 0,
    distinct_values INTEGER NOT NULL DEFAULT 0,
    latest          INTEGER NOT NULL DEFAULT 0,
    latest_at       INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (customer_id, metric_code, window_start, window_end, group_key)
);

-- unique_count stays exact: every distinct value seen in a window (and group), no sketch.
CREATE TABLE metric_distinct_values (
    customer_id  TEXT NOT NULL,
    metric_code  TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    window_end   INTEGER NOT NULL,
    group_key    TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (customer_id, metric_code, window_start, window_end, group_key, value)
);
