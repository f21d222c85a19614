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
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint refuses bad input with a clear 4xx: a JSON {@code error} whose {@code param} names
 * the field at fault (where there is one) and whose message is a sentence, never a stack trace;
 * and the server stays healthy afterwards. One row per request, in a table per feature
 * ({@link BadAccountInput}, {@link BadSourceInput}, {@link BadDestinationInput}, {@link BadEventInput},
 * {@link BadDashboardInput});
 * every route the server serves must have rows, so a route added later gets its own. Each answer of
 * an API route is one its OpenAPI document lists.
 *
 * <p>The node has closed sign-up (its admin key makes the two accounts and sends the operator's
 * rows) and allows loopback only, so every private and special address range is refused as on a
 * hosted node while the test's database and receiver stay reachable on 127.0.0.1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class BadInputIT {

    /**
     * Routes without rows, because no request to them can be bad: the probes, the public OpenAPI
     * document, the dashboard's page and "who is signed in" answer whatever is sent the same way, and
     * the dashboard's static files take a file name only (an unknown one is a plain 404, as from any
     * web server).
     */
    private static final Set<String> TAKE_NO_INPUT = Set.of("GET /healthz", "GET /readyz", "GET /v1/openapi.json", "GET /",
            "GET /assets/{file}", "GET /dashboard/api/session");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OpenApiDocument DOC = new OpenApiDocument();
    /** Too large a body, URL or headers: refused before any route, whichever route was asked for. */
    private static final Set<Integer> TRANSPORT_LIMITS = Set.of(413, 414, 431);
    /** The Idempotency-Key the fixture's backfills were made with. */
    static final String BACKFILL_KEY = "bad-input-backfill";

    private TestDb db;
    private Main.Node node;
    private ApiClient admin;
    private ApiClient user;
    private ApiClient other;
    /** What each placeholder of a row stands for. */
    private final Map<String, String> ids = new LinkedHashMap<>();

    @BeforeAll
    void start() throws Exception {
        db = TestPostgres.embedded().createDatabase();
        db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)", "CREATE TABLE users (id int PRIMARY KEY)");
        node = TestNodes.start(Files.createTempDirectory("bad-input"),
                Map.of("STREAMHOOK_SIGNUP", "closed", "STREAMHOOK_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128"));
        admin = new ApiClient(node.port()).withKey(node.adminKey().orElseThrow());
        user = account("bad-input@example.com", "");
        other = account("someone-else@example.com", "other_");
        db.execute("INSERT INTO orders VALUES (1, 'new')"); // both sources capture it
        ids.put("{evt}", Quickstart.awaitNewestEventId(user, ids.get("{src}")));
        ids.put("{other_evt}", Quickstart.awaitNewestEventId(other, ids.get("{other_src}")));
    }

    /** An account with a source on {@code orders}, a destination and a backfill, its ids kept under {@code prefix}. */
    private ApiClient account(String email, String prefix) {
        ApiClient.Response created = admin.post("/v1/accounts", "{\"email\":\"" + email + "\"}");
        ApiClient api = new ApiClient(node.port()).withKey(created.text("api_key"));
        String src = Quickstart.sourceWithDestination(api, db, "orders", "http://127.0.0.1:9/hooks", "whsec_bad_input");
        ids.put("{" + prefix + "account}", created.text("id"));
        ids.put("{" + prefix + "src}", src);
        ids.put("{" + prefix + "dst}", api.get("/v1/sources/" + src + "/destinations").body().at("/data/0/id").asText());
        ids.put("{" + prefix + "key}", api.get("/v1/api_keys").body().at("/data/0/id").asText());
        ids.put("{" + prefix + "bf}", api.post("/v1/sources/" + src + "/backfills", "{\"table\": \"orders\"}", BACKFILL_KEY).text("id"));
        return api;
    }

    @AfterAll
    void stop() {
        if (node != null) {
            assertThat(user.get("/healthz").status()).as("the server is healthy after every bad request").isEqualTo(200);
            assertThat(user.get("/v1/sources/" + ids.get("{src}")).status()).as("and the fixture's source is still there").isEqualTo(200);
            node.close();
        }
        if (db != null) {
            db.close();
        }
    }

    static Stream<BadRequest> rows() {
        return Stream.of(BadAccountInput.rows(), BadSourceInput.rows(), BadDestinationInput.rows(), BadEventInput.rows(),
                        BadDashboardInput.rows())
                .flatMap(List::stream);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void aBadRequestGetsAClear4xxNamingTheField(BadRequest bad) {
        ApiClient.RawResponse r = caller(bad).raw(bad.method(), fill(bad.path()), bad.contentType(),
                bad.body() == null ? null : fill(bad.body()), bad.headers());

        assertThat(r.status()).as(r.text()).isEqualTo(bad.status());
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode error = parse(r.text()).path("error");
        assertThat(error.path("type").asText()).as(r.text()).isNotBlank();
        assertThat(error.path("message").asText()).as(r.text()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(error.path("message").asText().length()).as("the message does not echo a huge value").isLessThan(1_000);
        if (bad.param() != null) {
            assertThat(error.path("param").asText()).as(r.text()).isEqualTo(bad.param());
        }
        if (bad.status() == 404) {
            assertThat(error.path("message").asText()).as("a 404 names what is missing").startsWith("no ");
        }
        // the server's limits on a request's size are the same for every route; the document says so once, in its description
        Optional<String> route = TRANSPORT_LIMITS.contains(r.status()) ? Optional.empty() : DOC.template(bad.method(), fill(bad.pathWithoutQuery()));
        route.ifPresent(template -> {
            Optional<String> documented = DOC.response(bad.method(), template, r.status());
            assertThat(documented).as("the OpenAPI document has this answer of " + bad.method() + " " + template).isPresent();
            assertThat(DOC.problems(documented.get() + "/content/application~1json/schema", parse(r.text()))).as(r.text()).isEmpty();
        });
    }

    @Test
    void everyRouteTheServerServesHasBadInputRows() {
        List<BadRequest> rows = rows().toList();
        List<String> withoutRows = new ArrayList<>();
        for (String route : node.api().routes()) {
            if (TAKE_NO_INPUT.contains(route)) {
                continue;
            }
            if (rows.stream().noneMatch(row -> route.equals(routeOf(row).orElse(null)))) {
                withoutRows.add(route);
            }
        }
        assertThat(withoutRows).as("routes with no bad-input row; add rows to the table of their feature").isEmpty();
        assertThat(rows).as("every row is for a route the server serves").allSatisfy(row ->
                assertThat(routeOf(row)).as(row.method() + " " + row.path()).isPresent());
    }

    /**
     * The route that serves {@code row}: the one whose fixed segments all equal the row's, the most
     * fixed segments winning ({@code POST /v1/sources/discover} over a route with an id there).
     */
    private Optional<String> routeOf(BadRequest row) {
        String[] path = row.pathWithoutQuery().split("/", -1);
        return node.api().routes().stream()
                .filter(route -> route.startsWith(row.method() + " "))
                .filter(route -> matches(route.substring(route.indexOf(' ') + 1).split("/", -1), path))
                .min(Comparator.comparingLong(route -> route.chars().filter(ch -> ch == '{').count()));
    }

    private static boolean matches(String[] template, String[] path) {
        if (template.length != path.length) {
            return false;
        }
        for (int i = 0; i < template.length; i++) {
            if (!template[i].startsWith("{") && !template[i].equals(path[i])) {
                return false;
            }
        }
        return true;
    }

    private ApiClient caller(BadRequest bad) {
        return switch (bad.caller()) {
            case USER -> user;
            case ADMIN -> admin;
            case ANONYMOUS -> new ApiClient(node.port());
            case UNKNOWN_KEY -> new ApiClient(node.port()).withKey("sk_live_" + "0".repeat(32));
        };
    }

    private String fill(String text) {
        String out = text;
        for (Map.Entry<String, String> id : ids.entrySet()) {
            out = out.replace(id.getKey(), id.getValue());
        }
        return out;
    }

    private static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
