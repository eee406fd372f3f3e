-- Cluster mode: an instance about to send due events leases them first (taken with
-- FOR UPDATE SKIP LOCKED), so the instances share the firing instead of all trying the same
-- rows. The lease is not the guarantee: the claim in the send's own transaction is. A lease
-- that expires (its instance died before sending) lets another instance take the row.
ALTER TABLE delayed_events ADD COLUMN lease_owner VARCHAR;    -- instance that leased the row for sending, NULL if none
ALTER TABLE delayed_events ADD COLUMN lease_expires_ts BIGINT; -- when that lease ends (ms since the epoch, database clock)
