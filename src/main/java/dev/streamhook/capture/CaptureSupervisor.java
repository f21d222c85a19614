package dev.streamhook.capture;

import dev.streamhook.store.Backfills;
import dev.streamhook.store.EventLog;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@link CaptureRunner} per source of this node, with the {@link SnapshotWorker} that runs
 * the source's snapshot and backfills beside it (they meet in the source's {@link Watermarks}), and
 * inspects each running source's slot (lag, {@code wal_status}) and tables (replica identity; new
 * tables of every-table capture) every {@link #LAG_INTERVAL}, off the request path: the API shows the
 * last inspection with its time, and never connects to a user's database to answer. Thread-safe: the API starts and
 * stops sources while Main starts and stops the whole.
 */
public final class CaptureSupervisor {

    private static final Logger log = LoggerFactory.getLogger(CaptureSupervisor.class);
    static final Duration LAG_INTERVAL = Duration.ofSeconds(10);
    private final Sources sources;
    private final EventLog eventLog;
    private final SourceDatabase sourceDatabase;
    private final Backfills backfills;
    private final Predicate<String> hasDestinations;
    private final int snapshotChunkRows;
    private final Map<String, CaptureRunner> runners = new ConcurrentHashMap<>();
    private final Map<String, SnapshotWorker> snapshots = new ConcurrentHashMap<>();
    /** Sources whose lag is being measured right now. */
    private final Set<String> measuring = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService lagTimer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("capture-slot-lag").daemon().unstarted(r));
    private volatile boolean started;
    private volatile boolean stopped;

    /**
     * {@code hasDestinations} tells whether a source has a destination (a snapshot waits for one);
     * {@code snapshotChunkRows}: the most rows a snapshot chunk reads.
     */
    public CaptureSupervisor(Sources sources, EventLog eventLog, SourceDatabase sourceDatabase, Backfills backfills,
                             Predicate<String> hasDestinations, int snapshotChunkRows) {
        this.sources = sources;
        this.eventLog = eventLog;
        this.sourceDatabase = sourceDatabase;
        this.backfills = backfills;
        this.hasDestinations = hasDestinations;
        this.snapshotChunkRows = snapshotChunkRows;
    }

    /**
     * Starts capture of every stored source whose slot was made. A source whose creation never
     * finished (the node stopped between storing it and making its slot) is handed to
     * {@code unfinished}, which cleans it up.
     */
    public void startAll(java.util.function.Consumer<Source> unfinished) {
        for (Source s : sources.listAll()) {
            if (s.health().slotCreatedAt() == null) {
                unfinished.accept(s);
            } else if (s.status() != Sources.Status.ERROR) {
                start(s);
            }
        }
        lagTimer.scheduleWithFixedDelay(() -> runners.keySet().forEach(this::inspect),
                LAG_INTERVAL.toMillis(), LAG_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        started = true;
    }

    /**
     * Inspects the source's slot and tables ({@link SourceDatabase#inspect}) on a virtual thread, so
     * that one unreachable database (up to its connect timeout) delays no other source. A failed
     * inspection keeps the last one, with its time. Reads the source from the store, so that an
     * edit of its tables shows at the next inspection without a restart.
     */
    private void inspect(String sourceId) {
        if (!runners.containsKey(sourceId)) {
            return;
        }
        if (!measuring.add(sourceId)) {
            return; // the last one still waits on a silent database: one at a time per source
        }
        Thread.ofVirtual().name("slot-lag-" + sourceId).start(() -> {
            try {
                inspectNow(sourceId);
            } finally {
                measuring.remove(sourceId);
            }
        });
    }

    /** Inspects the source now, on the calling thread; a failure is logged and keeps the last inspection. */
    public void inspectNow(String sourceId) {
        try {
            Source source = sources.byId(sourceId).orElse(null);
            if (source == null) {
                return;
            }
            SourceDatabase.Inspection seen = sourceDatabase.inspect(ConnectionSpec.parse(source.connectionUri()), source.slotName(),
                    source.publicationName(), source.allTables() ? List.of() : source.tables().stream().map(TableName::parse).toList(),
                    source.allTables());
            if (!seen.added().isEmpty()) {
                log.info("capture of {} now publishes the new tables {}", sourceId, seen.added());
            }
            if (seen.slot().lagBytes() != null) {
                sources.recordSlotLag(sourceId, seen.slot().lagBytes(), System.currentTimeMillis());
            }
            sources.recordInspection(sourceId, seen.slot().walStatus(), seen.tables().stream().map(t -> t.view(null)).toList());
        } catch (RuntimeException e) {
            log.debug("could not inspect the slot of {}: {}", sourceId, e.toString());
        }
    }

    /**
     * Empty while capture runs; else why not, for the node's health. One source whose database is
     * down is that source's status, not the node's: the node still captures every other source.
     */
    public Optional<String> problem() {
        if (stopped) {
            return Optional.of("capture is stopped");
        }
        return started ? Optional.empty() : Optional.of("capture has not started yet");
    }

    public void start(Source stored) {
        Source source;
        try {
            source = sources.ensureEventTag(stored); // a source of an earlier version gets its tag here
        } catch (RuntimeException e) {
            log.warn("capture of source {} not started: {}", stored.id(), e.getMessage());
            return;
        }
        runners.computeIfAbsent(source.id(), id -> {
            Watermarks watermarks = new Watermarks();
            CaptureRunner runner = new CaptureRunner(source, eventLog, sources, sourceDatabase, watermarks);
            runner.start();
            SnapshotWorker worker = new SnapshotWorker(source, backfills, hasDestinations, sourceDatabase, watermarks, snapshotChunkRows);
            snapshots.put(id, worker);
            worker.start();
            return runner;
        });
        // a first measurement soon after the session opens, not one interval later
        if (!stopped) {
            try {
                lagTimer.schedule(() -> inspect(source.id()), 2, TimeUnit.SECONDS);
            } catch (RejectedExecutionException stoppedMeanwhile) {
                // stopAll() ran meanwhile: nothing more to measure
            }
        }
    }

    /**
     * Stops the source's capture and starts it again with {@code source}'s settings (a new
     * connection URI); the new session resumes from the slot's confirmed position.
     */
    public void restart(Source source) {
        stop(source.id());
        if (!stopped) {
            start(source);
        }
    }

    /** A backfill of the source was added: its worker looks now rather than at its next poll. */
    public void wakeSnapshots(String sourceId) {
        SnapshotWorker worker = snapshots.get(sourceId);
        if (worker != null) {
            worker.wake();
        }
    }

    /** Stops the source's capture and snapshot worker, and waits until its replication session is closed. */
    public void stop(String sourceId) {
        SnapshotWorker worker = snapshots.remove(sourceId);
        if (worker != null) {
            worker.stop();
        }
        CaptureRunner runner = runners.remove(sourceId);
        if (runner != null) {
            runner.stop();
        }
    }

    public void stopAll() {
        stopped = true;
        lagTimer.shutdownNow();
        runners.keySet().forEach(this::stop);
    }
}
