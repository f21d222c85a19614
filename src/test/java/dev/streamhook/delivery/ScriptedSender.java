package dev.streamhook.delivery;

import static org.awaitility.Awaitility.await;

import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Due;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** Records every attempt; a destination in {@code hanging} does not answer until released. */
final class ScriptedSender implements Sender {
    final List<Due> sent = new CopyOnWriteArrayList<>();
    final Map<String, CountDownLatch> hanging = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    final Map<String, Integer> mostInFlight = new ConcurrentHashMap<>();
    /** Event ids answered 500 while they are here. */
    final java.util.Set<String> refused = ConcurrentHashMap.newKeySet();
    /** Event ids answered once 429 with {@code Retry-After} of the given wait. */
    final Map<String, Duration> throttled = new ConcurrentHashMap<>();
    final List<Long> sentAt = new CopyOnWriteArrayList<>();
    /** How long each request takes to be answered. */
    volatile long answerAfterMillis;
    /** How many times an event is refused (500) before it is taken; none when absent. */
    final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    /** Event ids whose next attempt ends in a sender's bug (an exception, not an answer), once each. */
    final java.util.Set<String> crashing = ConcurrentHashMap.newKeySet();
    /** Event ids answered 2xx, in the order the answers were given. */
    final List<String> delivered = new CopyOnWriteArrayList<>();

    @Override
    public Attempt send(Due d) {
        long started = System.currentTimeMillis();
        int now = inFlight.computeIfAbsent(d.destinationId(), k -> new AtomicInteger()).incrementAndGet();
        mostInFlight.merge(d.destinationId(), now, Math::max);
        sent.add(d);
        sentAt.add(System.nanoTime());
        try {
            CountDownLatch latch = hanging.get(d.destinationId());
            if (latch != null) {
                latch.await();
            }
            if (answerAfterMillis > 0) {
                Thread.sleep(answerAfterMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.get(d.destinationId()).decrementAndGet();
        }
        if (crashing.remove(d.eventId())) {
            throw new IllegalStateException("a scripted bug in the sender");
        }
        Duration retryAfter = throttled.remove(d.eventId());
        if (retryAfter != null) {
            return new Attempt(started, 1, 429, null, null, DeliveryQueue.ErrorKind.STATUS, retryAfter);
        }
        List<String> events = eventsIn(d);
        boolean refuse = false;
        for (String id : events) { // a batch is refused when any of its events is
            AtomicInteger left = failuresLeft.get(id);
            refuse |= refused.contains(id) || left != null && left.getAndDecrement() > 0;
        }
        if (!refuse) {
            delivered.addAll(events);
        }
        return new Attempt(started, 1, refuse ? 500 : 200, null, null);
    }

    private static final java.util.regex.Pattern EVENT_ID = java.util.regex.Pattern.compile("\\{\"id\":\"(evt_[0-9a-f]+)\"");

    /** The ids of the events a request carries: its own, or for a batch those in its body, in order. */
    private static List<String> eventsIn(Due d) {
        if (d.batchSize() == 0) {
            return List.of(d.eventId());
        }
        List<String> ids = EVENT_ID.matcher(new String(d.body(), java.nio.charset.StandardCharsets.UTF_8)).results().map(m -> m.group(1)).toList();
        if (ids.size() != d.batchSize()) {
            throw new AssertionError("a batch of " + d.batchSize() + " carries " + ids.size() + " event ids");
        }
        return ids;
    }

    List<String> rowsSentTo(String destinationId) {
        return sent.stream().filter(d -> d.destinationId().equals(destinationId)).map(Due::eventId).toList();
    }
}
