-- Changes nothing. Number 0028 was skipped when 0029 and 0030 were written, so a fresh database applied 29 migrations
-- and stood at schema version 30, and the start log said both. This fills the gap: the count of migrations applied to a
-- fresh database is its schema version again, and a database already at 30 applies this once, changing nothing.
SELECT 1;
