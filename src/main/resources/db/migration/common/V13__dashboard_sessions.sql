-- The dashboard's sign-in: an account's password as a self-describing PBKDF2 string
-- (pbkdf2-sha256$iterations$salt$hash, base64), NULL until one is set.
ALTER TABLE accounts ADD COLUMN password_hash TEXT;

-- Browser sessions. id_hash is the SHA-256 of the cookie's random token (the token itself is never
-- stored, so a copy of the store opens no session); csrf_token is sent back in X-CSRF-Token.
CREATE TABLE dashboard_sessions (
    id_hash       TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_account ON dashboard_sessions (account_id);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);
