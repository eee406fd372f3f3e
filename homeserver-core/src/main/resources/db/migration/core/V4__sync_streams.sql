-- Core schema, part 4: what /sync delivers besides room events.
--
-- Every table here carries a position on its own stream (a row of stream_positions), handed
-- out inside the writing transaction, so an incremental sync reads "rows with a position
-- after the client's token".

CREATE TABLE to_device_messages (
    stream_id      BIGINT  NOT NULL PRIMARY KEY, -- position on the 'to_device' stream
    user_id        VARCHAR NOT NULL,             -- recipient user
    device_id      VARCHAR NOT NULL,             -- recipient device ('*' is expanded before storing)
    sender         VARCHAR NOT NULL,             -- sending user
    event_type     VARCHAR NOT NULL,             -- event type from the URL
    content        VARCHAR NOT NULL              -- the message content (JSON object)
);
CREATE INDEX to_device_recipient ON to_device_messages (user_id, device_id, stream_id);

CREATE TABLE to_device_transactions (
    user_id    VARCHAR NOT NULL, -- sender
    device_id  VARCHAR NOT NULL, -- sending device
    txn_id     VARCHAR NOT NULL, -- client transaction ID: a repeat is answered without sending again
    PRIMARY KEY (user_id, device_id, txn_id)
);

CREATE TABLE receipts (
    room_id       VARCHAR NOT NULL, -- room
    receipt_type  VARCHAR NOT NULL, -- m.read or m.read.private
    user_id       VARCHAR NOT NULL, -- reader
    thread_id     VARCHAR NOT NULL, -- thread root event ID, 'main', or '' for an unthreaded receipt
    event_id      VARCHAR NOT NULL, -- the event read up to
    receipt_ts    BIGINT  NOT NULL, -- when the receipt was sent, milliseconds
    stream_id     BIGINT  NOT NULL, -- position on the 'receipts' stream
    PRIMARY KEY (room_id, receipt_type, user_id, thread_id)
);
CREATE INDEX receipts_room_stream ON receipts (room_id, stream_id);

-- The latest presence change per user is the row in presence; its position lets sync find changes.
ALTER TABLE presence ADD COLUMN stream_id BIGINT NOT NULL DEFAULT 0; -- position on the 'presence' stream
CREATE INDEX presence_stream ON presence (stream_id);

-- A user's own membership events, for finding rooms they joined or left since a token.
CREATE INDEX events_member_state_key ON events (state_key, event_type, stream_ordering);

INSERT INTO stream_positions (stream_name, position) VALUES ('to_device', 0);
INSERT INTO stream_positions (stream_name, position) VALUES ('receipts', 0);
INSERT INTO stream_positions (stream_name, position) VALUES ('presence', 0);
