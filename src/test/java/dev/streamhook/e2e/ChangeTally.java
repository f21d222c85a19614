package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.delivery.Signer;
import dev.streamhook.testing.CountingReceiver;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntFunction;

/**
 * What the receiver got, per row in primitive arrays (a million events must not cost the test a
 * gigabyte): 64 bits of the event id of each row's INSERT and UPDATE (0: not yet),
 * and counts of whatever went wrong. Bodies are read as bytes, not parsed into trees.
 * Thread-safe: {@link #record} is synchronized.
 */
final class ChangeTally {
    /** With updates, every 10th row is also updated to n = 1. */
    static final int UPDATE_EVERY = 10;
    private static final byte[] ID = "{\"id\":\"evt_".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OPERATION = "\"operation\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ROW_ID = "\"after\":{\"id\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] N = ",\"n\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAYLOAD = ",\"payload\":\"".getBytes(StandardCharsets.US_ASCII);

    private final int rows;
    private final boolean updates;
    private final IntFunction<byte[]> payload;
    private final boolean batched;
    private final long[] insertIds;
    private final long[] updateIds;
    private long changes;
    private long requests;
    private long sameChangeAgain;
    private long sameChangeOtherId;
    private long updatesBeforeInsert;
    private long unexpected;
    private long headerMismatches;
    private long wrongPayloads;
    private long signaturesChecked;
    private long badSignatures;
    private String firstProblem;
    private final List<String> repeatedIds = new ArrayList<>();

    /**
     * {@code rows} rows 1..rows; {@code updates}: every 10th is also updated to n = 1; {@code payload}: each row's expected value,
     * or null; {@code batched}: requests carry arrays of events.
     */
    ChangeTally(int rows, boolean updates, IntFunction<byte[]> payload, boolean batched) {
        this.batched = batched;
        this.rows = rows;
        this.updates = updates;
        this.payload = payload;
        this.insertIds = new long[rows + 1];
        this.updateIds = updates ? new long[rows + 1] : null;
    }

    synchronized void record(String headerId, String signature, byte[] body) {
        requests++;
        if (requests % 100 == 1) { // sampled, as checking every one would slow the receiver down
            signaturesChecked++;
            if (signature == null || !signature.equals(Signer.sign(HugeTransactionServer.SECRET, body))) {
                badSignatures++;
                problem("bad signature", body);
            }
        }
        if (!batched) {
            change(headerId, body);
        } else if (headerId != null || body.length == 0 || body[0] != '[') {
            unexpected++;
            problem("not a batch", body);
        } else {
            for (byte[] event : CountingReceiver.elements(body)) {
                change(null, event);
            }
        }
    }

    /** One event; {@code headerId}: its X-StreamHook-Event-ID, null in a batch (where the body's id is all there is). */
    private void change(String headerId, byte[] body) {
        int idAt = CountingReceiver.indexAfter(body, ID, 0);
        String bodyId = idAt < 0 || idAt + 32 > body.length ? null : "evt_" + new String(body, idAt, 32, StandardCharsets.US_ASCII);
        if (bodyId == null || (!batched && !bodyId.equals(headerId))) {
            headerMismatches++;
            problem("header id " + headerId + " vs body id " + bodyId, body);
            return;
        }
        // the id's two halves (source tag and high LSN; low LSN and position) folded into one long
        long id = Long.parseUnsignedLong(bodyId.substring(4, 20), 16) * 0x9E3779B97F4A7C15L ^ Long.parseUnsignedLong(bodyId.substring(20), 16);
        int opAt = CountingReceiver.indexAfter(body, OPERATION, idAt);
        int rowAt = CountingReceiver.indexAfter(body, ROW_ID, Math.max(opAt, 0));
        long row = rowAt < 0 ? -1 : number(body, rowAt);
        if (opAt < 0 || row < 1 || row > rows) {
            unexpected++;
            problem("not a row of the test", body);
            return;
        }
        int r = (int) row;
        boolean insert = startsWith(body, opAt, "INSERT\"");
        boolean update = updates && startsWith(body, opAt, "UPDATE\"") && r % UPDATE_EVERY == 0;
        if (!insert && !update || updates && number(body, CountingReceiver.indexAfter(body, N, rowAt)) != (insert ? 0 : 1)) {
            unexpected++;
            problem("a change the test did not make", body);
            return;
        }
        if (insert && payload != null && !payloadMatches(body, rowAt, payload.apply(r))) {
            wrongPayloads++;
            problem("payload differs", body);
        }
        long[] ids = insert ? insertIds : updateIds;
        if (update && insertIds[r] == 0) {
            updatesBeforeInsert++;
            problem("UPDATE before its row's INSERT", body);
        }
        if (ids[r] == 0) {
            ids[r] = id;
            changes++;
        } else if (ids[r] == id) {
            sameChangeAgain++;
            if (repeatedIds.size() < 5) {
                repeatedIds.add(bodyId);
            }
        } else {
            sameChangeOtherId++;
            problem("a change again under another id", body);
        }
    }

    private void problem(String what, byte[] body) {
        if (firstProblem == null) {
            firstProblem = what + ": " + new String(body, 0, Math.min(body.length, 600), StandardCharsets.UTF_8);
        }
    }

    /** The first few event ids that arrived more than once. */
    synchronized List<String> repeatedIds() {
        return List.copyOf(repeatedIds);
    }

    synchronized long changesReceived() {
        return changes;
    }

    synchronized long updatesBeforeTheirInsert() {
        return updatesBeforeInsert;
    }

    synchronized long wrongPayloads() {
        return wrongPayloads;
    }

    /** Every change once, under one id, the ids distinct, and nothing else; signatures sampled. */
    synchronized void assertExactlyOnce(long expected) {
        String state = "requests %,d, changes %,d, again %,d, again under another id %,d, unexpected %,d, header mismatches %,d; first problem: %s"
                .formatted(requests, changes, sameChangeAgain, sameChangeOtherId, unexpected, headerMismatches, firstProblem);
        assertThat(changes).as("changes received, " + state).isEqualTo(expected);
        if (batched) {
            assertThat(requests).as("requests: batches of up to 100, " + state).isBetween(expected / 100, expected / 5);
        } else {
            assertThat(requests).as("requests: one per change, " + state).isEqualTo(expected);
        }
        assertThat(sameChangeOtherId + unexpected + headerMismatches).as(state).isZero();
        assertThat(distinctIds()).as("distinct event ids (64 bits of each)").isEqualTo(expected);
        assertThat(signaturesChecked).as("signatures checked").isPositive();
        assertThat(badSignatures).as("bad signatures of %,d checked", signaturesChecked).isZero();
    }

    private long distinctIds() {
        long[] all = Arrays.stream(updates ? new long[][] {insertIds, updateIds} : new long[][] {insertIds})
                .flatMapToLong(Arrays::stream).filter(v -> v != 0).sorted().toArray();
        long distinct = 0;
        for (int i = 0; i < all.length; i++) {
            if (i == 0 || all[i] != all[i - 1]) {
                distinct++;
            }
        }
        return distinct;
    }

    private static boolean payloadMatches(byte[] body, int from, byte[] expected) {
        int at = CountingReceiver.indexAfter(body, PAYLOAD, from);
        return at >= 0 && at + expected.length < body.length && body[at + expected.length] == '"'
                && Arrays.equals(body, at, at + expected.length, expected, 0, expected.length);
    }

    private static boolean startsWith(byte[] body, int at, String text) {
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        return at + t.length <= body.length && Arrays.equals(body, at, at + t.length, t, 0, t.length);
    }

    private static long number(byte[] body, int at) {
        if (at < 0) {
            return -1;
        }
        long v = 0;
        int i = at;
        while (i < body.length && body[i] >= '0' && body[i] <= '9') {
            v = v * 10 + (body[i++] - '0');
        }
        return i == at ? -1 : v;
    }

    /**
     * The SQL of a large text value of row {@code g}: its id's md5 hex digest (32 characters),
     * {@code repeats} times; {@link #md5Value} gives the same bytes to check.
     */
    static String md5ValueSql(int repeats) {
        return "repeat(md5(g::text), " + repeats + ")";
    }

    /** The value {@link #md5ValueSql} wrote into row {@code id}. */
    static byte[] md5Value(int id, int repeats) {
        try {
            byte[] md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Integer.toString(id).getBytes(StandardCharsets.US_ASCII)))
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] value = new byte[md5.length * repeats];
            for (int i = 0; i < repeats; i++) {
                System.arraycopy(md5, 0, value, i * md5.length, md5.length);
            }
            return value;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
