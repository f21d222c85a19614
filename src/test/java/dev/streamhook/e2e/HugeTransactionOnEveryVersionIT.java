package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamhook.testing.StoreBackend;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bounded memory for a huge transaction on every PostgreSQL version of the run besides the
 * classpath's, which {@link HugeTransactionIT} covers with its million rows, in minutes that CI
 * cannot spend on each version. Here one server process with a quarter of that heap
 * ({@code -Xmx64m}, exiting on OutOfMemoryError) captures, from each version in turn, one
 * transaction of {@value #ROWS} rows of 100 KB: 130 MB of values, twice the heap, which a capture
 * holding a transaction whole could not keep. Every row must arrive exactly once, byte for byte.
 * Wide rows keep the per-event work, which the million rows test, small: what differs between
 * versions is how the server decodes, spills to disk and sends a transaction larger than
 * {@code logical_decoding_work_mem}; StreamHook's chunking after that is the same code.
 *
 * <p>SQLite store only, once per build, as {@link HugeTransactionIT}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES) // progress is watched; this only ends a hang
class HugeTransactionOnEveryVersionIT {

    private static final List<String> HEAP = List.of("-Xmx64m", "-Xms32m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");
    private static final int ROWS = 1_300;
    /** A 100 KB value: an md5 hex digest (32 characters) of the row id, 3,130 times. */
    private static final int MD5_REPEATS = 3_130;
    @TempDir
    static Path tmp;
    private static HugeTransactionServer server;

    static Stream<TestPostgres.Server> otherVersions() {
        return TestPostgres.all().stream().filter(s -> !s.equals(TestPostgres.embedded()));
    }

    @BeforeAll
    static void startServer() {
        assumeTrue(StoreBackend.current() == StoreBackend.SQLITE, "runs once per build, on the SQLite store");
        server = new HugeTransactionServer(tmp, HEAP);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherVersions")
    void aTransactionOfTwiceTheHeapIsDeliveredExactlyOnceByAServerWithA64MiBHeap(TestPostgres.Server version) throws Exception {
        try (TestDb db = version.createDatabase()) {
            db.execute("CREATE TABLE blobs (id int PRIMARY KEY, payload text NOT NULL)");
            ChangeTally tally = new ChangeTally(ROWS, false, id -> ChangeTally.md5Value(id, MD5_REPEATS), false);
            server.capture(db, "blobs", tally, null);

            long began = System.nanoTime();
            db.execute("INSERT INTO blobs SELECT g, " + ChangeTally.md5ValueSql(MD5_REPEATS) + " FROM generate_series(1, " + ROWS + ") g");
            long committed = System.nanoTime();

            long delivered = server.awaitEveryChange(tally, ROWS);
            // the bound is the heap itself: a server that held more would have exited, and awaitEveryChange failed
            server.report("HugeTransactionOnEveryVersionIT", "%s: %,d INSERTs of %,d-byte values in one transaction"
                    .formatted(version, ROWS, 32 * MD5_REPEATS), tally, began, committed, delivered);
            tally.assertExactlyOnce(ROWS);
            assertThat(tally.wrongPayloads()).as("events whose payload is not the row's 100 KB value").isZero();
        }
    }
}
