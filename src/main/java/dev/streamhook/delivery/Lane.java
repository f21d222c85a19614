package dev.streamhook.delivery;

import dev.streamhook.delivery.RowSequencer.Item;
import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Due;
import dev.streamhook.store.DeliveryQueue.Lease;
import dev.streamhook.store.DeliveryQueue.Result;
import dev.streamhook.store.DeliveryQueue.State;
import dev.streamhook.store.DeliveryQueue.Status;
import dev.streamhook.store.Destinations.Batch;
import dev.streamhook.store.Destinations.Destination;
import dev.streamhook.store.Destinations.OnFailure;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One destination's deliveries: holds the lane's lease, reads pending deliveries in event order
 * into a {@link RowSequencer} ({@link LaneReader}), sends row heads with at most the destination's
 * in-flight limit (one request each, or several per request for a destination that takes batches),
 * and records results in groups. A slow or failing destination fills only its own lane.
 *
 * <p>Thread-safety: all state is owned by the lane's own (virtual) thread, which runs the messages
 * posted to its inbox; the public methods only post. Sends run on virtual threads of their own and
 * post their result back. A result is applied in memory at once (the row's next event may go) and
 * written in the next group commit; until that commit the delivery is still pending in the store,
 * so a crash sends it again (same id, same body) rather than losing it.
 */
final class Lane {

    private static final Logger log = LoggerFactory.getLogger(Lane.class);
    /**
     * How often a lane with held-back deliveries asks the store about them, in case another node
     * retried or skipped them (this node's own API tells the lane at once).
     */
    private static final long HELD_CHECK_MILLIS = 5_000;
    private static final long NO_BATCH = Long.MAX_VALUE;
    /** Body bytes a batch stops growing at: a request stays well below what receivers accept (often 1-10 MiB). */
    static final long BATCH_BYTES = 1L << 20;

    /**
     * What every lane of a node shares. {@code window} and {@code windowBytes} bound what a lane
     * holds in memory, in deliveries and in body bytes.
     */
    record Settings(String owner, int defaultMaxInFlight, long leaseMillis, int window, long windowBytes) {
    }

    private final DeliveryQueue queue;
    private final Sender sender;
    private final RetryPolicy retryPolicy;
    private final DeliveryMetrics metrics;
    private final Settings settings;
    private final Clock clock;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final AtomicBoolean wakePosted = new AtomicBoolean();
    private final Thread thread;
    private volatile Destination destination;
    private volatile boolean running = true;
    private volatile long graceMillis;

    // owned by the lane thread
    private Lease lease;
    private long nextLeaseTry;
    private RowSequencer rows = new RowSequencer();
    private final LaneReader reader;
    /** Requests in flight (a batch is one). */
    private int inFlight;
    /** When the events waiting to fill the next batch could first have gone; {@link #NO_BATCH} when none wait. */
    private long batchOpenedAt = NO_BATCH;
    /** The endpoint answered 410 Gone: send nothing more; the dispatcher stops this lane once the store says disabled. */
    private boolean gone;
    /**
     * The endpoint answered 429 or 503 with {@code Retry-After}: it asked for no request before this
     * (clamped as {@link RetryPolicy#bounded}), so no row's event starts before it, not only the one
     * that got the answer. Requests already out finish. Recorded with the results, so the lane's
     * next holder (after a restart, on another node) waits too.
     */
    private long quietUntil;
    private long nextHeldCheck;
    private final UnrecordedResults unrecorded = new UnrecordedResults();

    Lane(Destination destination, DeliveryQueue queue, Sender sender, RetryPolicy retryPolicy, DeliveryMetrics metrics, Settings settings,
         Clock clock) {
        this.metrics = metrics;
        this.destination = destination;
        this.queue = queue;
        this.sender = sender;
        this.retryPolicy = retryPolicy;
        this.settings = settings;
        this.clock = clock;
        this.reader = new LaneReader(queue, settings.window(), settings.windowBytes());
        this.thread = Thread.ofVirtual().name("lane-" + destination.id()).unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    String sourceId() {
        return destination.sourceId();
    }

    /** New deliveries may be in the store. Cheap and coalesced: appends call it for every commit. */
    void wake() {
        if (wakePosted.compareAndSet(false, true)) {
            inbox.add(() -> {
                wakePosted.set(false);
                reader.more();
            });
        }
    }

    /**
     * Deliveries were retried, skipped or replayed by hand: look again at the ones held back after
     * failing, and read the lane from its start, where older deliveries made due again sit.
     */
    void reopen() {
        inbox.add(() -> {
            if (quietUntil > clock.millis() && !unrecorded.any() && queue.quietUntil(destination.id()) == 0) {
                quietUntil = 0; // it was set active: the wait asked for before is over (every result of the lane is in the store)
            }
            checkHeld();
            checkRetries();
            readFromStart();
        });
    }

    /** The destination's url, secret, headers, limit or failure rule changed: later attempts use the new ones. */
    void update(Destination changed) {
        Destination before = destination;
        destination = changed;
        inbox.add(before.onFailure() == changed.onFailure() ? () -> { } : this::onFailureChanged);
    }

    /**
     * Now {@code skip}: what was held back for a failed delivery goes on. Now {@code hold}: the
     * lane reads its failed deliveries too, from its start, and their rows wait for them.
     */
    private void onFailureChanged() {
        if (!holdsOnFailure()) {
            rows.held().forEach(rows::done);
        }
        readFromStart();
    }

    private boolean holdsOnFailure() {
        return destination.onFailure() == OnFailure.HOLD;
    }

    /**
     * Asks the store where the held-back deliveries stand now: made due again (retried or
     * replayed), they go; skipped, delivered or gone, their rows go on. One that failed but is not
     * committed yet is left alone: the store does not know it failed.
     */
    private void checkHeld() {
        List<Item> held = rows.held().stream().filter(i -> !unrecorded.settled(i.pending.deliveryId())).toList();
        nextHeldCheck = clock.millis() + HELD_CHECK_MILLIS;
        Map<Long, State> now = stored(held);
        for (Item item : held) {
            State state = now.get(item.pending.deliveryId());
            if (state == null || (state.status() != Status.FAILED && state.status() != Status.PENDING)) {
                rows.done(item);
            } else if (state.status() == Status.PENDING) {
                rows.release(item, state.attempts(), state.nextAttemptAt());
            }
        }
    }

    /**
     * Asks the store when the deliveries waiting here for a retry are due: one the store made due
     * sooner (its destination set active again, which makes what waited due now) goes then, not at
     * the time this lane had for it. Only where the store has this lane's last attempt: until the
     * failed attempt's result is committed, the store still has the time that attempt was due.
     */
    private void checkRetries() {
        long now = clock.millis();
        List<Item> retrying = rows.retrying(now).stream().filter(i -> !unrecorded.settled(i.pending.deliveryId())).toList();
        Map<Long, State> stored = stored(retrying);
        for (Item item : retrying) {
            State state = stored.get(item.pending.deliveryId());
            if (state != null && state.status() == Status.PENDING && state.attempts() == item.attempts) {
                rows.dueSooner(item, state.nextAttemptAt());
            }
        }
    }

    /** Where the items' deliveries stand in the store, by delivery id; one no longer there is left out. */
    private Map<Long, State> stored(List<Item> items) {
        Map<Long, State> out = new HashMap<>();
        if (!items.isEmpty()) {
            queue.states(destination.id(), items.stream().map(i -> i.pending.deliveryId()).toList()).forEach(st -> out.put(st.deliveryId(), st));
        }
        return out;
    }

    /**
     * Stops taking work, waits up to {@code graceMillis} for attempts in flight, records what came
     * back and lets the lease go. An attempt still out after the grace is not recorded: its delivery
     * stays pending in the store and is sent again after a restart, never marked done unsent.
     */
    void stop(long graceMillis) {
        this.graceMillis = graceMillis;
        running = false;
        inbox.add(() -> { });
        try {
            thread.join(graceMillis + 5_000); // the grace, then the last results' commit
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        while (running) {
            try {
                Runnable message = inbox.poll(waitMillis(), TimeUnit.MILLISECONDS);
                while (message != null) {
                    message.run();
                    message = inbox.poll();
                }
                step();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                log.error("delivery lane of {} failed a step; it goes on", destination.id(), e);
                nextLeaseTry = clock.millis() + 1_000;
                sleepQuietly(1_000);
            }
        }
        drainOnStop();
    }

    private long waitMillis() {
        long now = clock.millis();
        if (lease == null) {
            return Math.max(1, nextLeaseTry - now);
        }
        long until = lease.until() - settings.leaseMillis() * 2 / 3; // renew a third of the way in
        if (inFlight < maxInFlight() && !gone) {
            long due = rows.nextDueAt();
            Batch batch = destination.tuning().batch();
            if (due == Long.MIN_VALUE && batch != null && batchOpenedAt != NO_BATCH) {
                due = batchOpenedAt + batch.maxWaitMs(); // a batch that is not full goes when its wait is over
            }
            if (due != Long.MAX_VALUE) {
                due = Math.max(due, quietUntil);
            }
            until = Math.min(until, Math.max(now, due)); // MIN_VALUE (due now) must not wrap below
        }
        if (reader.wantsToRead(rows)) {
            return 0;
        }
        return Math.max(0, Math.min(until - now, 60_000));
    }

    private void step() {
        long now = clock.millis();
        if (!holdLease(now)) {
            return;
        }
        flushResults(now);
        if (now >= nextHeldCheck) {
            checkHeld();
        }
        reader.read(destination.id(), rows, holdsOnFailure(), unrecorded::settled, unrecorded::any, now);
        if (gone) {
            return; // answered 410: nothing more goes until the destination is set active again (a new lane)
        }
        if (now < quietUntil) {
            return;
        }
        Destination d = destination;
        Batch batch = d.tuning().batch();
        if (batch == null) {
            for (Item item : rows.take(now, Math.max(0, maxInFlight() - inFlight))) { // the limit may just have been lowered
                send(List.of(item), Due.to(d, item.pending.deliveryId(), item.pending.eventId(), item.pending.body(), item.attempts, 0));
            }
            return;
        }
        while (inFlight < maxInFlight()) {
            int ready = rows.ready(now);
            if (ready == 0) {
                batchOpenedAt = NO_BATCH;
                return;
            }
            if (batchOpenedAt == NO_BATCH) {
                batchOpenedAt = now;
            }
            if (ready < batch.maxEvents() && now < batchOpenedAt + batch.maxWaitMs()) {
                return; // it waits for more events to join, at most max_wait_ms
            }
            List<Item> items = rows.takeBatch(now, batch.maxEvents(), BATCH_BYTES);
            send(items, Batches.due(items, d));
            batchOpenedAt = NO_BATCH;
        }
    }

    /** Starts one request; its outcome, posted back to the lane, settles every item it carried. */
    private void send(List<Item> items, Due due) {
        inFlight++;
        long started = System.currentTimeMillis();
        CompletableFuture<Attempt> attempt;
        try {
            attempt = sender.start(due);
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        attempt.whenComplete((outcome, error) -> {
            if (error != null) { // a sender's bug must not leave the rows in flight for ever
                log.error("sending delivery {} of {} failed unexpectedly", due.deliveryId(), due.destinationId(), error);
                // stamped with its start, as the sender stamps its own: a destination set active since it began
                // then has it retried at once (DeliveryQueue#record)
                Attempt failed = new Attempt(started, System.currentTimeMillis() - started, null,
                        "StreamHook could not send it: " + error, null);
                inbox.add(() -> settle(items, failed));
            } else {
                inbox.add(() -> settle(items, outcome));
            }
        });
    }

    private boolean holdLease(long now) {
        if (lease == null) {
            // not while sends of a lost lease are still out: a new read would send their rows' next events
            // beside them, out of order
            if (now < nextLeaseTry || inFlight > 0) {
                return false;
            }
            Optional<Lease> taken = queue.acquire(destination.id(), settings.owner(), now, settings.leaseMillis());
            if (taken.isEmpty()) {
                nextLeaseTry = now + settings.leaseMillis() / 3;
                return false;
            }
            lease = taken.get();
            quietUntil = Math.max(quietUntil, lease.quietUntil()); // a Retry-After answered to an earlier holder still holds
            restartFromStore();
        } else if (now >= lease.until() - settings.leaseMillis() * 2 / 3) {
            Optional<Lease> renewed = queue.renew(lease, now, settings.leaseMillis());
            if (renewed.isEmpty()) {
                lost("its lease could not be renewed");
                return false;
            }
            lease = renewed.get();
            // what a lost signal would have said (events stored, deliveries made due again by another node or
            // process): the lane looks for it at every renewal, so a signal only ever saves it this wait
            checkRetries();
            readFromStart();
        }
        return true;
    }

    private void restartFromStore() {
        rows = new RowSequencer();
        gone = false; // the store judges again: a destination still gone answers 410 again
        readFromStart();
    }

    private void readFromStart() {
        reader.fromStart();
    }

    private void lost(String why) {
        log.warn("delivery lane of {} stopped: {}; it is taken up again when its lease can be had", destination.id(), why);
        lease = null;
        nextLeaseTry = clock.millis() + settings.leaseMillis() / 3;
        unrecorded.forget();
        restartFromStore();
    }

    private void settle(List<Item> items, Attempt attempt) {
        inFlight--;
        if (attempt.retryAfter() != null) {
            quietUntil = Math.max(quietUntil, clock.millis() + RetryPolicy.bounded(attempt.retryAfter()).toMillis());
        }
        for (Item item : items) { // in event order: a row's first event is settled before the ones behind it
            settle(item, attempt);
        }
    }

    private void settle(Item item, Attempt attempt) {
        int made = item.attempts + 1;
        long now = clock.millis();
        Status next;
        long nextAttemptAt = now;
        RetryPolicy policy = retryPolicy.forDestination(destination.tuning());
        if (attempt.succeeded()) {
            next = Status.SUCCEEDED;
        } else if (isGone(attempt)) {
            next = Status.PENDING; // the store disables the destination; this waits, due at once, until it is active again
            gone = true;
        } else if (policy.exhausted(made)) {
            next = Status.FAILED;
        } else {
            next = Status.PENDING;
            nextAttemptAt = now + policy.delayAfter(made, attempt.retryAfter()).toMillis();
        }
        item.attempts = made;
        metrics.attempted(destination.id(), attempt, next, item.pending.committedAt(), now);
        if (lease == null || !rows.holds(item)) {
            return; // the lane was lost meanwhile: the store still has it pending, and whoever holds the lane next sends it
        }
        unrecorded.add(new Result(item.pending.deliveryId(), made, attempt, next, nextAttemptAt, item.pending.committedAt()));
        if (next == Status.PENDING) {
            rows.retryAt(item, nextAttemptAt);
        } else {
            if (next == Status.FAILED && holdsOnFailure()) {
                rows.hold(item); // its row waits for a retry or a skip by hand
            } else {
                rows.done(item);
            }
        }
    }

    private void flushResults(long now) {
        List<Result> batch = unrecorded.takeGroup();
        if (batch.isEmpty()) {
            return;
        }
        Lease by = lease;
        queue.record(by, batch, quietUntil, now).whenComplete((recorded, error) -> inbox.add(() -> recorded(by, batch, recorded, error)));
    }

    private void recorded(Lease by, List<Result> batch, Boolean recorded, Throwable error) {
        if (error != null && stillHeld(by)) {
            log.warn("delivery results of {} could not be recorded; trying again: {}", destination.id(), error.toString());
            unrecorded.failed(batch);
            sleepQuietly(200);
            return;
        }
        unrecorded.finished(batch);
        if (error != null) {
            return; // the lease changed meanwhile: the store decides what was recorded, and the lane reloads from it
        }
        if (!recorded && stillHeld(by)) {
            lost("another node holds its lease now");
        }
    }

    /** Whether {@code by} is the lease the lane holds now: renewing it gives a new object with the same token. */
    private boolean stillHeld(Lease by) {
        return by != null && lease != null && lease.token() == by.token();
    }

    /** 410 Gone: the endpoint says it is gone for good (see {@code EndpointHealth}). */
    private static boolean isGone(Attempt attempt) {
        return attempt.statusCode() != null && attempt.statusCode() == 410;
    }

    private int maxInFlight() {
        Integer own = destination.maxInFlight();
        return own == null ? settings.defaultMaxInFlight() : own;
    }

    /** At stop: wait for attempts in flight (at most the grace), record their results, release the lease. */
    private void drainOnStop() {
        long deadline = clock.millis() + graceMillis;
        while (inFlight > 0 && clock.millis() < deadline) {
            try {
                Runnable message = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (message != null) {
                    message.run();
                }
            } catch (InterruptedException e) {
                break;
            }
        }
        if (lease != null) {
            try {
                List<Result> last = unrecorded.waiting();
                if (!last.isEmpty()) {
                    queue.record(lease, last, quietUntil, clock.millis()).join();
                }
                queue.release(lease);
            } catch (RuntimeException e) {
                log.warn("delivery lane of {} could not record its last results at stop; they are sent again after restart", destination.id());
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
