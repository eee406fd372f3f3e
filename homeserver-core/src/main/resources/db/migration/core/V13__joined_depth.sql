-- Core schema, part 13: where a room's live timeline begins on a server that joined it through
-- another server.
--
-- Events below that depth are history from before the join. One that arrives later (MSC4354
-- pushes a server's unexpired sticky events to a server that newly joined) is written as an old
-- event: into the timeline for clients, without moving the room's forward extremities or state.
ALTER TABLE rooms ADD COLUMN joined_depth BIGINT; -- depth of the join that made this server resident through another server; NULL for rooms created here
