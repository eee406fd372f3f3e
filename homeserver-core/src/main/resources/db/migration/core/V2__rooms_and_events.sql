-- Core schema, part 2: rooms, events and room state.
--
-- State storage keeps the state before and after every event, not only the current state:
-- a state group is one immutable room state, stored as a delta over its parent group (one
-- entry for one state event) with a full snapshot every 100 generations, so reading any
-- group walks at most 100 parents. Every event points at the group before it and the group
-- after it (the same group for message events). current_state is a copy of the newest group,
-- kept in the same transaction, for cheap reads.

CREATE TABLE rooms (
    room_id            VARCHAR NOT NULL PRIMARY KEY, -- !opaque:server (v10, v11) or !<create event hash> (v12)
    room_version       VARCHAR NOT NULL,             -- "10", "11" or "12"
    creator            VARCHAR NOT NULL,             -- user who created the room
    is_public          BOOLEAN NOT NULL,             -- listed in the public room directory
    created_ts         BIGINT  NOT NULL,             -- milliseconds since the epoch
    forward_extremity  VARCHAR NOT NULL,             -- newest event ID (the room has one writer, so one extremity)
    max_depth          BIGINT  NOT NULL,             -- depth of that event
    state_group        BIGINT  NOT NULL              -- current state group (state after the newest event)
);

CREATE TABLE events (
    event_id            VARCHAR NOT NULL PRIMARY KEY, -- $reference-hash (v4+ event ID format)
    room_id             VARCHAR NOT NULL,             -- room the event belongs to
    stream_ordering     BIGINT  NOT NULL,             -- position on the 'events' stream: order of persistence on this server
    depth               BIGINT  NOT NULL,             -- DAG depth: max depth of prev_events + 1
    event_type          VARCHAR NOT NULL,             -- e.g. m.room.message
    state_key           VARCHAR,                      -- NULL for message events
    sender              VARCHAR NOT NULL,             -- user ID of the sender
    origin_server_ts    BIGINT  NOT NULL,             -- sender server's timestamp, milliseconds
    pdu                 VARCHAR NOT NULL,             -- the PDU exactly as signed (canonical JSON, no event_id)
    state_group_before  BIGINT,                       -- room state before the event; NULL for m.room.create
    state_group_after   BIGINT  NOT NULL,             -- room state after the event
    redacted_by         VARCHAR,                      -- ID of the redaction applied to this event, NULL while unredacted
    sender_device       VARCHAR,                      -- device that sent it (local events from clients), else NULL
    txn_id              VARCHAR,                      -- client transaction ID of the send, else NULL
    replaces_state      VARCHAR                       -- for state events: the event that held (type, state_key) before, else NULL
);
CREATE UNIQUE INDEX events_stream_ordering ON events (stream_ordering);
CREATE INDEX events_room_stream ON events (room_id, stream_ordering);

CREATE TABLE event_transactions (
    user_id    VARCHAR NOT NULL, -- sender
    device_id  VARCHAR NOT NULL, -- device whose access token sent the request
    txn_id     VARCHAR NOT NULL, -- client transaction ID from the URL
    event_id   VARCHAR NOT NULL, -- the event the first request created; repeats answer with it
    PRIMARY KEY (user_id, device_id, txn_id)
);

CREATE TABLE state_groups (
    group_id       BIGINT  NOT NULL PRIMARY KEY, -- allocated from the 'state_groups' stream position
    room_id        VARCHAR NOT NULL,             -- room the state belongs to
    parent_group   BIGINT,                       -- group this one is a delta over; NULL for a full snapshot
    generation     INTEGER NOT NULL              -- deltas since the last snapshot (0 for a snapshot)
);

CREATE TABLE state_group_entries (
    group_id    BIGINT  NOT NULL, -- the group
    event_type  VARCHAR NOT NULL, -- state type
    state_key   VARCHAR NOT NULL, -- state key ('' for the empty key)
    event_id    VARCHAR NOT NULL, -- the state event holding this (type, state_key) in this group
    PRIMARY KEY (group_id, event_type, state_key)
);

CREATE TABLE current_state (
    room_id     VARCHAR NOT NULL, -- room
    event_type  VARCHAR NOT NULL, -- state type
    state_key   VARCHAR NOT NULL, -- state key
    event_id    VARCHAR NOT NULL, -- current holder of (type, state_key)
    membership  VARCHAR,          -- content.membership for m.room.member, NULL otherwise
    PRIMARY KEY (room_id, event_type, state_key)
);
CREATE INDEX current_state_membership ON current_state (state_key, event_type, membership);

CREATE TABLE room_aliases (
    room_alias  VARCHAR NOT NULL PRIMARY KEY, -- #alias:server
    room_id     VARCHAR NOT NULL,             -- room it points to
    creator     VARCHAR NOT NULL              -- user who created the alias (may delete it)
);
CREATE INDEX room_aliases_room ON room_aliases (room_id);

INSERT INTO stream_positions (stream_name, position) VALUES ('events', 0);
INSERT INTO stream_positions (stream_name, position) VALUES ('state_groups', 0);
