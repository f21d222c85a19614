package dev.streamhook.store;

import dev.streamhook.config.StoreUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps two live nodes of one name ({@code STREAMHOOK_NODE_ID}) off one PostgreSQL store, on any
 * hosts: the file lock of {@link NodeLock} sees only its own host. Two nodes of one name would each
 * take every lane back as their own and send every event, out of order.
 *
 * <p>The node holds a session-level advisory lock keyed by its name, on a connection of its own, for
 * as long as it runs. PostgreSQL frees the lock when that connection ends, so a node stopped in any
 * way (kill -9 too: its operating system closes the socket) frees its name once its server notices,
 * and a restart takes the name at once. A connection that drops while the node runs (the store
 * restarted, the network cut) loses the lock; the node takes it again when it reconnects, looking
 * every {@link #CHECK_MILLIS}, and ends its own old session should the server still hold it. Should
 * another node of the name have taken it meanwhile, this one says so in {@link #problem()} (its
 * {@code /healthz} and {@code /readyz} answer 503) until it has the name again. The connection asks
 * the server for TCP keepalives ({@link StoreUrl#connect}), so a node whose host went away without
 * closing it frees its name within a minute, not the operating system's default two hours.
 *
 * <p>Thread-safety: {@link #problem()} from any thread; {@link #close()} once, by whoever took it.
 * The claim owns one thread, which it stops on close.
 */
final class PostgresNodeName implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresNodeName.class);
    static final long CHECK_MILLIS = 10_000;
    /**
     * How long a start waits for a name held by another connection: a node that just stopped (a
     * restart) closed its connection, but its server process lets the lock go a moment later.
     */
    private static final long LET_GO_MILLIS = 5_000;

    private final StoreUrl url;
    private final String nodeId;
    private final long key;
    private final long checkMillis;
    private final Thread watcher;
    private final Object stop = new Object();
    private volatile boolean running = true;
    /** The connection holding the lock; null while it has none. Owned by the watcher after the constructor. */
    private Connection holding;
    /** The server process of the connection that last held the lock, which outlives it when the network, not the server, dropped it. */
    private int holdingPid;
    private volatile String problem;

    /** Who holds a name: the server process of its connection and where that connects from. */
    private record Holder(int pid, String address) {
        String where() {
            return address == null ? "" : " (connected from " + address + ")";
        }
    }

    private PostgresNodeName(StoreUrl url, String nodeId, Connection holding, long checkMillis) throws SQLException {
        this.url = url;
        this.nodeId = nodeId;
        this.key = key(nodeId);
        this.checkMillis = checkMillis;
        this.holding = holding;
        this.holdingPid = backendPid(holding);
        this.watcher = Thread.ofPlatform().name("store-node-name").daemon().start(this::watch);
    }

    /**
     * Takes {@code nodeId} on the store at {@code url}, or throws a {@link StoreException} that says
     * another node of that name runs there, and from which address.
     */
    static PostgresNodeName take(StoreUrl url, String nodeId) {
        return take(url, nodeId, CHECK_MILLIS);
    }

    /** As above, checking the connection every {@code checkMillis} (tests shorten the wait). */
    static PostgresNodeName take(StoreUrl url, String nodeId, long checkMillis) {
        Connection c = null;
        try {
            c = url.connect("streamhook node name");
            long key = key(nodeId);
            Optional<Holder> holder = tryLock(c, key);
            for (long giveUpAt = System.nanoTime() + LET_GO_MILLIS * 1_000_000; holder.isPresent() && System.nanoTime() < giveUpAt; ) {
                Thread.sleep(200);
                holder = tryLock(c, key);
            }
            if (holder.isPresent()) {
                throw new StoreException("another StreamHook node named '" + nodeId + "' is running on the PostgreSQL store " + url
                        + holder.get().where() + ": nodes that share a store need names of their own (STREAMHOOK_NODE_ID); a node that "
                        + "stopped frees its name as soon as its connection to the store is closed (within a minute when its host went away)");
            }
            return new PostgresNodeName(url, nodeId, c, checkMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(c);
            throw new StoreException("interrupted while taking this node's name on the store");
        } catch (SQLException e) {
            closeQuietly(c);
            throw new StoreException("cannot reach the PostgreSQL store " + url + " (STREAMHOOK_DATABASE_URL): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** Empty while this node holds its name; else why it does not. */
    Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    private void watch() {
        while (running) {
            synchronized (stop) {
                if (!running) {
                    break;
                }
                try {
                    stop.wait(checkMillis);
                } catch (InterruptedException e) {
                    break;
                }
            }
            if (running) {
                check();
            }
        }
        closeQuietly(holding);
        holding = null;
    }

    private void check() {
        try {
            if (holding != null && holding.isValid(5)) {
                return;
            }
            closeQuietly(holding);
            holding = null;
            Connection c = url.connect("streamhook node name");
            Optional<Holder> holder = tryLock(c, key);
            if (holder.isPresent() && holder.get().pid() == holdingPid) {
                // this node's own session, cut off from it by the network and not yet noticed by the server: end it
                try (PreparedStatement end = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                    end.setInt(1, holdingPid);
                    end.execute();
                }
                holder = tryLock(c, key);
                for (int i = 0; i < 25 && holder.isPresent() && holder.get().pid() == holdingPid; i++) {
                    Thread.sleep(200); // the ended process lets the lock go a moment later
                    holder = tryLock(c, key);
                }
            }
            if (holder.isPresent()) {
                c.close();
                problem = "another node named '" + nodeId + "' took this node's name on the store" + holder.get().where()
                        + " while this node's connection was down: both may be sending the same lanes";
                log.error("{}; stop one of them (STREAMHOOK_NODE_ID)", problem);
                return;
            }
            holding = c;
            holdingPid = backendPid(c);
            if (problem != null) {
                log.info("this node holds its name '{}' on the store again", nodeId);
            }
            problem = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException | RuntimeException e) {
            log.warn("cannot hold this node's name '{}' on the store (it is tried again in {} ms): {}", nodeId, checkMillis, e.getMessage());
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT pg_backend_pid()"); ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Empty when the lock was taken; else who holds it. */
    private static Optional<Holder> tryLock(Connection c, long key) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            q.setLong(1, key);
            ResultSet rs = q.executeQuery();
            if (rs.next() && rs.getBoolean(1)) {
                return Optional.empty();
            }
        }
        // a bigint key is classid (high half) and objid (low half), objsubid 1; advisory locks are per database
        try (PreparedStatement q = c.prepareStatement("SELECT l.pid, host(a.client_addr) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                + "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.classid::bigint = ? AND l.objid::bigint = ? "
                + "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            q.setLong(1, key >>> 32);
            q.setLong(2, key & 0xffffffffL);
            ResultSet rs = q.executeQuery();
            return Optional.of(rs.next() ? new Holder(rs.getInt(1), rs.getString(2)) : new Holder(0, null));
        }
    }

    /** The advisory lock's key: the first 8 bytes of the name's SHA-256, under a prefix of its own. */
    static long key(String nodeId) {
        return Long.parseUnsignedLong(Sha256.hex("streamhook node " + nodeId).substring(0, 16), 16);
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // the lock goes with the connection however it ends
        }
    }

    /** Lets the name go: its lock goes with the connection. */
    @Override
    public void close() {
        synchronized (stop) {
            running = false;
            stop.notifyAll();
        }
        try {
            watcher.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
