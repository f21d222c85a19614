package dev.streamhook.capture;

import dev.streamhook.store.EventLog;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import java.util.Map;
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

    public CaptureSupervisor(Sources sources, EventLog eventLog, SourceDatabase sourceDatabase) {
        this.sources = sources;
        this.eventLog = eventLog;
        this.sourceDatabase = sourceDatabase;
    }

    /** Starts capture of every stored source. */
    public void startAll() {
        sources.listAll().forEach(this::start);
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
        runners.keySet().forEach(this::stop);
    }
}
