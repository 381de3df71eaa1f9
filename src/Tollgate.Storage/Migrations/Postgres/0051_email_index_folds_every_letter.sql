-- The e-mail lookup folds every letter with ICU's root collation (SqlDialect.Lower): LOWER under the database's own
-- collation folds ASCII only in a C-locale database, so the index moves to the expression the lookup now uses.
CREATE INDEX customers_email_lower_icu ON customers (LOWER(email COLLATE "und-x-icu")) WHERE deleted_at IS NULL;
DROP INDEX customers_email_lower;
