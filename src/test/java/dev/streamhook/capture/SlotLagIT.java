package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * R6, "WAL never grows unseen": a slot that holds more WAL than {@code STREAMHOOK_SLOT_LAG_WARN_BYTES}
 * is warned of on {@code GET /v1/sources/:id}, as capture's inspection measured it on the user's
 * database. On the classpath's embedded server only: the measurement is one query, the same on
 * every version since 13 ({@code pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)} of the
 * slot), and the test spends 5 s on each server waiting for inspections, which CI's time cannot
 * afford for every version.
 */
class SlotLagIT {

    /** 1 MiB: an idle source's slot stays far below it, a few MiB written while capture cannot stream pass it. */
    private static final long WARN_BYTES = 1L << 20;
    private static final Map<String, String> SETTINGS = Map.of("STREAMHOOK_SLOT_LAG_WARN_BYTES", Long.toString(WARN_BYTES));
    @TempDir
    Path dataDir;
    private TestDb db;
    private Main.Node node;

    @AfterEach
    void tearDown() {
        if (node != null) {
            node.close();
        }
        if (db != null) {
            db.close();
            db.server().dropRole(role());
        }
    }

    @Test
    void anIdleSlotIsNotWarnedOfButOneHoldingMoreWalThanTheSetLimitIs() {
        db = TestPostgres.embedded().createDatabase();
        // a role that may replicate only while the test lets it: without REPLICATION capture cannot stream, but the
        // inspection (a plain connection) still measures the slot
        db.execute("CREATE ROLE " + role() + " LOGIN REPLICATION", "GRANT CREATE ON DATABASE " + db.name() + " TO " + role(),
                "CREATE TABLE orders (id int PRIMARY KEY, note text)", "ALTER TABLE orders OWNER TO " + role());
        node = TestNodes.start(dataDir, SETTINGS);
        ApiClient.Response account = new ApiClient(node.port()).post("/v1/accounts", "{\"email\": \"lag@example.com\"}");
        String key = account.text("api_key");
        ApiClient api = new ApiClient(node.port()).withKey(key);
        ApiClient.Response created = api.post("/v1/sources", """
                {"name": "shop", "connection_uri": "%s", "tables": ["orders"]}""".formatted(db.uri(role(), null)));
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        String id = created.text("id");
        JsonNode measured = await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/sources/" + id).body(),
                s -> s.path("status").asText().equals("active") && s.at("/stats/slot_lag_bytes").isNumber());
        assertThat(measured.at("/stats/slot_lag_bytes").asLong()).as("an idle slot's lag").isLessThan(WARN_BYTES);
        assertThat(measured.path("warnings").toString()).doesNotContain("STREAMHOOK_SLOT_LAG_WARN_BYTES");

        node.close();
        db.execute("ALTER ROLE " + role() + " NOREPLICATION",
                "INSERT INTO orders SELECT g, repeat('x', 1000) FROM generate_series(1, 4000) g");
        node = TestNodes.start(dataDir, SETTINGS); // its first inspection comes 2 s after capture starts
        ApiClient restarted = new ApiClient(node.port()).withKey(key);

        JsonNode lagging = await().atMost(Duration.ofSeconds(30)).until(() -> restarted.get("/v1/sources/" + id).body(),
                s -> s.at("/stats/slot_lag_bytes").asLong() >= WARN_BYTES);
        assertThat(lagging.path("status").asText()).as("capture cannot stream").isEqualTo("reconnecting");
        assertThat(lagging.path("warnings").toString()).contains("the slot '" + lagging.path("slot_name").asText() + "' holds "
                + lagging.at("/stats/slot_lag_bytes").asLong() + " bytes of WAL").contains("STREAMHOOK_SLOT_LAG_WARN_BYTES");
    }

    private String role() {
        return "app_" + db.name();
    }
}
