-- A rotated signing secret keeps signing beside the new one until previous_secret_expires_at (Standard Webhooks'
-- zero-downtime rotation: both signatures are sent, so a receiver holding either secret verifies).
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_expires_at BIGINT;
