package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.StoreBackend;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention: delivered events go after STREAMHOOK_RETENTION, failed ones after STREAMHOOK_FAILED_RETENTION, pending ones never. */
class RetentionIT {

    private static final int WAVES = 10;
    private static final int ROWS_PER_WAVE = 300;

    @Test
    void underSteadyLoadDeliveredEventsArePrunedAndTheStoreStaysFlat(@TempDir Path on, @TempDir Path off) {
        Load kept = steadyLoad(off, "forever");
        Load pruned = steadyLoad(on, "2s");
        assertThat(kept.eventsAtEnd()).as("without retention every event stays").isEqualTo(WAVES * ROWS_PER_WAVE);
        assertThat(pruned.mostEventsInStore()).as("with 2 s retention, about the last few waves stay")
                .isLessThan(WAVES * ROWS_PER_WAVE / 2);
        // freed space is reused (SQLite's free pages; PostgreSQL's, once vacuumed): the store's bytes in use stop
        // growing once retention deletes as much as capture adds
        assertThat(pruned.usedBytesAtEnd()).isLessThan(kept.usedBytesAtEnd() / 2);
        assertThat(pruned.usedBytesAtEnd()).isLessThan(pruned.usedBytesAtHalf() * 3 / 2);
    }

    private record Load(long mostEventsInStore, long eventsAtEnd, long usedBytesAtHalf, long usedBytesAtEnd) {
    }

    private static Load steadyLoad(Path dataDir, String retention) {
        try (TestDb db = TestPostgres.embedded().createDatabase(); WebhookReceiver receiver = new WebhookReceiver();
             Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_RETENTION", retention))) {
            db.execute("CREATE TABLE readings (id int PRIMARY KEY, payload text)");
            ApiClient api = new ApiClient(node.port()).signUp("retention@example.com");
            Quickstart.sourceWithDestination(api, db, "readings", receiver.url(), "whsec_retention");
            long most = 0;
            long half = 0;
            for (int wave = 0; wave < WAVES; wave++) {
                int from = wave * ROWS_PER_WAVE + 1;
                db.execute("INSERT INTO readings SELECT i, repeat(md5(i::text), 8) FROM generate_series(" + from + ", "
                        + (from + ROWS_PER_WAVE - 1) + ") i");
                int expected = (wave + 1) * ROWS_PER_WAVE;
                await().atMost(Duration.ofSeconds(60)).until(() -> receiver.requests().size() >= expected);
                sleep(700);
                most = Math.max(most, events(node));
                long used = usedBytes(node); // on PostgreSQL after each wave, as its autovacuum would
                if (wave == WAVES / 2) {
                    half = used;
                }
            }
            assertThat(receiver.requests()).as("retention never drops an event before it is delivered").hasSize(WAVES * ROWS_PER_WAVE);
            return new Load(most, events(node), half, usedBytes(node));
        }
    }

    @Test
    void failedEventsStayForTheirOwnPeriodAndEventsWithSomethingToSendStayUntilSent(@TempDir Path dataDir) {
        try (TestDb db = TestPostgres.embedded().createDatabase(); WebhookReceiver ok = new WebhookReceiver();
             WebhookReceiver failing = new WebhookReceiver(); WebhookReceiver later = new WebhookReceiver();
             Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_RETENTION", "1s", "STREAMHOOK_FAILED_RETENTION", "6s",
                     "STREAMHOOK_DELIVERY_MAX_ATTEMPTS", "1"))) {
            db.execute("CREATE TABLE delivered (id int PRIMARY KEY)", "CREATE TABLE failed (id int PRIMARY KEY)",
                    "CREATE TABLE paused (id int PRIMARY KEY)");
            failing.respondWith(500, 500, 500, 500);
            ApiClient api = new ApiClient(node.port()).signUp("kept@example.com");
            Quickstart.sourceWithDestination(api, db, "delivered", ok.url(), "whsec_delivered");
            String failedSource = Quickstart.sourceWithDestination(api, db, "failed", failing.url(), "whsec_failed");
            String pausedSource = Quickstart.sourceWithDestination(api, db, "paused", later.url(), "whsec_paused");
            assertThat(api.patch("/v1/sources/" + pausedSource, "{\"status\": \"paused\"}").status()).isEqualTo(200);

            db.execute("INSERT INTO delivered VALUES (1)", "INSERT INTO failed VALUES (1)", "INSERT INTO paused VALUES (1)");
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/events?status=failed").body().get("data").size() == 1);
            JsonNode failedEvent = api.get("/v1/events?source_id=" + failedSource).body().at("/data/0");
            assertThat(Instant.parse(failedEvent.get("retained_until").asText()))
                    .isEqualTo(Instant.parse(failedEvent.get("created_at").asText()).plusSeconds(6));
            Quickstart.awaitNewestEventId(api, pausedSource);
            JsonNode pausedEvent = api.get("/v1/events?source_id=" + pausedSource).body().at("/data/0");
            assertThat(pausedEvent.get("retained_until").isNull()).as("pending: kept until sent").isTrue();

            await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/events?table=delivered").body().get("data").isEmpty());
            assertThat(api.get("/v1/events?table=failed").body().get("data")).as("a failed event outlives the delivered period").hasSize(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/events?table=failed").body().get("data").isEmpty());
            assertThat(api.get("/v1/events?table=paused").body().get("data")).as("still waiting to be sent").hasSize(1);

            assertThat(api.patch("/v1/sources/" + pausedSource, "{\"status\": \"active\"}").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> later.requests().size() == 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/events?table=paused").body().get("data").isEmpty());
        }
    }

    private static long events(Main.Node node) {
        return node.db().read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT count(*) FROM events"); ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /**
     * SQLite: bytes of the pages in use (the file keeps freed pages for reuse). PostgreSQL: the
     * tables' bytes after the VACUUM its autovacuum runs on tables with this many deleted rows (it
     * would not start within this test's seconds: it looks once a minute), so that their freed space
     * is known to be free. A table keeps its size (VACUUM gives back only empty pages at its end); it stops growing.
     */
    private static long usedBytes(Main.Node node) {
        if (StoreBackend.current() == StoreBackend.POSTGRESQL) {
            node.db().read(c -> {
                c.setAutoCommit(true); // VACUUM cannot run inside a transaction
                try (java.sql.Statement st = c.createStatement()) {
                    st.execute("VACUUM events, deliveries, delivery_attempts");
                } finally {
                    c.setAutoCommit(false);
                }
                return null;
            });
            return node.db().sizeBytes();
        }
        return node.db().read(c -> {
            long pages = pragma(c, "page_count") - pragma(c, "freelist_count");
            return pages * pragma(c, "page_size");
        });
    }

    private static long pragma(java.sql.Connection c, String name) throws java.sql.SQLException {
        try (PreparedStatement q = c.prepareStatement("PRAGMA " + name); ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
