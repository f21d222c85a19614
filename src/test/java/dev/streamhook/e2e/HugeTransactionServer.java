package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.CountingReceiver;
import dev.streamhook.testing.GcLog;
import dev.streamhook.testing.ServerProcess;
import dev.streamhook.testing.TestDb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * For the huge-transaction tests: StreamHook from the jar as its own process at a small heap, with
 * its GC log, and one account; each {@link #capture} adds a source of a test database's table with
 * a destination at a {@link CountingReceiver} whose requests a {@link ChangeTally} counts. Not
 * thread-safe: one test thread uses it; {@link #close()} kills the server and stops the receivers.
 */
final class HugeTransactionServer implements AutoCloseable {

    static final String SECRET = "whsec_huge";
    /** Fails a run that delivers nothing for this long; the whole run may take many times this. */
    private static final long STALL_MILLIS = TimeUnit.MINUTES.toMillis(3);
    /** How often the server is made to collect fully, so its GC log shows the live heap while it works. */
    private static final long LIVE_SAMPLE_MILLIS = 10_000;

    private final Path tmp;
    private final List<String> heap;
    private final ServerProcess server;
    private final ApiClient api;
    private final List<CountingReceiver> receivers = new ArrayList<>();
    private String sourceId;

    /** Starts the server with {@code heap} (JVM options), its data and logs in {@code tmp}. */
    HugeTransactionServer(Path tmp, List<String> heap) {
        this.tmp = tmp;
        this.heap = heap;
        int port = ServerProcess.freePort();
        List<String> jvm = new ArrayList<>(heap);
        jvm.add(GcLog.jvmOption(tmp.resolve("gc.log")));
        server = ServerProcess.start(port, tmp.resolve("data"), tmp.resolve("server.log"),
                // the default send timeout, not the tests' 2 s: on a loaded machine a 10 KB exchange can take longer, and a
                // timed-out attempt is sent again (at least once), which is not what these tests are about
                Map.of("STREAMHOOK_FREE_EVENTS_PER_MONTH", "unlimited", "STREAMHOOK_DELIVERY_TIMEOUT_MS", "10000"), jvm);
        try {
            ApiClient.Response account = new ApiClient(port).post("/v1/accounts", "{\"email\":\"huge@example.com\"}");
            assertThat(account.status()).as(account.body().toString()).isEqualTo(201);
            api = new ApiClient(port).withKey(account.text("api_key"));
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    /**
     * Captures {@code table} of {@code db} from now on, for a new receiver feeding {@code tally};
     * {@code batch} is the destination's {@code batch} JSON, or null for one event per request.
     * {@link #awaitEveryChange} and {@link #report} are then about this source.
     */
    void capture(TestDb db, String table, ChangeTally tally, String batch) {
        CountingReceiver receiver = new CountingReceiver(tally::record);
        receivers.add(receiver);
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "huge", "type": "postgresql", "connection_uri": "%s", "tables": ["%s"]}""".formatted(db.uri(), table));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        sourceId = source.text("id");
        ApiClient.Response destination = api.post("/v1/sources/" + sourceId + "/destinations", """
                {"url": "%s", "secret": "%s", "batch": %s}""".formatted(receiver.url(), SECRET, batch));
        assertThat(destination.status()).as(destination.body().toString()).isEqualTo(201);
    }

    /**
     * Waits while the receiver gets new changes; fails when the server dies or nothing new arrives
     * for {@link #STALL_MILLIS}. Returns when the last change arrived ({@link System#nanoTime()}).
     */
    long awaitEveryChange(ChangeTally tally, long expected) throws InterruptedException {
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

    /**
     * Prints what the last capture took, as {@code test} (the test class's name), with the heap the
     * GC log shows since the server started, and returns that heap.
     */
    GcLog.Heap report(String test, String what, ChangeTally tally, long began, long committed, long delivered) {
        GcLog.Heap gc = GcLog.read(tmp.resolve("gc.log"));
        System.out.printf("%s: %s (source %s): transaction %.1f s, delivered %.1f s after the commit (%,.0f events/s); "
                        + "%,d requests; server %s (%s)%n",
                test, what, sourceId, (committed - began) / 1e9, (delivered - committed) / 1e9,
                tally.changesReceived() / ((delivered - committed) / 1e9), receivers.getLast().requests(), gc, heap.get(0));
        if (!tally.repeatedIds().isEmpty()) {
            System.out.println(test + ": the server's warnings:\n" + server.output().lines()
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).limit(40).collect(Collectors.joining("\n")));
        }
        for (String repeated : tally.repeatedIds()) { // at least once: a repeat follows an attempt that failed, and its log says why
            System.out.printf("%s: %s arrived more than once; its deliveries: %s%n", test, repeated,
                    api.get("/v1/events/" + repeated).body().path("deliveries"));
        }
        assertThat(gc.fullCollections()).as("full collections sampled in the GC log").isPositive();
        assertThat(receivers.getLast().listenerFailures()).as("requests the test's listener failed on").isZero();
        return gc;
    }

    private static String tail(String output) {
        String[] lines = output.split("\n");
        return String.join("\n", Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
    }

    @Override
    public void close() {
        server.close();
        receivers.forEach(CountingReceiver::close);
    }
}
