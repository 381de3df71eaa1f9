-- Tax rates the operator charges, matched to customers by country (and state when the rate has one) or set on a customer
-- (customers.tax_rates_json, ids in order, read whole). A percentage is held in millionths of the amount (19 % is
-- 190000), so tax stays integer arithmetic. A rate is deactivated, never deleted: issued invoices name it.
CREATE TABLE tax_rates (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    millionths  INTEGER NOT NULL CHECK (millionths > 0 AND millionths < 1000000),
    inclusive   INTEGER NOT NULL,
    country     TEXT,
    state       TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL
);

ALTER TABLE customers ADD COLUMN tax_rates_json TEXT NOT NULL DEFAULT '[]';

-- Each line's tax per rate as it was when the invoice was issued (rate id, name, millionths, inclusive, amount), written
-- once with the line. The invoice keeps the sums: all tax, the total (subtotal less discounts plus exclusive tax), and
-- whether it was issued under reverse charge. Invoices from before hold no tax: their total is subtotal less discounts.
ALTER TABLE invoice_lines ADD COLUMN taxes_json TEXT NOT NULL DEFAULT '[]';
-- The line's inclusive tax, which its amount holds: revenue is the amount without it.
ALTER TABLE invoice_lines ADD COLUMN inclusive_tax_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN tax_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN total_cents INTEGER NOT NULL DEFAULT 0;
UPDATE invoices SET total_cents = subtotal_cents - discount_cents;
ALTER TABLE invoices ADD COLUMN reverse_charge INTEGER NOT NULL DEFAULT 0;
-- Invoices issued before kept the reverse-charge note by reading the customer; they keep it by the flag now.
UPDATE invoices SET reverse_charge = 1 WHERE customer_id IN (SELECT id FROM customers WHERE tax_exempt = 'reverse');
