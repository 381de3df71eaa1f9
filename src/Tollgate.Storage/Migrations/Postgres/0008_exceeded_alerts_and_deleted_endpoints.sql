-- An alert for use past a limit ('exceeded'), and endpoints removed without losing their delivery history.
ALTER TABLE usage_alerts DROP CONSTRAINT usage_alerts_kind_check;
ALTER TABLE usage_alerts ADD CONSTRAINT usage_alerts_kind_check CHECK (kind IN ('threshold', 'projected', 'exceeded'));

-- Deleted endpoints stop receiving events but keep their deliveries, which reference them.
ALTER TABLE webhook_endpoints ADD COLUMN deleted_at BIGINT;

-- Two event types were renamed to the names the app is told about; endpoints that took them keep getting them.
UPDATE webhook_endpoints SET event_types = REPLACE(REPLACE(event_types,
    ',usage.threshold_reached,', ',usage.threshold_crossed,'), ',invoice.issued,', ',invoice.created,');

-- When a Tollgate trial's three-day warning (subscription.trial_will_end) was sent, so it is sent once.
ALTER TABLE subscriptions ADD COLUMN trial_will_end_sent_at BIGINT;
