-- The lookup of a customer by e-mail (the pricing page's checkout, for any visitor) compared unicode_lower(email), which
-- the index on SQLite's ASCII-only LOWER(email) could not answer: every lookup read every customer. The folded address
-- is now stored (the server writes it with the e-mail) and indexed. unicode_lower is the server's own function, which
-- every Tollgate connection has, this migration's included.
ALTER TABLE customers ADD COLUMN email_key TEXT;
UPDATE customers SET email_key = unicode_lower(email) WHERE email IS NOT NULL;
CREATE INDEX customers_email_key ON customers (email_key) WHERE deleted_at IS NULL;
DROP INDEX customers_email_lower;
