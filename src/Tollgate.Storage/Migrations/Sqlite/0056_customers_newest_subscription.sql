-- The customer list filters by the plan and the status of each customer's newest subscription, which the customer's
-- row now carries (PostgreSQL's migration says why). Triggers keep them, so no writer can forget them; SQLite has no
-- context_version trigger to share (0023), so these are the only ones.
ALTER TABLE customers ADD COLUMN newest_plan_code TEXT;
ALTER TABLE customers ADD COLUMN newest_subscription_status TEXT;

UPDATE customers SET (newest_plan_code, newest_subscription_status) = (
    SELECT s.plan_code, s.status FROM subscriptions s WHERE s.customer_id = customers.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1);

CREATE TRIGGER subscriptions_newest_insert AFTER INSERT ON subscriptions BEGIN
    UPDATE customers SET (newest_plan_code, newest_subscription_status) = (
        SELECT s.plan_code, s.status FROM subscriptions s WHERE s.customer_id = customers.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1)
    WHERE id = NEW.customer_id;
END;

CREATE TRIGGER subscriptions_newest_update AFTER UPDATE OF customer_id, plan_code, status, created_at ON subscriptions BEGIN
    UPDATE customers SET (newest_plan_code, newest_subscription_status) = (
        SELECT s.plan_code, s.status FROM subscriptions s WHERE s.customer_id = customers.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1)
    WHERE id IN (OLD.customer_id, NEW.customer_id);
END;

CREATE TRIGGER subscriptions_newest_delete AFTER DELETE ON subscriptions BEGIN
    UPDATE customers SET (newest_plan_code, newest_subscription_status) = (
        SELECT s.plan_code, s.status FROM subscriptions s WHERE s.customer_id = customers.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1)
    WHERE id = OLD.customer_id;
END;

CREATE INDEX customers_newest_plan ON customers (newest_plan_code, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_newest_status ON customers (newest_subscription_status, created_at, id) WHERE deleted_at IS NULL;
