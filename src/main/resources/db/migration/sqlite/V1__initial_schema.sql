-- Times are unix epoch milliseconds; LSNs are their 64-bit value. Plain SQL that SQLite and
-- PostgreSQL both accept, but for the row id columns (INTEGER PRIMARY KEY is SQLite's rowid).

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

CREATE TABLE api_keys (
    key_hash    TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key_prefix  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE sources (
    id                  TEXT PRIMARY KEY,
    account_id          TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    type                TEXT NOT NULL,
    connection_uri_enc  TEXT NOT NULL,
    database_name       TEXT NOT NULL,
    tables              TEXT NOT NULL,
    slot_name           TEXT NOT NULL,
    publication_name    TEXT NOT NULL,
    status              TEXT NOT NULL,
    status_message      TEXT,
    checkpoint_lsn      BIGINT NOT NULL DEFAULT 0,
    events_captured     BIGINT NOT NULL DEFAULT 0,
    last_event_at       BIGINT,
    created_at          BIGINT NOT NULL
);
CREATE INDEX sources_account ON sources (account_id, created_at);

CREATE TABLE destinations (
    id          TEXT PRIMARY KEY,
    source_id   TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    url         TEXT NOT NULL,
    secret_enc  TEXT,
    secret_hint TEXT,
    headers     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX destinations_source ON destinations (source_id, created_at);

CREATE TABLE events (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    source_id     TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    commit_lsn    BIGINT NOT NULL,
    position      INTEGER NOT NULL,
    schema_name   TEXT NOT NULL,
    table_name    TEXT NOT NULL,
    operation     TEXT NOT NULL,
    row_key       TEXT NOT NULL,
    committed_at  BIGINT NOT NULL,
    body          BLOB NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (source_id, commit_lsn, position)
);
CREATE INDEX events_source_seq ON events (source_id, seq);

CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    event_seq        BIGINT NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
    destination_id   TEXT NOT NULL REFERENCES destinations (id) ON DELETE CASCADE,
    row_key          TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    lease_until      BIGINT,
    last_attempt_at  BIGINT,
    UNIQUE (event_seq, destination_id)
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_row_order ON deliveries (destination_id, row_key, event_seq);

CREATE TABLE delivery_attempts (
    id            INTEGER PRIMARY KEY,
    delivery_id   BIGINT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempt       INTEGER NOT NULL,
    started_at    BIGINT NOT NULL,
    duration_ms   BIGINT NOT NULL,
    status_code   INTEGER,
    error         TEXT,
    response_body TEXT
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, attempt);
