-- When a keyed POST's change first committed: set in the change's own transaction (Http/IdempotentPost), so a claim whose
-- answer was lost after the change (a failed save, a process that died) is never run again by a retry, and never let go.
-- answered_at without a status_code now means the first request ended and its answer is not kept.
ALTER TABLE idempotent_requests ADD COLUMN applied_at BIGINT;
