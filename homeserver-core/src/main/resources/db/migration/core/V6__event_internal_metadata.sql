-- Server-side facts about a locally sent event that are not part of the PDU, as a JSON object,
-- e.g. {"org.matrix.msc4140.delay_id": "..."} for an event a delayed event produced (its
-- sender is shown the delay ID in unsigned). NULL for most events.
ALTER TABLE events ADD COLUMN internal_metadata VARCHAR;
