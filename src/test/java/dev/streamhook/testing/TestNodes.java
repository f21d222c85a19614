package dev.streamhook.testing;

import dev.streamhook.Main;
import dev.streamhook.config.Config;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts a whole StreamHook node in the test JVM, on a free port, with fast retries, on the store
 * of this run ({@link StoreBackend#current()}). Nodes started on the same data directory share one
 * store, as a restarted node would.
 */
public final class TestNodes {

    private static final Map<Path, Map<String, String>> stores = new java.util.concurrent.ConcurrentHashMap<>();

    private TestNodes() {
    }

    /** The settings of the store of nodes on {@code dataDir}: the same for every node started there in this run. */
    public static Map<String, String> storeSettings(Path dataDir) {
        return stores.computeIfAbsent(dataDir.toAbsolutePath(), d -> StoreBackend.current().freshStoreSettings());
    }

    public static Main.Node start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    public static Main.Node start(Path dataDir, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>();
        env.put("STREAMHOOK_PORT", "0");
        env.put("STREAMHOOK_DATA_DIR", dataDir.toString());
        env.put("STREAMHOOK_DELIVERY_RETRY_BASE_MS", "50");
        env.put("STREAMHOOK_DELIVERY_RETRY_MAX_MS", "200");
        env.put("STREAMHOOK_DELIVERY_TIMEOUT_MS", "2000");
        env.putAll(storeSettings(dataDir));
        env.putAll(settings);
        return Main.start(Config.from(env));
    }
}
