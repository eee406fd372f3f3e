-- Core schema, part 20: room deletion by the admin API.

-- Rooms no local user may join, be invited to or knock on (Synapse's blocked rooms). A room
-- may be blocked before this server knows it, so there is no reference to rooms.
CREATE TABLE blocked_rooms (
    room_id  VARCHAR NOT NULL PRIMARY KEY, -- the blocked room
    user_id  VARCHAR NOT NULL              -- the admin who blocked it
);

-- Room deletions the v2 admin API runs in the background, kept a week after they end so their
-- status can be read. A deletion still scheduled or active when its instance stopped runs again
-- when that instance starts: every step of it can be repeated.
CREATE TABLE room_deletions (
    delete_id   VARCHAR NOT NULL PRIMARY KEY, -- opaque ID handed to the admin
    room_id     VARCHAR NOT NULL,             -- the room being deleted
    instance    VARCHAR NOT NULL,             -- the instance running it (cluster.instance_name, 'main' alone)
    status      VARCHAR NOT NULL,             -- 'scheduled', 'active', 'complete' or 'failed'
    params      VARCHAR NOT NULL,             -- the request (JSON): block, purge, force_purge, new room user, name, message, requester
    result      VARCHAR,                      -- the shutdown so far (JSON): kicked_users, failed_to_kick_users, local_aliases, new_room_id
    error       VARCHAR,                      -- why it failed, for 'failed'
    created_ts  BIGINT  NOT NULL,             -- when it was requested, milliseconds
    updated_ts  BIGINT  NOT NULL              -- last change of status or result, milliseconds
);
CREATE INDEX room_deletions_room ON room_deletions (room_id);
