-- Core schema, part 9: reports users make about events and rooms, for the server's admins.

CREATE TABLE content_reports (
    report_id    VARCHAR NOT NULL PRIMARY KEY, -- random ID of the report
    reporter     VARCHAR NOT NULL,             -- the reporting user
    room_id      VARCHAR NOT NULL,             -- the room reported, or the room of the reported event
    event_id     VARCHAR,                      -- the reported event; NULL for a report about the room
    reason       VARCHAR,                      -- the reporter's free-text reason, if given
    score        BIGINT,                       -- the reporter's score, -100 (most offensive) to 0, if given
    received_ts  BIGINT  NOT NULL              -- when it was received, milliseconds
);
CREATE INDEX content_reports_received ON content_reports (received_ts);
