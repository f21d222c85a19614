package dev.streamhook.store;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases held events when they may go without anybody asking: after the month turns, and after
 * another node raised an account's limit (a limit raised through this node releases at once). Runs
 * {@link Usage#releaseDue()} every {@code every} on its own daemon thread; the check is one read of
 * the accounts that hold events, so it costs nothing while none do.
 *
 * <p>Thread-safety: {@link #start()} and {@link #stop()} are called once each, by Main.
 */
public final class ReleaseTimer {

    private static final Logger log = LoggerFactory.getLogger(ReleaseTimer.class);
    private final Usage usage;
    private final Duration every;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("usage-release").daemon().unstarted(r));

    public ReleaseTimer(Usage usage, Duration every) {
        this.usage = usage;
        this.every = every;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::run, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void stop() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            long released = usage.releaseDue();
            if (released > 0) {
                log.info("released {} held events", released);
            }
        } catch (RuntimeException e) {
            log.warn("held events could not be checked for release; trying again in {} s: {}", every.toSeconds(), e.toString());
        }
    }
}
