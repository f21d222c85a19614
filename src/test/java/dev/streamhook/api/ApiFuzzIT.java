package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random requests against every route the server serves, for a fixed time budget
 * ({@code -Dstreamhook.fuzz.seconds}, 20 by default; the seed is printed and can be replayed with
 * {@code -Dstreamhook.fuzz.seed}). The routes come from the server itself, so a route added later is
 * fuzzed too; their ids are the fixture's real ones or random ones. Bodies are built from the fields
 * the API takes, each given a likely value or a random one, then dropped, duplicated, retyped and
 * corrupted ({@link FuzzBodies}). Every answer must be a JSON object, an error must be a 4xx (or the
 * 502/503 of an unreachable source) with an error type and message, never a 500, and the server must
 * be healthy at the end. Addresses in the palettes are all on 127.0.0.1 or refused ones, so no
 * request leaves the machine.
 */
@Timeout(300)
class ApiFuzzIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Routes whose successful answers are not JSON (the dashboard's page and files, Prometheus text): the JSON checks do not apply. */
    private static final Set<String> NOT_JSON = Set.of("GET /", "GET /assets/{file}", "GET /metrics");
    private static final String[] RANDOM_IDS = {"src_x", "dst_doesnotexist", "evt_000000000000000000000000", "bf_x", "key_x", "acc_x",
        "%00", "..", "%2e%2e%2f", "x".repeat(3_000), "%F0%9F%92%A5", "%20"};
    private static final String[] QUERY = {"limit", "cursor", "operation", "table", "source_id", "destination_id", "status", "force",
        "created_after", "created_before", "committed_after", "committed_before", "range", "x"};
    private static final String[] METHODS = {"GET", "POST", "PATCH", "DELETE", "PUT"};

    @TempDir
    Path dataDir;

    /** The fixture's real ids, by the route segment before a path parameter ("sources" for {id} of /v1/sources/{id}). */
    private record Fixture(Map<String, String> ids) {
        String idFor(String template, String param) {
            String before = template.substring(0, template.indexOf("{" + param + "}"));
            String[] segments = before.split("/");
            return ids.get(segments[segments.length - 1]);
        }
    }

    @Test
    void randomRequestsToEveryRouteNeverBreakTheServer() {
        long seed = Long.getLong("streamhook.fuzz.seed", System.nanoTime());
        long seconds = Long.getLong("streamhook.fuzz.seconds", 20);
        System.out.println("ApiFuzzIT seed " + seed + " (replay with -Dstreamhook.fuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        try (TestDb db = TestPostgres.embedded().createDatabase()) {
            db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
            // closed sign-up: the admin's key reaches the operator's routes, a user's key the rest
            try (Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_SIGNUP", "closed"))) {
                ApiClient admin = new ApiClient(node.port()).withKey(node.adminKey().orElseThrow());
                ApiClient.Response account = admin.post("/v1/accounts", "{\"email\":\"fuzz@example.com\"}");
                ApiClient user = new ApiClient(node.port()).withKey(account.text("api_key"));
                Fixture fixture = fixture(user, db, account.text("id"));
                List<String> routes = node.api().routes();
                List<String> failures = new ArrayList<>();
                FuzzBodies bodies = new FuzzBodies(random);
                long deadline = System.nanoTime() + seconds * 1_000_000_000L;
                Map<Integer, Integer> statuses = new TreeMap<>(); // printed: how deep the run got (all 4xx at the gate would be a weak run)
                while (System.nanoTime() < deadline && failures.size() < 5) {
                    String route = pick(random, routes);
                    String method = random.nextInt(10) == 0 ? pick(random, List.of(METHODS)) : route.substring(0, route.indexOf(' '));
                    String template = route.substring(route.indexOf(' ') + 1);
                    String path = path(random, fixture, template, method) + (random.nextInt(3) == 0 ? query(random) : "");
                    String body = method.equals("GET") || method.equals("DELETE") ? null : bodies.next();
                    String type = random.nextInt(10) == 0 ? pick(random, List.of("text/plain", "application/x-www-form-urlencoded", ""))
                            : "application/json";
                    Map<String, String> headers = random.nextInt(8) == 0 ? Map.of("Idempotency-Key", pick(random, List.of("k1", "k2", "k".repeat(300))))
                            : Map.of();
                    ApiClient caller = random.nextInt(8) == 0 ? admin : user;

                    String request = method + " " + shortened(path) + " " + headers.keySet() + " " + (body == null ? null : shortened(body));
                    ApiClient.RawResponse r;
                    try {
                        r = caller.raw(method, path, type.isEmpty() ? null : type, body, headers);
                    } catch (IllegalStateException noAnswer) {
                        failures.add(request + " -> no answer: " + noAnswer.getCause());
                        continue;
                    }
                    statuses.merge(r.status(), 1, Integer::sum);
                    String problem = NOT_JSON.contains(route) && r.status() < 400 ? null : problem(r);
                    if (problem != null) {
                        failures.add(request + " -> " + r.status() + " " + shortened(r.text()) + ": " + problem);
                    }
                }
                System.out.println("ApiFuzzIT sent " + statuses.values().stream().mapToInt(n -> n).sum() + " requests to " + routes.size()
                        + " routes; answers by status: " + statuses);
                assertThat(failures).as("seed " + seed).isEmpty();
                assertThat(user.get("/healthz").status()).isEqualTo(200);
                assertThat(user.get("/v1/sources").status()).isEqualTo(200);
            }
        }
    }

    /** A source on {@code orders} with a destination, an event and a backfill, in the user's account. */
    private static Fixture fixture(ApiClient user, TestDb db, String accountId) {
        String src = Quickstart.sourceWithDestination(user, db, "orders", "http://127.0.0.1:9/hooks", "whsec_fuzz");
        db.execute("INSERT INTO orders VALUES (1, 'new')");
        return new Fixture(Map.of(
                "sources", src,
                "destinations", user.get("/v1/sources/" + src + "/destinations").body().at("/data/0/id").asText(),
                "events", Quickstart.awaitNewestEventId(user, src),
                "backfills", user.post("/v1/sources/" + src + "/backfills", "{\"table\": \"orders\"}").text("id"),
                "accounts", accountId));
    }

    /**
     * {@code template} with each path parameter a real id (mostly) or a random one. A DELETE gets
     * random ids only: deleting the fixture (or revoking the key in use) would leave little to fuzz,
     * and real deletes are SourceLifecycleIT's, DestinationsIT's and AccountsAndKeysIT's.
     */
    private static String path(Random random, Fixture fixture, String template, String method) {
        String path = template;
        while (path.contains("{")) {
            String param = path.substring(path.indexOf('{') + 1, path.indexOf('}'));
            String real = fixture.idFor(template, param);
            boolean useReal = real != null && !method.equals("DELETE") && random.nextInt(4) != 0;
            path = path.replace("{" + param + "}", useReal ? real : pick(random, List.of(RANDOM_IDS)));
        }
        return path;
    }

    private static String query(Random random) {
        return "?" + pick(random, List.of(QUERY)) + "=" + URLEncoder.encode(FuzzBodies.anyString(random), StandardCharsets.UTF_8)
                + (random.nextInt(5) == 0 ? "&" + pick(random, List.of(QUERY)) + "=1" : "");
    }

    /** What is wrong with an answer, or null. */
    private static String problem(ApiClient.RawResponse r) {
        JsonNode json;
        try {
            json = MAPPER.readTree(r.text());
        } catch (java.io.IOException e) {
            return "not JSON";
        }
        if (json == null || !json.isObject()) {
            return "not a JSON object";
        }
        if (r.status() < 400) {
            return null;
        }
        if (r.status() >= 500 && r.status() != 502 && r.status() != 503) {
            return "a server error";
        }
        JsonNode error = json.path("error");
        if (error.path("type").asText().isBlank() || error.path("message").asText().isBlank()) {
            return "an error without a type and message";
        }
        return error.path("message").asText().contains("Exception") ? "an exception in the message" : null;
    }

    /** A request or answer as a failure shows it: the palettes' long strings would drown the report. */
    private static String shortened(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "... (" + text.length() + " characters)";
    }

    private static <T> T pick(Random random, List<T> options) {
        return options.get(random.nextInt(options.size()));
    }
}
