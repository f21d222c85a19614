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
 *
 * <p>Unlike a production node, a test node has open sign-up (tests make accounts with
 * {@code POST /v1/accounts}), allows private networks (receivers and databases are on 127.0.0.1)
 * and has rate limits too high to meet; a test of closed sign-up or of the limits sets them.
 */
public final class TestNodes {

    private static final Map<Path, Map<String, String>> stores = new java.util.concurrent.ConcurrentHashMap<>();

    /** Open sign-up, private networks and http:// destinations allowed, limits no test meets; a test overrides any of them. */
    public static final Map<String, String> TEST_ACCESS = Map.of(
            "STREAMHOOK_SIGNUP", "open",
            "STREAMHOOK_ALLOWED_NETWORKS", "private",
            "STREAMHOOK_ALLOW_HTTP_DESTINATIONS", "true",
            "STREAMHOOK_RATE_LIMIT_PER_KEY", "1000000",
            "STREAMHOOK_RATE_LIMIT_SIGNUP_PER_MINUTE", "1000000");

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
        env.put("STREAMHOOK_DELIVERY_RETRY_SCHEDULE", "50ms,100ms,200ms");
        env.put("STREAMHOOK_DELIVERY_TIMEOUT_MS", "2000");
        env.putAll(TEST_ACCESS);
        env.putAll(storeSettings(dataDir));
        env.putAll(settings);
        return Main.start(Config.from(env));
    }
}
