package dev.streamhook.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One token bucket per name (an API key id, a client address): {@code capacity} tokens, refilled at
 * {@code perSecond}; a request takes one. Memory is bounded: at most {@code maxBuckets} buckets are
 * kept, and when a new name comes beyond that the bucket used longest ago is dropped (an idle
 * bucket is full again anyway, so dropping it forgets nothing). A flood of distinct addresses can
 * therefore not grow the heap; the worst it can do is make an old, busy name start from a full bucket.
 *
 * <p>Thread-safe (one lock; each call is a few arithmetic operations).
 */
public final class TokenBuckets {

    private static final class Bucket {
        double tokens;
        long updatedNanos;
    }

    private final double capacity;
    private final double perNano;
    private final LongSupplier nanoClock;
    private final LinkedHashMap<String, Bucket> buckets;

    public TokenBuckets(double capacity, double perSecond, int maxBuckets, LongSupplier nanoClock) {
        this.capacity = capacity;
        this.perNano = perSecond / 1e9;
        this.nanoClock = nanoClock;
        this.buckets = new LinkedHashMap<>(64, 0.75f, true) { // access order: the eldest is the longest idle
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > maxBuckets;
            }
        };
    }

    /** Takes a token for {@code name}: 0 when it had one, else the whole seconds until it will (at least 1). */
    public synchronized long take(String name) {
        long now = nanoClock.getAsLong();
        Bucket b = buckets.get(name);
        if (b == null) {
            b = new Bucket();
            b.tokens = capacity;
            b.updatedNanos = now;
            buckets.put(name, b);
        }
        b.tokens = Math.min(capacity, b.tokens + (now - b.updatedNanos) * perNano);
        b.updatedNanos = now;
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - b.tokens) / perNano / 1e9));
    }

    synchronized int size() {
        return buckets.size();
    }
}
