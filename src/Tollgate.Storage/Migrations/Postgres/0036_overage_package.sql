-- A soft cap's overage billed per started package of size units at price_cents (both set, or neither).
ALTER TABLE plan_features ADD COLUMN overage_package_size BIGINT;
ALTER TABLE plan_features ADD COLUMN overage_package_cents BIGINT;
