-- Organisations: a customer's members share its quotas. A member id is unique across the installation, so entitlement
-- calls can take either id; member_count is bumped by one conditional UPDATE, so concurrent additions never pass the seats.
CREATE TABLE members (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    email        TEXT,
    name         TEXT,
    role         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE INDEX members_customer ON members (customer_id, id);

ALTER TABLE customers ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;

-- Seats: a per-seat price's quantity, and a reduction waiting for the period end.
ALTER TABLE subscriptions ADD COLUMN seats INTEGER CHECK (seats > 0);
ALTER TABLE subscriptions ADD COLUMN pending_seats INTEGER CHECK (pending_seats > 0);

-- A deal price reuses the experiments' price_override_cents, with the operator's note on why.
ALTER TABLE subscriptions ADD COLUMN price_override_note TEXT;

ALTER TABLE plans ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'private'));

ALTER TABLE plan_prices ADD COLUMN per_seat INTEGER NOT NULL DEFAULT 0;
ALTER TABLE plan_prices ADD COLUMN included_seats INTEGER NOT NULL DEFAULT 1;
ALTER TABLE plan_prices ADD COLUMN max_seats INTEGER;

ALTER TABLE plan_features ADD COLUMN per_member_limit INTEGER CHECK (per_member_limit > 0);
ALTER TABLE plan_features ADD COLUMN per_seat INTEGER NOT NULL DEFAULT 0;
