package dev.streamhook.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.ItemsAndReceiver;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The free plan end to end: a node with a monthly limit of 3 events, a real source and a real receiver. */
class FreePlanIT extends ItemsAndReceiver {

    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dataDir;
    @Test
    void eventsOverTheMonthlyLimitAreKeptAndShownHeldThenDeliveredInCommitOrderWhenTheLimitIsRaised() throws Exception {
        // closed sign-up: the operator's admin key makes the account and later raises its limit
        try (Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_FREE_EVENTS_PER_MONTH", "3", "STREAMHOOK_SIGNUP", "closed"))) {
            ApiClient admin = new ApiClient(node.port()).withKey(node.adminKey().orElseThrow());
            ApiClient api = new ApiClient(node.port());
            ApiClient.Response signUp = admin.post("/v1/accounts", "{\"email\":\"free@example.com\"}");
            String accountId = signUp.text("id");
            api.withKey(signUp.text("api_key"));
            Quickstart.sourceWithDestination(api, db, "items", receiver.url(), "whsec_free_plan");

            db.execute("INSERT INTO items VALUES (1, 'v0')", "INSERT INTO items VALUES (2, 'w0')");
            for (int i = 1; i <= 4; i++) {
                db.execute("UPDATE items SET name = 'v" + i + "' WHERE id = 1", "UPDATE items SET name = 'w" + i + "' WHERE id = 2");
            }
            // 10 events; the first 3 go out, the other 7 are stored and held
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/usage").body().get("events_held").asLong() == 7);
            await().atMost(Duration.ofSeconds(10)).until(() -> receiver.requests().size() >= 3);
            Thread.sleep(1_000); // time enough for a held event to go out by mistake
            assertThat(receiver.requests()).extracting(FreePlanIT::describe).containsExactlyInAnyOrder("1 v0", "2 w0", "1 v1");

            JsonNode usage = api.get("/v1/usage").body();
            YearMonth month = YearMonth.now(ZoneOffset.UTC);
            assertThat(usage.get("period_start").asText()).isEqualTo(month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString());
            assertThat(usage.get("period_end").asText()).isEqualTo(month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString());
            assertThat(usage.get("events_counted").asLong()).isEqualTo(3);
            assertThat(usage.get("events_limit").asLong()).isEqualTo(3);
            assertThat(usage.get("events_held").asLong()).isEqualTo(7);

            JsonNode events = api.get("/v1/events?limit=100").body().get("data");
            assertThat(events).hasSize(10);
            List<JsonNode> held = new ArrayList<>();
            events.forEach(e -> {
                if (e.at("/deliveries_by_status/held").asInt() == 1) {
                    held.add(e);
                }
            });
            assertThat(held).as("the 7 newest events are held").hasSize(7);
            assertThat(IntStream.range(0, 7).mapToObj(events::get).toList()).containsExactlyElementsOf(held);
            assertThat(api.get("/v1/events?status=held&limit=100").body().get("data")).as("the status filter finds them").hasSize(7);
            JsonNode oneHeld = api.get("/v1/events/" + held.get(0).get("id").asText()).body();
            assertThat(oneHeld.at("/deliveries/0/status").asText()).isEqualTo("held");
            assertThat(oneHeld.at("/deliveries/0/attempt_count").asInt()).isZero();

            // a user may not raise their own limit; the operator does, through the admin route
            ApiClient.Response selfServe = api.patch("/v1/accounts/" + accountId, "{\"monthly_event_limit\": 1000000}");
            assertThat(selfServe.status()).isEqualTo(403);
            assertThat(admin.patch("/v1/accounts/acc_nobody", "{\"monthly_event_limit\": 1000}").status()).isEqualTo(404);
            assertThat(admin.patch("/v1/accounts/" + accountId, "{\"monthly_event_limit\": -1}").body().at("/error/param").asText())
                    .isEqualTo("monthly_event_limit");
            ApiClient.Response raised = admin.patch("/v1/accounts/" + accountId, "{\"monthly_event_limit\": 1000}");
            assertThat(raised.status()).as(raised.body().toString()).isEqualTo(200);
            assertThat(raised.body().path("monthly_event_limit").asLong()).isEqualTo(1_000);

            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.requests().size() >= 10);
            List<String> seen = receiver.requests().stream().map(FreePlanIT::describe).toList();
            assertThat(seen).hasSize(10);
            assertThat(seen.stream().filter(s -> s.startsWith("1 "))).as("row 1 in commit order").containsExactly("1 v0", "1 v1", "1 v2", "1 v3", "1 v4");
            assertThat(seen.stream().filter(s -> s.startsWith("2 "))).as("row 2 in commit order").containsExactly("2 w0", "2 w1", "2 w2", "2 w3", "2 w4");
            assertThat(receiver.requests().stream().map(r -> r.header("X-StreamHook-Event-ID")).distinct()).hasSize(10);
            usage = api.get("/v1/usage").body();
            assertThat(usage.get("events_counted").asLong()).isEqualTo(10);
            assertThat(usage.get("events_limit").asLong()).isEqualTo(1_000);
            assertThat(usage.get("events_held").asLong()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    api.get("/v1/events?limit=100").body().findValues("deliveries_by_status").stream().allMatch(s -> s.path("succeeded").asInt() == 1));
        }
    }

    @Test
    void aNewAccountStartsWithNothingCountedUnderTheNodesDefaultLimitAndUnlimitedShowsNoLimit() {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port()).signUp("fresh@example.com");
            JsonNode usage = api.get("/v1/usage").body();
            assertThat(usage.get("events_counted").asLong()).isZero();
            assertThat(usage.get("events_limit").asLong()).as("the documented default").isEqualTo(50_000);
            assertThat(usage.get("events_held").asLong()).isZero();
            assertThat(new ApiClient(node.port()).get("/v1/usage").status()).as("without a key").isEqualTo(401);
        }
        try (Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_FREE_EVENTS_PER_MONTH", "unlimited"))) {
            ApiClient api = new ApiClient(node.port()).signUp("unlimited@example.com");
            assertThat(api.get("/v1/usage").body().get("events_limit").isNull()).isTrue();
        }
    }

    private static String describe(WebhookReceiver.Request r) {
        try {
            JsonNode after = JSON.readTree(r.bodyText()).get("after");
            return after.get("id").asInt() + " " + after.get("name").asText();
        } catch (Exception e) {
            throw new AssertionError(r.bodyText(), e);
        }
    }
}
