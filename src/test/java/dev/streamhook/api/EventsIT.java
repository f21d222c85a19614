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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /v1/events}: newest first, filters, an account-bound opaque cursor, and payloads exactly as signed. */
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
    void eventsFilterByDestinationDeliveryStatusTimeAndSchemaQualifiedTable(@TempDir Path dataDir) {
        try (TestDb db = TestPostgres.embedded().createDatabase(); WebhookReceiver ok = new WebhookReceiver();
             WebhookReceiver failing = new WebhookReceiver(); Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_DELIVERY_MAX_ATTEMPTS", "1"))) {
            db.execute("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (id int PRIMARY KEY)");
            failing.respondWith(500);
            ApiClient api = new ApiClient(node.port()).signUp("filters@example.com");
            String sourceA = Quickstart.sourceWithDestination(api, db, "a", ok.url(), "whsec_filters_a");
            String sourceB = Quickstart.sourceWithDestination(api, db, "b", failing.url(), "whsec_filters_b");
            String failingDestination = api.get("/v1/sources/" + sourceB + "/destinations").body().at("/data/0/id").asText();
            db.execute("INSERT INTO a VALUES (1)", "INSERT INTO a VALUES (2)");
            await().atMost(Duration.ofSeconds(20)).until(() -> ok.requests().size() == 2);
            Instant between = Instant.now();
            sleep(50);
            db.execute("INSERT INTO b VALUES (1)");
            await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/events?status=failed").body().get("data").size() == 1);

            assertThat(api.get("/v1/events?status=succeeded").body().get("data")).hasSize(2);
            assertThat(api.get("/v1/events?status=FAILED&destination_id=" + failingDestination).body().at("/data/0/table").asText()).isEqualTo("b");
            assertThat(api.get("/v1/events?destination_id=" + failingDestination).body().get("data")).hasSize(1);
            assertThat(api.get("/v1/events?status=succeeded&destination_id=" + failingDestination).body().get("data")).isEmpty();
            assertThat(api.get("/v1/events?table=public.a").body().get("data")).hasSize(2);
            assertThat(api.get("/v1/events?table=other.a").body().get("data")).isEmpty();
            assertThat(api.get("/v1/events?created_after=" + between).body().get("data")).hasSize(1);
            assertThat(api.get("/v1/events?created_before=" + between).body().get("data")).hasSize(2);
            assertThat(api.get("/v1/events?committed_after=" + between + "&source_id=" + sourceA).body().get("data")).isEmpty();
            assertThat(api.get("/v1/events?committed_before=" + Instant.now().plusSeconds(60)).body().get("data")).hasSize(3);

            // a retry sent twice with one Idempotency-Key retries once and answers the same both times
            String failed = api.get("/v1/events?status=failed").body().at("/data/0/id").asText();
            ApiClient.Response retried = api.post("/v1/events/" + failed + "/retry", "", "retry-" + failed);
            assertThat(retried.status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> failing.requests().size() == 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/events?status=failed").body().get("data").isEmpty());
            ApiClient.Response again = api.post("/v1/events/" + failed + "/retry", "", "retry-" + failed);
            assertThat(again.status()).isEqualTo(202);
            assertThat(again.body()).isEqualTo(retried.body());
            assertThat(api.post("/v1/events/" + failed + "/retry", "").status()).as("without the key: nothing failed now").isEqualTo(409);
            assertThat(failing.requests()).hasSize(2);
        }
    }

    @Test
    void aCursorIsOpaqueAndWorksOnlyForTheAccountItWasGivenTo(@TempDir Path dataDir) {
        try (TestDb db = TestPostgres.embedded().createDatabase(); WebhookReceiver receiver = new WebhookReceiver();
             Main.Node node = TestNodes.start(dataDir)) {
            db.execute("CREATE TABLE a (id int PRIMARY KEY)");
            ApiClient api = new ApiClient(node.port()).signUp("cursor@example.com");
            ApiClient other = new ApiClient(node.port()).signUp("someone-else@example.com");
            Quickstart.sourceWithDestination(api, db, "a", receiver.url(), "whsec_cursor_a");
            db.execute("INSERT INTO a VALUES (1)", "INSERT INTO a VALUES (2)", "INSERT INTO a VALUES (3)");
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() == 3);

            String cursor = api.get("/v1/events?limit=1").body().get("next_cursor").asText();
            assertThat(api.get("/v1/events?limit=1").body().get("next_cursor").asText())
                    .as("sealed anew each time: it shows nothing of the position").isNotEqualTo(cursor);
            assertThat(api.get("/v1/events?limit=1&cursor=" + cursor).body().get("data")).hasSize(1);

            ApiClient.Response foreign = other.get("/v1/events?cursor=" + cursor);
            assertThat(foreign.status()).isEqualTo(400);
            assertThat(foreign.body().at("/error/param").asText()).isEqualTo("cursor");
            assertThat(foreign.body().at("/error/message").asText()).contains("another account");

            char last = cursor.charAt(cursor.length() / 2);
            String tampered = cursor.substring(0, cursor.length() / 2) + (last == 'A' ? 'B' : 'A') + cursor.substring(cursor.length() / 2 + 1);
            assertThat(api.get("/v1/events?cursor=" + tampered).status()).isEqualTo(400);
            String oldStyle = Base64.getUrlEncoder().withoutPadding().encodeToString("seq:2".getBytes(StandardCharsets.UTF_8));
            assertThat(api.get("/v1/events?cursor=" + oldStyle).status()).isEqualTo(400);
        }
    }

    @Test
    void anEventsPayloadIsShownByteForByteAsItWasSigned(@TempDir Path dataDir) {
        try (TestDb db = TestPostgres.embedded().createDatabase(); WebhookReceiver receiver = new WebhookReceiver();
             Main.Node node = TestNodes.start(dataDir)) {
            db.execute("CREATE TABLE prices (id int PRIMARY KEY, amount numeric, ratio float8, label text)");
            ApiClient api = new ApiClient(node.port()).signUp("raw@example.com");
            Quickstart.sourceWithDestination(api, db, "prices", receiver.url(), "whsec_raw_body");
            db.execute("INSERT INTO prices VALUES (1, 12345678.9, 0.1, 'caf\u00e9 \u2603')");
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() == 1);
            String signed = new String(receiver.requests().get(0).body(), StandardCharsets.UTF_8);
            assertThat(signed).contains("12345678.9");

            String id = api.get("/v1/events").body().at("/data/0/id").asText();
            assertThat(api.getRaw("/v1/events/" + id)).contains("\"payload\":" + signed);
            assertThat(api.getRaw("/v1/events")).contains("\"payload\":" + signed);
        }
    }

    @Test
    void badListParametersAreRefusedNamingTheParameter(@TempDir Path dataDir) {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("params@example.com");
            for (String query : new String[] {"limit=0", "limit=101", "limit=ten", "cursor=%21%21", "operation=MERGE",
                    "status=lost", "created_after=yesterday", "created_before=2026-13-01T00:00:00Z", "committed_after=1700000000",
                    "committed_before=x"}) {
                ApiClient.Response r = api.get("/v1/events?" + query);
                assertThat(r.status()).as(query).isEqualTo(400);
                assertThat(r.body().at("/error/param").asText()).as(query).isEqualTo(query.substring(0, query.indexOf('=')));
            }
            assertThat(api.get("/v1/events/evt_000000000000000000000000").status()).isEqualTo(404);
            assertThat(api.post("/v1/events/evt_000000000000000000000000/retry", "").status()).isEqualTo(404);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
