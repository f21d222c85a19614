package dev.streamhook.observe;

import dev.streamhook.delivery.DeliveryMetrics;
import dev.streamhook.store.Database;
import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The node's metrics, in Prometheus text at {@code GET /metrics} (Micrometer). Delivery counts its
 * attempts here as they end ({@link DeliveryMetrics}); what the store knows (events captured per
 * source, queue depth and oldest pending event per destination, slot lag per source, the store's
 * size) is read from the store when scraped, at most every {@link #STORE_READ_EVERY}, so every node
 * of a shared store reports the same figures and none of them costs capture or delivery anything.
 *
 * <p>Thread-safe; one per node, built by Main.
 */
public final class Metrics implements DeliveryMetrics {

    static final Duration STORE_READ_EVERY = Duration.ofSeconds(5);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Database db;
    private final Clock clock;
    private final Timer latency;
    private final MultiGauge queueDepth;
    private final MultiGauge oldestPending;
    private final MultiGauge slotLag;
    private final Map<String, Long> captured = new ConcurrentHashMap<>();
    private final Map<String, FunctionCounter> capturedMeters = new ConcurrentHashMap<>();
    private final Map<MeterKey, Counter> meters = new ConcurrentHashMap<>();
    private volatile long storeBytes;
    private long readAt = Long.MIN_VALUE / 2; // never: without overflow in now - readAt

    public Metrics(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.latency = Timer.builder("streamhook.delivery.latency")
                .description("From the change's commit in the source database to its 2xx answer")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
        this.queueDepth = MultiGauge.builder("streamhook.queue.depth").description("Deliveries pending per destination")
                .register(registry);
        this.oldestPending = MultiGauge.builder("streamhook.queue.oldest.pending.age").baseUnit("seconds")
                .description("Age of the oldest pending delivery's change per destination, from its commit").register(registry);
        this.slotLag = MultiGauge.builder("streamhook.slot.lag").baseUnit("bytes")
                .description("WAL the source database keeps for the source's slot, as capture last measured it").register(registry);
        Gauge.builder("streamhook.store.size", () -> storeBytes).baseUnit("bytes").description("Bytes the store takes").register(registry);
        FunctionCounter.builder("streamhook.store.commits", db, Database::commits)
                .description("Write transactions this node committed to the store").register(registry);
        FunctionCounter.builder("streamhook.store.commit.units", db, Database::committedUnits)
                .description("Units of work (an append, a lane's results, an API write) in those transactions").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /**
     * Shows what {@code space} says beside the metrics: how many warnings it gives now (the store
     * past {@code STREAMHOOK_STORE_WARN_BYTES}, its disk short of free space) and, for the embedded
     * store, its disk's free bytes. Asked at each scrape.
     */
    public void watch(StoreSpace space) {
        Gauge.builder("streamhook.store.warnings", () -> space.warnings().size())
                .description("Warnings about the store's room now, as GET /readyz lists them").register(registry);
        if (space.disk().isPresent()) {
            Gauge.builder("streamhook.store.disk.free", () -> space.disk().map(StoreSpace.Disk::usable).orElse(0L)).baseUnit("bytes")
                    .description("Bytes free on the embedded store's disk").register(registry);
        }
    }

    @Override
    public void attempted(String destinationId, Attempt attempt, Status next, long committedAt, long now) {
        // an attempt ends thousands of times a second: each meter is built and registered once, then looked up
        String outcome = attempt.succeeded() ? "succeeded" : attempt.statusCode() != null ? "http_error" : "no_answer";
        meters.computeIfAbsent(new MeterKey("attempts", destinationId, outcome), this::register).increment();
        if (next == Status.SUCCEEDED) {
            latency.record(Math.max(0, now - committedAt), TimeUnit.MILLISECONDS);
        } else if (next == Status.FAILED) {
            meters.computeIfAbsent(new MeterKey("failed", destinationId, ""), this::register).increment();
        }
    }

    /** A counter of one destination: {@code attempts} by outcome, or {@code failed} deliveries (outcome empty). */
    private record MeterKey(String kind, String destinationId, String outcome) {
    }

    private Counter register(MeterKey key) {
        if (key.kind().equals("failed")) {
            return Counter.builder("streamhook.deliveries.failed").description("Deliveries that failed for good, after their last attempt")
                    .tags("destination", key.destinationId()).register(registry);
        }
        return Counter.builder("streamhook.delivery.attempts").description("Delivery attempts by destination and outcome")
                .tags("destination", key.destinationId(), "outcome", key.outcome()).register(registry);
    }

    /** Every metric in Prometheus' text format, with the store's figures at most {@link #STORE_READ_EVERY} old. */
    public String scrape() {
        readStore();
        return registry.scrape();
    }

    private synchronized void readStore() {
        long now = clock.millis();
        if (now - readAt < STORE_READ_EVERY.toMillis()) {
            return;
        }
        readAt = now;
        db.read(c -> {
            readQueues(c, now);
            readSources(c);
            return null;
        });
        storeBytes = db.sizeBytes();
    }

    private void readQueues(Connection c, long now) throws SQLException {
        List<MultiGauge.Row<?>> depth = new ArrayList<>();
        List<MultiGauge.Row<?>> oldest = new ArrayList<>();
        // per destination through the lane index; the oldest pending change is the one of the lowest sequence.
        // Every destination gets its series, 0 when nothing waits: a series that vanished when its queue
        // emptied would read as "no data" to an alert, not as an empty queue
        try (PreparedStatement q = c.prepareStatement("""
                SELECT d.id, q.pending, e.committed_at
                FROM destinations d
                LEFT JOIN (SELECT destination_id, count(*) AS pending, min(event_seq) AS first_seq FROM deliveries
                           WHERE status = 'PENDING' GROUP BY destination_id) q ON q.destination_id = d.id
                LEFT JOIN events e ON e.seq = q.first_seq""");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                Tags tags = Tags.of("destination", rs.getString(1));
                long pending = rs.getLong(2);
                long firstCommittedAt = rs.getLong(3);
                boolean none = rs.wasNull();
                depth.add(MultiGauge.Row.of(tags, pending));
                oldest.add(MultiGauge.Row.of(tags, none ? 0 : Math.max(0, now - firstCommittedAt) / 1000.0));
            }
        }
        queueDepth.register(depth, true);
        oldestPending.register(oldest, true);
    }

    private void readSources(Connection c) throws SQLException {
        List<MultiGauge.Row<?>> lags = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (PreparedStatement q = c.prepareStatement("SELECT id, events_captured, slot_lag_bytes FROM sources");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                String source = rs.getString(1);
                seen.add(source);
                captured.put(source, rs.getLong(2));
                capturedMeters.computeIfAbsent(source, s -> FunctionCounter.builder("streamhook.events.captured", captured,
                                m -> m.getOrDefault(s, 0L)).description("Events captured and stored per source").tags("source", s)
                        .register(registry));
                long lag = rs.getLong(3);
                if (!rs.wasNull()) {
                    lags.add(MultiGauge.Row.of(Tags.of("source", source), lag));
                }
            }
        }
        slotLag.register(lags, true);
        capturedMeters.keySet().removeIf(source -> {
            if (seen.contains(source)) {
                return false;
            }
            registry.remove(capturedMeters.get(source)); // a deleted source
            captured.remove(source);
            return true;
        });
    }
}
