-- A credit note whose refund Stripe refused, failed or canceled is voided: the credit it took from the invoice is given
-- back (credited_cents falls, its lines stop counting), since neither money nor credit reached the customer.
ALTER TABLE credit_notes ADD COLUMN voided_at BIGINT;
