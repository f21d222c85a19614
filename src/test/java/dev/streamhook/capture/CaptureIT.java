package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.NodeJs;
import dev.streamhook.testing.Quickstart;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capture against a real PostgreSQL: value mapping, large transactions, WAL safety. */
class CaptureIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    @TempDir
    Path dataDir;
    private TestDb db;
    private WebhookReceiver receiver;
    private Main.Node node;
    private ApiClient api;

    @BeforeEach
    void setUp() {
        db = TestPostgres.embedded().createDatabase();
        receiver = new WebhookReceiver();
        node = TestNodes.start(dataDir);
        api = new ApiClient(node.port()).signUp("capture@example.com");
    }

    @AfterEach
    void tearDown() {
        node.close();
        receiver.close();
        db.close();
    }

    @Test
    void everyMappedTypeArrivesAsJavaScriptReadsItBackByteForByte() throws Exception {
        db.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')",
                "CREATE TABLE kinds (id bigint PRIMARY KEY, small int2, big int8, huge int8, f4 float4, f8 float8, nan float8, "
                        + "exact numeric, inexact numeric, money_like numeric(12,2), flag bool, doc jsonb, raw json, tags text[], "
                        + "grid int[][], blob bytea, day date, at timestamptz, local timestamp, u uuid, m mood, t text, "
                        + "ch char(3), tm time, iv interval)");
        Quickstart.sourceWithDestination(api, db, "kinds", receiver.url(), "whsec_types_secret");
        db.execute("INSERT INTO kinds VALUES (1, -32768, 9007199254740991, 9223372036854775807, 0.1, 1e21, 'NaN', "
                + "99.00, 12345678901234567890.123, 1234567890.12, true, '{\"b\": 1, \"10\": [1.50, \"x\"], \"2\": null}', "
                + "'{\"z\":1,\"a\":2}', '{\"a\",\"b \\\"q\\\"\",NULL}', '{{1,2},{3,4}}', '\\x00ff10', '2026-03-13', "
                + "'2026-03-13 10:30:00.123456+02', '2026-03-13 10:30:00', 'a1b2c3d4-0000-4000-8000-000000000001', 'happy', "
                + "E'line\\nbreak \\u2028 \\u0001 é', 'ab', '10:30:00', '1 day 02:00:00')");

        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.requests().size() >= 1);
        String body = receiver.requests().get(0).bodyText();
        assertThat(NodeJs.reserialize(List.of(body))).containsExactly(body);
        JsonNode after = MAPPER.readTree(body).get("after");
        assertThat(after.toString()).isEqualTo(MAPPER.readTree("""
                {"id":1,"small":-32768,"big":9007199254740991,"huge":"9223372036854775807","f4":0.1,"f8":1e21,"nan":"NaN",
                 "exact":99,"inexact":"12345678901234567890.123","money_like":1234567890.12,"flag":true,
                 "doc":{"2":null,"10":[1.5,"x"],"b":1},"raw":{"z":1,"a":2},"tags":["a","b \\"q\\"",null],"grid":[[1,2],[3,4]],
                 "blob":"AP8Q","day":"2026-03-13","at":"2026-03-13T08:30:00.123456Z","local":"2026-03-13T10:30:00.000",
                 "u":"a1b2c3d4-0000-4000-8000-000000000001","m":"happy","t":"line\\nbreak \\u2028 \\u0001 é","ch":"ab ",
                 "tm":"10:30:00","iv":"1 day 02:00:00"}""").toString());
        assertThat(body).contains("\"f8\":1e+21").contains("\"doc\":{\"2\":null,\"10\":[1.5,\"x\"],\"b\":1}").contains("\\u0001");
    }

    @Test
    void aLargeTransactionArrivesWholeEachRowOnceUnderOneCommitLsn() {
        db.execute("CREATE TABLE bulk (id int PRIMARY KEY, v text)");
        Quickstart.sourceWithDestination(api, db, "bulk", receiver.url(), "whsec_bulk_secret");
        db.execute("INSERT INTO bulk SELECT g, 'row ' || g FROM generate_series(1, 2000) g");

        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.requests().size() >= 2000);
        List<WebhookReceiver.Request> requests = receiver.requests();
        assertThat(requests).hasSize(2000);
        assertThat(requests.stream().map(r -> r.header("X-StreamHook-Event-ID")).distinct()).hasSize(2000);
        // its rows are different rows, so they go in parallel: whole and once each, not in any order
        assertThat(requests.stream().map(r -> read(r.bodyText()).at("/after/id").asInt()).collect(java.util.stream.Collectors.toSet()))
                .hasSize(2000).allMatch(id -> id >= 1 && id <= 2000);
        assertThat(requests.stream().map(r -> read(r.bodyText()).at("/metadata/lsn").asText()).distinct()).hasSize(1);
    }

    @Test
    void anIdleSourceConfirmsTheServersPositionSoItsSlotDoesNotHoldWal() throws Exception {
        db.execute("CREATE TABLE watched (id int PRIMARY KEY)", "CREATE TABLE unwatched (id int PRIMARY KEY, filler text)");
        String sourceId = Quickstart.sourceWithDestination(api, db, "watched", receiver.url(), "whsec_idle_secret");
        await().atMost(Duration.ofSeconds(20)).until(() -> "active".equals(api.get("/v1/sources/" + sourceId).text("status")));
        long before = db.walPosition();
        db.execute("INSERT INTO unwatched SELECT g, repeat('x', 500) FROM generate_series(1, 20000) g");
        java.time.Instant written = java.time.Instant.now();
        long unwatchedWal = db.walPosition() - before; // about 12 MB

        // capture measures the lag periodically; a measurement taken after the write must show it gone. Not
        // to zero: other databases of the server (the store itself, on the PostgreSQL store) write WAL too
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            JsonNode stats = api.get("/v1/sources/" + sourceId).body().path("stats");
            assertThat(stats.path("slot_lag_measured_at").asText("")).isNotEmpty();
            assertThat(java.time.Instant.parse(stats.path("slot_lag_measured_at").asText())).isAfter(written);
            assertThat(stats.path("slot_lag_bytes").asLong(Long.MAX_VALUE)).isLessThan(unwatchedWal / 20);
        });
        assertThat(receiver.requests()).isEmpty();
    }

    private static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
