-- Customer session tokens: minted by the app's backend with a secret key for one signed-in customer, used by a browser.
-- Only the SHA-256 of the token is kept; lookup (the token's first characters after its prefix) finds the candidates,
-- which are then compared in constant time, as API keys are.
CREATE TABLE customer_sessions (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    lookup      TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE INDEX customer_sessions_lookup ON customer_sessions (lookup);
CREATE INDEX customer_sessions_customer ON customer_sessions (customer_id, created_at);
