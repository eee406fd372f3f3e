-- Heartbeats (restarts) rewrite due_ts several times a minute per call member. While due_ts was
-- a key of two indexes, every restart wrote an entry into each of them, and on PostgreSQL into
-- every index of the table, since an update that changes an indexed column cannot be HOT: under
-- 10,000 restarts a second the indexes grew by tens of megabytes a minute and the database spent
-- more CPU per restart than the server. Now due_ts is in no index, so a restart changes no key.
--
-- The firing finds due rows through wake_ts instead: a lower bound of due_ts, set to it when the
-- event is scheduled and moved up to it by the firing when it finds the event not yet due (it
-- was restarted since). It is never later than due_ts, so nothing is found late; the send itself
-- still checks due_ts, so nothing is sent early.
ALTER TABLE delayed_events ADD COLUMN wake_ts BIGINT; -- when the firing looks at this row next (ms since the epoch, <= due_ts)
UPDATE delayed_events SET wake_ts = due_ts;
DROP INDEX delayed_events_scheduled_due;
CREATE INDEX delayed_events_scheduled_wake ON delayed_events (wake_ts) WHERE status = 'scheduled';
-- Per-user listing and the per-user limit: a user has few events, sorted after the lookup.
DROP INDEX delayed_events_owner;
CREATE INDEX delayed_events_owner ON delayed_events (user_id, status);
