-- PostgreSQL moves its e-mail index to ICU's lower case here; SQLite has no index on the e-mail lookup
-- (unicode_lower is a function of the connection), so nothing changes.
SELECT 1;
