-- An account is an admin (may create accounts while sign-up is closed) or a user. An account has
-- several API keys, each with a public id, a name and the time it was last used (written at most
-- once a minute). Keys made before this version get an id derived from their hash (the hash of a
-- random key reveals nothing) and the name 'default'.

ALTER TABLE accounts ADD COLUMN role TEXT NOT NULL DEFAULT 'user';

ALTER TABLE api_keys ADD COLUMN id TEXT;
ALTER TABLE api_keys ADD COLUMN name TEXT;
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;
UPDATE api_keys SET id = 'key_' || substr(key_hash, 1, 16), name = 'default';
CREATE UNIQUE INDEX api_keys_id ON api_keys (id);
CREATE INDEX api_keys_account ON api_keys (account_id, created_at);
