-- Transaction IDs are unique per device and per endpoint path (spec "Transaction identifiers"):
-- the same ID used in another room or for another event type schedules another event.
DROP INDEX delayed_events_txn;
CREATE UNIQUE INDEX delayed_events_txn_scope ON delayed_events (user_id, device_id, room_id, event_type, txn_id);
