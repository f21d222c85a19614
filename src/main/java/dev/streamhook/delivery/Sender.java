package dev.streamhook.delivery;

import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Due;
import java.util.concurrent.CompletableFuture;

/**
 * Makes one attempt at one delivery. Implementations are thread-safe (lanes call them from many
 * threads at once) and never fail for what the network or the endpoint did: that is an
 * {@link Attempt} with an error.
 */
public interface Sender {
    /** The attempt, once it is over. */
    Attempt send(Due delivery);

    /**
     * Starts the attempt; the future gives its outcome. Lanes use this one. By default the attempt
     * runs on a virtual thread of its own; a sender that can wait without a thread overrides it. A
     * sender's bug completes the future exceptionally; the lane records that as a failed attempt.
     * The future may complete on a thread of the sender's own that does its I/O for every
     * destination: what is chained on it must not block (a lane posts the outcome to its inbox).
     */
    default CompletableFuture<Attempt> start(Due delivery) {
        CompletableFuture<Attempt> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                done.complete(send(delivery));
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }
}
