package dev.streamhook.store;

import dev.streamhook.config.StoreUrl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a second node with the same name from running on the same data directory, as when
 * {@code streamhook serve} is started twice by mistake. Both would run every delivery lane: a node
 * takes back at once the lanes leased to its own name (so a restart need not wait for its old
 * leases), and two live nodes of one name would each send every event, out of order. The lock is
 * the operating system's, so it goes with the process however the process ends (kill -9 too) and a
 * restart finds it free. Nodes with different names ({@code STREAMHOOK_NODE_ID}) may share a
 * directory. A file lock cannot see a node of the same name on another host: on a PostgreSQL store,
 * which nodes on several hosts share, the name is also held on the store ({@link PostgresNodeName}).
 *
 * <p>Thread-safety: {@link #acquire} from any thread; {@link #close()} once, by whoever acquired it.
 */
public final class NodeLock implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeLock.class);
    /**
     * The lock files this process holds. Checked before a file is opened: on Linux and macOS closing
     * any descriptor of a file drops every lock the process has on it, so a second node of this
     * process that opened the file to be refused would free the first node's lock.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** The name held on a PostgreSQL store too; null on SQLite. */
    private PostgresNodeName onStore;

    private NodeLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of node {@code nodeId} in {@code dataDir}, creating the directory when needed;
     * throws a {@link StoreException} that names the directory and the process holding it when
     * another node of that name runs there. {@code dataDirNeeded}: false when the node keeps
     * nothing there (a PostgreSQL store and a master key given), so a directory it cannot write
     * costs only the check, with a warning.
     */
    public static NodeLock acquire(Path dataDir, String nodeId, boolean dataDirNeeded, Optional<StoreUrl> postgresStore) {
        NodeLock lock = acquire(dataDir, nodeId, dataDirNeeded);
        if (postgresStore.isPresent()) {
            try {
                lock.onStore = PostgresNodeName.take(postgresStore.get(), nodeId);
            } catch (RuntimeException e) {
                lock.close();
                throw e;
            }
        }
        return lock;
    }

    /** Empty while this node holds its name; else why not (on a PostgreSQL store, another node took it). */
    public Optional<String> problem() {
        return onStore == null ? Optional.empty() : onStore.problem();
    }

    /** As above, on the data directory only. */
    public static NodeLock acquire(Path dataDir, String nodeId, boolean dataDirNeeded) {
        Path file = dataDir.resolve("node-" + digest(nodeId) + ".lock").toAbsolutePath().normalize();
        if (!HELD.add(file)) {
            throw refused(nodeId, dataDir, Long.toString(ProcessHandle.current().pid()));
        }
        FileChannel channel = null;
        try {
            OwnerOnly.createDirectories(dataDir);
            try {
                OwnerOnly.createFile(file);
            } catch (FileAlreadyExistsException anotherStartMeanwhile) {
                // it exists: what matters is who locks it
            }
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw refused(nodeId, dataDir, holder(file));
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
            return new NodeLock(file, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            HELD.remove(file);
            if (!dataDirNeeded) {
                log.warn("cannot lock the data directory {} (STREAMHOOK_DATA_DIR), so nothing keeps a second node named '{}' from "
                        + "running beside this one: {}", dataDir, nodeId, e.toString());
                return new NodeLock(file, null, null);
            }
            throw new StoreException("cannot lock the data directory " + dataDir + " (STREAMHOOK_DATA_DIR): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            HELD.remove(file);
            throw e;
        }
    }

    private static StoreException refused(String nodeId, Path dataDir, String holder) {
        return new StoreException("another StreamHook node named '" + nodeId + "' is running on the data directory " + dataDir
                + (holder.isEmpty() ? "" : " (process " + holder + ")") + ": stop it first, or give this node its own STREAMHOOK_DATA_DIR");
    }

    /** The process id the holder wrote; empty when it cannot be read (Windows' locks keep others from reading). */
    private static String holder(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** A short, file-name-safe form of the name, which holds the data directory's path by default. */
    private static String digest(String nodeId) {
        return Sha256.hex(nodeId).substring(0, 16);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // it was never locked by this node, or the process is ending anyway
        }
    }

    /** Lets the name go: the next node of this name may start here. Closing twice does nothing more. */
    @Override
    public void close() {
        if (onStore != null) {
            onStore.close();
        }
        if (channel == null || !closed.compareAndSet(false, true)) {
            return; // never held, or let go already (the name may be another node's by now)
        }
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException ignored) {
            // closing the channel below releases it as well
        }
        closeQuietly(channel);
        HELD.remove(file);
    }
}
