-- The same column as PostgreSQL's, for one schema. On SQLite every write passes through the one process, which forgets
-- a remembered context when it writes, so nothing moves the version here and the hot path never checks it.
ALTER TABLE customers ADD COLUMN context_version INTEGER NOT NULL DEFAULT 0;
