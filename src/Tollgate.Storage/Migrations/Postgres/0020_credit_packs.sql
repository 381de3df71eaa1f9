-- The catalog's credit packs, as the document wrote them ({"packs": [...]}): read with the catalog, never queried by field.
ALTER TABLE catalog_settings ADD COLUMN packs_json TEXT;

-- The invoice a pack sold through the API was billed on, so a retried sale answers the invoice the first one issued.
ALTER TABLE credit_grants ADD COLUMN invoice_id TEXT;
