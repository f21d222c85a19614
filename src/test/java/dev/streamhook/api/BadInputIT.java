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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint refuses bad input with a clear 4xx: a JSON {@code error} whose {@code param} names
 * the field at fault (where there is one) and whose message is a sentence, never a stack trace;
 * and the server stays healthy afterwards. One row per request; {@code {src}}, {@code {dst}} and
 * {@code {evt}} stand for the caller's own source, destination and event, {@code {other_src}} for
 * another account's source.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class BadInputIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String JSON = "application/json";
    private static final String LONG = "x".repeat(100_000);

    /** One bad request and what it must get: a status and the field named (null: none). */
    record Case(String name, String method, String path, String contentType, String body, int status, String param) {
        @Override
        public String toString() {
            return name;
        }
    }

    private TestDb db;
    private Main.Node node;
    private ApiClient api;
    private ApiClient other;
    private String src;
    private String dst;
    private String evt;
    private String otherSrc;

    @BeforeAll
    void start() throws Exception {
        Path dataDir = Files.createTempDirectory("bad-input");
        db = TestPostgres.embedded().createDatabase();
        db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
        node = TestNodes.start(dataDir);
        api = new ApiClient(node.port()).signUp("bad-input@example.com");
        other = new ApiClient(node.port()).signUp("someone-else@example.com");
        src = Quickstart.sourceWithDestination(api, db, "orders", "http://127.0.0.1:9/hooks", "whsec_bad_input");
        dst = api.get("/v1/sources/" + src + "/destinations").body().at("/data/0/id").asText();
        otherSrc = Quickstart.sourceWithDestination(other, db, "orders", "http://127.0.0.1:9/hooks", "whsec_other");
        db.execute("INSERT INTO orders VALUES (1, 'new')");
        evt = Quickstart.awaitNewestEventId(api, src);
    }

    @AfterAll
    void stop() {
        if (node != null) {
            assertThat(api.get("/healthz").status()).as("the server is healthy after every bad request").isEqualTo(200);
            node.close();
        }
        if (db != null) {
            db.close();
        }
    }

    Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        // accounts
        c.add(post("sign-up: malformed JSON", "/v1/accounts", "{\"email\":", 400, null));
        c.add(post("sign-up: a JSON array", "/v1/accounts", "[]", 400, null));
        c.add(post("sign-up: email of the wrong type", "/v1/accounts", "{\"email\": 5}", 400, "email"));
        c.add(post("sign-up: email missing", "/v1/accounts", "{}", 400, "email"));
        c.add(post("sign-up: unknown field", "/v1/accounts", "{\"email\":\"u@example.com\",\"admin\":true}", 400, "admin"));
        c.add(post("sign-up: NUL in the email", "/v1/accounts", "{\"email\":\"a\\u0000b@example.com\"}", 400, "email"));
        c.add(post("sign-up: huge email", "/v1/accounts", "{\"email\":\"" + LONG + "@example.com\"}", 400, "email"));
        c.add(new Case("sign-up: a form post", "POST", "/v1/accounts", "application/x-www-form-urlencoded", "email=a@example.com", 415, null));
        c.add(new Case("sign-up: text/plain", "POST", "/v1/accounts", "text/plain", "{\"email\":\"a@example.com\"}", 415, null));
        // sources
        String uri = "postgres://u:p@127.0.0.1:1/db";
        c.add(post("source: malformed JSON", "/v1/sources", "{\"name\": \"x\",", 400, null));
        c.add(post("source: name of the wrong type", "/v1/sources", source("1", q(uri), "[\"orders\"]"), 400, "name"));
        c.add(post("source: name missing", "/v1/sources", "{\"connection_uri\":" + q(uri) + ",\"tables\":[\"orders\"]}", 400, "name"));
        c.add(post("source: huge name", "/v1/sources", source(q(LONG), q(uri), "[\"orders\"]"), 400, "name"));
        c.add(post("source: connection_uri missing", "/v1/sources", "{\"name\":\"x\",\"tables\":[\"orders\"]}", 400, "connection_uri"));
        c.add(post("source: a mysql URI", "/v1/sources", source(q("x"), q("mysql://u:p@127.0.0.1/db"), "[\"orders\"]"), 400, "connection_uri"));
        c.add(post("source: not a URI", "/v1/sources", source(q("x"), q("::not a uri::"), "[\"orders\"]"), 400, "connection_uri"));
        c.add(post("source: a URI without a host", "/v1/sources", source(q("x"), q("postgres:///db"), "[\"orders\"]"), 400, "connection_uri"));
        c.add(post("source: the metadata address", "/v1/sources",
                source(q("x"), q("postgres://u:p@169.254.169.254:5432/db"), "[\"orders\"]"), 400, "connection_uri"));
        c.add(post("source: the IPv6 metadata address with a zone id", "/v1/sources",
                source(q("x"), q("postgres://u:p@[fd00:ec2::254%251]:5432/db"), "[\"orders\"]"), 400, "connection_uri"));
        c.add(post("source: the metadata address inside IPv6", "/v1/sources",
                source(q("x"), q("postgres://u:p@[::ffff:169.254.169.254]:5432/db"), "[\"orders\"]"), 400, "connection_uri"));
        c.add(post("source: tables not a list", "/v1/sources", source(q("x"), q(uri), "\"orders\""), 400, "tables"));
        c.add(post("source: a table that is not a string", "/v1/sources", source(q("x"), q(uri), "[5]"), 400, "tables"));
        c.add(post("source: no tables", "/v1/sources", source(q("x"), q(uri), "[]"), 400, "tables"));
        c.add(post("source: a table name of three parts", "/v1/sources", source(q("x"), q(uri), "[\"a.b.c\"]"), 400, "tables"));
        c.add(post("source: a huge table name", "/v1/sources", source(q("x"), q(uri), "[" + q(LONG) + "]"), 400, "tables"));
        c.add(post("source: another type", "/v1/sources", "{\"name\":\"x\",\"type\":\"mysql\",\"connection_uri\":" + q(uri)
                + ",\"tables\":[\"orders\"]}", 400, "type"));
        c.add(post("source: unknown field", "/v1/sources", "{\"name\":\"x\",\"connection_uri\":" + q(uri)
                + ",\"tables\":[\"orders\"],\"slot\":\"mine\"}", 400, "slot"));
        c.add(new Case("source: text/plain", "POST", "/v1/sources", "text/plain", source(q("x"), q(uri), "[\"orders\"]"), 415, null));
        c.add(get("source: an unknown id", "/v1/sources/src_doesnotexist", 404, null));
        c.add(get("source: another account's id", "/v1/sources/{other_src}", 404, null));
        c.add(new Case("source: delete another account's", "DELETE", "/v1/sources/{other_src}", null, null, 404, null));
        // destinations
        String dests = "/v1/sources/{src}/destinations";
        c.add(post("destination: malformed JSON", dests, "{\"url\":", 400, null));
        c.add(post("destination: url missing", dests, "{}", 400, "url"));
        c.add(post("destination: url of the wrong type", dests, "{\"url\": 5}", 400, "url"));
        c.add(post("destination: not a URL", dests, "{\"url\":\"not a url\"}", 400, "url"));
        c.add(post("destination: an ftp URL", dests, "{\"url\":\"ftp://127.0.0.1/x\"}", 400, "url"));
        c.add(post("destination: a huge URL", dests, "{\"url\":\"http://127.0.0.1/" + LONG + "\"}", 400, "url"));
        c.add(post("destination: the metadata address", dests, "{\"url\":\"http://169.254.169.254/latest\"}", 400, "url"));
        c.add(post("destination: Azure's metadata address", dests, "{\"url\":\"http://168.63.129.16/\"}", 400, "url"));
        c.add(post("destination: the metadata address inside IPv6", dests, "{\"url\":\"http://[::ffff:a9fe:a9fe]/\"}", 400, "url"));
        c.add(post("destination: the metadata address in NAT64", dests, "{\"url\":\"http://[64:ff9b::a9fe:a9fe]/\"}", 400, "url"));
        c.add(post("destination: the metadata address in 6to4", dests, "{\"url\":\"http://[2002:a9fe:a9fe::1]/\"}", 400, "url"));
        c.add(post("destination: broadcast", dests, "{\"url\":\"http://255.255.255.255/\"}", 400, "url"));
        c.add(post("destination: this network", dests, "{\"url\":\"http://0.0.0.1/\"}", 400, "url"));
        c.add(post("destination: headers not an object", dests, "{\"url\":\"http://127.0.0.1:9/\",\"headers\":[\"a\"]}", 400, "headers"));
        c.add(post("destination: a header value not a string", dests, "{\"url\":\"http://127.0.0.1:9/\",\"headers\":{\"X-A\":1}}", 400, "headers"));
        c.add(post("destination: a reserved header", dests,
                "{\"url\":\"http://127.0.0.1:9/\",\"headers\":{\"Content-Type\":\"text/plain\"}}", 400, "headers"));
        c.add(post("destination: a header name with a line break", dests,
                "{\"url\":\"http://127.0.0.1:9/\",\"headers\":{\"X-A\\r\\nX-B\":\"v\"}}", 400, "headers"));
        c.add(post("destination: max_in_flight 0", dests, "{\"url\":\"http://127.0.0.1:9/\",\"max_in_flight\":0}", 400, "max_in_flight"));
        c.add(post("destination: max_in_flight too high", dests, "{\"url\":\"http://127.0.0.1:9/\",\"max_in_flight\":100000}", 400, "max_in_flight"));
        c.add(post("destination: max_in_flight a string", dests, "{\"url\":\"http://127.0.0.1:9/\",\"max_in_flight\":\"8\"}", 400, "max_in_flight"));
        c.add(post("destination: operations empty", dests, "{\"url\":\"http://127.0.0.1:9/\",\"operations\":[]}", 400, "operations"));
        c.add(post("destination: an unknown operation", dests, "{\"url\":\"http://127.0.0.1:9/\",\"operations\":[\"INSERT\",\"UPSERT\"]}",
                400, "operations"));
        c.add(post("destination: operations a string", dests, "{\"url\":\"http://127.0.0.1:9/\",\"operations\":\"INSERT\"}", 400, "operations"));
        c.add(new Case("destination: patch operations to a number", "PATCH", dests + "/{dst}", JSON, "{\"operations\": [1]}", 400, "operations"));
        c.add(post("destination: unknown field", dests, "{\"url\":\"http://127.0.0.1:9/\",\"retries\":3}", 400, "retries"));
        c.add(new Case("destination: patch url of the wrong type", "PATCH", dests + "/{dst}", JSON, "{\"url\": 5}", 400, "url"));
        c.add(new Case("destination: patch an unknown id", "PATCH", dests + "/dst_doesnotexist", JSON, "{}", 404, null));
        c.add(post("destination: on another account's source", "/v1/sources/{other_src}/destinations", "{\"url\":\"http://127.0.0.1:9/\"}", 404, null));
        // events
        c.add(get("events: limit 0", "/v1/events?limit=0", 400, "limit"));
        c.add(get("events: limit too high", "/v1/events?limit=101", 400, "limit"));
        c.add(get("events: limit not a number", "/v1/events?limit=ten", 400, "limit"));
        c.add(get("events: an unknown operation", "/v1/events?operation=MERGE", 400, "operation"));
        c.add(get("events: a cursor that was never given", "/v1/events?cursor=bm90LWEtY3Vyc29y", 400, "cursor"));
        c.add(get("events: an unknown id", "/v1/events/evt_000000000000000000000000", 404, null));
        c.add(post("events: retry an unknown id", "/v1/events/evt_000000000000000000000000/retry", "{}", 404, null));
        // keys
        c.add(new Case("no API key", "GET", "/v1/sources", null, null, 401, null));
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aBadRequestGetsAClear4xxNamingTheField(Case bad) {
        ApiClient caller = bad.name().equals("no API key") ? new ApiClient(node.port()) : api;
        String path = bad.path().replace("{src}", src).replace("{dst}", dst).replace("{evt}", evt).replace("{other_src}", otherSrc);

        ApiClient.RawResponse r = caller.raw(bad.method(), path, bad.contentType(), bad.body());

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
    }

    private static Case post(String name, String path, String body, int status, String param) {
        return new Case(name, "POST", path, JSON, body, status, param);
    }

    private static Case get(String name, String path, int status, String param) {
        return new Case(name, "GET", path, null, null, status, param);
    }

    private static String source(String name, String uri, String tables) {
        return "{\"name\":" + name + ",\"connection_uri\":" + uri + ",\"tables\":" + tables + "}";
    }

    private static String q(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
