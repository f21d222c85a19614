-- Until when the destination asked for no request (429 or 503 with Retry-After, epoch ms; 0: it did
-- not). Kept with the lane, not only in the memory of the node sending it, so a restart or a lane
-- taken over by another node still waits.
ALTER TABLE lanes ADD COLUMN quiet_until BIGINT NOT NULL DEFAULT 0;
