package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamhook.Main;
import dev.streamhook.dashboard.Dashboard;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route the server has that takes an id is tried by a second account with the first
 * account's ids: each answers 403 or 404, none reads or changes the first account's objects. The
 * routes come from the server itself, so a route added later is tried too.
 */
@Timeout(180)
class TenancyIT {

    @TempDir
    Path dataDir;

    @Test
    void noRouteLetsOneAccountReadOrChangeAnothersObjects() throws Exception {
        try (TestDb db = TestPostgres.embedded().createDatabase()) {
            db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
            try (Main.Node node = TestNodes.start(dataDir)) {
                ApiClient alice = new ApiClient(node.port());
                ApiClient.Response account = alice.post("/v1/accounts", "{\"email\":\"alice@example.com\"}");
                alice.withKey(account.text("api_key"));
                ApiClient mallory = new ApiClient(node.port()).signUp("mallory@example.com");
                String src = Quickstart.sourceWithDestination(alice, db, "orders", "http://127.0.0.1:9/hooks", "whsec_alice");
                String dst = alice.get("/v1/sources/" + src + "/destinations").body().at("/data/0/id").asText();
                String key = alice.get("/v1/api_keys").body().at("/data/0/id").asText();
                db.execute("INSERT INTO orders VALUES (1, 'paid')");
                String evt = Quickstart.awaitNewestEventId(alice, src);
                String bf = alice.post("/v1/sources/" + src + "/backfills", "{\"table\": \"orders\"}").text("id");
                JsonNode before = snapshot(alice, src, dst, evt);

                List<String> tried = new ArrayList<>();
                for (String route : node.api().routes()) {
                    if (!route.contains("{") || Dashboard.serves(route)) {
                        continue; // the dashboard's page files are not any account's objects
                    }
                    String method = route.substring(0, route.indexOf(' '));
                    String path = route.substring(route.indexOf(' ') + 1)
                            .replace("/v1/sources/{id}", "/v1/sources/" + src).replace("{did}", dst).replace("{bid}", bf)
                            .replace("/v1/events/{id}", "/v1/events/" + evt).replace("/v1/api_keys/{id}", "/v1/api_keys/" + key)
                            .replace("/v1/accounts/{id}", "/v1/accounts/" + account.text("id"));
                    assertThat(path).as("every id of %s has a value of the first account", route).doesNotContain("{");
                    String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";

                    ApiClient.RawResponse r = mallory.raw(method, path, body == null ? null : "application/json", body);

                    assertThat(r.status()).as("%s as another account: %s", route, r.text()).isIn(403, 404);
                    assertThat(r.text()).as(route).doesNotContain("whsec_alice").doesNotContain("alice@example.com");
                    tried.add(route);
                }
                assertThat(tried).as("routes with ids were tried").hasSizeGreaterThanOrEqualTo(10);
                assertThat(snapshot(alice, src, dst, evt)).as("the first account's objects are unchanged").isEqualTo(before);
            }
        }
    }

    private static JsonNode snapshot(ApiClient api, String src, String dst, String evt) {
        var out = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        JsonNode source = api.get("/v1/sources/" + src).body().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) source).remove(List.of("stats", "status", "capture_status", "status_message"));
        out.set("source", source);
        out.set("destination", api.get("/v1/sources/" + src + "/destinations/" + dst).body());
        out.set("keys", api.get("/v1/api_keys").body().path("data").get(0).path("id"));
        out.set("event", api.get("/v1/events/" + evt).body().path("payload"));
        return out;
    }
}
