-- A promotion code held for a Checkout session is given back when the session expires even if no webhook reports it:
-- the hold carries the session's expires_at, and redemptions release the holds past it. Holds made before this
-- migration take Stripe's default session life, 24 hours from when they were made.
ALTER TABLE checkout_redemptions ADD COLUMN expires_at BIGINT;

UPDATE checkout_redemptions SET expires_at = created_at + 86400000 WHERE status = 'held';

CREATE INDEX checkout_redemptions_expiring ON checkout_redemptions (expires_at) WHERE status = 'held';
