-- Core schema, part 10: rooms as DAGs that several servers write.
--
-- Until now a room had one writer, hence one forward extremity and a linear chain of events.
-- From here on a room holds a set of forward extremities, every event's prev_events edges, and
-- events that are not part of any timeline: outliers (known without their state: auth chains,
-- the state a join returned), rejected events (failed the checks on receipt) and soft-failed
-- events (allowed by the state before them, not by the current state). Those have no stream
-- position: a NULL stream_ordering keeps them out of every timeline and sync query, which all
-- select by stream position.

-- events, rebuilt: stream_ordering and state_group_after become nullable, which SQLite can only
-- do by copying the table, and three columns say what kind of event a row is.
CREATE TABLE events_dag (
    event_id            VARCHAR NOT NULL PRIMARY KEY, -- $reference-hash (v4+ event ID format)
    room_id             VARCHAR NOT NULL,             -- room the event belongs to
    stream_ordering     BIGINT,                       -- position on the 'events' stream (order of persistence); negative for
                                                      -- backfilled history; NULL when in no timeline (outlier, rejected, soft-failed)
    depth               BIGINT  NOT NULL,             -- DAG depth as the PDU states it: max depth of prev_events + 1
    event_type          VARCHAR NOT NULL,             -- e.g. m.room.message
    state_key           VARCHAR,                      -- NULL for message events
    sender              VARCHAR NOT NULL,             -- user ID of the sender
    origin_server_ts    BIGINT  NOT NULL,             -- sender server's timestamp, milliseconds
    pdu                 VARCHAR NOT NULL,             -- the PDU exactly as signed (canonical JSON, no event_id)
    state_group_before  BIGINT,                       -- room state before the event; NULL for m.room.create and outliers
    state_group_after   BIGINT,                       -- room state after the event; NULL for outliers
    redacted_by         VARCHAR,                      -- ID of the redaction applied to this event, NULL while unredacted
    sender_device       VARCHAR,                      -- device that sent it (local events from clients), else NULL
    txn_id              VARCHAR,                      -- client transaction ID of the send, else NULL
    replaces_state      VARCHAR,                      -- for state events: the event that held (type, state_key) before, else NULL
    internal_metadata   VARCHAR,                      -- JSON object modules attach to events they write, else NULL
    outlier             BOOLEAN NOT NULL,             -- known without its state: not in the timeline, never a prev event
    rejected_reason     VARCHAR,                      -- why the checks on receipt rejected it; NULL when accepted
    soft_failed         BOOLEAN NOT NULL              -- allowed by the state before it but not by the current state
);
INSERT INTO events_dag (event_id, room_id, stream_ordering, depth, event_type, state_key, sender, origin_server_ts, pdu,
                        state_group_before, state_group_after, redacted_by, sender_device, txn_id, replaces_state,
                        internal_metadata, outlier, rejected_reason, soft_failed)
SELECT event_id, room_id, stream_ordering, depth, event_type, state_key, sender, origin_server_ts, pdu,
       state_group_before, state_group_after, redacted_by, sender_device, txn_id, replaces_state,
       internal_metadata, FALSE, NULL, FALSE
FROM events;
DROP TABLE events;
ALTER TABLE events_dag RENAME TO events;
CREATE UNIQUE INDEX events_stream_ordering ON events (stream_ordering);
CREATE INDEX events_room_stream ON events (room_id, stream_ordering);
CREATE INDEX events_member_state_key ON events (state_key, event_type, stream_ordering);
CREATE INDEX events_room_depth ON events (room_id, depth);

CREATE TABLE event_edges (
    event_id       VARCHAR NOT NULL, -- an event
    prev_event_id  VARCHAR NOT NULL, -- one of its prev_events (which this server may not hold)
    PRIMARY KEY (event_id, prev_event_id)
);
CREATE INDEX event_edges_prev ON event_edges (prev_event_id);

CREATE TABLE room_forward_extremities (
    room_id   VARCHAR NOT NULL, -- room
    event_id  VARCHAR NOT NULL, -- an event of the room that no accepted event of the room names as a prev event yet
    depth     BIGINT  NOT NULL, -- its depth, to pick the deepest when there are more than a new event may name
    PRIMARY KEY (room_id, event_id)
);

-- Rooms written before this migration are single chains: each event's one prev event is the
-- room's event just before it in stream order, and the newest event is the only extremity.
INSERT INTO room_forward_extremities (room_id, event_id, depth)
SELECT room_id, forward_extremity, max_depth FROM rooms;
INSERT INTO event_edges (event_id, prev_event_id)
SELECT e.event_id, p.event_id
FROM events e JOIN events p ON p.room_id = e.room_id
WHERE p.stream_ordering = (SELECT MAX(q.stream_ordering) FROM events q
                           WHERE q.room_id = e.room_id AND q.stream_ordering < e.stream_ordering);
ALTER TABLE rooms DROP COLUMN forward_extremity;
