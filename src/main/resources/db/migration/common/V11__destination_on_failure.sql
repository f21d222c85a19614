-- What a destination does with the later events of a row whose delivery failed for good:
-- NULL or 'HOLD' (they wait until the failed one is retried and delivered, or skipped), 'SKIP' (they go on).
ALTER TABLE destinations ADD COLUMN on_failure TEXT;
