-- Cluster mode: one instance at a time sends to a destination. The sender that holds the lease
-- renews it before each transaction; another instance's sender takes over once it runs out (its
-- holder died), and resends the in-flight transaction with the same ID and items.
ALTER TABLE federation_destinations ADD COLUMN sender_instance VARCHAR;    -- instance whose sender holds the lease, NULL if none
ALTER TABLE federation_destinations ADD COLUMN sender_lease_until BIGINT;  -- when that lease runs out (ms since the epoch)
