package dev.streamhook.bench;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;

/**
 * Baseline (i): how fast this machine's PostgreSQL hands the same changes to a client that does
 * nothing with them. PgJDBC's replication stream over pgoutput (proto_version 1) from a slot
 * created before the inserts; messages are only counted (an Insert is a message starting with
 * 'I'), nothing is decoded or stored. StreamHook cannot read its backlog faster than this.
 * Not thread-safe; {@link #drop()} removes the slot and publication.
 */
final class RawReplicationBaseline {

    private static final String SLOT = "bench_raw_read";
    private static final String PUBLICATION = "bench_raw_read";
    private final BenchPostgres.Db db;

    private RawReplicationBaseline(BenchPostgres.Db db) {
        this.db = db;
    }

    /** Creates the publication and the slot; call before the inserts to be read. */
    static RawReplicationBaseline prepare(BenchPostgres.Db db) throws SQLException {
        db.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE orders",
                "SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
        return new RawReplicationBaseline(db);
    }

    /** Reads until {@code inserts} Insert messages came; the clock starts when the stream is opened. */
    Figures.Baseline read(long inserts) throws SQLException, InterruptedException {
        try (Connection c = db.connectForReplication()) {
            long started = System.nanoTime();
            PGReplicationStream stream = c.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName(SLOT)
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", PUBLICATION)
                    .withStatusInterval(10, TimeUnit.SECONDS)
                    .start();
            long seen = 0;
            long messages = 0;
            long bytes = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            while (seen < inserts && System.nanoTime() < deadline) {
                ByteBuffer msg = stream.readPending();
                if (msg == null) {
                    Thread.sleep(1);
                    continue;
                }
                messages++;
                bytes += msg.remaining();
                if (msg.get(msg.position()) == 'I') {
                    seen++;
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            stream.setAppliedLSN(stream.getLastReceiveLSN());
            stream.setFlushedLSN(stream.getLastReceiveLSN());
            stream.close();
            return new Figures.Baseline("raw PgJDBC pgoutput read (count only)", seen, seconds, seen / seconds,
                    "%d messages, %.1f MB of pgoutput".formatted(messages, bytes / 1e6));
        }
    }

    void drop() throws SQLException {
        db.execute("SELECT pg_drop_replication_slot('" + SLOT + "')", "DROP PUBLICATION " + PUBLICATION);
    }
}
