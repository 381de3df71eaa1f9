-- A hold a member takes also holds the member's own share of a per_member_limit feature, so commit, release and
-- expiry must know whose share to settle; NULL for an organisation's own hold.
ALTER TABLE reservations ADD COLUMN member_id TEXT;
