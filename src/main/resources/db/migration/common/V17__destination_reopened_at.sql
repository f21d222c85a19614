-- When the destination was last set active (resumed, or enabled again), which makes every delivery
-- waiting for it due at once. A failed attempt that started before then, and whose result is
-- committed after, is retried from then too, not after its backoff (DeliveryQueue.record).
ALTER TABLE destinations ADD COLUMN reopened_at BIGINT;
