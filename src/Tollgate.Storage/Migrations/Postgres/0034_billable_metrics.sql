-- The catalog's billable metrics (its "metrics" list, in the document's shape), and the metric a plan feature counts
-- instead of consumed amounts.
ALTER TABLE catalog_settings ADD COLUMN metrics_json TEXT;
ALTER TABLE plan_features ADD COLUMN metric_code TEXT;
