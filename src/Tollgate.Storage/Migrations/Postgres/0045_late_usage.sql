-- Closed quota windows a late event changed, waiting for the next invoice to re-rate them (a late_usage line). seq grows
-- with each late change, so an invoice removes a row only if no event changed the window after the invoice read it.
CREATE TABLE late_usage_windows (
    customer_id  TEXT NOT NULL,
    feature_code TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    window_end   BIGINT NOT NULL,
    seq          BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (customer_id, feature_code, window_start)
);
