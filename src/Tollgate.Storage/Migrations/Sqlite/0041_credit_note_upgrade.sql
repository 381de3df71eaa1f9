-- Before 0040, a refund call that failed for any reason (a timeout included, when Stripe may well have made the refund)
-- was stored as failed, meaning "a retry may try again". Since 0040, failed is Stripe's final word and such a note is
-- never handed over again, so those notes go back to pending: the resume path first finds Stripe's refund by the note's
-- id (metadata tollgate_credit_note, set since credit notes began), asks again only if there is none, and voids the note
-- if Stripe refuses.
UPDATE credit_notes SET refund_status = 'pending'
WHERE refund_status = 'failed' AND voided_at IS NULL AND stripe_refund_id IS NULL AND refund_amount_cents > 0;
-- The fingerprint beside an Idempotency-Key is now the first 32 lower-case hex digits of the same SHA-256 (Core's
-- RequestHash) where it was all 64 in upper case, so a key used before keeps answering its first request.
UPDATE credit_notes SET request_hash = lower(substr(request_hash, 1, 32)) WHERE length(request_hash) = 64;
