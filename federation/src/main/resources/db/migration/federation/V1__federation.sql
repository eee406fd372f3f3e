-- The federation module's tables (its own Flyway history: flyway_federation_history).

-- Other servers' signing keys, as fetched from them or from a notary. Current keys are usable
-- for request and event signatures until valid_until_ts; old keys (expired_ts set) only for
-- events sent before expired_ts.
CREATE TABLE federation_server_keys (
    server_name     VARCHAR NOT NULL, -- the server the key belongs to
    key_id          VARCHAR NOT NULL, -- e.g. ed25519:a_AbCd
    verify_key      VARCHAR NOT NULL, -- the Ed25519 public key, unpadded base64
    valid_until_ts  BIGINT  NOT NULL, -- from the key response; for old keys, the same as expired_ts
    expired_ts      BIGINT,           -- set for keys listed under old_verify_keys
    fetched_ts      BIGINT  NOT NULL, -- when this row was last written, milliseconds
    PRIMARY KEY (server_name, key_id)
);

-- The newest self-signed key response of each server, kept to answer notary queries
-- (/_matrix/key/v2/query) with the server's own signature intact.
CREATE TABLE federation_key_responses (
    server_name     VARCHAR NOT NULL PRIMARY KEY, -- the server that signed the response
    response        VARCHAR NOT NULL,             -- the response as received (JSON object)
    valid_until_ts  BIGINT  NOT NULL,             -- the response's valid_until_ts
    fetched_ts      BIGINT  NOT NULL              -- when it was fetched, milliseconds
);

-- One row per server this server sends to: the counters of its queue and its back-off.
CREATE TABLE federation_destinations (
    destination         VARCHAR NOT NULL PRIMARY KEY, -- the receiving server's name
    next_position       BIGINT  NOT NULL, -- position the next queued item takes (federation_outbox.position)
    next_txn_id         BIGINT  NOT NULL, -- number of the next transaction; transaction IDs are unique per destination
    inflight_txn_id     VARCHAR,          -- transaction sent and not yet acknowledged: retried with the same ID and items
    inflight_up_to      BIGINT,           -- the last position that transaction carries
    retry_at_ts         BIGINT  NOT NULL, -- no attempt before this time (0: none pending), milliseconds
    retry_interval_ms   BIGINT  NOT NULL  -- the current back-off (0 after a success); doubled on each failure
);

-- What is queued for each destination and not yet acknowledged by it, in order. Rows are
-- written in the transaction that produced them and deleted once the destination answered
-- the transaction that carried them, so nothing accepted is lost to a crash.
CREATE TABLE federation_outbox (
    destination  VARCHAR NOT NULL, -- the receiving server
    position     BIGINT  NOT NULL, -- order within the destination's queue
    kind         VARCHAR NOT NULL, -- 'edu' or 'pdu'
    payload      VARCHAR NOT NULL, -- the EDU ({edu_type, content}) or PDU, JSON
    created_ts   BIGINT  NOT NULL, -- when it was queued, milliseconds
    PRIMARY KEY (destination, position)
);

-- Transactions received, so a retried transaction gets the same answer and is not processed twice.
CREATE TABLE federation_inbound_txns (
    origin       VARCHAR NOT NULL, -- the sending server
    txn_id       VARCHAR NOT NULL, -- its transaction ID
    response     VARCHAR NOT NULL, -- the answer given (JSON)
    received_ts  BIGINT  NOT NULL, -- when it was processed, milliseconds
    PRIMARY KEY (origin, txn_id)
);

-- Device lists of users on other servers, filled by /user/devices and kept fresh by
-- m.device_list_update EDUs; answered from here while not stale.
CREATE TABLE federation_remote_device_lists (
    user_id     VARCHAR NOT NULL PRIMARY KEY, -- the remote user
    stream_id   BIGINT  NOT NULL,             -- the newest stream_id seen from the user's server
    stale       BOOLEAN NOT NULL,             -- a gap in prev_id was seen: resync before answering from the cache
    updated_ts  BIGINT  NOT NULL              -- when the list was last written, milliseconds
);

CREATE TABLE federation_remote_devices (
    user_id       VARCHAR NOT NULL, -- the remote user
    device_id     VARCHAR NOT NULL, -- one of their devices
    device_keys   VARCHAR,          -- the signed device keys as published (JSON), or null when none
    display_name  VARCHAR,          -- the device's public display name, if any
    PRIMARY KEY (user_id, device_id)
);

CREATE TABLE federation_remote_cross_signing (
    user_id   VARCHAR NOT NULL, -- the remote user
    key_type  VARCHAR NOT NULL, -- 'master' or 'self_signing'
    key_json  VARCHAR NOT NULL, -- the signed cross-signing key (JSON)
    PRIMARY KEY (user_id, key_type)
);
