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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-row order once a delivery failed for good (REVIEW R1), end to end with a real receiver: a
 * destination that holds keeps the row's later events back until the failed one is retried or
 * skipped; one that skips lets them pass and then refuses to send the older event last unless
 * forced; replays send a destination's failed deliveries or a time range again, in event order.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FailedEventOrderIT extends ItemsAndReceiver {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Two attempts, so two 500s fail an event for good. */
    private static final Map<String, String> TWO_ATTEMPTS = Map.of("STREAMHOOK_DELIVERY_MAX_ATTEMPTS", "2");

    @TempDir
    Path dataDir;
    @Test
    void byDefaultALaterEventOfAFailedRowWaitsUntilTheFailedOneIsRetriedThenBothArriveInOrder() throws Exception {
        receiver.respondWith(500, 500);
        try (Main.Node node = TestNodes.start(dataDir, TWO_ATTEMPTS)) {
            ApiClient api = new ApiClient(node.port()).signUp("hold@example.com");
            String[] ids = sourceAndDestination(api, null);
            assertThat(api.get("/v1/sources/" + ids[0] + "/destinations/" + ids[1]).body().get("on_failure").asText()).isEqualTo("hold");
            String v1 = failFirstVersion(api);

            db.execute("UPDATE items SET name = 'v2' WHERE id = 1");
            db.execute("INSERT INTO items VALUES (2, 'other row')");
            await().atMost(Duration.ofSeconds(20)).until(() -> received().contains("other row"));
            Thread.sleep(1_000); // v2 had every chance to overtake
            assertThat(received()).as("row 1's v2 waits behind its failed v1; row 2 goes on").doesNotContain("v2");

            assertThat(api.post("/v1/events/" + v1 + "/retry", "").status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> received().contains("v2"));
            assertThat(received()).containsSubsequence("v1", "other row").containsSubsequence("v1", "v1", "v2");
            assertThat(received().lastIndexOf("v1")).as("the retried v1 arrives before v2").isLessThan(received().indexOf("v2"));
        }
    }

    @Test
    void aRowHeldBackStaysHeldAfterARestartUntilTheDestinationSwitchesToSkip() throws Exception {
        receiver.respondWith(500, 500);
        String v1;
        String[] ids;
        String key;
        try (Main.Node node = TestNodes.start(dataDir, TWO_ATTEMPTS)) {
            key = new ApiClient(node.port()).post("/v1/accounts", "{\"email\": \"restart@example.com\"}").text("api_key");
            ApiClient api = new ApiClient(node.port()).withKey(key);
            ids = sourceAndDestination(api, null);
            v1 = failFirstVersion(api);
        }
        try (Main.Node node = TestNodes.start(dataDir, TWO_ATTEMPTS)) {
            ApiClient again = new ApiClient(node.port()).withKey(key);
            db.execute("UPDATE items SET name = 'v2' WHERE id = 1");
            db.execute("INSERT INTO items VALUES (2, 'other row')");
            await().atMost(Duration.ofSeconds(30)).until(() -> received().contains("other row"));
            Thread.sleep(1_000);
            assertThat(received()).as("the restarted lane read the failed v1 and holds row 1").doesNotContain("v2");

            ApiClient.Response patched = again.patch("/v1/sources/" + ids[0] + "/destinations/" + ids[1], "{\"on_failure\": \"skip\"}");
            assertThat(patched.status()).as(patched.body().toString()).isEqualTo(200);
            assertThat(patched.body().get("on_failure").asText()).isEqualTo("skip");
            await().atMost(Duration.ofSeconds(20)).until(() -> received().contains("v2"));
            assertThat(again.post("/v1/events/" + v1 + "/retry", "").status()).as("v2 was delivered since").isEqualTo(409);
        }
    }

    @Test
    void skippingTheFailedEventLetsItsRowGoOnWithoutSendingIt() throws Exception {
        receiver.respondWith(500, 500);
        try (Main.Node node = TestNodes.start(dataDir, TWO_ATTEMPTS)) {
            ApiClient api = new ApiClient(node.port()).signUp("skip@example.com");
            String[] ids = sourceAndDestination(api, null);
            String v1 = failFirstVersion(api);
            db.execute("UPDATE items SET name = 'v2' WHERE id = 1");
            Thread.sleep(1_000);
            assertThat(received()).doesNotContain("v2");

            ApiClient.Response skipped = api.post("/v1/events/" + v1 + "/skip", "{\"destination_id\": \"" + ids[1] + "\"}");
            assertThat(skipped.status()).as(skipped.body().toString()).isEqualTo(200);
            assertThat(skipped.body().get("skipped_deliveries").asInt()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> received().contains("v2"));
            assertThat(received()).containsExactly("v1", "v1", "v2");
            assertThat(api.get("/v1/events/" + v1).body().at("/deliveries/0/status").asText()).isEqualTo("skipped");
            assertThat(api.post("/v1/events/" + v1 + "/retry", "").status()).as("nothing failed any more").isEqualTo(409);
        }
    }

    @Test
    void withOnFailureSkipLaterEventsPassAndRetryingTheOlderOneIsRefusedUnlessForced() {
        receiver.respondWith(500, 500);
        try (Main.Node node = TestNodes.start(dataDir, TWO_ATTEMPTS)) {
            ApiClient api = new ApiClient(node.port()).signUp("pass@example.com");
            String[] ids = sourceAndDestination(api, "skip");
            String v1 = failFirstVersion(api);
            db.execute("UPDATE items SET name = 'v2' WHERE id = 1");
            await().atMost(Duration.ofSeconds(20)).until(() -> received().contains("v2"));
            String v2 = eventIdOf("v2");
            await().atMost(Duration.ofSeconds(10)).until(() -> "succeeded".equals(api.get("/v1/events/" + v2).body().at("/deliveries/0/status").asText()));

            ApiClient.Response refused = api.post("/v1/events/" + v1 + "/retry", "{\"destination_id\": \"" + ids[1] + "\"}");
            assertThat(refused.status()).as(refused.body().toString()).isEqualTo(409);
            assertThat(refused.body().at("/error/param").asText()).isEqualTo("force");
            assertThat(refused.body().at("/error/message").asText()).contains(v2).contains("force=true");
            assertThat(api.get("/v1/events/" + v1).body().at("/deliveries/0/status").asText()).as("a refused retry changes nothing").isEqualTo("failed");

            assertThat(api.post("/v1/events/" + v1 + "/retry?force=true", "").status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 4);
            assertThat(received()).as("forced: the older state arrives last, as asked").containsExactly("v1", "v1", "v2", "v1");
        }
    }

    @Test
    void replayingAFailedDestinationSendsEveryFailedEventAndWhatWaitedBehindItInOrder() {
        receiver.respondWith(500, 500, 500, 500);
        try (Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_DELIVERY_MAX_ATTEMPTS", "2", "STREAMHOOK_DELIVERY_MAX_IN_FLIGHT", "1"))) {
            ApiClient api = new ApiClient(node.port()).signUp("replay@example.com");
            String[] ids = sourceAndDestination(api, null);
            db.execute("INSERT INTO items VALUES (1, 'a1'), (2, 'b1')");
            await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/events?status=failed").body().get("data").size() == 2);
            db.execute("UPDATE items SET name = name || '-2'");
            db.execute("UPDATE items SET name = name || '-3'");

            ApiClient.Response replay = api.post("/v1/sources/" + ids[0] + "/destinations/" + ids[1] + "/replay", "{\"status\": \"failed\"}");
            assertThat(replay.status()).as(replay.body().toString()).isEqualTo(202);
            assertThat(replay.body().get("queued_deliveries").asInt()).isEqualTo(2);
            assertThat(replay.body().get("left_failed").asInt()).isZero();
            await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 4 + 6);
            List<String> delivered = received().subList(4, 10);
            assertThat(delivered).containsSubsequence("a1", "a1-2", "a1-2-3").containsSubsequence("b1", "b1-2", "b1-2-3");
        }
    }

    @Test
    void replayingATimeRangeSendsThoseEventsAgainWithTheirIdsInEventOrder() {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("range@example.com");
            String[] ids = sourceAndDestination(api, null);
            db.execute("INSERT INTO items VALUES (1, 'r1')");
            db.execute("UPDATE items SET name = 'r2' WHERE id = 1");
            await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 2);
            List<String> firstIds = receiver.requests().stream().map(r -> r.header("X-StreamHook-Event-ID")).toList();
            String from = Instant.now().minusSeconds(3_600).toString();
            String to = Instant.now().plusSeconds(60).toString();

            ApiClient.Response bad = api.post("/v1/sources/" + ids[0] + "/destinations/" + ids[1] + "/replay",
                    "{\"status\": \"failed\", \"from\": \"" + from + "\"}");
            assertThat(bad.status()).isEqualTo(400);
            ApiClient.Response replay = api.post("/v1/sources/" + ids[0] + "/destinations/" + ids[1] + "/replay",
                    "{\"from\": \"" + from + "\", \"to\": \"" + to + "\"}");
            assertThat(replay.status()).as(replay.body().toString()).isEqualTo(202);
            assertThat(replay.body().get("queued_deliveries").asInt()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 4);
            assertThat(received()).containsExactly("r1", "r2", "r1", "r2");
            assertThat(receiver.requests().subList(2, 4)).extracting(r -> r.header("X-StreamHook-Event-ID")).containsExactlyElementsOf(firstIds);
        }
    }

    /** A source on items and a destination at the receiver ({@code onFailure} null: the default); returns their ids. */
    private String[] sourceAndDestination(ApiClient api, String onFailure) {
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "order", "type": "postgresql", "connection_uri": "%s", "tables": ["items"]}
                """.formatted(db.uri()));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        String body = onFailure == null ? "{\"url\": \"%s\"}".formatted(receiver.url())
                : "{\"url\": \"%s\", \"on_failure\": \"%s\"}".formatted(receiver.url(), onFailure);
        ApiClient.Response destination = api.post("/v1/sources/" + source.text("id") + "/destinations", body);
        assertThat(destination.status()).as(destination.body().toString()).isEqualTo(201);
        return new String[] {source.text("id"), destination.text("id")};
    }

    /** Inserts row 1 as "v1", which the receiver fails twice (the queued 500s): failed for good. Returns its event id. */
    private String failFirstVersion(ApiClient api) {
        db.execute("INSERT INTO items VALUES (1, 'v1')");
        await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 2);
        String id = eventIdOf("v1");
        await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(api.get("/v1/events/" + id).body().at("/deliveries/0/status").asText()));
        return id;
    }

    private String eventIdOf(String name) {
        return receiver.requests().stream().filter(r -> name.equals(json(r).at("/after/name").asText())).findFirst()
                .map(r -> r.header("X-StreamHook-Event-ID")).orElseThrow();
    }

    /** The {@code name} of each request's row, in arrival order. */
    private List<String> received() {
        return receiver.requests().stream().map(r -> json(r).at("/after/name").asText()).toList();
    }

    private static JsonNode json(WebhookReceiver.Request r) {
        try {
            return MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
