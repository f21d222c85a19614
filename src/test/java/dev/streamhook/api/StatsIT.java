package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.ItemsAndReceiver;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The series the dashboard charts: events captured per source, deliveries, failures and latency per destination. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class StatsIT extends ItemsAndReceiver {

    @TempDir
    Path dataDir;

    @Test
    void aSourcesStatsCountItsEventsAndItsDestinationsDeliveriesFailuresAndLatencyOverTheLastHourAndDay() {
        receiver.respondWith(500); // the first attempt fails, its retry succeeds
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("stats@example.com");
            String source = Quickstart.sourceWithDestination(api, db, "items", receiver.url(), "whsec_stats");
            db.execute("INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')");
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/events?status=succeeded").body().get("data").size() == 3);

            JsonNode hour = api.get("/v1/sources/" + source + "/stats").body();
            assertThat(hour.get("range").asText()).isEqualTo("1h");
            assertThat(hour.get("bucket_seconds").asInt()).isEqualTo(60);
            assertThat(hour.get("points")).hasSize(60);
            assertThat(sum(hour.get("points"), "events")).isEqualTo(3);
            assertThat(Instant.parse(hour.at("/points/59/at").asText())).isBefore(Instant.now()).isAfter(Instant.now().minusSeconds(61));
            JsonNode destination = hour.at("/destinations/0");
            assertThat(destination.get("delivered").asLong()).isEqualTo(3);
            assertThat(destination.get("attempts").asLong()).isEqualTo(4);
            assertThat(destination.get("failed_attempts").asLong()).isEqualTo(1);
            assertThat(destination.get("success_rate").asDouble()).isEqualTo(0.75);
            assertThat(destination.get("latency_avg_ms").asDouble()).isPositive();
            assertThat(destination.get("latency_max_ms").asLong()).isGreaterThanOrEqualTo((long) destination.get("latency_avg_ms").asDouble());
            assertThat(sum(destination.get("points"), "delivered")).isEqualTo(3);

            JsonNode day = api.get("/v1/sources/" + source + "/stats?range=24h").body();
            assertThat(day.get("points")).hasSize(96);
            assertThat(sum(day.get("points"), "events")).isEqualTo(3);
            assertThat(day.at("/destinations/0/delivered").asLong()).isEqualTo(3);

            ApiClient.Response bad = api.get("/v1/sources/" + source + "/stats?range=7d");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.body().at("/error/param").asText()).isEqualTo("range");
        }
    }

    private static long sum(JsonNode points, String field) {
        long total = 0;
        for (JsonNode p : points) {
            total += p.get(field).asLong();
        }
        return total;
    }
}
