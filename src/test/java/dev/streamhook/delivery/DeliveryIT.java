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

/** Retries, recorded attempts, manual retry and per-row order, end to end. */
class DeliveryIT extends ItemsAndReceiver {

    private static final String SECRET = "whsec_delivery_test";
    @TempDir
    Path dataDir;
    @Test
    void failedAttemptsAreRetriedWithTheSameIdAndBodyAndEveryAttemptIsRecorded() {
        receiver.respondWith(500, 503);
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("retry@example.com");
            Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            db.execute("INSERT INTO items VALUES (1, 'first')");

            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 3);
            List<WebhookReceiver.Request> requests = receiver.requests();
            assertThat(requests).extracting(r -> r.header("X-StreamHook-Event-ID")).containsOnly(requests.get(0).header("X-StreamHook-Event-ID"));
            assertThat(requests).extracting(WebhookReceiver.Request::bodyText).containsOnly(requests.get(0).bodyText());

            String eventId = requests.get(0).header("X-StreamHook-Event-ID");
            await().atMost(Duration.ofSeconds(5)).until(() -> "succeeded".equals(api.get("/v1/events/" + eventId).body().at("/deliveries/0/status").asText()));
            JsonNode delivery = api.get("/v1/events/" + eventId).body().at("/deliveries/0");
            assertThat(delivery.get("attempt_count").asInt()).isEqualTo(3);
            assertThat(delivery.get("attempts")).extracting(a -> a.get("status_code").asInt()).containsExactly(500, 503, 200);
        }
    }

    @Test
    void connectionErrorsAndTimeoutsAreRecordedAsAttemptsAndRetried() {
        receiver.delayResponses(3_000);
        try (Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_DELIVERY_TIMEOUT_MS", "500"))) {
            ApiClient api = new ApiClient(node.port()).signUp("timeout@example.com");
            Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            db.execute("INSERT INTO items VALUES (1, 'slow')");

            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 2);
            String eventId = receiver.requests().get(0).header("X-StreamHook-Event-ID");
            await().atMost(Duration.ofSeconds(10)).until(() -> "succeeded".equals(api.get("/v1/events/" + eventId).body().at("/deliveries/0/status").asText()));
            JsonNode first = api.get("/v1/events/" + eventId).body().at("/deliveries/0/attempts/0");
            assertThat(first.get("status_code").isNull()).isTrue();
            assertThat(first.get("error").asText()).contains("no complete response within 500 ms");
        }
    }

    @Test
    void anEndpointThatSendsHeadersAndThenStallsIsCutOffAtTheTimeout() throws Exception {
        try (java.net.ServerSocket stalling = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_DELIVERY_TIMEOUT_MS", "500", "STREAMHOOK_DELIVERY_MAX_ATTEMPTS", "2"))) {
            Thread.ofVirtual().start(() -> {
                List<java.net.Socket> open = new java.util.ArrayList<>();
                try {
                    while (true) {
                        java.net.Socket s = stalling.accept();
                        open.add(s);
                        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\npartial".getBytes());
                        s.getOutputStream().flush();
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            ApiClient api = new ApiClient(node.port()).signUp("stall@example.com");
            String url = "http://127.0.0.1:" + stalling.getLocalPort() + "/hook";
            String sourceId = Quickstart.sourceWithDestination(api, db, "items", url, SECRET);
            db.execute("INSERT INTO items VALUES (1, 'stalled')");

            await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/v1/events?source_id=" + sourceId).body().get("data").size() == 1);
            String eventId = api.get("/v1/events?source_id=" + sourceId).body().at("/data/0/id").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(api.get("/v1/events/" + eventId).body().at("/deliveries/0/status").asText()));
            JsonNode attempts = api.get("/v1/events/" + eventId).body().at("/deliveries/0/attempts");
            assertThat(attempts).hasSize(2);
            assertThat(attempts.get(0).get("error").asText()).isEqualTo("no complete response within 500 ms");
        }
    }

    @Test
    void aDeliveryThatExhaustsItsAttemptsIsFailedUntilRetriedByHand() {
        receiver.respondWith(500, 500);
        try (Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_DELIVERY_MAX_ATTEMPTS", "2"))) {
            ApiClient api = new ApiClient(node.port()).signUp("failed@example.com");
            Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            db.execute("INSERT INTO items VALUES (1, 'doomed')");

            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 2);
            String eventId = receiver.requests().get(0).header("X-StreamHook-Event-ID");
            await().atMost(Duration.ofSeconds(5)).until(() -> "failed".equals(api.get("/v1/events/" + eventId).body().at("/deliveries/0/status").asText()));
            assertThat(receiver.requests()).hasSize(2);

            ApiClient.Response retry = api.post("/v1/events/" + eventId + "/retry", "");
            assertThat(retry.status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> "succeeded".equals(api.get("/v1/events/" + eventId).body().at("/deliveries/0/status").asText()));
            assertThat(receiver.requests()).hasSize(3);
            assertThat(api.get("/v1/events/" + eventId).body().at("/deliveries/0/attempts")).extracting(a -> a.get("status_code").asInt())
                    .containsExactly(500, 500, 200);

            ApiClient.Response again = api.post("/v1/events/" + eventId + "/retry", "");
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.body().at("/error/message").asText()).contains("no failed delivery");
        }
    }

    @Test
    void laterEventsOfARowWaitForAnEarlierOneWhileOtherRowsGoAhead() {
        receiver.failOnceWhenBodyContains("\"after\":{\"id\":1,\"name\":\"a\"}");
        Map<String, String> slowRetry = Map.of("STREAMHOOK_DELIVERY_RETRY_SCHEDULE", "2s");
        try (Main.Node node = TestNodes.start(dataDir, slowRetry)) {
            ApiClient api = new ApiClient(node.port()).signUp("order@example.com");
            Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            db.execute("INSERT INTO items VALUES (1, 'a')");
            db.execute("UPDATE items SET name = 'b' WHERE id = 1");
            db.execute("UPDATE items SET name = 'c' WHERE id = 1");
            db.execute("INSERT INTO items VALUES (2, 'other row')");

            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 5);
            List<String> seen = receiver.requests().stream().map(DeliveryIT::describe).toList();
            // row 1's insert failed once; row 2 did not wait for its retry, row 1's updates did
            assertThat(seen.subList(0, 2)).containsExactlyInAnyOrder("INSERT 1 a", "INSERT 2 other row");
            assertThat(seen.subList(2, 5)).containsExactly("INSERT 1 a", "UPDATE 1 b", "UPDATE 1 c");
        }
    }

    @Test
    void changesMadeWhileStreamHookIsDownArriveAfterARestartExactlyOnce() {
        String sourceId;
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("restart@example.com");
            sourceId = Quickstart.sourceWithDestination(api, db, "items", receiver.url(), SECRET);
            db.execute("INSERT INTO items VALUES (1, 'before stop')");
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 1);
        }
        db.execute("INSERT INTO items VALUES (2, 'while down')", "UPDATE items SET name = 'still down' WHERE id = 1");
        try (Main.Node node = TestNodes.start(dataDir)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 3);
            db.execute("DELETE FROM items WHERE id = 2");
            await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 4);
            List<String> seen = receiver.requests().stream().map(DeliveryIT::describe).toList();
            // rows 1 and 2 go in parallel after the restart; each row's own events stay in commit order
            assertThat(seen).containsExactlyInAnyOrder("INSERT 1 before stop", "INSERT 2 while down", "UPDATE 1 still down", "DELETE 2 -");
            assertThat(seen.stream().filter(e -> e.contains(" 1 "))).containsExactly("INSERT 1 before stop", "UPDATE 1 still down");
            assertThat(seen.stream().filter(e -> e.contains(" 2 "))).containsExactly("INSERT 2 while down", "DELETE 2 -");
            assertThat(receiver.requests().stream().map(r -> r.header("X-StreamHook-Event-ID")).distinct()).hasSize(4);
            assertThat(sourceId).startsWith("src_");
        }
    }

    @Test
    void anEndpointThatNeverAnswersHoldsUpNeitherAnotherDestinationNorMoreThanItsOwnLimit() throws Exception {
        try (java.net.ServerSocket hanging = new java.net.ServerSocket(0, 100, java.net.InetAddress.getLoopbackAddress());
             Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_DELIVERY_TIMEOUT_MS", "60000"))) {
            java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
            List<java.net.Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        java.net.Socket s = hanging.accept();
                        open.add(s);
                        Thread.ofVirtual().start(() -> { // read the request, never answer it
                            try {
                                if (new String(s.getInputStream().readNBytes(4), java.nio.charset.StandardCharsets.US_ASCII).equals("POST")) {
                                    requests.incrementAndGet();
                                }
                            } catch (java.io.IOException closed) {
                                // the test is over
                            }
                        });
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            ApiClient api = new ApiClient(node.port()).signUp("isolation@example.com");
            String sourceId = Quickstart.sourceWithDestination(api, db, "items", "http://127.0.0.1:" + hanging.getLocalPort() + "/hook", SECRET);
            ApiClient.Response healthy = api.post("/v1/sources/" + sourceId + "/destinations",
                    "{\"url\": \"" + receiver.url() + "\", \"max_in_flight\": 4}");
            assertThat(healthy.status()).isEqualTo(201);
            assertThat(healthy.body().get("max_in_flight").asInt()).isEqualTo(4);

            db.execute("INSERT INTO items SELECT g, 'row ' || g FROM generate_series(1, 200) g");

            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 200);
            assertThat(receiver.requests().stream().map(r -> r.header("X-StreamHook-Event-ID")).distinct()).hasSize(200);
            assertThat(requests.get()).as("requests held by the endpoint that never answers").isEqualTo(16);
            open.forEach(s -> {
                try {
                    s.close();
                } catch (java.io.IOException ignored) {
                    // closing
                }
            });
        }
    }

    private static String describe(WebhookReceiver.Request r) {
        JsonNode body = read(r.bodyText());
        JsonNode row = body.get("after").isNull() ? body.get("before") : body.get("after");
        String name = row.has("name") && !body.get("after").isNull() ? row.get("name").asText() : "-";
        return body.get("operation").asText() + " " + row.get("id").asInt() + " " + name;
    }

    private static JsonNode read(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
