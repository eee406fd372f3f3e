-- Core schema, part 1: accounts, devices, access tokens and per-user settings.
-- Runs unchanged on SQLite and PostgreSQL: only portable types (VARCHAR without length, BIGINT, INTEGER,
-- BOOLEAN), no sequences, no engine-specific DDL. jOOQ classes are generated from this file.

CREATE TABLE users (
    user_id        VARCHAR    NOT NULL PRIMARY KEY, -- full Matrix user ID, e.g. @alice:example.org
    localpart      VARCHAR    NOT NULL,             -- the part between '@' and ':', lower case
    password_hash  TEXT,                         -- Argon2id hash in PHC string form; NULL for guests and password-less users
    is_guest       BOOLEAN NOT NULL,             -- registered with kind=guest; limited to guest-accessible endpoints
    is_admin       BOOLEAN NOT NULL,             -- server administrator (set by register-user --admin)
    created_ts     BIGINT  NOT NULL,             -- milliseconds since the epoch
    deactivated    BOOLEAN NOT NULL              -- deactivated accounts cannot log in; the ID is never reused
);
CREATE UNIQUE INDEX users_localpart ON users (localpart);

CREATE TABLE profiles (
    user_id      VARCHAR NOT NULL PRIMARY KEY, -- local user this profile belongs to
    displayname  TEXT,                      -- NULL when unset
    avatar_url   VARCHAR                       -- mxc:// URI, NULL when unset
);

CREATE TABLE devices (
    user_id       VARCHAR   NOT NULL, -- owner of the device
    device_id     VARCHAR   NOT NULL, -- client-chosen or server-generated device ID
    display_name  TEXT,            -- human-readable name, NULL when unset
    created_ts    BIGINT NOT NULL, -- milliseconds since the epoch
    last_seen_ts  BIGINT,          -- last authenticated request (updated at most once a minute)
    last_seen_ip  TEXT,            -- client address of that request
    PRIMARY KEY (user_id, device_id)
);

CREATE TABLE access_tokens (
    token_hash  VARCHAR   NOT NULL PRIMARY KEY, -- SHA-256 of the token, base64url; the token itself is never stored
    user_id     VARCHAR   NOT NULL,             -- user the token authenticates
    device_id   VARCHAR   NOT NULL,             -- device the token belongs to; deleting the device deletes its tokens
    created_ts  BIGINT NOT NULL              -- milliseconds since the epoch
);
CREATE INDEX access_tokens_user_device ON access_tokens (user_id, device_id);

CREATE TABLE uia_sessions (
    session_id  VARCHAR   NOT NULL PRIMARY KEY, -- opaque ID handed to the client in the 401 response
    purpose     VARCHAR   NOT NULL,             -- what the session authorises, e.g. 'register', 'password', 'delete_devices'
    user_id     TEXT,                        -- user being authenticated; NULL for registration
    completed   VARCHAR   NOT NULL,             -- JSON array of completed stage types
    params      VARCHAR   NOT NULL,             -- JSON object: the request the session was started for (its hash binds the session)
    created_ts  BIGINT NOT NULL              -- sessions older than the configured lifetime are rejected and purged
);

CREATE TABLE stream_positions (
    stream_name  VARCHAR   NOT NULL PRIMARY KEY, -- e.g. 'account_data'
    position     BIGINT NOT NULL              -- last position handed out; incremented inside the writing transaction
);
INSERT INTO stream_positions (stream_name, position) VALUES ('account_data', 0);

CREATE TABLE account_data (
    user_id    VARCHAR   NOT NULL, -- owner
    room_id    VARCHAR   NOT NULL, -- room for per-room account data; '' for global account data
    data_type  VARCHAR   NOT NULL, -- event type, e.g. m.direct
    content    VARCHAR   NOT NULL, -- JSON object as sent by the client
    stream_id  BIGINT NOT NULL, -- position on the 'account_data' stream, for incremental sync
    PRIMARY KEY (user_id, room_id, data_type)
);
CREATE INDEX account_data_stream ON account_data (user_id, stream_id);

CREATE TABLE filters (
    user_id     VARCHAR   NOT NULL, -- owner
    filter_id   BIGINT NOT NULL, -- per-user counter, returned to the client as a string
    definition  VARCHAR   NOT NULL, -- the filter JSON, canonicalised
    PRIMARY KEY (user_id, filter_id)
);

CREATE TABLE push_rules (
    user_id     VARCHAR    NOT NULL, -- owner
    kind        VARCHAR    NOT NULL, -- override, content, room, sender or underride
    rule_id     VARCHAR    NOT NULL, -- client-chosen ID (never starts with '.')
    position    BIGINT  NOT NULL, -- order within the kind; lower comes first
    conditions  TEXT,             -- JSON array (override/underride), NULL otherwise
    pattern     TEXT,             -- glob (content rules), NULL otherwise
    actions     VARCHAR    NOT NULL, -- JSON array of actions
    enabled     BOOLEAN NOT NULL, -- disabled rules are kept but not evaluated
    PRIMARY KEY (user_id, kind, rule_id)
);

CREATE TABLE push_rule_overrides (
    user_id  VARCHAR    NOT NULL, -- owner
    kind     VARCHAR    NOT NULL, -- kind of the server-default rule
    rule_id  VARCHAR    NOT NULL, -- server-default rule ID, e.g. .m.rule.master
    enabled  BOOLEAN,          -- NULL keeps the default
    actions  TEXT,             -- JSON array; NULL keeps the default actions
    PRIMARY KEY (user_id, kind, rule_id)
);

CREATE TABLE presence (
    user_id         VARCHAR    NOT NULL PRIMARY KEY, -- local user
    state           VARCHAR    NOT NULL,             -- online, unavailable or offline
    status_msg      TEXT,                         -- free text, NULL when unset
    last_active_ts  BIGINT  NOT NULL,             -- last time the user was active
    updated_ts      BIGINT  NOT NULL              -- last time this row changed
);
