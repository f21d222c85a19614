package dev.streamhook.capture;

import dev.streamhook.capture.pgoutput.PgOutputDecoder;
import dev.streamhook.capture.pgoutput.PgOutputMessage;
import dev.streamhook.capture.pgoutput.Relation;
import dev.streamhook.event.Lsn;
import dev.streamhook.store.EventLog;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import dev.streamhook.store.Sources.Status;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures one source: holds its logical replication session, decodes whole transactions, appends
 * them to the {@link EventLog}, and only then reports their end LSN to PostgreSQL as flushed. A
 * lost session is reopened with backoff; PostgreSQL then resends from the last confirmed LSN and
 * the event log drops what it already has.
 *
 * <p>Thread-safety: runs on its own thread, started by {@link #start()}; {@link #stop()} may be
 * called from any thread and returns when the session is closed. The runner owns and closes its
 * replication connection.
 */
public final class CaptureRunner {

    private static final Logger log = LoggerFactory.getLogger(CaptureRunner.class);
    private static final Duration STATUS_INTERVAL = Duration.ofSeconds(1);
    private static final long MAX_BACKOFF_MS = 30_000;
    /** Events of one transaction held in memory before they are stored; bounds the heap for huge transactions. */
    static final int CHUNK = 1_000;

    private final Source source;
    private final ConnectionSpec spec;
    private final EventLog eventLog;
    private final Sources sources;
    private final SourceDatabase sourceDatabase;
    private final Thread thread;
    private volatile boolean running = true;

    public CaptureRunner(Source source, EventLog eventLog, Sources sources, SourceDatabase sourceDatabase) {
        this.source = source;
        this.spec = ConnectionSpec.parse(source.connectionUri());
        this.eventLog = eventLog;
        this.sources = sources;
        this.sourceDatabase = sourceDatabase;
        this.thread = Thread.ofPlatform().name("capture-" + source.id()).daemon().unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    public void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long backoff = 500;
        while (running) {
            try {
                session();
                backoff = 500;
            } catch (Exception | Error e) { // an Error too: a dead capture thread would hold WAL silently
                if (!running) {
                    break;
                }
                String why = e instanceof SourceException se ? se.getMessage() : SourceDatabase.firstLine(e);
                log.warn("capture of {} interrupted, reconnecting in {} ms: {}", source.id(), backoff, why);
                sources.setStatus(source.id(), Status.RECONNECTING, why);
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    private void session() throws SQLException {
        // the plain connection first: it makes the address and credential checks, with their reasons
        try (Connection catalog = sourceDatabase.connect(spec);
             Connection conn = DriverManager.getConnection(spec.jdbcUrl(), spec.replicationProperties())) {
            PGReplicationStream stream = conn.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical()
                    .withSlotName(source.slotName())
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", source.publicationName())
                    .withStatusInterval((int) STATUS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
                    .start();
            sources.setStatus(source.id(), Status.ACTIVE, null);
            log.info("capture of {} streaming from slot {}", source.id(), source.slotName());
            stream(stream, new PrimaryKeys(catalog));
            stream.close(); // a clean CopyDone, so the server frees the slot at once
        }
    }

    private void stream(PGReplicationStream stream, PrimaryKeys primaryKeys) throws SQLException {
        ChangeAssembler assembler = new ChangeAssembler(source.id(), source.database(), primaryKeys::of);
        Lsn confirmed = Lsn.ZERO;
        while (running) {
            ByteBuffer message = stream.readPending();
            if (message == null) {
                confirmed = confirmIdle(stream, assembler, confirmed);
                sleep(10);
                continue;
            }
            PgOutputMessage decoded = PgOutputDecoder.decode(message);
            if (decoded instanceof Relation r) {
                primaryKeys.forget(r.oid());
            }
            ChangeAssembler.Transaction tx = assembler.accept(decoded);
            if (tx != null) {
                eventLog.append(source.id(), tx.endLsn(), tx.events());
                confirm(stream, tx.endLsn());
                confirmed = tx.endLsn();
            } else if (assembler.buffered() >= CHUNK) {
                eventLog.append(source.id(), null, assembler.drain());
            }
        }
    }

    /**
     * Between transactions everything received is stored, so the server's latest position can be
     * confirmed: an idle source then does not make PostgreSQL keep WAL for it.
     */
    private static Lsn confirmIdle(PGReplicationStream stream, ChangeAssembler assembler, Lsn confirmed) {
        if (assembler.inTransaction()) {
            return confirmed;
        }
        Lsn received = new Lsn(stream.getLastReceiveLSN().asLong());
        if (received.isAfter(confirmed)) {
            confirm(stream, received);
            return received;
        }
        return confirmed;
    }

    private static void confirm(PGReplicationStream stream, Lsn lsn) {
        LogSequenceNumber pg = LogSequenceNumber.valueOf(lsn.value());
        stream.setFlushedLSN(pg);
        stream.setAppliedLSN(pg);
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // only stop() interrupts, and it has cleared running already
        }
    }
}
