-- A number per source that its event ids start with (EventId): unique in the store, so two sources
-- never make the same id, even for the same commit LSN and position. Sources of earlier versions are
-- numbered here; new ones get a random unused one (Sources.insert). Their stored events keep their ids.
ALTER TABLE sources ADD COLUMN event_tag BIGINT;
UPDATE sources SET event_tag = (SELECT COUNT(*) FROM sources s WHERE s.id <= sources.id);
CREATE UNIQUE INDEX sources_event_tag ON sources (event_tag);
