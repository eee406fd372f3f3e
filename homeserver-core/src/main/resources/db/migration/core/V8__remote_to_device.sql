-- Core schema, part 8: to-device messages other servers deliver (m.direct_to_device EDUs).
--
-- A sending server retries a transaction it got no answer for, and the spec makes
-- message_id unique per sender, so a (sender, message_id) seen before is not delivered again.

CREATE TABLE remote_to_device_received (
    sender       VARCHAR NOT NULL, -- the sending user, on another server
    message_id   VARCHAR NOT NULL, -- the EDU's message_id, unique per sender
    received_ts  BIGINT  NOT NULL, -- when it was first delivered, milliseconds
    PRIMARY KEY (sender, message_id)
);
