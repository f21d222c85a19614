package dev.streamhook.bench;

import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.postgresql.PGConnection;

/**
 * Snapshot throughput beside {@code COPY ... TO} of the same table in the same run: how fast a
 * source's {@code "snapshot": true} turns an N-row table into stored events (rows/s, from the
 * snapshot's start to its end, with delivery paused so the endpoint is not what is measured),
 * and how fast PostgreSQL itself writes the table out. A measurement, not a test: run it by hand,
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat cp.txt) dev.streamhook.bench.SnapshotBench [rows] [chunkRows]</pre>
 *
 * on the embedded PostgreSQL of the classpath and the embedded SQLite store (or
 * {@code STREAMHOOK_TEST_STORE=postgresql}).
 */
public final class SnapshotBench {

    private SnapshotBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        String chunkRows = args.length > 1 ? args[1] : "5000";
        TestPostgres.Server server = TestPostgres.embedded();
        Path dataDir = Files.createTempDirectory("snapshot-bench");
        try (TestDb db = server.createDatabase()) {
            db.execute("CREATE TABLE orders (id bigint PRIMARY KEY, customer text, amount numeric(10,2), status text, created_at timestamptz)",
                    "INSERT INTO orders SELECT g, 'customer ' || (g % 9973), (g % 100000) / 100.0, "
                            + "CASE WHEN g % 3 = 0 THEN 'paid' ELSE 'new' END, '2026-01-01'::timestamptz + g * interval '1 second' "
                            + "FROM generate_series(1, " + rows + ") g",
                    "VACUUM ANALYZE orders");
            double copySeconds = copyOut(db);
            System.out.printf("COPY orders TO STDOUT: %d rows in %.2f s = %.0f rows/s%n", rows, copySeconds, rows / copySeconds);

            try (Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_SNAPSHOT_CHUNK_ROWS", chunkRows,
                    "STREAMHOOK_FREE_EVENTS_PER_MONTH", "unlimited"))) {
                ApiClient api = new ApiClient(node.port()).signUp("bench@example.com");
                String sourceId = api.post("/v1/sources", """
                        {"name": "bench", "connection_uri": "%s", "tables": ["orders"], "snapshot": true}""".formatted(db.uri())).text("id");
                api.patch("/v1/sources/" + sourceId, "{\"status\": \"paused\"}"); // stored, not sent: the snapshot is what is measured
                api.post("/v1/sources/" + sourceId + "/destinations", "{\"url\": \"http://127.0.0.1:9/\"}");
                long start = System.nanoTime();
                String status;
                do {
                    Thread.sleep(200);
                    status = api.get("/v1/sources/" + sourceId).body().at("/snapshot/status").asText();
                } while (!status.equals("done") && !status.equals("failed") && System.nanoTime() - start < Duration.ofMinutes(30).toNanos());
                var snapshot = api.get("/v1/sources/" + sourceId).body().path("snapshot");
                double seconds = Duration.between(Instant.parse(snapshot.path("started_at").asText()),
                        Instant.parse(snapshot.path("finished_at").asText())).toMillis() / 1000.0;
                System.out.printf("snapshot (%s, chunks of %s rows, store %s): %d rows in %.2f s = %.0f rows/s (%.1f x COPY's time)%n",
                        status, chunkRows, System.getenv().getOrDefault("STREAMHOOK_TEST_STORE", "sqlite"),
                        snapshot.at("/tables/0/rows_done").asLong(), seconds, rows / seconds, seconds / copySeconds);
            }
        }
        System.exit(0);
    }

    private static double copyOut(TestDb db) throws Exception {
        try (Connection c = db.connect()) {
            long[] bytes = {0};
            OutputStream counting = new OutputStream() {
                @Override
                public void write(int b) {
                    bytes[0]++;
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    bytes[0] += len;
                }
            };
            long start = System.nanoTime();
            c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY orders TO STDOUT", counting);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("COPY wrote %d MB%n", bytes[0] >> 20);
            return seconds;
        }
    }
}
