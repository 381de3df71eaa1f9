-- What a customer suspended after dunning may use: the default plan (as before) or nothing (deny).
ALTER TABLE catalog_settings ADD COLUMN on_suspension TEXT NOT NULL DEFAULT 'default_plan';
