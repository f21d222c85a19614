package dev.streamhook.dashboard;

import dev.streamhook.api.ApiException;
import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.EventQueries;
import dev.streamhook.store.EventQueries.EventRow;
import dev.streamhook.store.StoreSignals;
import io.javalin.http.sse.SseClient;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /dashboard/api/events/stream}: the signed-in account's newly captured events as
 * server-sent events ({@code event: captured}, data the event's summary as JSON), optionally
 * filtered by {@code source_id}, {@code table}, {@code operation} and delivery {@code status}.
 * A new connection first gets the latest {@link #FIRST} matching events, then each new one.
 *
 * <p>Nothing polls: the store's appended signal ({@link StoreSignals#onEventsAppended}) wakes every
 * open tail, which reads the events after the last one it sent, at most {@link #BATCH} at a time
 * and at most once per {@link #MIN_GAP_MS} (a busy source costs each tail a few reads a second,
 * not one per commit). What a connection holds is bounded by {@link #BATCH} events: when more came
 * than that since its last read, it sends the newest and an {@code event: skipped} saying so,
 * rather than queueing without end for a slow browser. A comment every {@link #KEEP_ALIVE_MS} finds
 * closed connections. At most {@link #MAX_CONNECTIONS} tails are open on a node.
 *
 * <p>Thread-safe: each connection runs on its own request thread; the signal only releases permits.
 */
final class EventTail {

    static final int FIRST = 20;
    static final int BATCH = 50;
    static final long MIN_GAP_MS = 250;
    static final long KEEP_ALIVE_MS = 15_000;
    static final int MAX_CONNECTIONS = 200;
    private static final Set<String> OPERATIONS = Set.of("INSERT", "UPDATE", "DELETE", "TRUNCATE");
    private final EventQueries queries;
    private final Set<Semaphore> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean stopping;

    EventTail(EventQueries queries, StoreSignals signals) {
        this.queries = queries;
        // one listener for all tails: StoreSignals keeps listeners for ever, so none is added per connection
        signals.onEventsAppended(sourceId -> open.forEach(Semaphore::release));
        signals.onResync(() -> open.forEach(Semaphore::release));
    }

    /** The filter of a tail, checked before the stream opens so a bad one is a 400 with the API's error shape. */
    record Filter(String sourceId, String table, String operation, DeliveryQueue.Status status) {
        static Filter of(java.util.function.Function<String, String> query) {
            String operation = blankToNull(query.apply("operation"));
            if (operation != null) {
                operation = operation.toUpperCase(Locale.ROOT);
                if (!OPERATIONS.contains(operation)) {
                    throw ApiException.invalid("operation", "'operation' must be INSERT, UPDATE, DELETE or TRUNCATE");
                }
            }
            String status = blankToNull(query.apply("status"));
            DeliveryQueue.Status deliveryStatus = null;
            if (status != null) {
                try {
                    deliveryStatus = DeliveryQueue.Status.valueOf(status.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw ApiException.invalid("status", "'status' must be pending, succeeded, failed, held or skipped");
                }
            }
            return new Filter(blankToNull(query.apply("source_id")), blankToNull(query.apply("table")), operation, deliveryStatus);
        }

        EventQueries.Filter page(int limit) {
            return new EventQueries.Filter(sourceId, null, table, operation, status, null, null, null, null, null, limit);
        }
    }

    /**
     * Streams to {@code client} until the browser goes away or the node stops; runs on the request's
     * thread. Over {@link #MAX_CONNECTIONS}, it sends {@code event: refused} and ends (the stream is
     * open by then, so an error status cannot be sent; the browser's EventSource tries again later).
     */
    void follow(SseClient client, String accountId, Filter filter) {
        if (connections.incrementAndGet() > MAX_CONNECTIONS) {
            connections.decrementAndGet();
            client.sendEvent("refused", "{\"message\": \"too many live tails are open on this server; trying again shortly\"}");
            return;
        }
        Semaphore wake = new Semaphore(0);
        open.add(wake);
        try {
            List<EventRow> first = queries.list(accountId, filter.page(FIRST));
            long lastSeq = first.isEmpty() ? 0 : first.get(0).seq();
            send(client, first.reversed());
            client.sendEvent("ready", "{}");
            while (!client.terminated() && !stopping) {
                if (!wake.tryAcquire(KEEP_ALIVE_MS, TimeUnit.MILLISECONDS)) {
                    client.sendComment("keep-alive");
                    continue;
                }
                Thread.sleep(MIN_GAP_MS); // let a burst of commits land, then read them at once
                wake.drainPermits();
                List<EventRow> newest = queries.list(accountId, filter.page(BATCH));
                final long after = lastSeq;
                List<EventRow> fresh = newest.stream().filter(e -> e.seq() > after).toList();
                if (fresh.isEmpty()) {
                    continue;
                }
                if (fresh.size() > BATCH) { // list returns one more than asked when more follow
                    client.sendEvent("skipped", "{\"message\": \"more events arrived than the live tail shows; the Events list has them all\"}");
                    fresh = fresh.subList(0, BATCH);
                }
                lastSeq = fresh.get(0).seq();
                send(client, fresh.reversed());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(wake);
            connections.decrementAndGet();
        }
    }

    /** Ends every open tail now, so a stopping node does not wait for their keep-alives. */
    void stop() {
        stopping = true;
        open.forEach(Semaphore::release);
    }

    private static void send(SseClient client, List<EventRow> oldestFirst) {
        for (EventRow e : oldestFirst) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", e.id());
            out.put("source_id", e.sourceId());
            out.put("schema", e.schema());
            out.put("table", e.table());
            out.put("operation", e.operation());
            out.put("committed_at", Instant.ofEpochMilli(e.committedAt()).toString());
            out.put("created_at", Instant.ofEpochMilli(e.createdAt()).toString());
            try {
                client.sendEvent("captured", Bodies.MAPPER.writeValueAsString(out), e.id());
            } catch (com.fasterxml.jackson.core.JacksonException ex) {
                throw new IllegalStateException("a map of plain values always serialises", ex);
            }
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
