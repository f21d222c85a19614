-- Snapshots and backfills: existing rows of a source's tables sent as INSERT events with
-- metadata.snapshot = true, read in primary-key order in chunks placed into the stream between
-- watermarks (see docs/architecture.md). kind: 'snapshot' (asked for when the source was made) or
-- 'backfill' (asked for later). status: waiting (for the source's first destination), running,
-- done, failed. One backfill of a source runs at a time, oldest first.
CREATE TABLE backfills (
    id           TEXT PRIMARY KEY,
    source_id    TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    error        TEXT,
    created_at   BIGINT NOT NULL,
    started_at   BIGINT,
    finished_at  BIGINT
);
CREATE INDEX backfills_source ON backfills (source_id, created_at);

-- Progress per table, written in the same store transaction as the chunk's events: last_key is
-- the primary key (a JSON array of the key columns' text values, in index order) of the last row
-- read, so a restart reads on after it and neither sends a stored row again nor skips one.
CREATE TABLE backfill_tables (
    backfill_id     TEXT NOT NULL REFERENCES backfills (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    table_name      TEXT NOT NULL,
    last_key        TEXT,
    rows_done       BIGINT NOT NULL DEFAULT 0,
    rows_estimated  BIGINT,
    done            INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (backfill_id, position)
);
