package dev.streamhook.delivery;

import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.Destinations;
import dev.streamhook.store.Destinations.Destination;
import dev.streamhook.store.StoreSignals;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Lane} per destination whose source is not paused: pausing a source stops its lanes
 * (their deliveries wait in the store, in order) and resuming starts them again, so a paused
 * source's events are never sent. Lanes follow the destinations table (reconciled when the
 * store signals a change, and every few seconds in case another node changed it), and wake when the
 * store signals that a source's events were appended (by this node or, on a shared PostgreSQL store,
 * another), so nothing polls while there is nothing to do.
 *
 * <p>Thread-safety: {@link #start()} and {@link #stop()} are called once each, by Main; the signal
 * handlers may run on any thread.
 */
public final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final long RECONCILE_SECONDS = 5;
    /** How long the lane of a deleted or paused destination waits for its requests in flight. */
    private static final long REMOVED_GRACE_MILLIS = 10_000;

    private final DeliveryQueue queue;
    private final Destinations destinations;
    private final StoreSignals signals;
    private final Sender sender;
    private final RetryPolicy retryPolicy;
    private final DeliveryMetrics metrics;
    private final Lane.Settings settings;
    private final Clock clock;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reconciler = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("delivery-lanes").daemon().unstarted(r));
    private volatile boolean started;
    private volatile boolean stopped;
    /** Why the last look at the destinations failed; null once one succeeds. */
    private volatile String lastFailure;

    /**
     * {@code owner} names this node in lane leases; {@code maxInFlight} is the in-flight limit of a
     * destination that sets none; {@code window} and {@code windowBytes} bound what a lane holds in
     * memory, in deliveries and in body bytes.
     */
    public Dispatcher(DeliveryQueue queue, Destinations destinations, StoreSignals signals, Sender sender, RetryPolicy retryPolicy,
                      DeliveryMetrics metrics, String owner, int maxInFlight, long leaseMillis, int window, long windowBytes, Clock clock) {
        this.queue = queue;
        this.destinations = destinations;
        this.signals = signals;
        this.sender = sender;
        this.retryPolicy = retryPolicy;
        this.metrics = metrics;
        this.settings = new Lane.Settings(owner, maxInFlight, leaseMillis, window, windowBytes);
        this.clock = clock;
    }

    public void start() {
        started = true;
        signals.onEventsAppended(this::wakeSource);
        signals.onDeliveriesReleased(this::wakeSource);
        signals.onDeliveriesReopened(id -> {
            Lane lane = lanes.get(id);
            if (lane != null) {
                lane.reopen();
            }
        });
        signals.onDestinationsChanged(() -> reconciler.execute(this::reconcile));
        signals.onResync(() -> lanes.values().forEach(Lane::reopen)); // another node's signals may have been missed
        reconciler.scheduleWithFixedDelay(this::reconcile, 0, RECONCILE_SECONDS, TimeUnit.SECONDS);
    }

    /** {@link #stop(Duration)} with a grace of 10 s: what a start that failed half-way undoes. */
    public void stop() {
        stop(Duration.ofSeconds(10));
    }

    /**
     * Stops every lane: none takes new work; each waits up to {@code grace} for its webhook requests
     * in flight, records their results and lets its lease go. Deliveries whose requests did not come
     * back in time stay pending in the store, due again after a restart.
     */
    public void stop(Duration grace) {
        stopped = true;
        reconciler.shutdownNow();
        try {
            reconciler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // every lane at once, on threads of their own: the grace bounds the whole stop, not each lane in turn
        List<Thread> stopping = lanes.values().stream().map(l -> Thread.ofVirtual().start(() -> l.stop(grace.toMillis()))).toList();
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        lanes.clear();
    }

    /** Empty while delivery runs; else why not, for the node's health. */
    public Optional<String> problem() {
        if (!started) {
            return Optional.of("delivery has not started yet");
        }
        if (stopped || reconciler.isShutdown()) {
            return Optional.of("delivery is stopped");
        }
        return Optional.ofNullable(lastFailure).map(f -> "delivery cannot read its destinations from the store: " + f);
    }

    private void wakeSource(String sourceId) {
        for (Lane lane : lanes.values()) {
            if (lane.sourceId().equals(sourceId)) {
                lane.wake();
            }
        }
    }

    private void reconcile() {
        try {
            destinations.dropExpiredPreviousSecrets(clock.millis()); // rotated-out secrets past their grace period
            Set<String> seen = new HashSet<>();
            for (Destination d : destinations.listDelivering()) {
                seen.add(d.id());
                Lane lane = lanes.get(d.id());
                if (lane == null) {
                    lane = new Lane(d, queue, sender, retryPolicy, metrics, settings, clock);
                    lanes.put(d.id(), lane);
                    lane.start();
                } else {
                    lane.update(d);
                }
            }
            lanes.keySet().removeIf(id -> {
                if (seen.contains(id)) {
                    return false;
                }
                Lane gone = lanes.get(id);
                Thread.ofVirtual().start(() -> gone.stop(REMOVED_GRACE_MILLIS)); // it may wait for attempts in flight; other lanes need not
                return true;
            });
            lastFailure = null;
        } catch (RuntimeException e) {
            lastFailure = e.getMessage();
            log.warn("delivery could not read the destinations; trying again in {} s: {}", RECONCILE_SECONDS, e.toString());
        }
    }
}
