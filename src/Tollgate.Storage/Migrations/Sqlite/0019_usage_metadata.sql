-- Usage records keep the caller's metadata (string pairs: endpoint, IP, user agent), erased with the customer.
ALTER TABLE usage_events ADD COLUMN metadata_json TEXT;

-- Where a usage record came from: a tracked event, or a consume or committed reservation that carried metadata.
ALTER TABLE usage_events ADD COLUMN source TEXT NOT NULL DEFAULT 'event' CHECK (source IN ('event', 'consume', 'reservation'));

-- A reservation's metadata waits here until its commit writes the usage record.
ALTER TABLE reservations ADD COLUMN metadata_json TEXT;
