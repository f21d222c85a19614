package dev.streamhook.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What the store tells the rest of the node right after a commit, so nobody polls for it: events
 * appended for a source (delivery wakes that source's lanes), deliveries made due again by hand,
 * held deliveries released, and destinations changed. Listeners run on the committing thread and
 * must only hand work off.
 *
 * <p>Thread-safety: listeners may be added and signals sent from any thread.
 */
public final class StoreSignals {

    private final List<Consumer<String>> appended = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> reopened = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> released = new CopyOnWriteArrayList<>();
    private final List<Runnable> destinationsChanged = new CopyOnWriteArrayList<>();

    /** {@code listener} gets the source id whose events were appended. */
    public void onEventsAppended(Consumer<String> listener) {
        appended.add(listener);
    }

    /** {@code listener} gets the destination id whose failed deliveries were made due again. */
    public void onDeliveriesReopened(Consumer<String> listener) {
        reopened.add(listener);
    }

    /**
     * {@code listener} gets a source id whose held deliveries were released: they are newer than any
     * other delivery of its destinations, so its lanes need only look past what they read.
     */
    public void onDeliveriesReleased(Consumer<String> listener) {
        released.add(listener);
    }

    public void onDestinationsChanged(Runnable listener) {
        destinationsChanged.add(listener);
    }

    void eventsAppended(String sourceId) {
        appended.forEach(l -> l.accept(sourceId));
    }

    void deliveriesReopened(String destinationId) {
        reopened.forEach(l -> l.accept(destinationId));
    }

    void deliveriesReleased(String sourceId) {
        released.forEach(l -> l.accept(sourceId));
    }

    void destinationsChanged() {
        destinationsChanged.forEach(Runnable::run);
    }
}
