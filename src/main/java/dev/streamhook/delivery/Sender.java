package dev.streamhook.delivery;

import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Due;

/**
 * Makes one attempt at one delivery. Implementations are thread-safe (lanes call them from many
 * virtual threads at once), block until the attempt is over, and never throw for what the network
 * or the endpoint did: that is an {@link Attempt} with an error.
 */
public interface Sender {
    Attempt send(Due delivery);
}
