-- MSC4140 delayed events: one row per delayed event, scheduled or finalised. This table is
-- the source of truth for firing: the in-memory Quartz trigger only says when to look.
CREATE TABLE delayed_events (
    delay_id      VARCHAR PRIMARY KEY, -- opaque ID handed to the client (also a bearer capability for management)
    user_id       VARCHAR NOT NULL,    -- owner: the user the event is sent as
    device_id     VARCHAR,             -- device that scheduled it
    txn_id        VARCHAR,             -- client transaction ID of a PUT that scheduled it, for idempotent repeats
    room_id       VARCHAR NOT NULL,    -- target room
    event_type    VARCHAR NOT NULL,    -- event type
    state_key     VARCHAR,             -- state key for state events, NULL for message events
    content       VARCHAR NOT NULL,    -- event content (JSON), exactly as the client sent it
    extra_keys    VARCHAR NOT NULL,    -- extra top-level PDU keys other modules added to the draft (JSON object)
    delay_ms      BIGINT  NOT NULL,    -- the requested delay; a restart moves due_ts to now + delay_ms
    due_ts        BIGINT  NOT NULL,    -- when it is to be sent (ms since the epoch); scheduled_at = due_ts - delay_ms
    status        VARCHAR NOT NULL,    -- scheduled | sent | cancelled | failed
    finalised_ts  BIGINT,              -- when it was sent, cancelled or failed; NULL while scheduled
    event_id      VARCHAR,             -- the event it became, once sent
    error         VARCHAR              -- for failed: the standard error response (JSON) that stopped the send
);
-- The firing sweep: scheduled rows in due order.
CREATE INDEX delayed_events_due ON delayed_events (status, due_ts);
-- Per-user listing and the per-user limit.
CREATE INDEX delayed_events_owner ON delayed_events (user_id, status, due_ts);
-- Cancellation when another user overwrites the same state.
CREATE INDEX delayed_events_state ON delayed_events (room_id, event_type, state_key);
-- A repeated PUT with the same (user, device, transaction ID) returns the same delay ID.
CREATE UNIQUE INDEX delayed_events_txn ON delayed_events (user_id, device_id, txn_id);
