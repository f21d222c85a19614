package dev.streamhook.store;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each API key was last used, kept off the request path: a request only puts the time in a
 * map (one entry per key in use, so bounded by the keys that exist); a background thread writes
 * the map to the store once a minute, and once more when the node stops. So {@code last_used_at}
 * in the store is at most a minute behind, and a busy key costs one write a minute, not one a
 * request. {@link #lastUsed} merges what is not written yet, so this node lists the fresh time.
 *
 * <p>Thread-safe. Started and closed by Main.
 */
public final class KeyUsage implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KeyUsage.class);
    private static final long FLUSH_SECONDS = 60;
    private final Accounts accounts;
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "key-usage");
        t.setDaemon(true);
        return t;
    });

    public KeyUsage(Accounts accounts) {
        this.accounts = accounts;
    }

    public void start() {
        flusher.scheduleWithFixedDelay(this::flush, FLUSH_SECONDS, FLUSH_SECONDS, TimeUnit.SECONDS);
    }

    /** Notes that {@code keyId} was used at {@code nowMillis}; never touches the store. */
    public void used(String keyId, long nowMillis) {
        pending.merge(keyId, nowMillis, Math::max);
    }

    /** The later of the stored time and the one not written yet. */
    public Long lastUsed(String keyId, Long stored) {
        Long fresh = pending.get(keyId);
        if (fresh == null) {
            return stored;
        }
        return stored == null ? fresh : Math.max(stored, fresh);
    }

    void flush() {
        Map<String, Long> batch = new HashMap<>();
        for (String keyId : pending.keySet()) {
            Long t = pending.remove(keyId);
            if (t != null) {
                batch.put(keyId, t);
            }
        }
        try {
            accounts.recordUse(batch);
        } catch (RuntimeException e) {
            // a lost last_used_at is not worth more than a line in the log; the next use records it again
            log.warn("could not record when API keys were last used: {}", e.getMessage());
        }
    }

    /** Writes what is pending and stops the thread; call before the store closes. */
    @Override
    public void close() {
        flusher.shutdownNow();
        flush();
    }
}
