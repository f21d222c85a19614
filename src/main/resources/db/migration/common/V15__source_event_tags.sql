-- A number per source that its event ids start with (EventId): unique in the store, so two sources
-- never make the same id, even for the same commit LSN and position. A random one, given when the
-- source is stored (Sources.insert), or, for a source of an earlier version, when its capture
-- starts (Sources.ensureEventTag): a count would give every store a source 1, and two stores whose
-- databases reach the same LSNs the same ids. Events already stored keep their ids.
ALTER TABLE sources ADD COLUMN event_tag BIGINT;
CREATE UNIQUE INDEX sources_event_tag ON sources (event_tag);
