-- Pausing a source's delivery: null while it delivers, else when it was paused. Capture keeps
-- storing a paused source's events (so its database keeps no WAL for us); lanes do not send them.
ALTER TABLE sources ADD COLUMN paused_at BIGINT;

-- The slot's lag as capture last measured it (bytes of WAL the server keeps for the slot), and
-- when: GET /v1/sources/:id answers from here, never by connecting to the user's database.
ALTER TABLE sources ADD COLUMN slot_lag_bytes BIGINT;
ALTER TABLE sources ADD COLUMN slot_lag_at BIGINT;

-- A destination's extra headers (often credentials) are now stored encrypted, like its secret;
-- rows written before stay readable and are encrypted when the node starts (Destinations).

-- Idempotency-Key: the first successful answer to a POST, replayed for the same key and request.
-- request_hash covers method, path and body; a key is the account's own.
CREATE TABLE idempotency_keys (
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER,
    response      TEXT,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
