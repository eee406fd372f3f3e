-- Core schema, part 11: invites to rooms on other servers.
--
-- An invite from another server to a room this server is not in makes a "stub" room: a rooms row
-- whose state is only the invitee's membership (the invite, later a rejection), so the invite and
-- its rejection reach /sync like any membership. A stub takes no PDUs and serves nothing to other
-- servers; joining the room replaces its state with the state the resident server returns.

ALTER TABLE rooms ADD COLUMN is_stub BOOLEAN NOT NULL DEFAULT FALSE; -- known only through an invite to a local user

CREATE TABLE remote_invite_state (
    event_id        VARCHAR NOT NULL PRIMARY KEY, -- the invite event
    room_id         VARCHAR NOT NULL,             -- its room
    stripped_state  VARCHAR NOT NULL              -- JSON array: invite_room_state as the inviting server sent it
);
