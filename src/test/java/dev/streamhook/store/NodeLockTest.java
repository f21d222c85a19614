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
        try (NodeLock first = NodeLock.acquire(dataDir, "host-a:" + dataDir, true)) {
            assertThatThrownBy(() -> NodeLock.acquire(dataDir, "host-a:" + dataDir, true))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("another StreamHook node named 'host-a:" + dataDir + "' is running on the data directory " + dataDir)
                    .hasMessageContaining("(process " + ProcessHandle.current().pid() + ")")
                    .hasMessageContaining("STREAMHOOK_DATA_DIR");
        }
    }

    /** On Linux closing any descriptor of a file drops the process's locks on it: a refused start must not open it. */
    @Test
    void aStartRefusedInThisProcessLeavesTheRunningNodesLockHeldForOtherProcesses() throws Exception {
        try (NodeLock first = NodeLock.acquire(dataDir, "node-1", true)) {
            assertThatThrownBy(() -> NodeLock.acquire(dataDir, "node-1", true)).isInstanceOf(StoreException.class);
            assertThat(probe("node-1")).as("another process, while this one runs the node").isEqualTo(3);
        }
        assertThat(probe("node-1")).as("another process, once this one let go").isZero();
    }

    @Test
    void aDataDirectoryThatCannotBeWrittenStopsTheStartOnlyWhenTheNodeKeepsSomethingThere() throws Exception {
        Path notADirectory = java.nio.file.Files.writeString(dataDir.resolve("a-file"), "x").resolve("data");
        assertThatThrownBy(() -> NodeLock.acquire(notADirectory, "node-1", true))
                .isInstanceOf(StoreException.class).hasMessageContaining("cannot lock the data directory " + notADirectory);
        try (NodeLock unchecked = NodeLock.acquire(notADirectory, "node-1", false)) {
            assertThat(notADirectory).doesNotExist();
        }
    }

    private int probe(String nodeId) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), NodeLockProbe.class.getName(), dataDir.toString(), nodeId)
                .redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        return p.waitFor();
    }

    @Test
    void aLockClosedTwiceLeavesTheNextNodeOfItsNameHoldingItsOwn() throws Exception {
        NodeLock first = NodeLock.acquire(dataDir, "node-1", true);
        first.close();
        try (NodeLock second = NodeLock.acquire(dataDir, "node-1", true)) {
            first.close();
            assertThatThrownBy(() -> NodeLock.acquire(dataDir, "node-1", true)).isInstanceOf(StoreException.class);
            assertThat(probe("node-1")).as("another process").isEqualTo(3);
        }
    }

    @Test
    void theNameIsFreeAgainOnceItsNodeLetsGo() {
        NodeLock.acquire(dataDir, "node-1", true).close();
        NodeLock.acquire(dataDir, "node-1", true).close();
    }

    @Test
    void nodesOfDifferentNamesMayShareADataDirectory() {
        try (NodeLock one = NodeLock.acquire(dataDir, "node-1", true); NodeLock two = NodeLock.acquire(dataDir, "node-2", true)) {
            assertThat(one).isNotSameAs(two);
        }
    }

    @Test
    void aDataDirectoryThatDoesNotExistYetIsCreated() {
        Path fresh = dataDir.resolve("a/b");
        try (NodeLock lock = NodeLock.acquire(fresh, "node-1", true)) {
            assertThat(fresh).isDirectory();
        }
    }
}
