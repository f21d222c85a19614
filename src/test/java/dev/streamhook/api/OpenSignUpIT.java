package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with open sign-up and nothing else set, as a hosted installation starts: strangers can
 * make accounts, so none of them may reach the host's own network through a source or a
 * destination, nor send events over plain http. The other tests run with these opened up
 * ({@link TestNodes#TEST_ACCESS}); this one puts the defaults back (a blank setting is unset).
 */
class OpenSignUpIT {

    private static final Map<String, String> OPEN_SIGN_UP_DEFAULTS = Map.of(
            "STREAMHOOK_SIGNUP", "open",
            "STREAMHOOK_ALLOWED_NETWORKS", "",
            "STREAMHOOK_ALLOW_HTTP_DESTINATIONS", "");

    @TempDir
    Path dataDir;

    @Test
    void aStrangerCannotPointASourceOrADestinationAtTheHostsNetwork() throws Exception {
        String apiKey;
        String sourceId;
        try (TestDb db = TestPostgres.embedded().createDatabase()) {
            db.execute("CREATE TABLE orders (id int PRIMARY KEY)");
            // the source is made by a node that allows loopback, so the destination checks below have one to hang on
            try (Main.Node permissive = TestNodes.start(dataDir)) {
                apiKey = new ApiClient(permissive.port()).post("/v1/accounts", "{\"email\": \"stranger@example.com\"}").text("api_key");
                ApiClient api = new ApiClient(permissive.port()).withKey(apiKey);
                sourceId = api.post("/v1/sources", """
                        {"name": "allowed before", "connection_uri": "%s", "tables": ["orders"]}""".formatted(db.uri())).text("id");
            }

            try (Main.Node node = TestNodes.start(dataDir, OPEN_SIGN_UP_DEFAULTS)) {
                ApiClient stranger = new ApiClient(node.port()).withKey(apiKey);

                ApiClient.Response source = stranger.post("/v1/sources", """
                        {"name": "the host's database", "connection_uri": "%s", "tables": ["orders"]}""".formatted(db.uri()));
                assertThat(source.status()).as(source.body().toString()).isBetween(400, 499);
                assertThat(source.body().at("/error/param").asText()).isEqualTo("connection_uri");
                assertThat(stranger.get("/v1/sources").body().path("data")).hasSize(1);

                String destinations = "/v1/sources/" + sourceId + "/destinations";
                ApiClient.Response plain = stranger.post(destinations, "{\"url\": \"http://hooks.example.com/in\"}");
                assertThat(plain.status()).as(plain.body().toString()).isEqualTo(400);
                assertThat(plain.body().at("/error/param").asText()).isEqualTo("url");
                assertThat(plain.body().at("/error/message").asText()).contains("https://");

                for (String host : new String[] {"127.0.0.1", "10.0.0.7", "[::1]", "169.254.169.254"}) {
                    ApiClient.Response inside = stranger.post(destinations, "{\"url\": \"https://" + host + "/in\"}");
                    assertThat(inside.status()).as(host + ": " + inside.body()).isEqualTo(400);
                    assertThat(inside.body().at("/error/param").asText()).as(host).isEqualTo("url");
                }
                assertThat(stranger.get(destinations).body().path("data")).isEmpty();
            }
        }
    }
}
