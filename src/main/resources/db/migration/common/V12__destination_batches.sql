-- Batching, opted into per destination (issue 8 point 5): null, one event per request; else a
-- request carries up to batch_max_events events as a JSON array, and an event that could go waits
-- at most batch_max_wait_ms for others to join it.
ALTER TABLE destinations ADD COLUMN batch_max_events INTEGER;
ALTER TABLE destinations ADD COLUMN batch_max_wait_ms INTEGER;
