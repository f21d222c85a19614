-- Delivery by lanes (one per destination). A lane is worked by one node at a time, under a lease:
-- the token grows with every take-over, and a result is recorded only with the current token, so
-- a node whose lease lapsed writes nothing more. In-flight state is no longer stored per delivery.

CREATE TABLE lanes (
    destination_id  TEXT PRIMARY KEY REFERENCES destinations (id) ON DELETE CASCADE,
    owner           TEXT NOT NULL,
    token           BIGINT NOT NULL,
    lease_until     BIGINT NOT NULL
);

-- null: the node's default (STREAMHOOK_DELIVERY_MAX_IN_FLIGHT)
ALTER TABLE destinations ADD COLUMN max_in_flight INTEGER;

UPDATE deliveries SET status = 'PENDING' WHERE status = 'IN_FLIGHT';
ALTER TABLE deliveries DROP COLUMN lease_until;

-- a lane reads its pending deliveries in event order from this index: the cost of a read is the
-- size of the page, whatever the backlog behind it
DROP INDEX deliveries_due;
DROP INDEX deliveries_row_order;
CREATE INDEX deliveries_lane ON deliveries (destination_id, status, event_seq);
