package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.ItemsAndReceiver;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.WebhookReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batching, opted into per destination: one POST carries a JSON array of events, each with its
 * own id, signed as a whole; a row's events keep their order within and across batches, also
 * when a batch fails and is sent again.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BatchingIT extends ItemsAndReceiver {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SECRET = "whsec_batching_test_secret_0123456789";

    @TempDir
    Path dataDir;
    @Test
    void aBatchingDestinationGetsJsonArraysOfEventsEachWithItsIdAndTheRequestSignedAsAWhole() {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("batch@example.com");
            String[] ids = sourceAndDestination(api, "{\"max_events\": 50, \"max_wait_ms\": 300}");
            assertThat(api.get("/v1/sources/" + ids[0] + "/destinations/" + ids[1]).body().get("batch").toString())
                    .isEqualTo("{\"max_events\":50,\"max_wait_ms\":300}");

            db.execute("INSERT INTO items SELECT g, 'row ' || g FROM generate_series(1, 120) g");
            await().atMost(Duration.ofSeconds(30)).until(() -> events(receiver.requests()).size() >= 120);

            List<WebhookReceiver.Request> requests = receiver.requests();
            List<JsonNode> events = events(requests);
            assertThat(events).hasSize(120);
            assertThat(events.stream().map(e -> e.get("id").asText()).collect(Collectors.toSet())).hasSize(120)
                    .allSatisfy(id -> assertThat(id).startsWith("evt_"));
            assertThat(requests.size()).as("120 events in requests of at most 50").isBetween(3, 60);
            for (WebhookReceiver.Request r : requests) {
                JsonNode array = json(r);
                assertThat(array.isArray()).isTrue();
                assertThat(array.size()).isBetween(1, 50);
                assertThat(r.header("X-StreamHook-Batch-Size")).isEqualTo(Integer.toString(array.size()));
                assertThat(r.header("X-StreamHook-Batch-ID")).matches("bat_[0-9a-f]{24}");
                assertThat(r.header("X-StreamHook-Event-ID")).as("the events' ids are in the body").isNull();
                assertThat(r.header("X-StreamHook-Signature")).isEqualTo(Signer.sign(SECRET, r.body()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v1/events?status=succeeded&limit=100").body().get("data").size() == 100);
        }
    }

    @Test
    void aRowsEventsKeepTheirOrderWithinAndAcrossBatchesWhenABatchFailsAndIsSentAgain() {
        receiver.respondWith(500);
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("order@example.com");
            String[] ids = sourceAndDestination(api, "{\"max_events\": 20, \"max_wait_ms\": 200}");
            api.patch("/v1/sources/" + ids[0] + "/destinations/" + ids[1], "{\"retry\": {\"schedule\": [0.2]}}");
            db.execute("""
                    BEGIN;
                    INSERT INTO items SELECT g, 'v1' FROM generate_series(1, 5) g;
                    UPDATE items SET name = 'v2' WHERE id = 1;
                    UPDATE items SET name = 'v3' WHERE id = 1;
                    COMMIT;
                    """);
            for (int v = 4; v <= 8; v++) {
                db.execute("UPDATE items SET name = 'v" + v + "' WHERE id IN (1, 2)");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> rowOne(delivered()).contains("v8") && rowTwo(delivered()).contains("v8"));

            assertThat(json(receiver.requests().get(0)).size()).as("the first batch carried row 1's v1, v2 and v3 behind each other")
                    .isGreaterThanOrEqualTo(3);
            List<JsonNode> delivered = delivered();
            assertThat(rowOne(delivered)).containsExactly("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8");
            assertThat(rowTwo(delivered)).containsExactly("v1", "v4", "v5", "v6", "v7", "v8");
            Set<String> seen = new HashSet<>();
            assertThat(delivered).allSatisfy(e -> assertThat(seen.add(e.get("id").asText())).as("each event delivered once").isTrue());
        }
    }

    @Test
    void turningBatchingOffGoesBackToOneEventPerRequestAndBadSettingsNameTheField() {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("off@example.com");
            String[] ids = sourceAndDestination(api, "{\"max_events\": 10}");
            String path = "/v1/sources/" + ids[0] + "/destinations/" + ids[1];
            assertThat(api.get(path).body().at("/batch/max_wait_ms").asInt()).as("the default wait").isEqualTo(100);

            for (String bad : List.of("{\"batch\": {\"max_events\": 0}}", "{\"batch\": {\"max_events\": 501}}", "{\"batch\": {}}",
                    "{\"batch\": {\"max_events\": 10, \"max_wait_ms\": -1}}", "{\"batch\": {\"max_events\": 10, \"size\": 3}}", "{\"batch\": 10}")) {
                ApiClient.Response refused = api.patch(path, bad);
                assertThat(refused.status()).as(bad).isEqualTo(400);
                assertThat(refused.body().at("/error/param").asText()).as(bad).startsWith("batch");
            }
            ApiClient.Response off = api.patch(path, "{\"batch\": null}");
            assertThat(off.status()).isEqualTo(200);
            assertThat(off.body().get("batch").isNull()).isTrue();

            db.execute("INSERT INTO items VALUES (1, 'single')");
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() == 1);
            WebhookReceiver.Request r = receiver.requests().get(0);
            assertThat(json(r).isObject()).isTrue();
            assertThat(r.header("X-StreamHook-Event-ID")).isEqualTo(json(r).get("id").asText());
        }
    }

    private String[] sourceAndDestination(ApiClient api, String batch) {
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "batching", "type": "postgresql", "connection_uri": "%s", "tables": ["items"]}
                """.formatted(db.uri()));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        ApiClient.Response destination = api.post("/v1/sources/" + source.text("id") + "/destinations",
                "{\"url\": \"%s\", \"secret\": \"%s\", \"batch\": %s}".formatted(receiver.url(), SECRET, batch));
        assertThat(destination.status()).as(destination.body().toString()).isEqualTo(201);
        return new String[] {source.text("id"), destination.text("id")};
    }

    /** The events of the requests after the first, which the receiver answered 500, flattened in arrival order. */
    private List<JsonNode> delivered() {
        List<WebhookReceiver.Request> all = receiver.requests();
        return events(all.subList(Math.min(1, all.size()), all.size()));
    }

    private static List<JsonNode> events(List<WebhookReceiver.Request> requests) {
        List<JsonNode> out = new ArrayList<>();
        for (WebhookReceiver.Request r : requests) {
            json(r).forEach(out::add);
        }
        return out;
    }

    private static List<String> rowOne(List<JsonNode> events) {
        return namesOf(events, 1);
    }

    private static List<String> rowTwo(List<JsonNode> events) {
        return namesOf(events, 2);
    }

    private static List<String> namesOf(List<JsonNode> events, int id) {
        return events.stream().filter(e -> e.at("/after/id").asInt() == id).map(e -> e.at("/after/name").asText()).toList();
    }

    private static JsonNode json(WebhookReceiver.Request r) {
        try {
            return MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
