package dev.streamhook.store;

import java.nio.file.Path;

/**
 * A second process for {@link NodeLockTest}: takes the lock of node {@code args[1]} in
 * {@code args[0]} and exits 0 when it got it, 3 when it was refused.
 */
public final class NodeLockProbe {

    private NodeLockProbe() {
    }

    public static void main(String[] args) {
        try (NodeLock lock = NodeLock.acquire(Path.of(args[0]), args[1], true)) {
            System.exit(0);
        } catch (StoreException refused) {
            System.out.println(refused.getMessage());
            System.exit(3);
        }
    }
}
