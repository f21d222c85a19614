package dev.streamhook.event;

import java.time.Instant;

/**
 * A change event as the store keeps it: what identifies and orders it, and its webhook body,
 * encoded once at capture (every attempt sends these bytes). The JSON of the row images is not
 * kept beside the body, so what capture holds in memory is about the size of the bodies.
 * {@code oldRowKey} is null unless an UPDATE changed the row's key ({@link ChangeEvent}).
 */
public record EncodedEvent(EventId id, String sourceId, Lsn commitLsn, int position, Instant commitTime,
                           String schema, String table, Operation operation, String rowKey, String oldRowKey, byte[] body) {

    public static EncodedEvent of(ChangeEvent e) {
        return new EncodedEvent(e.id(), e.sourceId(), e.commitLsn(), e.position(), e.commitTime(), e.schema(), e.table(),
                e.operation(), e.rowKey(), e.oldRowKey(), WebhookPayload.encode(e));
    }
}
