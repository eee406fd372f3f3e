-- Sticky events from other servers that failed the check against the room's current state
-- (soft failure). MSC4354 asks that they be checked again when the room's state changes while
-- they are still sticky; one that passes then joins the timeline and this row goes. Expired
-- rows are deleted with the sticky events' clean-up.
CREATE TABLE sticky_soft_failed (
    event_id    VARCHAR NOT NULL PRIMARY KEY, -- the soft-failed sticky event (events.soft_failed is true)
    room_id     VARCHAR NOT NULL,             -- its room
    sender      VARCHAR NOT NULL,             -- its sender
    expires_at  BIGINT  NOT NULL              -- when it stops being sticky (ms since the epoch); no re-check after that
);
-- The soft-failed sticky events of a room, looked at when its state changes.
CREATE INDEX sticky_soft_failed_room ON sticky_soft_failed (room_id);
-- The clean-up of expired rows.
CREATE INDEX sticky_soft_failed_expiry ON sticky_soft_failed (expires_at);
