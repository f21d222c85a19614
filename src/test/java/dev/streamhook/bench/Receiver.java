package dev.streamhook.bench;

import dev.streamhook.delivery.Signer;
import dev.streamhook.testing.CountingReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The webhook endpoint of the benchmark: a {@link CountingReceiver} (keep-alive HTTP/1.1 on
 * 127.0.0.1) that answers 200 at once, or after {@code responseDelayMillis} to play a slow endpoint. For each first arrival of an event id it records the receipt time, the body's
 * commit {@code timestamp} and the row id, so latency is computed from the database's own commit
 * time. Every 100th request's signature is checked, so a broken signer shows in the report
 * without the check costing the receiver its speed. Thread-safe; {@link #close()} stops it.
 */
final class Receiver implements AutoCloseable {

    /** What arrived, as parallel arrays of the first arrival of each event (micros since the epoch). */
    record Arrivals(long[] receivedMicros, long[] commitMicros, long[] rowIds, int count) {
    }

    private static final int SIGNATURE_SAMPLE = 100;
    private static final byte[] TIMESTAMP_KEY = "\"timestamp\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ROW_ID_KEY = "\"after\":{\"id\":".getBytes(StandardCharsets.US_ASCII);

    private final CountingReceiver server;
    private final String secret;
    private final int keepBodies;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong signaturesChecked = new AtomicLong();
    private final AtomicLong signaturesBad = new AtomicLong();
    private final AtomicLong unparsable = new AtomicLong();
    private final List<byte[]> bodies = new ArrayList<>();
    private final Object lock = new Object();
    private long[] received = new long[1024];
    private long[] committed = new long[1024];
    private long[] rows = new long[1024];
    private int count;

    /**
     * @param secret the destination's signing secret, for the sampled signature checks
     * @param responseDelayMillis 0 for a healthy endpoint
     * @param keepBodies how many bodies to keep for the HTTP client baseline (0: none)
     */
    Receiver(String secret, long responseDelayMillis, int keepBodies) {
        this.secret = secret;
        this.keepBodies = keepBodies;
        server = new CountingReceiver(this::record, responseDelayMillis);
    }

    private void record(String eventId, String signature, byte[] body) {
        long now = nowMicros();
        long n = requests.incrementAndGet();
        if (n % SIGNATURE_SAMPLE == 1) {
            signaturesChecked.incrementAndGet();
            if (signature == null || !signature.equals(Signer.sign(secret, body))) {
                signaturesBad.incrementAndGet();
            }
        }
        if (eventId == null && body.length > 0 && body[0] == '[') {
            for (byte[] event : CountingReceiver.elements(body)) { // a batch: each event carries its id
                recordEvent(now, idOf(event), event);
            }
            return;
        }
        recordEvent(now, eventId, body);
    }

    private void recordEvent(long now, String eventId, byte[] body) {
        if (eventId == null || !seen.add(eventId)) {
            duplicates.incrementAndGet();
            return;
        }
        long commit = commitMicros(body);
        long row = rowId(body);
        if (commit < 0) {
            unparsable.incrementAndGet();
        }
        synchronized (lock) {
            if (count == received.length) {
                received = Arrays.copyOf(received, count * 2);
                committed = Arrays.copyOf(committed, count * 2);
                rows = Arrays.copyOf(rows, count * 2);
            }
            received[count] = now;
            committed[count] = commit;
            rows[count] = row;
            count++;
            if (bodies.size() < keepBodies) {
                bodies.add(body);
            }
        }
    }

    private static final byte[] ID_KEY = "\"id\":\"".getBytes(StandardCharsets.US_ASCII);

    /** The event's {@code id}: the first {@code "id"} of its body, which is the event's own (the payload starts with it). */
    static String idOf(byte[] event) {
        int start = CountingReceiver.indexAfter(event, ID_KEY, 0);
        if (start < 0) {
            return null;
        }
        int end = start;
        while (end < event.length && event[end] != '"') {
            end++;
        }
        return new String(event, start, end - start, StandardCharsets.US_ASCII);
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    /** The body's commit time in micros, or -1; parsed from bytes, not a JSON tree, to keep the receiver cheap. */
    static long commitMicros(byte[] body) {
        int start = CountingReceiver.indexAfter(body, TIMESTAMP_KEY, 0);
        if (start < 0) {
            return -1;
        }
        int end = start;
        while (end < body.length && body[end] != '"') {
            end++;
        }
        try {
            Instant t = Instant.parse(new String(body, start, end - start, StandardCharsets.US_ASCII));
            return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The {@code after.id} of the row, which the load driver chose, or -1. */
    static long rowId(byte[] body) {
        int i = CountingReceiver.indexAfter(body, ROW_ID_KEY, 0);
        if (i < 0) {
            return -1;
        }
        long v = 0;
        boolean any = false;
        while (i < body.length && body[i] >= '0' && body[i] <= '9') {
            v = v * 10 + (body[i++] - '0');
            any = true;
        }
        return any ? v : -1;
    }

    String url() {
        return server.url();
    }

    /** Distinct events received so far. */
    int distinct() {
        synchronized (lock) {
            return count;
        }
    }

    Arrivals arrivals() {
        synchronized (lock) {
            return new Arrivals(Arrays.copyOf(received, count), Arrays.copyOf(committed, count), Arrays.copyOf(rows, count), count);
        }
    }

    List<byte[]> bodies() {
        synchronized (lock) {
            return List.copyOf(bodies);
        }
    }

    /** Drops the bodies kept so far, so that those kept from now on, for the HTTP client baseline, are of a later phase only. */
    void forgetBodies() {
        synchronized (lock) {
            bodies.clear();
        }
    }

    long requests() {
        return requests.get();
    }

    long duplicates() {
        return duplicates.get();
    }

    long signaturesChecked() {
        return signaturesChecked.get();
    }

    long signaturesBad() {
        return signaturesBad.get();
    }

    long unparsable() {
        return unparsable.get();
    }

    @Override
    public void close() {
        server.close();
    }
}
