package dev.streamhook.observe;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Says when the store nears its limits, before a full disk stops capture: the store past
 * {@code STREAMHOOK_STORE_WARN_BYTES}, or the embedded store's disk with less than
 * {@code STREAMHOOK_DISK_FREE_WARN_PERCENT} free. Nothing is lost when the disk does fill (a store
 * write that fails is not confirmed to the source's slot, so PostgreSQL keeps the changes), but
 * capture stops and WAL piles up on the user's database; these warnings come first, in
 * {@code /readyz} and beside the metrics.
 *
 * <p>Thread-safe; checks when asked.
 */
public final class StoreSpace {

    /** A file system's usable and total bytes. */
    public record Disk(long usable, long total) {
        static Optional<Disk> of(Path dir) {
            try {
                FileStore store = Files.getFileStore(dir);
                return Optional.of(new Disk(store.getUsableSpace(), store.getTotalSpace()));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }

    private final LongSupplier storeBytes;
    private final Optional<Long> warnBytes;
    private final java.util.function.Supplier<Optional<Disk>> disk;
    private final int freeWarnPercent;

    /**
     * {@code storeBytes}: the store's size; {@code warnBytes}: the size to warn at (empty: never);
     * {@code dataDir}: the embedded store's directory (empty for a PostgreSQL store, whose disk
     * StreamHook cannot see); {@code freeWarnPercent}: warn below this share of the disk free.
     */
    public StoreSpace(LongSupplier storeBytes, Optional<Long> warnBytes, Optional<Path> dataDir, int freeWarnPercent) {
        this(storeBytes, warnBytes, () -> dataDir.flatMap(Disk::of), freeWarnPercent);
    }

    StoreSpace(LongSupplier storeBytes, Optional<Long> warnBytes, java.util.function.Supplier<Optional<Disk>> disk, int freeWarnPercent) {
        this.storeBytes = storeBytes;
        this.warnBytes = warnBytes;
        this.disk = disk;
        this.freeWarnPercent = freeWarnPercent;
    }

    /** The embedded store's disk now; empty for a PostgreSQL store. */
    public Optional<Disk> disk() {
        return disk.get();
    }

    /** What an operator should know now; empty while there is room. */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        warnBytes.ifPresent(limit -> {
            long size = storeBytes.getAsLong();
            if (size >= limit) {
                out.add("the store takes " + mib(size) + ", past STREAMHOOK_STORE_WARN_BYTES (" + mib(limit)
                        + "): shorten STREAMHOOK_RETENTION, fix failing destinations, or give it more room");
            }
        });
        disk.get().ifPresent(d -> {
            if (d.total() > 0 && d.usable() * 100 < (long) freeWarnPercent * d.total()) {
                out.add("the store's disk has " + mib(d.usable()) + " free of " + mib(d.total()) + ", under STREAMHOOK_DISK_FREE_WARN_PERCENT ("
                        + freeWarnPercent + "%): capture stops when it is full");
            }
        });
        return out;
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
