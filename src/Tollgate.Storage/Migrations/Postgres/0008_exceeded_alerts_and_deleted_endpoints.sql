-- An alert for use past a limit ('exceeded'), and endpoints removed without losing their delivery history.
ALTER TABLE usage_alerts DROP CONSTRAINT usage_alerts_kind_check;
ALTER TABLE usage_alerts ADD CONSTRAINT usage_alerts_kind_check CHECK (kind IN ('threshold', 'projected', 'exceeded'));

-- Deleted endpoints stop receiving events but keep their deliveries, which reference them.
ALTER TABLE webhook_endpoints ADD COLUMN deleted_at BIGINT;
