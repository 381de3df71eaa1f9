-- A quota may count in UTC calendar months or years for every customer, whatever its subscription's anchor (a
-- hand-written "YYYY-MM" usage key). The check on quota_reset widens; plan_features is small, so validating it is cheap.
ALTER TABLE plan_features DROP CONSTRAINT plan_features_quota_reset_check;
ALTER TABLE plan_features ADD CONSTRAINT plan_features_quota_reset_check
    CHECK (quota_reset IN ('day', 'week', 'month', 'year', 'billing_period', 'never', 'calendar_month', 'calendar_year'));
