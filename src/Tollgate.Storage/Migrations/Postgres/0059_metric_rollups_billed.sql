-- A grouped metric's value in each group when its window's overage was last invoiced (a count or a sum). The next
-- invoice of the window (the renewal after a plan change, a lifetime window's next period) splits only the overage
-- that came since by what each group added since, not by the window's whole usage. Null: never invoiced.
ALTER TABLE metric_rollups ADD COLUMN billed_value BIGINT;
