-- The e-mail lookup compares a stored folded address (email_key, written by the server with the e-mail), as on SQLite,
-- where an expression of email could not be indexed. Rows written before are folded here with ICU's root collation,
-- the expression the lookup used until now.
ALTER TABLE customers ADD COLUMN email_key TEXT;
UPDATE customers SET email_key = LOWER(email COLLATE "und-x-icu") WHERE email IS NOT NULL;
CREATE INDEX customers_email_key ON customers (email_key) WHERE deleted_at IS NULL;
DROP INDEX customers_email_lower_icu;
