-- How an endpoint's deliveries are signed: 'tollgate' (Tollgate-Signature, as Stripe signs) or 'standard' (Standard Webhooks:
-- webhook-id, webhook-timestamp, webhook-signature). Existing endpoints keep the scheme they were made with.
ALTER TABLE webhook_endpoints ADD COLUMN signature_scheme TEXT NOT NULL DEFAULT 'tollgate'
    CHECK (signature_scheme IN ('tollgate', 'standard'));
