package dev.streamhook.capture;

import dev.streamhook.capture.pgoutput.Begin;
import dev.streamhook.capture.pgoutput.LogicalMessage;
import dev.streamhook.capture.pgoutput.PgOutputDecoder;
import dev.streamhook.capture.pgoutput.PgOutputMessage;
import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.json.JsonValue;
import dev.streamhook.store.Database;
import dev.streamhook.store.EventLog;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import dev.streamhook.store.Sources.Status;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures one source: holds its logical replication session, decodes whole transactions, hands
 * them to the {@link EventLog} without waiting (consecutive transactions share a store commit), and
 * reports an LSN to PostgreSQL as flushed only once the store committed it ({@link FlushTracker}).
 * A lost session is reopened with backoff; PostgreSQL then resends from the last confirmed LSN and
 * the event log drops what it already has. A slot that no longer exists, or lost its WAL, ends the
 * runner with the source in status {@code error} and the reason: reconnecting cannot bring it back.
 *
 * <p>The capture thread blocks in the stream's {@code read()}: no polling, and no CPU while idle.
 * PgJDBC sends the flushed position from inside {@code read()}: every status interval while messages
 * flow, and when idle in answer to the server's pings, which the session asks for every few seconds
 * ({@link ConnectionSpec#replicationProperties()}). Memory is bounded in bytes: a huge transaction is stored in chunks of
 * {@link #CHUNK_BYTES}, and capture waits when {@link #MAX_UNSTORED_BYTES} are on their way to the store.
 *
 * <p>Snapshot chunks enter the stream here: at a chunk's high watermark ({@link Watermarks}) its rows
 * are stored as INSERT events with {@code snapshot} set, between the changes before and after it.
 *
 * <p>Thread-safety: runs on its own thread, started by {@link #start()}; {@link #stop()} may be
 * called from any thread and returns when the session is closed. The runner owns and closes its
 * replication connection.
 */
public final class CaptureRunner {

    private static final Logger log = LoggerFactory.getLogger(CaptureRunner.class);
    private static final Duration STATUS_INTERVAL = Duration.ofSeconds(1);
    private static final long MAX_BACKOFF_MS = 30_000;
    /** Body bytes of one transaction held before they are stored as a chunk; bounds the heap for huge transactions. */
    static final long CHUNK_BYTES = 4L << 20;
    /** Body bytes handed to the store and not yet committed; capture waits beyond this (the store is the slower side). */
    static final int MAX_UNSTORED_BYTES = 16 << 20;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("capture-status").daemon().unstarted(r));

    private final Source source;
    private final ConnectionSpec spec;
    private final EventLog eventLog;
    private final Sources sources;
    private final SourceDatabase sourceDatabase;
    private final Watermarks watermarks;
    private final Thread thread;
    private final Semaphore unstoredKilobytes = new Semaphore(MAX_UNSTORED_BYTES / 1024);
    private volatile boolean running = true;
    private volatile Connection replication;

    public CaptureRunner(Source source, EventLog eventLog, Sources sources, SourceDatabase sourceDatabase) {
        this(source, eventLog, sources, sourceDatabase, new Watermarks());
    }

    CaptureRunner(Source source, EventLog eventLog, Sources sources, SourceDatabase sourceDatabase, Watermarks watermarks) {
        if (source.eventTag() == 0) { // its events' ids would not be its own
            throw new IllegalArgumentException("source " + source.id() + " has no event tag yet: capture starts with the source as stored");
        }
        this.source = source;
        this.watermarks = watermarks;
        this.spec = ConnectionSpec.parse(source.connectionUri());
        this.eventLog = eventLog;
        this.sources = sources;
        this.sourceDatabase = sourceDatabase;
        this.thread = Thread.ofPlatform().name("capture-" + source.id()).daemon().unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** The source as this runner captures it (its settings when the runner started). */
    public Source source() {
        return source;
    }

    public void stop() {
        running = false;
        thread.interrupt();
        abort(replication); // the capture thread is blocked in read(): only closing the socket ends it
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
                if (e instanceof SourceException se && se.reason() == SourceException.Reason.SLOT_NOT_FOUND) {
                    // retrying cannot help: the changes since the loss are gone from the slot; the user decides (recreate_slot)
                    log.error("capture of {} stopped: {}", source.id(), se.getMessage());
                    sources.setStatus(source.id(), Status.ERROR, se.getMessage());
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
             Connection conn = sourceDatabase.connectForReplication(spec)) {
            replication = conn;
            if (!running) {
                return;
            }
            // a slot dropped or invalidated outside StreamHook: say so, rather than reconnect forever
            Optional<String> lost = SourceDatabase.slotState(catalog, source.slotName()).problem(source.slotName());
            if (lost.isPresent()) {
                throw new SourceException(SourceException.Reason.SLOT_NOT_FOUND, lost.get());
            }
            upgradePublication(catalog);
            PGReplicationStream stream = conn.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical()
                    .withSlotName(source.slotName())
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", source.publicationName())
                    .withSlotOption("messages", "true") // the watermarks of snapshot chunks (PostgreSQL 14+)
                    .withStatusInterval((int) STATUS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
                    .start();
            sources.setStatus(source.id(), Status.ACTIVE, null);
            log.info("capture of {} streaming from slot {}", source.id(), source.slotName());
            stream(stream, new PrimaryKeys(catalog), conn);
            stream.close(); // a clean CopyDone, so the server frees the slot at once
        } finally {
            replication = null;
        }
    }

    private void stream(PGReplicationStream stream, PrimaryKeys primaryKeys, Connection conn) throws SQLException {
        ChangeAssembler assembler = new ChangeAssembler(source.id(), source.eventTag(), source.database(), primaryKeys::of);
        FlushTracker flushed = new FlushTracker(lsn -> confirm(stream, lsn));
        // once an append fails, no later one of this session may be stored (PostgreSQL resends from the
        // failed one, and the log must keep commit order); the session ends at once, not at the next change
        AtomicBoolean abandoned = new AtomicBoolean();
        Session session = new Session(flushed, abandoned, abandoned::get, conn);
        Begin begin = null;
        ScheduledFuture<?> idle = TIMER.scheduleWithFixedDelay(
                () -> flushed.confirmIdle(() -> new Lsn(stream.getLastReceiveLSN().asLong())),
                STATUS_INTERVAL.toMillis(), STATUS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        try {
            while (running) {
                if (flushed.failed()) {
                    throw new IllegalStateException("the store could not take a transaction; capture resumes from the last one it stored");
                }
                ByteBuffer message = stream.read();
                if (message == null) {
                    return; // the stream was closed
                }
                PgOutputMessage decoded = PgOutputDecoder.decode(message);
                if (decoded instanceof Begin b) {
                    flushed.begin();
                    begin = b;
                } else if (decoded instanceof LogicalMessage m) {
                    Watermarks.Window chunk = watermarks.onMessage(m);
                    if (chunk != null) {
                        storeChunk(session, chunk, begin);
                    }
                }
                ChangeAssembler.Transaction tx = assembler.accept(decoded);
                if (tx != null) {
                    store(session, tx.events(), tx.endLsn());
                } else if (assembler.bufferedBytes() >= CHUNK_BYTES) {
                    store(session, assembler.drain(), null);
                }
            }
        } finally {
            idle.cancel(false);
        }
    }

    /**
     * Brings a publication made before partitions were reported under their root (or before
     * generated columns were published) up to date. Not fatal: capture works without it, as before.
     */
    private void upgradePublication(Connection catalog) {
        try {
            SourceDatabase.upgradePublication(catalog, source.publicationName());
        } catch (SQLException e) {
            log.warn("capture of {} could not set the options of publication {} (partitions may be reported under their own "
                    + "names): {}", source.id(), source.publicationName(), SourceDatabase.firstLine(e));
        }
    }

    /** What the appends of one replication session share. */
    private record Session(FlushTracker flushed, AtomicBoolean abandoned, BooleanSupplier isAbandoned, Connection replication) {
    }

    private void store(Session session, List<EncodedEvent> events, Lsn endLsn) {
        watermarks.observe(events);
        store(session, events, endLsn, null);
    }

    /**
     * Stores a snapshot chunk at its high watermark, with its progress, in one store transaction.
     * Its events take their ids from the watermark's transaction (which changes no row), so they
     * are unique, and the same if PostgreSQL sends the watermark again after a crash (it is then
     * unknown and ignored: the chunk was stored, or is read again under a new watermark).
     */
    private void storeChunk(Session session, Watermarks.Window chunk, Begin watermark) {
        try {
            submitChunk(session, chunk, watermark);
        } catch (RuntimeException e) { // the worker waits for this chunk's answer: it must get one
            chunk.stored.completeExceptionally(e);
            throw e;
        }
    }

    private void submitChunk(Session session, Watermarks.Window chunk, Begin watermark) {
        List<TableChunks.Row> rows = chunk.unchangedRows();
        List<EncodedEvent> events = new ArrayList<>(rows.size());
        Lsn lsn = watermark.finalLsn();
        for (int i = 0; i < rows.size(); i++) {
            TableChunks.Row row = rows.get(i);
            events.add(EncodedEvent.of(new ChangeEvent(EventId.of(source.eventTag(), lsn, i), source.id(), lsn, watermark.xid(), i,
                    watermark.commitTime(), source.database(), chunk.table.schema(), chunk.table.table(), Operation.INSERT, JsonValue.NULL,
                    row.after(), List.of(), row.rowKey(), null, null, true)));
        }
        store(session, events, null, chunk.progress()).whenComplete((added, error) -> {
            if (error != null) {
                chunk.stored.completeExceptionally(error);
            } else {
                chunk.stored.complete(added);
            }
        });
    }

    private CompletableFuture<Integer> store(Session session, List<EncodedEvent> events, Lsn endLsn, Database.Work<?> alongside) {
        long bytes = events.stream().mapToLong(e -> e.body().length).sum();
        int permits = (int) Math.min(MAX_UNSTORED_BYTES / 1024, bytes / 1024 + 1);
        try {
            unstoredKilobytes.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("capture stopped while waiting for the store"); // only stop() interrupts
        }
        CompletableFuture<Integer> stored = eventLog.append(source.id(), endLsn, events, session.isAbandoned(), alongside); // one supplier per session: the store groups its appends
        // registered before the next append is submitted, so it runs before the store runs that one
        stored.whenComplete((ok, error) -> {
            if (error != null && session.abandoned().compareAndSet(false, true)) {
                log.warn("capture of {} could not store a transaction; resuming from the last stored one: {}", source.id(), error.toString());
                abort(session.replication());
            }
        });
        session.flushed().afterStored(stored, endLsn).whenComplete((ok, error) -> unstoredKilobytes.release(permits));
        return stored;
    }

    private static void confirm(PGReplicationStream stream, Lsn lsn) {
        LogSequenceNumber pg = LogSequenceNumber.valueOf(lsn.value());
        stream.setFlushedLSN(pg);
        stream.setAppliedLSN(pg);
    }

    private static void abort(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.abort(Runnable::run);
        } catch (SQLException ignored) {
            // stopping; the session ends either way, and the server frees the slot when the socket closes
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // only stop() interrupts, and it has cleared running already
        }
    }
}
