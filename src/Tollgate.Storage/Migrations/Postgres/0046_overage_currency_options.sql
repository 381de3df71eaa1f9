-- A plan feature's overage prices in other currencies than the plan's default (issue 33), as JSON
-- [{"Currency":"EUR","Unit":3,"Size":null,"Cents":null}]; NULL when it has none.
ALTER TABLE plan_features ADD COLUMN currency_options_json TEXT;
