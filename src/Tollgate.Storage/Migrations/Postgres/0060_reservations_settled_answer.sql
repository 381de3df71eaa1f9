-- The answer a reservation's commit or release gave, so a retry of that settlement gets it again, as an idempotent
-- consume does, however the counters or the plan moved since. Null: held, expired, or settled before this column.
ALTER TABLE reservations ADD COLUMN settled_answer_json TEXT;
