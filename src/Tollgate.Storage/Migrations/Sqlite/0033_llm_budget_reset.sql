-- The window a plan version's LLM budget counts in: the billing period (as before) unless the plan says day, week, month or year.
ALTER TABLE plan_versions ADD COLUMN llm_budget_reset TEXT NOT NULL DEFAULT 'billing_period';
