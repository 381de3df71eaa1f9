-- The tax Stripe's invoice states for a Stripe-billed subscription's invoice (issue 33), per rate, as JSON
-- [{"tax_rate":"txr_…","name":"VAT","millionths":200000,"inclusive":false,"taxable_cents":3000,"amount_cents":600}];
-- NULL when Tollgate computed the tax (or Stripe's invoice has not reached Tollgate yet).
ALTER TABLE invoices ADD COLUMN stripe_taxes_json TEXT;
