package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeLockTest {

    @TempDir
    Path dataDir;

    @Test
    void aSecondNodeOfTheSameNameOnTheSameDataDirectoryIsRefusedWithWhereAndWho() {
        try (NodeLock first = NodeLock.acquire(dataDir, "host-a:" + dataDir)) {
            assertThatThrownBy(() -> NodeLock.acquire(dataDir, "host-a:" + dataDir))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("another StreamHook node named 'host-a:" + dataDir + "' is running on the data directory " + dataDir)
                    .hasMessageContaining("(process " + ProcessHandle.current().pid() + ")")
                    .hasMessageContaining("STREAMHOOK_DATA_DIR");
        }
    }

    @Test
    void theNameIsFreeAgainOnceItsNodeLetsGo() {
        NodeLock.acquire(dataDir, "node-1").close();
        NodeLock.acquire(dataDir, "node-1").close();
    }

    @Test
    void nodesOfDifferentNamesMayShareADataDirectory() {
        try (NodeLock one = NodeLock.acquire(dataDir, "node-1"); NodeLock two = NodeLock.acquire(dataDir, "node-2")) {
            assertThat(one).isNotSameAs(two);
        }
    }

    @Test
    void aDataDirectoryThatDoesNotExistYetIsCreated() {
        Path fresh = dataDir.resolve("a/b");
        try (NodeLock lock = NodeLock.acquire(fresh, "node-1")) {
            assertThat(fresh).isDirectory();
        }
    }
}
