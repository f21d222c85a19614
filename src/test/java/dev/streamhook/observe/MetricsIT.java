package dev.streamhook.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.StoreBackend;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics}: Prometheus text with what an operator watches, for admin keys only. */
class MetricsIT {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anAdminScrapesCapturedEventsDeliveriesLatencyQueuesSlotLagAndStoreSize(@TempDir Path dataDir) throws Exception {
        try (TestDb db = TestPostgres.embedded().createDatabase(); WebhookReceiver ok = new WebhookReceiver();
             WebhookReceiver failing = new WebhookReceiver(); WebhookReceiver later = new WebhookReceiver();
             Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_SIGNUP", "closed", "STREAMHOOK_DELIVERY_MAX_ATTEMPTS", "1",
                     "STREAMHOOK_STORE_WARN_BYTES", "1"))) {
            db.execute("CREATE TABLE sent (id int PRIMARY KEY)", "CREATE TABLE refused (id int PRIMARY KEY)", "CREATE TABLE waiting (id int PRIMARY KEY)");
            failing.respondWith(500);
            String admin = node.adminKey().orElseThrow();
            ApiClient api = new ApiClient(node.port()).withKey(admin)
                    .withKey(new ApiClient(node.port()).withKey(admin).post("/v1/accounts", "{\"email\": \"ops@example.com\"}").text("api_key"));
            String sent = Quickstart.sourceWithDestination(api, db, "sent", ok.url(), "whsec_metrics_ok");
            String refused = Quickstart.sourceWithDestination(api, db, "refused", failing.url(), "whsec_metrics_failing");
            String waiting = Quickstart.sourceWithDestination(api, db, "waiting", later.url(), "whsec_metrics_later");
            String sentDestination = api.get("/v1/sources/" + sent + "/destinations").body().at("/data/0/id").asText();
            String refusedDestination = api.get("/v1/sources/" + refused + "/destinations").body().at("/data/0/id").asText();
            String waitingDestination = api.get("/v1/sources/" + waiting + "/destinations").body().at("/data/0/id").asText();
            api.patch("/v1/sources/" + waiting, "{\"status\": \"paused\"}");
            db.execute("INSERT INTO sent SELECT generate_series(1, 5)", "INSERT INTO refused VALUES (1)", "INSERT INTO waiting VALUES (1), (2)");
            await().atMost(Duration.ofSeconds(30)).until(() -> ok.requests().size() == 5 && failing.requests().size() == 1);

            await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
                String text = scrape(node, "Authorization", "Bearer " + admin, 200);
                assertThat(value(text, "streamhook_events_captured_total", "source=\"" + sent + "\"")).isEqualTo(5);
                assertThat(value(text, "streamhook_delivery_attempts_total", "outcome=\"succeeded\"")).isEqualTo(5);
                assertThat(value(text, "streamhook_delivery_attempts_total", "destination=\"" + refusedDestination + "\",outcome=\"http_error\""))
                        .isEqualTo(1);
                assertThat(value(text, "streamhook_deliveries_failed_total", "destination=\"" + refusedDestination + "\"")).isEqualTo(1);
                assertThat(value(text, "streamhook_delivery_latency_seconds_count", "")).isEqualTo(5);
                assertThat(value(text, "streamhook_queue_depth", "destination=\"" + waitingDestination + "\"")).isEqualTo(2);
                assertThat(value(text, "streamhook_queue_oldest_pending_age_seconds", "destination=\"" + waitingDestination + "\"")).isGreaterThan(0);
                // a destination with nothing waiting reads 0, not "no data"
                assertThat(value(text, "streamhook_queue_depth", "destination=\"" + sentDestination + "\"")).isZero();
                assertThat(value(text, "streamhook_queue_oldest_pending_age_seconds", "destination=\"" + sentDestination + "\"")).isZero();
                assertThat(value(text, "streamhook_slot_lag_bytes", "source=\"" + sent + "\"")).isGreaterThanOrEqualTo(0);
                assertThat(value(text, "streamhook_store_size_bytes", "")).isGreaterThan(0);
                assertThat(value(text, "streamhook_store_commits_total", "")).isGreaterThan(0);
                assertThat(value(text, "streamhook_store_commit_units_total", "")).isGreaterThanOrEqualTo(value(text, "streamhook_store_commits_total", ""));
                assertThat(value(text, "streamhook_store_warnings", "")).as("the store is past STREAMHOOK_STORE_WARN_BYTES").isGreaterThanOrEqualTo(1);
                if (StoreBackend.current() == StoreBackend.SQLITE) {
                    assertThat(value(text, "streamhook_store_disk_free_bytes", "")).isGreaterThan(0);
                }
            });
            assertThat(scrape(node, "X-API-Key", admin, 200)).contains("jvm_memory_used_bytes");
            scrape(node, "X-API-Key", userKey(api), 403);
            scrape(node, null, null, 401);
        }
    }

    private static String userKey(ApiClient api) {
        return api.post("/v1/api_keys", "{\"name\": \"not an admin\"}").text("api_key");
    }

    private String scrape(Main.Node node, String header, String value, int expectedStatus) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/metrics")).GET();
        if (header != null) {
            request.header(header, value);
        }
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(expectedStatus);
        return r.body();
    }

    /**
     * The sum of the samples of {@code name} whose labels contain {@code labels} (all of them when
     * {@code labels} is empty), as an operator's {@code sum()} reads them; fails when there is none.
     */
    private static double value(String text, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(text);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            if (labels.isEmpty() || (m.group(1) != null && m.group(1).contains(labels))) {
                sum += Double.parseDouble(m.group(2));
                found = true;
            }
        }
        if (!found) {
            throw new AssertionError("no sample " + name + "{" + labels + "} in:\n" + text.lines().filter(l -> l.startsWith("streamhook")).toList());
        }
        return sum;
    }
}
