-- Per-minute counters for the dashboard's charts and a destination's success rate and latency
-- (issue 9): written in the same transactions as the events and results they count, read by
-- GET /v1/sources/:id/stats, pruned after two days. scope: a source id (events, slot lag) or a
-- destination id (deliveries, attempts, latency from the commit to the 2xx).
CREATE TABLE stats_minutes (
    scope            TEXT NOT NULL,
    minute           BIGINT NOT NULL,
    events           BIGINT NOT NULL DEFAULT 0,
    delivered        BIGINT NOT NULL DEFAULT 0,
    attempts         BIGINT NOT NULL DEFAULT 0,
    failed_attempts  BIGINT NOT NULL DEFAULT 0,
    latency_ms_sum   BIGINT NOT NULL DEFAULT 0,
    latency_ms_max   BIGINT NOT NULL DEFAULT 0,
    slot_lag_bytes   BIGINT,
    PRIMARY KEY (scope, minute)
);
CREATE INDEX stats_minutes_minute ON stats_minutes (minute);
