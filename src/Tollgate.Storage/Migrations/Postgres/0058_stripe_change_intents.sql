-- A plan change Tollgate asks Stripe for, written before the call: when Stripe acts and its answer never reaches the
-- node that asked (a lost connection, a crash before the commit), the customer.subscription.updated that follows finds
-- it here and bills the change's own proration lines, which Stripe was asked not to make. One per subscription; the
-- answer's commit, Stripe's refusal or that event removes it.
CREATE TABLE stripe_change_intents (
    subscription_id TEXT PRIMARY KEY,
    from_version_id TEXT NOT NULL,
    plan_version_id TEXT NOT NULL,
    billing_period TEXT NOT NULL,
    proration TEXT NOT NULL,
    requested_at BIGINT NOT NULL
);
