package dev.streamhook.testing;

import dev.streamhook.config.StoreUrl;
import dev.streamhook.store.Database;
import java.nio.file.Path;
import java.util.Map;

/**
 * The two stores a node can run on, for tests that must hold on both: the embedded SQLite file, and
 * PostgreSQL (a fresh database on the embedded test server). Node-level tests use the one named by
 * {@code STREAMHOOK_TEST_STORE} (sqlite when unset); the build runs them once for each.
 */
public enum StoreBackend {
    SQLITE, POSTGRESQL;

    /** The store the node-level tests of this run use. */
    public static StoreBackend current() {
        String name = System.getenv("STREAMHOOK_TEST_STORE");
        return name == null || name.isBlank() ? SQLITE : valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
    }

    /** Node settings for a fresh store of this kind; SQLite lives in the node's data directory. */
    public Map<String, String> freshStoreSettings() {
        if (this == SQLITE) {
            return Map.of();
        }
        TestDb db = TestPostgres.embedded().createDatabase();
        return Map.of("STREAMHOOK_DATABASE_URL", "postgres://" + db.server().superuser() + "@" + db.server().host() + ":"
                + db.server().port() + "/" + db.name());
    }

    /** A fresh store of this kind, for store tests; SQLite in {@code dataDir}. */
    public Location fresh(Path dataDir) {
        if (this == SQLITE) {
            return new Location(this, dataDir, null);
        }
        String url = freshStoreSettings().get("STREAMHOOK_DATABASE_URL");
        return new Location(this, dataDir, url);
    }

    /** Where one store lives; {@link #open()} may be called several times, as several nodes would. */
    public record Location(StoreBackend backend, Path dataDir, String postgresUrl) {
        public Database open() {
            if (postgresUrl == null) {
                return Database.openEmbedded(dataDir);
            }
            return Database.openPostgres(StoreUrl.parse("STREAMHOOK_DATABASE_URL", postgresUrl));
        }
    }
}
