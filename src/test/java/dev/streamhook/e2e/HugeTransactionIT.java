package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamhook.delivery.Signer;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.CountingReceiver;
import dev.streamhook.testing.GcLog;
import dev.streamhook.testing.ServerProcess;
import dev.streamhook.testing.StoreBackend;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Huge transactions at a small heap, from outside: StreamHook runs from the jar as its own process
 * with {@code -Xmx256m} (the heap {@code bin/jvm.options} gives it), one transaction of the source
 * database changes a million rows (or writes a hundred thousand 10 KB rows), and a lean receiver
 * checks that every change arrived exactly once: one event id per change, distinct ids, a row's
 * UPDATE after its INSERT. The server's GC log gives the peak heap it took. The 10 KB rows go one
 * request per change, the default; the million go in batches of up to 100 (per-row order then
 * also holds within and across batches), so that the test's minutes are spent on capture's memory,
 * which it is about, rather than on a million HTTP exchanges, which the benchmark measures.
 *
 * <p>The sizes are settable for a run by hand ({@code -Dhuge.rows=}, {@code -Dhuge.blobRows=});
 * CI runs the defaults. Runs on the SQLite store only, so once per build: what it measures is
 * capture's and delivery's memory, which the store does not change, and it takes minutes.
 */
@Timeout(value = 40, unit = TimeUnit.MINUTES) // progress is watched below; this only ends a hang
class HugeTransactionIT {

    private static final String SECRET = "whsec_huge";
    private static final List<String> HEAP = List.of("-Xmx256m", "-Xms64m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");
    private static final int ROWS = Integer.getInteger("huge.rows", 1_000_000);
    private static final int BLOB_ROWS = Integer.getInteger("huge.blobRows", 100_000);
    /** The 1,000,000-row transaction is written in blocks: each block's inserts, then an UPDATE of every 10th row of it. */
    private static final int BLOCK = 1_000;
    private static final int UPDATE_EVERY = 10;
    private static final String BATCH = "{\"max_events\": 100, \"max_wait_ms\": 50}";
    /** A 10 KB value: an md5 hex digest (32 characters) of the row id, 313 times. */
    private static final int MD5_REPEATS = 313;
    /** Fails a run that delivers nothing for this long; the whole run may take many times this. */
    private static final long STALL_MILLIS = TimeUnit.MINUTES.toMillis(3);
    /** How often the server is made to collect fully, so its GC log shows the live heap while it works. */
    private static final long LIVE_SAMPLE_MILLIS = 10_000;
    /** What may stay live: capture's 16 MiB of bodies on their way to the store and a lane's 4 MiB window, with their overheads. */
    private static final long LIVE_LIMIT = 128L << 20;

    @TempDir
    Path tmp;
    private TestDb db;
    private ServerProcess server;
    private CountingReceiver receiver;
    private ApiClient api;

    @BeforeEach
    void setUp() {
        assumeTrue(StoreBackend.current() == StoreBackend.SQLITE, "runs once per build, on the SQLite store");
        db = TestPostgres.embedded().createDatabase();
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void aTransactionOfAMillionRowChangesIsDeliveredExactlyOnceInRowOrderByAServerWithA256MiBHeap() throws Exception {
        db.execute("CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL)");
        int updates = ROWS / UPDATE_EVERY;
        Tally tally = new Tally(ROWS, true, null, true);
        String sourceId = startServerWithSource("items", tally, BATCH);

        long began = System.nanoTime();
        // one transaction (a DO block commits once): 1,000 rows inserted, then every 10th of them updated, again and again,
        // so a row's UPDATE follows its INSERT closely and per-row order is tested inside the lane's window
        db.execute("""
                DO $$
                BEGIN
                  FOR b IN 0..%d LOOP
                    INSERT INTO items SELECT g, 0 FROM generate_series(b * %d + 1, LEAST((b + 1) * %d, %d)) g;
                    UPDATE items SET n = 1 WHERE id > b * %d AND id <= (b + 1) * %d AND id %% %d = 0;
                  END LOOP;
                END $$""".formatted((ROWS - 1) / BLOCK, BLOCK, BLOCK, ROWS, BLOCK, BLOCK, UPDATE_EVERY));
        long committed = System.nanoTime();

        long delivered = awaitEveryChange(tally, ROWS + updates);
        report("%,d INSERTs + %,d UPDATEs in one transaction".formatted(ROWS, updates), sourceId, tally, began, committed, delivered);
        tally.assertExactlyOnce(ROWS + updates);
        assertThat(tally.updatesBeforeTheirInsert()).as("UPDATEs that arrived before their row's INSERT").isZero();
    }

    @Test
    void aTransactionOfAHundredThousandTenKilobyteRowsIsDeliveredExactlyOnceByAServerWithA256MiBHeap() throws Exception {
        db.execute("CREATE TABLE blobs (id int PRIMARY KEY, payload text NOT NULL)");
        Tally tally = new Tally(BLOB_ROWS, false, HugeTransactionIT::payloadOf, false);
        String sourceId = startServerWithSource("blobs", tally, null);

        long began = System.nanoTime();
        db.execute("INSERT INTO blobs SELECT g, repeat(md5(g::text), " + MD5_REPEATS + ") FROM generate_series(1, " + BLOB_ROWS + ") g");
        long committed = System.nanoTime();

        long delivered = awaitEveryChange(tally, BLOB_ROWS);
        report("%,d INSERTs of %,d-byte values in one transaction".formatted(BLOB_ROWS, 32 * MD5_REPEATS), sourceId, tally, began, committed,
                delivered);
        tally.assertExactlyOnce(BLOB_ROWS);
        assertThat(tally.wrongPayloads()).as("events whose payload is not the row's 10 KB value").isZero();
    }

    /** The value the test wrote into row {@code id} of {@code blobs}. */
    private static byte[] payloadOf(int id) {
        try {
            byte[] md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Integer.toString(id).getBytes(StandardCharsets.US_ASCII)))
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] value = new byte[md5.length * MD5_REPEATS];
            for (int i = 0; i < MD5_REPEATS; i++) {
                System.arraycopy(md5, 0, value, i * md5.length, md5.length);
            }
            return value;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code batch}: the destination's {@code batch} JSON, or null for one event per request. */
    private String startServerWithSource(String table, Tally tally, String batch) {
        receiver = new CountingReceiver(tally::record);
        int port = ServerProcess.freePort();
        List<String> jvm = new ArrayList<>(HEAP);
        jvm.add(GcLog.jvmOption(tmp.resolve("gc.log")));
        server = ServerProcess.start(port, tmp.resolve("data"), tmp.resolve("server.log"),
                // the default send timeout, not the tests' 2 s: on a loaded machine a 10 KB exchange can take longer, and a
                // timed-out attempt is sent again (at least once), which is not what this test is about
                Map.of("STREAMHOOK_FREE_EVENTS_PER_MONTH", "unlimited", "STREAMHOOK_DELIVERY_TIMEOUT_MS", "10000"), jvm);
        ApiClient.Response account = new ApiClient(port).post("/v1/accounts", "{\"email\":\"huge@example.com\"}");
        assertThat(account.status()).as(account.body().toString()).isEqualTo(201);
        api = new ApiClient(port).withKey(account.text("api_key"));
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "huge", "type": "postgresql", "connection_uri": "%s", "tables": ["%s"]}""".formatted(db.uri(), table));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        ApiClient.Response destination = api.post("/v1/sources/" + source.text("id") + "/destinations", """
                {"url": "%s", "secret": "%s", "batch": %s}""".formatted(receiver.url(), SECRET, batch));
        assertThat(destination.status()).as(destination.body().toString()).isEqualTo(201);
        return source.text("id");
    }

    /**
     * Waits while the receiver gets new changes; fails when the server dies or nothing new arrives
     * for {@link #STALL_MILLIS}. Returns when the last change arrived ({@link System#nanoTime()}).
     */
    private long awaitEveryChange(Tally tally, long expected) throws InterruptedException {
        long seen = -1;
        long lastProgress = System.currentTimeMillis();
        long nextSample = 0;
        while (tally.changesReceived() < expected) {
            if (System.currentTimeMillis() >= nextSample) {
                GcLog.collectNow(server.pid()); // the live heap now, in the GC log
                nextSample = System.currentTimeMillis() + LIVE_SAMPLE_MILLIS;
            }
            assertThat(server.isAlive()).as("the server is alive (it exits on OutOfMemoryError):\n%s", tail(server.output())).isTrue();
            long now = tally.changesReceived();
            if (now != seen) {
                seen = now;
                lastProgress = System.currentTimeMillis();
            }
            assertThat(System.currentTimeMillis() - lastProgress).as("ms without a new change, at %,d of %,d received:\n%s",
                    now, expected, tail(server.output())).isLessThan(STALL_MILLIS);
            Thread.sleep(100);
        }
        long delivered = System.nanoTime();
        Thread.sleep(1_000); // a duplicate sent right after the last first arrival would show now
        return delivered;
    }

    private void report(String what, String sourceId, Tally tally, long began, long committed, long delivered) {
        GcLog.Heap heap = GcLog.read(tmp.resolve("gc.log"));
        System.out.printf("HugeTransactionIT: %s (source %s): transaction %.1f s, delivered %.1f s after the commit (%,.0f events/s); "
                        + "%,d requests; server %s (-Xmx256m)%n",
                what, sourceId, (committed - began) / 1e9, (delivered - committed) / 1e9,
                tally.changesReceived() / ((delivered - committed) / 1e9), receiver.requests(), heap);
        if (!tally.repeatedIds().isEmpty()) {
            System.out.println("HugeTransactionIT: the server's warnings:\n" + server.output().lines()
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).limit(40).collect(Collectors.joining("\n")));
        }
        for (String repeated : tally.repeatedIds()) { // at least once: a repeat follows an attempt that failed, and its log says why
            System.out.printf("HugeTransactionIT: %s arrived more than once; its deliveries: %s%n", repeated,
                    api.get("/v1/events/" + repeated).body().path("deliveries"));
        }
        assertThat(heap.fullCollections()).as("full collections sampled in the GC log").isPositive();
        assertThat(heap.peakLive()).as("the live heap after a full collection, at most (bytes): " + heap).isLessThan(LIVE_LIMIT);
        assertThat(receiver.listenerFailures()).as("requests the test's listener failed on").isZero();
    }

    private static String tail(String output) {
        String[] lines = output.split("\n");
        return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
    }

    /**
     * What the receiver got, per row in primitive arrays (a million events must not cost the test a
     * gigabyte): the first 64 bits of the event id of each row's INSERT and UPDATE (0: not yet),
     * and counts of whatever went wrong. Bodies are read as bytes, not parsed into trees.
     * Thread-safe: {@link #record} is synchronized.
     */
    private static final class Tally {
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
        Tally(int rows, boolean updates, IntFunction<byte[]> payload, boolean batched) {
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
                if (signature == null || !signature.equals(Signer.sign(SECRET, body))) {
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
            String bodyId = idAt < 0 || idAt + 24 > body.length ? null : "evt_" + new String(body, idAt, 24, StandardCharsets.US_ASCII);
            if (bodyId == null || (!batched && !bodyId.equals(headerId))) {
                headerMismatches++;
                problem("header id " + headerId + " vs body id " + bodyId, body);
                return;
            }
            long id = Long.parseUnsignedLong(bodyId.substring(4, 20), 16);
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
            assertThat(distinctIds()).as("distinct event ids (first 64 bits)").isEqualTo(expected);
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
    }
}
