package dev.streamhook.capture;

import dev.streamhook.store.EventLog;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps one {@link CaptureRunner} per source of this node. Thread-safe: the API starts and stops
 * sources while Main starts and stops the whole.
 */
public final class CaptureSupervisor {

    private final Sources sources;
    private final EventLog eventLog;
    private final SourceDatabase sourceDatabase;
    private final Map<String, CaptureRunner> runners = new ConcurrentHashMap<>();
    private volatile boolean started;
    private volatile boolean stopped;

    public CaptureSupervisor(Sources sources, EventLog eventLog, SourceDatabase sourceDatabase) {
        this.sources = sources;
        this.eventLog = eventLog;
        this.sourceDatabase = sourceDatabase;
    }

    /** Starts capture of every stored source. */
    public void startAll() {
        sources.listAll().forEach(this::start);
        started = true;
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

    public void start(Source source) {
        runners.computeIfAbsent(source.id(), id -> {
            CaptureRunner runner = new CaptureRunner(source, eventLog, sources, sourceDatabase);
            runner.start();
            return runner;
        });
    }

    /** Stops the source's capture and waits until its replication session is closed. */
    public void stop(String sourceId) {
        CaptureRunner runner = runners.remove(sourceId);
        if (runner != null) {
            runner.stop();
        }
    }

    public void stopAll() {
        stopped = true;
        runners.keySet().forEach(this::stop);
    }
}
