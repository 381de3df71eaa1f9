-- Which stopped experiment's winning variant set a price ("exp_…/variant"), carried to later versions while the price
-- stays: a catalog document that would change it back is named in the apply's answer.
ALTER TABLE plan_prices ADD COLUMN promoted_by TEXT;
