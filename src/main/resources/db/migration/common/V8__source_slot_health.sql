-- A source is stored before its replication slot is made (R6): slot_created_at stays null until the
-- publication and slot exist. A row still null at the next start is the leftover of a crash in
-- between; the node drops whatever of its slot and publication exists and forgets the row.
ALTER TABLE sources ADD COLUMN slot_created_at BIGINT;
UPDATE sources SET slot_created_at = created_at;

-- When capture's status last changed: a source out of 'active' for longer than
-- STREAMHOOK_SOURCE_STALL_SECONDS says so in its warnings (its slot holds WAL meanwhile).
ALTER TABLE sources ADD COLUMN status_since BIGINT;
UPDATE sources SET status_since = created_at;

-- What capture last saw of the slot and the tables (measured with the slot's lag): the slot's
-- wal_status, and per captured table its replica identity (JSON), so GET /v1/sources/:id can say
-- whether 'before' will be full without connecting to the user's database.
ALTER TABLE sources ADD COLUMN slot_wal_status TEXT;
ALTER TABLE sources ADD COLUMN table_details TEXT;
