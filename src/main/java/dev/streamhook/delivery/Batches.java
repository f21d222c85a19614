package dev.streamhook.delivery;

import dev.streamhook.delivery.RowSequencer.Item;
import dev.streamhook.store.DeliveryQueue.Due;
import dev.streamhook.store.Destinations.Destination;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The request of a batch: a JSON array of the events' bodies, each byte for byte as it would have
 * been sent alone (so each still carries its own {@code id}), in event order. Pure functions.
 */
final class Batches {

    private Batches() {
    }

    /** The request that carries {@code items} (in event order) to {@code d}. */
    static Due due(List<Item> items, Destination d) {
        Item first = items.getFirst();
        int attempts = items.stream().mapToInt(i -> i.attempts).max().orElse(0);
        return Due.to(d, first.pending.deliveryId(), id(items.stream().map(i -> i.pending.eventId()).toList()),
                body(items.stream().map(i -> i.pending.body()).toList()), attempts, items.size());
    }

    /** {@code [body1,body2,...]}: the bodies are JSON objects already, so the array is valid JSON with no re-encoding. */
    static byte[] body(List<byte[]> bodies) {
        int size = 2 + Math.max(0, bodies.size() - 1);
        for (byte[] b : bodies) {
            size += b.length;
        }
        byte[] out = new byte[size];
        out[0] = '[';
        int at = 1;
        for (int i = 0; i < bodies.size(); i++) {
            if (i > 0) {
                out[at++] = ',';
            }
            byte[] b = bodies.get(i);
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
        }
        out[at] = ']';
        return out;
    }

    /**
     * {@code bat_} and 24 hex digits of a SHA-256 of the events' ids: the same events in the same
     * order, as when a batch is retried whole, give the same id, which a receiver may use to
     * recognise a request it already processed.
     */
    static String id(List<String> eventIds) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String id : eventIds) {
                sha.update(id.getBytes(StandardCharsets.US_ASCII));
                sha.update((byte) '\n');
            }
            return "bat_" + HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
