-- Retries per destination and endpoint health (issue 8 points 1 and 3).

-- 'active' (a lane delivers), 'paused' (by hand) or 'disabled' (by StreamHook: 410 Gone, or every
-- attempt failing for STREAMHOOK_DESTINATION_DISABLE_AFTER). Deliveries of a paused or disabled
-- destination stay pending, in order, until it is active again.
ALTER TABLE destinations ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE destinations ADD COLUMN disabled_reason TEXT;
ALTER TABLE destinations ADD COLUMN disabled_at BIGINT;
-- the start of the current run of failed attempts (null after a success)
ALTER TABLE destinations ADD COLUMN failing_since BIGINT;

-- null: the node's STREAMHOOK_DELIVERY_MAX_ATTEMPTS, STREAMHOOK_DELIVERY_RETRY_SCHEDULE (here as
-- milliseconds separated by commas) and STREAMHOOK_DELIVERY_TIMEOUT_MS
ALTER TABLE destinations ADD COLUMN retry_max_attempts INTEGER;
ALTER TABLE destinations ADD COLUMN retry_schedule TEXT;
ALTER TABLE destinations ADD COLUMN timeout_ms INTEGER;
ALTER TABLE destinations ADD COLUMN connect_timeout_ms INTEGER;

-- why an attempt failed: dns, connect, tls, timeout, status (an answer outside 2xx), refused (the
-- address policy), other; null for a success
ALTER TABLE delivery_attempts ADD COLUMN error_kind TEXT;
UPDATE delivery_attempts SET error_kind = 'status' WHERE status_code IS NOT NULL AND (status_code < 200 OR status_code > 299);
UPDATE delivery_attempts SET error_kind = 'other' WHERE status_code IS NULL;
