-- A quota may count in UTC calendar months or years for every customer, whatever its subscription's anchor (a
-- hand-written "YYYY-MM" usage key). SQLite cannot change a column's check, so plan_features is rebuilt with its rows
-- copied; nothing references it.
CREATE TABLE plan_features_new (
    plan_version_id          TEXT NOT NULL REFERENCES plan_versions (id),
    feature_code             TEXT NOT NULL REFERENCES features (code),
    kind                     TEXT NOT NULL,
    monthly_quota            INTEGER CHECK (monthly_quota >= 0),
    hard_cap                 INTEGER NOT NULL,
    rollover                 INTEGER NOT NULL,
    overage_unit_price_cents INTEGER CHECK (overage_unit_price_cents >= 0),
    enabled                  INTEGER NOT NULL,
    value_json               TEXT,
    alert_thresholds         TEXT NOT NULL,
    position                 INTEGER NOT NULL,
    quota_reset              TEXT NOT NULL DEFAULT 'month'
        CHECK (quota_reset IN ('day', 'week', 'month', 'year', 'billing_period', 'never', 'calendar_month', 'calendar_year')),
    rate_limit               INTEGER CHECK (rate_limit > 0),
    rate_limit_per           TEXT CHECK (rate_limit_per IN ('second', 'minute', 'hour')),
    meter_json               TEXT,
    overage_tiers_json       TEXT,
    per_member_limit         INTEGER CHECK (per_member_limit > 0),
    per_seat                 INTEGER NOT NULL DEFAULT 0,
    metric_code              TEXT,
    overage_package_size     INTEGER,
    overage_package_cents    INTEGER,
    currency_options_json    TEXT,
    PRIMARY KEY (plan_version_id, feature_code)
);

INSERT INTO plan_features_new (plan_version_id, feature_code, kind, monthly_quota, hard_cap, rollover, overage_unit_price_cents,
    enabled, value_json, alert_thresholds, position, quota_reset, rate_limit, rate_limit_per, meter_json, overage_tiers_json,
    per_member_limit, per_seat, metric_code, overage_package_size, overage_package_cents, currency_options_json)
SELECT plan_version_id, feature_code, kind, monthly_quota, hard_cap, rollover, overage_unit_price_cents,
    enabled, value_json, alert_thresholds, position, quota_reset, rate_limit, rate_limit_per, meter_json, overage_tiers_json,
    per_member_limit, per_seat, metric_code, overage_package_size, overage_package_cents, currency_options_json
FROM plan_features;
DROP TABLE plan_features;
ALTER TABLE plan_features_new RENAME TO plan_features;
