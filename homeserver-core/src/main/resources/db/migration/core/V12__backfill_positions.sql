-- Core schema, part 12: positions for history fetched from other servers (backfill).
--
-- Backfilled events sit before everything a room's timeline held, so they take negative stream
-- positions counting down: this counter holds how far down it has gone (a backfilled event's
-- stream_ordering is minus the value handed out).
INSERT INTO stream_positions (stream_name, position) VALUES ('backfill', 0);
