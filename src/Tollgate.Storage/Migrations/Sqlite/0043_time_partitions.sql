-- Nothing to do on SQLite: usage_events and llm_calls are partitioned by time on PostgreSQL only (0043 there), so that
-- retention drops whole partitions; SQLite keeps one table each and prunes them by rows. This file keeps the numbers
-- gapless in both folders.
SELECT 1;
