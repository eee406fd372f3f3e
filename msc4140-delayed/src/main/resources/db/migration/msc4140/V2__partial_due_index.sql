-- The firing sweep's index covers scheduled rows only, keyed on the due time. As a composite
-- (status, due_ts) index its leading equality on status looked selective to SQLite's planner,
-- which then scanned every scheduled row for restarts and claims by delay ID instead of using
-- the primary key (with 100,000 scheduled events a restart cost milliseconds of CPU).
DROP INDEX delayed_events_due;
CREATE INDEX delayed_events_scheduled_due ON delayed_events (due_ts) WHERE status = 'scheduled';
