package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamhook.testing.GcLog;
import dev.streamhook.testing.ServerProcess;
import dev.streamhook.testing.StoreBackend;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Huge transactions at a small heap, from outside: StreamHook runs from the jar as its own process
 * with the options of {@code bin/jvm.options} (a 256 MiB heap), one transaction of the source
 * database changes a million rows (or writes a hundred thousand 10 KB rows), and a lean receiver
 * checks that every change arrived exactly once: one event id per change, distinct ids, a row's
 * UPDATE after its INSERT. The server's GC log gives the peak heap it took. The 10 KB rows go one
 * request per change, the default; the million go in batches of up to 100 (per-row order then
 * also holds within and across batches), so that the test's minutes are spent on capture's memory,
 * which it is about, rather than on a million HTTP exchanges, which the benchmark measures.
 *
 * <p>The sizes are settable for a run by hand ({@code -Dhuge.rows=}, {@code -Dhuge.blobRows=});
 * CI runs the defaults. Runs on the SQLite store only, so once per build: what it measures is
 * capture's and delivery's memory, which the store does not change, and it takes minutes. On the
 * other PostgreSQL versions of the run, {@link HugeTransactionOnEveryVersionIT} checks a smaller
 * transaction that is still twice the heap it is given.
 */
@Timeout(value = 40, unit = TimeUnit.MINUTES) // progress is watched below; this only ends a hang
class HugeTransactionIT {

    /** As {@code bin/streamhook serve} runs it (a 256 MiB heap), ending at once if the heap runs out. */
    private static final List<String> HEAP = Stream.concat(ServerProcess.launcherJvmOptions().stream(),
            Stream.of("-XX:+ExitOnOutOfMemoryError")).toList();
    private static final int ROWS = Integer.getInteger("huge.rows", 1_000_000);
    private static final int BLOB_ROWS = Integer.getInteger("huge.blobRows", 100_000);
    /** The 1,000,000-row transaction is written in blocks: each block's inserts, then an UPDATE of every 10th row of it. */
    private static final int BLOCK = 1_000;
    private static final String BATCH = "{\"max_events\": 100, \"max_wait_ms\": 50}";
    /** A 10 KB value: an md5 hex digest (32 characters) of the row id, 313 times. */
    private static final int MD5_REPEATS = 313;
    /** What may stay live: capture's 16 MiB of bodies on their way to the store and a lane's 4 MiB window, with their overheads. */
    private static final long LIVE_LIMIT = 128L << 20;

    @TempDir
    Path tmp;
    private TestDb db;
    private HugeTransactionServer server;

    @BeforeEach
    void setUp() {
        assumeTrue(StoreBackend.current() == StoreBackend.SQLITE, "runs once per build, on the SQLite store");
        db = server().createDatabase();
    }

    /**
     * The embedded PostgreSQL of the classpath, or with {@code -Dhuge.pg=N} the server of major
     * version N among those of the run ({@link TestPostgres#all()}): CI runs this test on one version
     * for time, and a million rows on another is one command away.
     */
    private static TestPostgres.Server server() {
        Integer major = Integer.getInteger("huge.pg");
        if (major == null) {
            return TestPostgres.embedded();
        }
        return TestPostgres.all().stream().filter(s -> s.name().contains("PostgreSQL " + major + ".")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no PostgreSQL " + major + " in this run (15 is the machine's: set STREAMHOOK_TEST_LOCAL_PG)"));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void aTransactionOfAMillionRowChangesIsDeliveredExactlyOnceInRowOrderByAServerWithA256MiBHeap() throws Exception {
        db.execute("CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL)");
        int updates = ROWS / ChangeTally.UPDATE_EVERY;
        ChangeTally tally = new ChangeTally(ROWS, true, null, true);
        server = new HugeTransactionServer(tmp, HEAP);
        server.capture(db, "items", tally, BATCH);

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
                END $$""".formatted((ROWS - 1) / BLOCK, BLOCK, BLOCK, ROWS, BLOCK, BLOCK, ChangeTally.UPDATE_EVERY));
        long committed = System.nanoTime();

        long delivered = server.awaitEveryChange(tally, ROWS + updates);
        GcLog.Heap heap = server.report("HugeTransactionIT", "%,d INSERTs + %,d UPDATEs in one transaction".formatted(ROWS, updates), tally,
                began, committed, delivered);
        assertThat(heap.peakLive()).as("the live heap after a full collection, at most (bytes): " + heap).isLessThan(LIVE_LIMIT);
        tally.assertExactlyOnce(ROWS + updates);
        assertThat(tally.updatesBeforeTheirInsert()).as("UPDATEs that arrived before their row's INSERT").isZero();
    }

    @Test
    void aTransactionOfAHundredThousandTenKilobyteRowsIsDeliveredExactlyOnceByAServerWithA256MiBHeap() throws Exception {
        db.execute("CREATE TABLE blobs (id int PRIMARY KEY, payload text NOT NULL)");
        ChangeTally tally = new ChangeTally(BLOB_ROWS, false, id -> ChangeTally.md5Value(id, MD5_REPEATS), false);
        server = new HugeTransactionServer(tmp, HEAP);
        server.capture(db, "blobs", tally, null);

        long began = System.nanoTime();
        db.execute("INSERT INTO blobs SELECT g, " + ChangeTally.md5ValueSql(MD5_REPEATS) + " FROM generate_series(1, " + BLOB_ROWS + ") g");
        long committed = System.nanoTime();

        long delivered = server.awaitEveryChange(tally, BLOB_ROWS);
        GcLog.Heap heap = server.report("HugeTransactionIT", "%,d INSERTs of %,d-byte values in one transaction".formatted(BLOB_ROWS,
                32 * MD5_REPEATS), tally, began, committed, delivered);
        assertThat(heap.peakLive()).as("the live heap after a full collection, at most (bytes): " + heap).isLessThan(LIVE_LIMIT);
        tally.assertExactlyOnce(BLOB_ROWS);
        assertThat(tally.wrongPayloads()).as("events whose payload is not the row's 10 KB value").isZero();
    }
}
