-- Each node remembers a customer's entitlement context (the customer, their live subscription, the member id they
-- answer to). context_version moves on every write to what that context reads, here in the database, so a write by
-- any node is seen: the hot path's conditional UPDATE names the version it remembered and refuses when it moved.
ALTER TABLE customers ADD COLUMN context_version BIGINT NOT NULL DEFAULT 0;

-- Any change to the customer row (deletion, erasure, member count) moves its version, unless the write set it itself.
CREATE FUNCTION tollgate_customer_context_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.context_version := OLD.context_version + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER customers_context_version BEFORE UPDATE ON customers
    FOR EACH ROW WHEN (NEW.context_version = OLD.context_version) EXECUTE FUNCTION tollgate_customer_context_changed();

-- A subscription or member row belongs to customer_id: any insert, update or delete of one moves the owner's version
-- (both owners', should a row ever move between customers).
CREATE FUNCTION tollgate_owner_context_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE customers SET context_version = context_version + 1 WHERE id = OLD.customer_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.customer_id IS DISTINCT FROM OLD.customer_id) THEN
        UPDATE customers SET context_version = context_version + 1 WHERE id = NEW.customer_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER subscriptions_context_version AFTER INSERT OR UPDATE OR DELETE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION tollgate_owner_context_changed();

CREATE TRIGGER members_context_version AFTER INSERT OR UPDATE OR DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION tollgate_owner_context_changed();
