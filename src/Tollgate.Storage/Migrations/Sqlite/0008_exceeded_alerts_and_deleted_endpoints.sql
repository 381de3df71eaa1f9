-- An alert for use past a limit ('exceeded'), and endpoints removed without losing their delivery history.
-- SQLite cannot alter a CHECK constraint, so usage_alerts is rebuilt with the wider one and its rows copied.
CREATE TABLE usage_alerts_new (
    id            TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    feature_code  TEXT NOT NULL,
    period_start  INTEGER NOT NULL,
    period_end    INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('threshold', 'projected', 'exceeded')),
    threshold     INTEGER NOT NULL,
    severity      TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    used          INTEGER NOT NULL,
    limit_value   INTEGER NOT NULL,
    projected_at  INTEGER,
    message       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    read_at       INTEGER,
    UNIQUE (customer_id, feature_code, period_start, kind, threshold)
);

INSERT INTO usage_alerts_new SELECT id, customer_id, feature_code, period_start, period_end, kind, threshold, severity,
    used, limit_value, projected_at, message, created_at, read_at FROM usage_alerts;
DROP TABLE usage_alerts;
ALTER TABLE usage_alerts_new RENAME TO usage_alerts;
CREATE INDEX usage_alerts_customer ON usage_alerts (customer_id, created_at);

-- Deleted endpoints stop receiving events but keep their deliveries, which reference them.
ALTER TABLE webhook_endpoints ADD COLUMN deleted_at INTEGER;

-- Two event types were renamed to the names the app is told about; endpoints that took them keep getting them.
UPDATE webhook_endpoints SET event_types = REPLACE(REPLACE(event_types,
    ',usage.threshold_reached,', ',usage.threshold_crossed,'), ',invoice.issued,', ',invoice.created,');

-- When a Tollgate trial's three-day warning (subscription.trial_will_end) was sent, so it is sent once.
ALTER TABLE subscriptions ADD COLUMN trial_will_end_sent_at INTEGER;
