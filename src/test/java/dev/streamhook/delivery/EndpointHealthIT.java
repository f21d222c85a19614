package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.ItemsAndReceiver;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Endpoints that fail, hang, ask to wait (429 with Retry-After), are gone (410) and recover, against
 * real receivers on 127.0.0.1: retries, the error kind of each attempt, and disabling, pausing and
 * enabling destinations without losing or reordering their events.
 */
class EndpointHealthIT extends ItemsAndReceiver {

    private static final String SECRET = "whsec_endpoint_health";
    @TempDir
    Path dataDir;
    private static String destinationPath(ApiClient api, String sourceId) {
        return "/v1/sources/" + sourceId + "/destinations/" + api.get("/v1/sources/" + sourceId + "/destinations").body().at("/data/0/id").asText();
    }

    private List<String> names() {
        return receiver.requests().stream().map(r -> r.bodyText().replaceAll(".*\"name\":\"([^\"]*)\".*", "$1")).toList();
    }

    @Test
    void anEndpointAnswering410IsDisabledAndItsEventsGoOutInOrderOnceEnabledAgain() {
        receiver.respondWith(410);
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("gone@example.com");
            String sourceId = Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            String destination = destinationPath(api, sourceId);
            db.execute("INSERT INTO items VALUES (1, 'a')");

            await().atMost(Duration.ofSeconds(20)).until(() -> "disabled".equals(api.get(destination).body().get("status").asText()));
            JsonNode disabled = api.get(destination).body();
            assertThat(disabled.get("disabled_reason").asText()).contains("410 Gone");
            assertThat(disabled.get("disabled_at").isNull()).isFalse();

            db.execute("INSERT INTO items VALUES (2, 'b')");
            db.execute("UPDATE items SET name = 'c' WHERE id = 1");
            await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/events?source_id=" + sourceId).body().get("data").size() == 3);
            sleep(1_000);
            assertThat(receiver.requests()).as("nothing goes to a disabled destination").hasSize(1);
            String first = receiver.requests().getFirst().header("X-StreamHook-Event-ID");
            JsonNode held = api.get("/v1/events/" + first).body().at("/deliveries/0");
            assertThat(held.get("status").asText()).as("never failed because of the disable").isEqualTo("pending");
            assertThat(held.at("/attempts/0/status_code").asInt()).isEqualTo(410);
            assertThat(held.at("/attempts/0/error_kind").asText()).isEqualTo("status");

            ApiClient.Response enabled = api.patch(destination, "{\"status\": \"active\"}");
            assertThat(enabled.status()).isEqualTo(200);
            assertThat(enabled.body().get("status").asText()).isEqualTo("active");
            assertThat(enabled.body().get("disabled_reason").isNull()).isTrue();

            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 4);
            List<String> after = names().subList(1, 4);
            assertThat(after).containsExactlyInAnyOrder("a", "b", "c");
            assertThat(after.indexOf("a")).as("row 1's events in commit order").isLessThan(after.indexOf("c"));
            await().atMost(Duration.ofSeconds(10)).until(() -> "succeeded".equals(api.get("/v1/events/" + first).body().at("/deliveries/0/status").asText()));
        }
    }

    @Test
    void aDestinationFailingEveryAttemptForTheSetTimeIsDisabledAndItsDeliveriesWaitPending() {
        receiver.failEverything(true);
        try (Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_DESTINATION_DISABLE_AFTER", "2s",
                "STREAMHOOK_DELIVERY_MAX_ATTEMPTS", "100"))) {
            ApiClient api = new ApiClient(node.port()).signUp("failing@example.com");
            String sourceId = Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            String destination = destinationPath(api, sourceId);
            db.execute("INSERT INTO items VALUES (1, 'a')");

            await().atMost(Duration.ofSeconds(20)).until(() -> "disabled".equals(api.get(destination).body().get("status").asText()));
            assertThat(api.get(destination).body().get("disabled_reason").asText()).startsWith("every attempt failed for 2s");
            int attempts = receiver.requests().size();
            assertThat(attempts).isGreaterThan(1);
            sleep(1_000);
            assertThat(receiver.requests()).hasSizeLessThanOrEqualTo(attempts + 2); // what was in flight as the lane stopped
            String eventId = receiver.requests().getFirst().header("X-StreamHook-Event-ID");
            assertThat(api.get("/v1/events/" + eventId).body().at("/deliveries/0/status").asText()).isEqualTo("pending");

            receiver.failEverything(false);
            db.execute("UPDATE items SET name = 'b' WHERE id = 1");
            assertThat(api.patch(destination, "{\"status\": \"active\"}").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> names().contains("b"));
            List<String> names = names();
            assertThat(names.subList(names.size() - 2, names.size())).containsExactly("a", "b");
            await().atMost(Duration.ofSeconds(10)).until(() -> "succeeded".equals(api.get("/v1/events/" + eventId).body().at("/deliveries/0/status").asText()));
        }
    }

    @Test
    void aPausedDestinationHoldsItsEventsUntilResumedAndCannotBeDisabledByHand() {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("paused@example.com");
            String sourceId = Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            String destination = destinationPath(api, sourceId);
            ApiClient.Response paused = api.patch(destination, "{\"status\": \"paused\"}");
            assertThat(paused.status()).isEqualTo(200);
            assertThat(paused.body().get("status").asText()).isEqualTo("paused");

            db.execute("INSERT INTO items VALUES (1, 'a')");
            db.execute("UPDATE items SET name = 'b' WHERE id = 1");
            await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/events?source_id=" + sourceId).body().get("data").size() == 2);
            sleep(1_000);
            assertThat(receiver.requests()).isEmpty();

            ApiClient.Response byHand = api.patch(destination, "{\"status\": \"disabled\"}");
            assertThat(byHand.status()).isEqualTo(400);
            assertThat(byHand.body().at("/error/param").asText()).isEqualTo("status");

            assertThat(api.patch(destination, "{\"status\": \"active\"}").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 2);
            assertThat(names()).containsExactly("a", "b");
        }
    }

    @Test
    void a429WithRetryAfterIsTriedAgainNoSoonerThanAsked() {
        receiver.respondWith(429, "Retry-After", "2");
        try (Main.Node node = TestNodes.start(dataDir)) { // a schedule of 50 ms
            ApiClient api = new ApiClient(node.port()).signUp("slowdown@example.com");
            Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            db.execute("INSERT INTO items VALUES (1, 'a')");

            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 2);
            List<WebhookReceiver.Request> requests = receiver.requests();
            assertThat(requests.get(1).receivedAt() - requests.get(0).receivedAt()).isGreaterThanOrEqualTo(1_900);
            String eventId = requests.get(0).header("X-StreamHook-Event-ID");
            await().atMost(Duration.ofSeconds(5)).until(() -> "succeeded".equals(api.get("/v1/events/" + eventId).body().at("/deliveries/0/status").asText()));
            JsonNode attempts = api.get("/v1/events/" + eventId).body().at("/deliveries/0/attempts");
            assertThat(attempts.get(0).get("status_code").asInt()).isEqualTo(429);
            assertThat(attempts.get(0).get("error_kind").asText()).isEqualTo("status");
            assertThat(attempts.get(1).get("error_kind").isNull()).isTrue();
        }
    }

    @Test
    void anEndpointThatAskedToBeLeftAloneIsLeftAloneAfterARestartToo() {
        receiver.respondWith(429, "Retry-After", "8");
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("restart-quiet@example.com");
            Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            db.execute("INSERT INTO items VALUES (1, 'a')");
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() == 1);
            String eventId = receiver.requests().getFirst().header("X-StreamHook-Event-ID");
            await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/v1/events/" + eventId).body().at("/deliveries/0/attempts").size() == 1);
        }
        long askedAt = receiver.requests().getFirst().receivedAt();
        db.execute("INSERT INTO items VALUES (2, 'b')"); // another row: its delivery has no backoff of its own

        try (Main.Node node = TestNodes.start(dataDir)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 3);
            assertThat(receiver.requests().get(1).receivedAt() - askedAt).as("no request of any row before the 8 s asked for")
                    .isGreaterThanOrEqualTo(7_900);
            assertThat(names()).containsExactlyInAnyOrder("a", "a", "b");
        }
    }

    @Test
    void pausingAndResumingADestinationEndsTheWaitItsEndpointAskedFor() {
        receiver.respondWith(429, "Retry-After", "60");
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("resume-quiet@example.com");
            String sourceId = Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            String destination = destinationPath(api, sourceId);
            db.execute("INSERT INTO items VALUES (1, 'a')");
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() == 1);
            String eventId = receiver.requests().getFirst().header("X-StreamHook-Event-ID");
            await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/v1/events/" + eventId).body().at("/deliveries/0/attempts").size() == 1);

            assertThat(api.patch(destination, "{\"status\": \"paused\"}").status()).isEqualTo(200);
            assertThat(api.patch(destination, "{\"status\": \"active\"}").status()).isEqualTo(200);
            db.execute("INSERT INTO items VALUES (2, 'b')");
            await("well before the 60 s asked for").atMost(Duration.ofSeconds(15)).until(() -> receiver.requests().size() >= 3);
            assertThat(names()).containsExactlyInAnyOrder("a", "a", "b");
        }
    }

    @Test
    void aHangingEndpointIsCutOffAtTheDestinationsOwnTimeoutAndRetriedOnItsOwnSchedule() {
        receiver.delayResponses(3_000);
        receiver.failEverything(true);
        try (Main.Node node = TestNodes.start(dataDir)) { // the node's timeout is 2 s
            ApiClient api = new ApiClient(node.port()).signUp("hang@example.com");
            String sourceId = Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            String destination = destinationPath(api, sourceId);
            ApiClient.Response tuned = api.patch(destination, """
                    {"timeout_ms": 300, "connect_timeout_ms": 200, "retry": {"max_attempts": 3, "schedule": [0.05]}}""");
            assertThat(tuned.status()).as(tuned.body().toString()).isEqualTo(200);
            assertThat(tuned.body().get("timeout_ms").asInt()).isEqualTo(300);
            assertThat(tuned.body().at("/retry/max_attempts").asInt()).isEqualTo(3);
            assertThat(tuned.body().at("/retry/schedule/0").asDouble()).isEqualTo(0.05);
            db.execute("INSERT INTO items VALUES (1, 'a')");

            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 3);
            String eventId = receiver.requests().getFirst().header("X-StreamHook-Event-ID");
            await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(api.get("/v1/events/" + eventId).body().at("/deliveries/0/status").asText()));
            JsonNode attempts = api.get("/v1/events/" + eventId).body().at("/deliveries/0/attempts");
            assertThat(attempts).as("3 attempts, the destination's own, not the node's").hasSize(3);
            assertThat(attempts.get(0).get("error_kind").asText()).isEqualTo("timeout");
            assertThat(attempts.get(0).get("error").asText()).isEqualTo("no complete response within 300 ms");
            assertThat(attempts.get(0).get("duration_ms").asLong()).isLessThan(2_000);
            assertThat(attempts.get(2).get("status_code").asInt()).isEqualTo(500);
            assertThat(attempts.get(2).get("error_kind").asText()).isEqualTo("status");
        }
    }

    @Test
    void badRetryAndTimeoutSettingsAreRefusedNamingTheField() {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("tuning@example.com");
            String sourceId = Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            String destination = destinationPath(api, sourceId);
            Map<String, String> bad = Map.of(
                    "{\"retry\": {\"max_attempts\": 0}}", "retry.max_attempts",
                    "{\"retry\": {\"schedule\": []}}", "retry.schedule",
                    "{\"retry\": {\"schedule\": [5, -1]}}", "retry.schedule",
                    "{\"retry\": {\"every\": 5}}", "retry.every",
                    "{\"retry\": 5}", "retry",
                    "{\"timeout_ms\": 60000}", "timeout_ms",
                    "{\"timeout_ms\": 1000, \"connect_timeout_ms\": 2000}", "connect_timeout_ms");
            bad.forEach((body, param) -> {
                ApiClient.Response r = api.patch(destination, body);
                assertThat(r.status()).as(body).isEqualTo(400);
                assertThat(r.body().at("/error/param").asText()).as(body).isEqualTo(param);
            });
            JsonNode standard = api.get(destination).body();
            assertThat(standard.get("retry").isNull()).isTrue();
            assertThat(standard.get("timeout_ms").isNull()).isTrue();
            assertThat(standard.get("status").asText()).isEqualTo("active");
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
