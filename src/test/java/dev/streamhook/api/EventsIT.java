package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/events}: newest first, filters and cursor pagination. */
class EventsIT {

    @Test
    void eventsPageNewestFirstThroughTheCursorAndFilters(@TempDir Path dataDir) {
        try (TestDb db = TestPostgres.embedded().createDatabase(); WebhookReceiver receiver = new WebhookReceiver();
             Main.Node node = TestNodes.start(dataDir)) {
            db.execute("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)");
            ApiClient api = new ApiClient(node.port()).signUp("events@example.com");
            String sourceA = Quickstart.sourceWithDestination(api, db, "a", receiver.url(), "whsec_events_a");
            String sourceB = Quickstart.sourceWithDestination(api, db, "b", receiver.url(), "whsec_events_b");
            for (int i = 1; i <= 5; i++) {
                db.execute("INSERT INTO a VALUES (" + i + ")");
            }
            db.execute("INSERT INTO b VALUES (1)", "DELETE FROM a WHERE id = 5");
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 7);

            List<String> seen = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = api.get("/v1/events?source_id=" + sourceA + "&limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).body();
                page.get("data").forEach(e -> seen.add(e.get("operation").asText() + " " + e.at("/payload/" + (
                        e.at("/payload/after").isNull() ? "before" : "after") + "/id").asInt()));
                assertThat(page.get("has_more").asBoolean()).isEqualTo(!page.get("next_cursor").isNull());
                cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
                pages++;
            } while (cursor != null);
            assertThat(seen).containsExactly("DELETE 5", "INSERT 5", "INSERT 4", "INSERT 3", "INSERT 2", "INSERT 1");
            assertThat(pages).isEqualTo(3);

            assertThat(api.get("/v1/events?operation=delete").body().get("data")).hasSize(1);
            assertThat(api.get("/v1/events?source_id=" + sourceB).body().at("/data/0/table").asText()).isEqualTo("b");
            assertThat(api.get("/v1/events?table=b").body().get("data")).hasSize(1);
            assertThat(api.get("/v1/events").body().get("data")).hasSize(7);
        }
    }

    @Test
    void badListParametersAreRefusedNamingTheParameter(@TempDir Path dataDir) {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("params@example.com");
            for (String query : new String[] {"limit=0", "limit=101", "limit=ten", "cursor=%21%21", "operation=MERGE"}) {
                ApiClient.Response r = api.get("/v1/events?" + query);
                assertThat(r.status()).as(query).isEqualTo(400);
                assertThat(r.body().at("/error/param").asText()).as(query).isEqualTo(query.substring(0, query.indexOf('=')));
            }
            assertThat(api.get("/v1/events/evt_000000000000000000000000").status()).isEqualTo(404);
            assertThat(api.post("/v1/events/evt_000000000000000000000000/retry", "").status()).isEqualTo(404);
        }
    }
}
