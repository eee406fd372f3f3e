-- Core schema, part 5: end-to-end encryption keys, the device-list stream and server-side
-- room key backups (Client-Server API "End-to-end encryption").
--
-- Key objects are stored as the client uploaded them (canonical JSON); the server never
-- interprets keys beyond checking signatures on cross-signing uploads. Signatures uploaded
-- later through /keys/signatures/upload live in their own table and are merged into the
-- objects when they are served.

CREATE TABLE e2e_device_keys (
    user_id     VARCHAR NOT NULL, -- owner of the device
    device_id   VARCHAR NOT NULL, -- the device (a row of devices; deleted with it)
    key_json    VARCHAR NOT NULL, -- the device_keys object from /keys/upload, canonical JSON, as signed by the device
    updated_ts  BIGINT  NOT NULL, -- when the keys were last uploaded with different content, milliseconds
    PRIMARY KEY (user_id, device_id)
);

CREATE TABLE e2e_one_time_keys (
    user_id    VARCHAR NOT NULL, -- owner of the device
    device_id  VARCHAR NOT NULL, -- device the key belongs to
    algorithm  VARCHAR NOT NULL, -- part of the key name before ':', e.g. signed_curve25519
    key_id     VARCHAR NOT NULL, -- part of the key name after ':'
    key_json   VARCHAR NOT NULL, -- the key: a JSON string or a signed key object, canonical JSON
    added_ts   BIGINT  NOT NULL, -- upload time, milliseconds; the oldest key is claimed first
    PRIMARY KEY (user_id, device_id, algorithm, key_id)
);
-- Claimed keys are deleted, so every row is an unclaimed key.

CREATE TABLE e2e_fallback_keys (
    user_id    VARCHAR NOT NULL, -- owner of the device
    device_id  VARCHAR NOT NULL, -- device the key belongs to
    algorithm  VARCHAR NOT NULL, -- one fallback key per algorithm
    key_id     VARCHAR NOT NULL, -- part of the key name after ':'
    key_json   VARCHAR NOT NULL, -- the key object, canonical JSON
    used       BOOLEAN NOT NULL, -- handed out by /keys/claim since it was uploaded; a new key clears it
    PRIMARY KEY (user_id, device_id, algorithm)
);

CREATE TABLE e2e_cross_signing_keys (
    user_id     VARCHAR NOT NULL, -- owner
    key_type    VARCHAR NOT NULL, -- master, self_signing or user_signing
    public_key  VARCHAR NOT NULL, -- the key ID without 'ed25519:' (clients use the unpadded base64 public key itself)
    key_json    VARCHAR NOT NULL, -- the CrossSigningKey object as uploaded, canonical JSON
    updated_ts  BIGINT  NOT NULL, -- upload time, milliseconds
    PRIMARY KEY (user_id, key_type)
);

CREATE TABLE e2e_cross_signing_signatures (
    signer_user_id  VARCHAR NOT NULL, -- user whose key made the signature
    signer_key_id   VARCHAR NOT NULL, -- signing key ID, e.g. ed25519:<public key> or ed25519:<device ID>
    target_user_id  VARCHAR NOT NULL, -- owner of the signed key
    target_key_id   VARCHAR NOT NULL, -- signed key: a device ID, or the public key of a cross-signing key
    signature       VARCHAR NOT NULL, -- unpadded base64 Ed25519 signature
    PRIMARY KEY (target_user_id, target_key_id, signer_user_id, signer_key_id)
);

-- The 'device_lists' stream: one row per change of a user's devices or keys. Sync and
-- /keys/changes read the rows after a token and tell the users sharing a room with user_id.
CREATE TABLE device_list_changes (
    stream_id  BIGINT  NOT NULL, -- position on the 'device_lists' stream (one per writing transaction)
    user_id    VARCHAR NOT NULL, -- user whose device list or keys changed
    observer   VARCHAR,          -- NULL: every user sharing a room is told; else only this user (their signature on user_id's key)
    PRIMARY KEY (stream_id, user_id)
);

CREATE TABLE room_key_backup_versions (
    user_id    VARCHAR NOT NULL, -- owner
    version    BIGINT  NOT NULL, -- per-user counter, never reused; served as a string
    algorithm  VARCHAR NOT NULL, -- e.g. m.megolm_backup.v1.curve25519-aes-sha2
    auth_data  VARCHAR NOT NULL, -- algorithm-dependent JSON object
    etag       BIGINT  NOT NULL, -- incremented on every change of the backed-up keys; served as a string
    deleted    BOOLEAN NOT NULL, -- deleted versions keep their number so it is not handed out again
    PRIMARY KEY (user_id, version)
);

CREATE TABLE room_key_backup_sessions (
    user_id              VARCHAR NOT NULL, -- owner
    version              BIGINT  NOT NULL, -- backup version the key belongs to
    room_id              VARCHAR NOT NULL, -- room of the Megolm session
    session_id           VARCHAR NOT NULL, -- Megolm session ID
    first_message_index  BIGINT  NOT NULL, -- lowest message index the key can decrypt
    forwarded_count      BIGINT  NOT NULL, -- how many times the key was forwarded
    is_verified          BOOLEAN NOT NULL, -- whether the device that backed it up verified the sender
    session_data         VARCHAR NOT NULL, -- encrypted, algorithm-dependent JSON object
    PRIMARY KEY (user_id, version, room_id, session_id)
);

INSERT INTO stream_positions (stream_name, position) VALUES ('device_lists', 0);
