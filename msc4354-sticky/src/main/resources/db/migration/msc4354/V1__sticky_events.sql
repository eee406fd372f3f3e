-- MSC4354 sticky events: one row per event that is still sticky. Written in the event's own
-- transaction, so events and rows commit together and in stream order; the event's stream
-- ordering is the row's position on the sticky stream of /sync. Expired rows are deleted in the
-- background; readers skip them before that.
CREATE TABLE sticky_events (
    stream_ordering BIGINT PRIMARY KEY,  -- the event's position on the events stream, also its sticky stream position
    event_id        VARCHAR NOT NULL,    -- the sticky event
    room_id         VARCHAR NOT NULL,    -- its room
    sender          VARCHAR NOT NULL,    -- its sender (ignored users' events are dropped when served)
    expires_at      BIGINT  NOT NULL     -- when it stops being sticky (ms since the epoch): start + min(duration_ms, 1 h)
);
-- Sticky events of the rooms a user is joined to, in stream order.
CREATE INDEX sticky_events_room ON sticky_events (room_id, stream_ordering);
-- Redaction drops the row of the redacted event.
CREATE INDEX sticky_events_event ON sticky_events (event_id);
-- The background clean-up of expired rows.
CREATE INDEX sticky_events_expiry ON sticky_events (expires_at);
