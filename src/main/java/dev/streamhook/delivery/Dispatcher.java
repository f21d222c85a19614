package dev.streamhook.delivery;

import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Due;
import dev.streamhook.store.DeliveryQueue.Status;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes due deliveries from the store and sends them, at most {@code concurrency} at a time, each
 * on a virtual thread. Every attempt and its outcome go back to the store before the next attempt
 * of the same row can be claimed, which is what keeps per-row order.
 *
 * <p>Thread-safety: {@link #start()} and {@link #stop()} are called once each, by Main.
 */
public final class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final long IDLE_POLL_MS = 20;

    private final DeliveryQueue queue;
    private final WebhookSender sender;
    private final RetryPolicy retryPolicy;
    private final Semaphore slots;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread poller;
    private volatile boolean running = true;

    public Dispatcher(DeliveryQueue queue, WebhookSender sender, RetryPolicy retryPolicy, int concurrency) {
        this.queue = queue;
        this.sender = sender;
        this.retryPolicy = retryPolicy;
        this.slots = new Semaphore(concurrency);
        this.poller = Thread.ofPlatform().name("delivery-dispatcher").daemon().unstarted(this::poll);
    }

    public void start() {
        queue.releaseInFlight();
        poller.start();
    }

    public void stop() {
        running = false;
        poller.interrupt();
        workers.shutdown();
        try {
            poller.join(5_000);
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void poll() {
        while (running) {
            try {
                int free = slots.availablePermits();
                List<Due> due = free == 0 ? List.of() : queue.claimDue(System.currentTimeMillis(), free);
                for (Due d : due) {
                    slots.acquire();
                    workers.execute(() -> deliver(d));
                }
                if (due.isEmpty()) {
                    Thread.sleep(IDLE_POLL_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("delivery poll failed; trying again", e);
                sleepQuietly();
            }
        }
    }

    private void deliver(Due d) {
        try {
            Attempt attempt = sender.send(d);
            int made = d.attempts() + 1;
            long now = System.currentTimeMillis();
            if (attempt.succeeded()) {
                queue.record(d.deliveryId(), attempt, Status.SUCCEEDED, now);
            } else if (retryPolicy.exhausted(made)) {
                queue.record(d.deliveryId(), attempt, Status.FAILED, now);
            } else {
                queue.record(d.deliveryId(), attempt, Status.PENDING, now + retryPolicy.delayAfter(made).toMillis());
            }
        } catch (RuntimeException e) {
            log.error("delivery {} of event {} could not be recorded; it is tried again when its lease runs out", d.deliveryId(), d.eventId(), e);
        } finally {
            slots.release();
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
