package dev.streamhook.store;

import dev.streamhook.config.StoreUrl;
import dev.streamhook.store.StoreSignals.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries {@link StoreSignals} between the nodes that share one PostgreSQL store, by LISTEN and
 * NOTIFY on one channel, so that a lane wakes at once when another node's capture stored its
 * source's events, or another node's API made deliveries due again or changed a destination.
 * Without it a lane would learn of them only at its next lease renewal, and one that is never idle
 * would not re-read deliveries made due again by hand at all.
 *
 * <p>Signals speed things up and carry no data: the store is what a lane reads. A signal that is
 * lost (a connection dropped, the store restarted) costs a wait, never an event; once listening
 * again, the relay tells its node that it may have missed some ({@link StoreSignals#onResync}).
 * Signals of this node are sent after its commit, coalesced while a send is under way, and not
 * delivered back to it (each carries the relay's origin id).
 *
 * <p>Thread-safety: {@link #publish} may be called from any thread and never blocks. The relay owns
 * two threads, each with its own connection to the store (one listens, one sends), started by the
 * constructor and stopped, with their connections closed, by {@link #close()}.
 */
final class PostgresSignalRelay implements StoreSignals.Relay, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresSignalRelay.class);
    static final String CHANNEL = "streamhook_signals";
    /** How long the listener waits for a notification before it checks that its connection is alive. */
    private static final int LISTEN_CHECK_MILLIS = 30_000;
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final StoreUrl url;
    private final StoreSignals signals;
    private final String origin = UUID.randomUUID().toString();
    private final Set<String> outbox = ConcurrentHashMap.newKeySet();
    private final Semaphore outboxFilled = new Semaphore(0);
    private final Thread listener;
    private final Thread sender;
    private volatile boolean running = true;
    /** The listener's connection once it listens, else null. */
    private volatile Connection listening;
    /** The sender's connection, null while it has none. */
    private volatile Connection sending;

    PostgresSignalRelay(StoreUrl url, StoreSignals signals) {
        this.url = url;
        this.signals = signals;
        this.listener = Thread.ofPlatform().name("store-signals-in").daemon().start(this::listen);
        this.sender = Thread.ofPlatform().name("store-signals-out").daemon().start(this::send);
    }

    @Override
    public void publish(Kind kind, String id) {
        if (outbox.add(kind.code + id)) {
            outboxFilled.release();
        }
    }

    private void listen() {
        long backoff = 1_000;
        boolean failed = false;
        while (running) {
            try (Connection c = connect()) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                listening = c;
                if (failed) {
                    log.info("listening to the other nodes' store signals again");
                }
                failed = false;
                backoff = 1_000;
                signals.resync(); // what was signalled before this LISTEN (at start, or while it was down) was not heard
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] received = pg.getNotifications(LISTEN_CHECK_MILLIS);
                    if (received == null || received.length == 0) {
                        if (!c.isValid(5)) {
                            throw new SQLException("the connection does not answer");
                        }
                        continue;
                    }
                    for (PGNotification n : received) {
                        deliver(n.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    failed = true;
                    log.warn("not hearing the other nodes' store signals (lanes wake at lease renewal meanwhile); trying again in {} ms: {}",
                            backoff, e.getMessage());
                    pause(backoff);
                    backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                }
            } finally {
                listening = null;
            }
        }
    }

    /** {@code payload}: the sender's origin, a space, the kind's code and the id. */
    private void deliver(String payload) {
        int space = payload.indexOf(' ');
        if (space < 0 || space + 1 >= payload.length() || payload.startsWith(origin + " ")) {
            return; // ours (its listeners heard it already), or not a signal of this version
        }
        Kind kind = Kind.of(payload.charAt(space + 1));
        if (kind != null) {
            signals.received(kind, payload.substring(space + 2));
        }
    }

    private void send() {
        while (true) {
            try {
                outboxFilled.acquire();
            } catch (InterruptedException e) {
                return;
            }
            outboxFilled.drainPermits();
            List<String> payloads = new ArrayList<>();
            for (Iterator<String> it = outbox.iterator(); it.hasNext(); ) {
                payloads.add(it.next());
                it.remove();
            }
            if (!payloads.isEmpty() && !sent(payloads, running)) {
                if (!running) {
                    break;
                }
                outbox.addAll(payloads); // kept (with what comes meanwhile) for the next try; lanes also look at lease renewal
                outboxFilled.release();
                pause(1_000);
            }
            if (!running) {
                break; // what close() left queued was sent once above
            }
        }
        closeQuietly(sending);
    }

    /**
     * Sends {@code payloads} in one NOTIFY transaction; a connection that fails (the store restarted,
     * the connection was ended) is replaced and, when {@code again}, the send tried once more.
     */
    private boolean sent(List<String> payloads, boolean again) {
        try {
            if (sending == null) {
                sending = connect();
            }
            try (PreparedStatement q = sending.prepareStatement("SELECT pg_notify(?, ? || ' ' || p) FROM unnest(?::text[]) p")) {
                q.setString(1, CHANNEL);
                q.setString(2, origin);
                q.setArray(3, sending.createArrayOf("text", payloads.toArray()));
                q.executeQuery().close();
            }
            return true;
        } catch (SQLException e) {
            closeQuietly(sending);
            sending = null;
            if (again) {
                return sent(payloads, false);
            }
            log.warn("could not tell the other nodes of {} store signals; trying again (their lanes look at lease renewal too): {}",
                    payloads.size(), e.getMessage());
            return false;
        }
    }

    private Connection connect() throws SQLException {
        Connection c = url.connect("streamhook signals");
        try (Statement s = c.createStatement()) {
            s.execute("SET synchronous_commit = off"); // a NOTIFY commits a transaction; a signal need not wait for the disk
        } catch (SQLException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    private void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing either way
            }
        }
    }

    /** Whether the relay listens to the other nodes now. */
    boolean listening() {
        return listening != null;
    }

    /** Sends what is queued (one try, within 5 s), then stops both threads and closes their connections. */
    @Override
    public void close() {
        running = false;
        outboxFilled.release();
        abort(listening); // it may be blocked waiting for a notification
        try {
            sender.join(5_000);
            abort(sending); // still in a send after 5 s: the store does not answer
            listener.interrupt();
            listener.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void abort(Connection c) {
        if (c != null) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException ignored) {
                // closing either way
            }
        }
    }
}
