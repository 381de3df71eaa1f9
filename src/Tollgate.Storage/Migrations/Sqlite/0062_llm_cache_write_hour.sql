-- Cache writes with a one-hour lifetime (Anthropic's ttl "1h") cost more than the five-minute ones: $6 against $3.75 per
-- 1M tokens on Claude Sonnet 4.5. A call keeps how many of its cache writes were for an hour, so a recompute prices them
-- again, and a price keeps the hour's rate, its tier's too. A constant default adds the column without rewriting the table.
ALTER TABLE llm_calls ADD COLUMN cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE model_prices ADD COLUMN cache_write_1h_nano INTEGER;
ALTER TABLE model_prices ADD COLUMN tier_cache_write_1h_nano INTEGER;
