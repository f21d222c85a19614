package dev.streamhook.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the store tells the rest of the node right after a commit, so nobody polls for it: events
 * appended for a source (delivery wakes that source's lanes), deliveries made due again by hand,
 * held deliveries released, and destinations changed. Listeners run on the committing thread (or,
 * for what another node committed, on the relay's thread) and must only hand work off.
 *
 * <p>On a PostgreSQL store shared by several nodes, each signal also reaches the other nodes'
 * listeners ({@link PostgresSignalRelay}): a lane runs on one node while capture and the API run on
 * any. A signal from another node can be lost (its connection dropped); the relay then says
 * {@link #onResync anything may have changed}, and lanes still look again at their lease renewal.
 *
 * <p>Thread-safety: listeners may be added and signals sent from any thread.
 */
public final class StoreSignals {

    private static final Logger log = LoggerFactory.getLogger(StoreSignals.class);

    /** What a signal says, with the id it names: a source, a destination, or none. */
    enum Kind {
        EVENTS_APPENDED('a'), DELIVERIES_REOPENED('o'), DELIVERIES_RELEASED('r'), DESTINATIONS_CHANGED('d');

        final char code;

        Kind(char code) {
            this.code = code;
        }

        static Kind of(char code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    /** Takes each signal of this node to the other nodes; must only hand it off. */
    interface Relay {
        void publish(Kind kind, String id);
    }

    private final List<Consumer<String>> appended = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> reopened = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> released = new CopyOnWriteArrayList<>();
    private final List<Runnable> destinationsChanged = new CopyOnWriteArrayList<>();
    private final List<Runnable> resync = new CopyOnWriteArrayList<>();
    private volatile Relay relay = (kind, id) -> { };

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

    /**
     * {@code listener} runs when signals from other nodes may have been missed (the relay lost its
     * connection): whatever it would have woken must look at the store again. Destination-change
     * listeners run then too.
     */
    public void onResync(Runnable listener) {
        resync.add(listener);
    }

    void relayTo(Relay relay) {
        this.relay = relay;
    }

    void eventsAppended(String sourceId) {
        send(Kind.EVENTS_APPENDED, sourceId);
    }

    void deliveriesReopened(String destinationId) {
        send(Kind.DELIVERIES_REOPENED, destinationId);
    }

    void deliveriesReleased(String sourceId) {
        send(Kind.DELIVERIES_RELEASED, sourceId);
    }

    void destinationsChanged() {
        send(Kind.DESTINATIONS_CHANGED, "");
    }

    private void send(Kind kind, String id) {
        relay.publish(kind, id);
        received(kind, id);
    }

    /**
     * A signal of this node, or one another node committed: this node's listeners get it, and it
     * goes no further. A listener that fails is logged and the others still get it.
     */
    void received(Kind kind, String id) {
        switch (kind) {
            case EVENTS_APPENDED -> appended.forEach(l -> guarded(() -> l.accept(id)));
            case DELIVERIES_REOPENED -> reopened.forEach(l -> guarded(() -> l.accept(id)));
            case DELIVERIES_RELEASED -> released.forEach(l -> guarded(() -> l.accept(id)));
            case DESTINATIONS_CHANGED -> destinationsChanged.forEach(StoreSignals::guarded);
        }
    }

    /** Signals of other nodes may have been missed. */
    void resync() {
        destinationsChanged.forEach(StoreSignals::guarded);
        resync.forEach(StoreSignals::guarded);
    }

    private static void guarded(Runnable listener) {
        try {
            listener.run();
        } catch (RuntimeException e) { // a node stopping refuses work: the signal is moot, the committer must not fail
            log.debug("a store signal's listener failed: {}", e.toString());
        }
    }
}
