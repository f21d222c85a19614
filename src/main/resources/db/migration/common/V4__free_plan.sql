-- The free plan: an account's events are counted per UTC month; beyond its monthly limit they are
-- still stored, but their deliveries wait as HELD (invisible to lanes) until the month turns or the
-- limit is raised, then go out in event order. Nothing is dropped.

-- null: the node's default (STREAMHOOK_FREE_EVENTS_PER_MONTH)
ALTER TABLE accounts ADD COLUMN monthly_event_limit BIGINT;

-- One row per account, for the current month only (a new month starts the count again).
-- events: events let through to delivery in `period` (released ones count in the month they are
--         released); held: events held now, whatever month they came in; held_from_seq: the
--         account's oldest held event (every later event of the account is held too), null when
--         none is held. Every append and every release locks this row first, so on a shared
--         PostgreSQL store nodes agree on what is held.
CREATE TABLE account_usage (
    account_id     TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    period         TEXT NOT NULL,
    events         BIGINT NOT NULL,
    held           BIGINT NOT NULL,
    held_from_seq  BIGINT
);
