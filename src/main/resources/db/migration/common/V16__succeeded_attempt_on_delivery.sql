-- A delivery that succeeded keeps the attempt that succeeded in these columns rather than in a row
-- of delivery_attempts: one row and one index entry fewer for each event delivered, which is most
-- of them. delivery_attempts keeps every attempt that did not succeed; when a succeeded delivery is
-- made due again (a replay), its succeeded attempt moves there first. The API shows both as one
-- list. Deliveries that succeeded before this migration have their attempt in delivery_attempts
-- and null here.
ALTER TABLE deliveries ADD COLUMN succeeded_status_code INTEGER;
ALTER TABLE deliveries ADD COLUMN succeeded_duration_ms BIGINT;
ALTER TABLE deliveries ADD COLUMN succeeded_response TEXT;
