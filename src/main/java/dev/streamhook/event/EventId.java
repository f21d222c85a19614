package dev.streamhook.event;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The public id of one change event, {@code evt_} and 24 hex digits. It is derived from
 * (source id, commit LSN, position in the transaction) and nothing else, so a transaction that
 * PostgreSQL sends again after a crash yields the same ids and is stored once.
 */
public record EventId(String value) {

    private static final String PREFIX = "evt_";
    private static final HexFormat HEX = HexFormat.of();
    /** Capture makes one id per change: looking the algorithm up each time was a tenth of its work. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    });

    public EventId {
        if (value == null || !value.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not an event id: " + value);
        }
    }

    public static EventId of(String sourceId, Lsn commitLsn, int position) {
        byte[] digest = SHA256.get().digest((sourceId + "|" + commitLsn + "|" + position).getBytes(StandardCharsets.UTF_8));
        return new EventId(PREFIX + HEX.formatHex(digest, 0, 12));
    }

    @Override
    public String toString() {
        return value;
    }
}
