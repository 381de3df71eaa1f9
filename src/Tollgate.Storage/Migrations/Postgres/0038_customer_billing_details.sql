-- A customer's billing details, printed on its invoices and credit notes: the postal address and the tax ids as JSON
-- (read and written whole, never queried into), and whether tax applies. Erasure clears the address and the tax ids.
ALTER TABLE customers ADD COLUMN address_json TEXT;
ALTER TABLE customers ADD COLUMN tax_ids_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE customers ADD COLUMN tax_exempt TEXT NOT NULL DEFAULT 'none' CHECK (tax_exempt IN ('none', 'exempt', 'reverse'));
