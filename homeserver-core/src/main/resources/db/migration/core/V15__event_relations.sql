-- Core schema, part 15: relations between events (Client-Server API "Forming relationships
-- between events": threads, edits, reactions, references).
--
-- One row per timeline event whose content carries m.relates_to with a rel_type and an
-- event_id. The row goes when the relating event is redacted (redaction strips m.relates_to),
-- so aggregations and /relations never count redacted events. Filled for events stored before
-- this migration by V16.
CREATE TABLE event_relations (
    event_id         VARCHAR NOT NULL PRIMARY KEY, -- the relating (child) event
    relates_to       VARCHAR NOT NULL,             -- the event it relates to (parent): m.relates_to.event_id
    rel_type         VARCHAR NOT NULL,             -- m.relates_to.rel_type: m.thread, m.replace, m.annotation, m.reference, ...
    room_id          VARCHAR NOT NULL,             -- room of the child (a parent in another room is never matched)
    event_type       VARCHAR NOT NULL,             -- type of the child
    sender           VARCHAR NOT NULL,             -- sender of the child
    stream_ordering  BIGINT  NOT NULL              -- position of the child on the events stream
);
CREATE INDEX event_relations_parent ON event_relations (relates_to, stream_ordering);
CREATE INDEX event_relations_threads ON event_relations (room_id, rel_type, relates_to, stream_ordering);
