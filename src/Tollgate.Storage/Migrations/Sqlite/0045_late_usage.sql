-- Closed quota windows a late event changed, waiting for the next invoice to re-rate them (a late_usage line). seq grows
-- with each late change, so an invoice removes a row only if no event changed the window after the invoice read it.
CREATE TABLE late_usage_windows (
    customer_id  TEXT NOT NULL,
    feature_code TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    window_end   INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (customer_id, feature_code, window_start)
);
