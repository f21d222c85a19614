package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.event.Lsn;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import dev.streamhook.testing.WebhookReceiver;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What real databases do while capture streams, checked at a real receiver on every PostgreSQL
 * major of the run: primary keys that change, REPLICA IDENTITY USING INDEX and FULL, TRUNCATE,
 * messages that are not changes, columns added, dropped, renamed and retyped, partitions,
 * generated columns, TOASTed values, and the transaction id and position in the metadata.
 */
class StreamChangesIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static Stream<TestPostgres.Server> servers() {
        return TestPostgres.allOncePerBuild().stream(); // each source version once per build; the PostgreSQL store's run on the embedded one
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aPrimaryKeyChangeIsOrderedAfterTheOldKeysEventsAndBeforeTheNewKeysAndDeletesKeepTheirRowsKeyUnderEveryIdentity(
            TestPostgres.Server server, @TempDir Path dataDir) {
        try (TestDb db = server.createDatabase(); WebhookReceiver receiver = new WebhookReceiver(); Main.Node node = TestNodes.start(dataDir)) {
            db.execute("CREATE TABLE moves (id int PRIMARY KEY, v text)",
                    "CREATE TABLE coded (id int PRIMARY KEY, code text NOT NULL, v text)",
                    "CREATE UNIQUE INDEX coded_code ON coded (code)",
                    "ALTER TABLE coded REPLICA IDENTITY USING INDEX coded_code",
                    "CREATE TABLE fulls (id int PRIMARY KEY, v text)",
                    "ALTER TABLE fulls REPLICA IDENTITY FULL");
            ApiClient api = new ApiClient(node.port()).signUp("keys@example.com");
            String sourceId = source(api, db, "moves", "coded", "fulls");
            destination(api, sourceId, receiver.url(), null);
            // each row's first event fails once: were the row's next event keyed elsewhere, it would overtake the retry
            receiver.failOnceWhenBodyContains("\"after\":{\"id\":1,\"v\":\"a\"}");
            receiver.failOnceWhenBodyContains("\"after\":{\"id\":1,\"code\":\"C1\",\"v\":\"x\"}");
            receiver.failOnceWhenBodyContains("\"after\":{\"id\":1,\"v\":\"f\"}");

            db.execute("INSERT INTO moves VALUES (1, 'a')", "INSERT INTO moves VALUES (2, 'b')", "DELETE FROM moves WHERE id = 2",
                    "UPDATE moves SET id = 2 WHERE id = 1", "INSERT INTO moves VALUES (1, 'c')", "UPDATE moves SET v = 'd' WHERE id = 2",
                    "INSERT INTO coded VALUES (1, 'C1', 'x')", "DELETE FROM coded WHERE id = 1",
                    "INSERT INTO fulls VALUES (1, 'f')", "DELETE FROM fulls WHERE id = 1");

            List<JsonNode> seen = awaitEvents(receiver, 10);
            Predicate<JsonNode> insertA = e -> is(e, "moves", "INSERT") && e.at("/after/v").asText().equals("a");
            Predicate<JsonNode> deleteB = e -> is(e, "moves", "DELETE");
            Predicate<JsonNode> keyChange = e -> is(e, "moves", "UPDATE") && e.at("/before/id").asInt() == 1 && e.at("/after/id").asInt() == 2;
            Predicate<JsonNode> insertC = e -> is(e, "moves", "INSERT") && e.at("/after/v").asText().equals("c");
            Predicate<JsonNode> updateD = e -> is(e, "moves", "UPDATE") && e.at("/after/v").asText().equals("d");
            assertThat(last(seen, insertA)).as("the old key's insert is settled before the key change").isLessThan(first(seen, keyChange));
            assertThat(last(seen, deleteB)).as("the new key's earlier delete goes before the key change").isLessThan(first(seen, keyChange));
            assertThat(last(seen, keyChange)).as("a new row under the old key waits for the key change").isLessThan(first(seen, insertC));
            assertThat(last(seen, keyChange)).as("the new key's later update waits for the key change").isLessThan(first(seen, updateD));
            assertThat(seen.get(first(seen, keyChange)).get("before").toString()).isEqualTo("{\"id\":1}");

            assertThat(last(seen, e -> is(e, "coded", "INSERT"))).isLessThan(first(seen, e -> is(e, "coded", "DELETE")));
            assertThat(seen.get(first(seen, e -> is(e, "coded", "DELETE"))).get("before").toString()).isEqualTo("{\"code\":\"C1\"}");
            assertThat(last(seen, e -> is(e, "fulls", "INSERT"))).isLessThan(first(seen, e -> is(e, "fulls", "DELETE")));
            assertThat(seen.get(first(seen, e -> is(e, "fulls", "DELETE"))).get("before").toString()).isEqualTo("{\"id\":1,\"v\":\"f\"}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void truncatingTablesSendsOneTruncateEventPerTableInTableOrderAndADestinationMayOptOut(
            TestPostgres.Server server, @TempDir Path dataDir) {
        try (TestDb db = server.createDatabase(); WebhookReceiver all = new WebhookReceiver(); WebhookReceiver rowsOnly = new WebhookReceiver();
             Main.Node node = TestNodes.start(dataDir)) {
            db.execute("CREATE TYPE mood AS ENUM ('ok', 'meh')", // a type of its own: the stream carries a Type message too
                    "CREATE TABLE parents (id int PRIMARY KEY)",
                    "CREATE TABLE children (id int PRIMARY KEY, parent int REFERENCES parents, m mood)");
            ApiClient api = new ApiClient(node.port()).signUp("truncate@example.com");
            String sourceId = source(api, db, "parents", "children");
            destination(api, sourceId, all.url(), null);
            ApiClient.Response optedOut = destination(api, sourceId, rowsOnly.url(), "[\"INSERT\", \"update\", \"DELETE\"]");
            assertThat(optedOut.body().get("operations").toString()).isEqualTo("[\"INSERT\",\"UPDATE\",\"DELETE\"]");
            all.failOnceWhenBodyContains("\"after\":{\"id\":2,\"parent\":1,\"m\":\"ok\"}");

            db.execute("INSERT INTO parents VALUES (1)", "INSERT INTO children VALUES (1, 1, 'ok')", "INSERT INTO children VALUES (2, 1, 'ok')",
                    "SELECT pg_logical_emit_message(true, 'app', 'in a transaction')",
                    "SELECT pg_logical_emit_message(false, 'app', 'outside one')",
                    "TRUNCATE parents RESTART IDENTITY CASCADE",
                    "INSERT INTO parents VALUES (2)", "INSERT INTO children VALUES (3, 2, 'meh')");

            List<JsonNode> seen = awaitEvents(all, 7);
            List<JsonNode> truncates = seen.stream().filter(e -> e.get("operation").asText().equals("TRUNCATE")).distinct().toList();
            assertThat(truncates).extracting(e -> e.at("/source/table").asText()).containsExactlyInAnyOrder("parents", "children");
            for (JsonNode t : truncates) {
                assertThat(t.get("before").isNull()).isTrue();
                assertThat(t.get("after").isNull()).isTrue();
                assertThat(t.at("/metadata/cascade").asBoolean()).isTrue();
                assertThat(t.at("/metadata/restart_identity").asBoolean()).isTrue();
                assertThat(t.at("/metadata/xid").asLong()).isEqualTo(truncates.get(0).at("/metadata/xid").asLong());
            }
            assertThat(truncates).extracting(e -> e.at("/metadata/position").asInt()).containsExactlyInAnyOrder(0, 1);
            Predicate<JsonNode> truncateChildren = e -> is(e, "children", "TRUNCATE");
            assertThat(last(seen, e -> is(e, "children", "INSERT") && e.at("/after/id").asInt() == 2))
                    .as("the truncate waits for every earlier event of its table, here one being retried").isLessThan(first(seen, truncateChildren));
            assertThat(last(seen, truncateChildren)).isLessThan(first(seen, e -> is(e, "children", "INSERT") && e.at("/after/id").asInt() == 3));
            assertThat(last(seen, e -> is(e, "parents", "TRUNCATE"))).isLessThan(first(seen, e -> is(e, "parents", "INSERT") && e.at("/after/id").asInt() == 2));

            // the destination that left TRUNCATE out gets every row change, the later ones too
            List<JsonNode> rows = awaitEvents(rowsOnly, 5);
            assertThat(rows).extracting(e -> e.get("operation").asText()).containsOnly("INSERT");

            JsonNode listed = api.get("/v1/events?source_id=" + sourceId + "&operation=truncate").body().get("data");
            assertThat(listed).hasSize(2);
            JsonNode detail = api.get("/v1/events/" + listed.get(0).get("id").asText()).body();
            assertThat(statuses(detail.get("deliveries"))).containsExactlyInAnyOrder("succeeded", "skipped");

            // opting in again later: the next TRUNCATE reaches it
            String optedOutId = optedOut.text("id");
            ApiClient.Response patched = api.patch("/v1/sources/" + sourceId + "/destinations/" + optedOutId, "{\"operations\": null}");
            assertThat(patched.body().get("operations").toString()).isEqualTo("[\"INSERT\",\"UPDATE\",\"DELETE\",\"TRUNCATE\"]");
            db.execute("TRUNCATE children");
            await().atMost(Duration.ofSeconds(30)).until(() -> events(rowsOnly).stream().anyMatch(e -> is(e, "children", "TRUNCATE")));
            JsonNode lastTruncate = events(rowsOnly).stream().filter(e -> is(e, "children", "TRUNCATE")).findFirst().orElseThrow();
            assertThat(lastTruncate.at("/metadata/cascade").asBoolean()).isFalse();
            assertThat(lastTruncate.at("/metadata/restart_identity").asBoolean()).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void columnsAddedDroppedRenamedAndRetypedMidStreamShowInTheNextEventsWithTheirTransactionAndPosition(
            TestPostgres.Server server, @TempDir Path dataDir) throws SQLException {
        try (TestDb db = server.createDatabase(); WebhookReceiver receiver = new WebhookReceiver(); Main.Node node = TestNodes.start(dataDir)) {
            db.execute("CREATE TABLE shapes (id int PRIMARY KEY, qty int, note text)");
            ApiClient api = new ApiClient(node.port()).signUp("shapes@example.com");
            String sourceId = source(api, db, "shapes");
            destination(api, sourceId, receiver.url(), null);

            db.execute("INSERT INTO shapes VALUES (1, 7, 'a')");
            awaitEvents(receiver, 1); // streaming has begun: what follows changes the table under a running session
            db.execute("ALTER TABLE shapes ADD COLUMN color text DEFAULT 'red'", "INSERT INTO shapes VALUES (2, 7, 'b', 'blue')",
                    "ALTER TABLE shapes DROP COLUMN note", "INSERT INTO shapes VALUES (3, 7, 'green')",
                    "ALTER TABLE shapes RENAME COLUMN qty TO amount", "INSERT INTO shapes VALUES (4, 7, 'pink')",
                    "ALTER TABLE shapes ALTER COLUMN amount TYPE text", "INSERT INTO shapes VALUES (5, '7', 'grey')",
                    "UPDATE shapes SET color = 'black' WHERE id = 1");
            long xid;
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute("INSERT INTO shapes VALUES (6, '8', 'white')");
                s.execute("INSERT INTO shapes VALUES (7, '9', 'white')");
                ResultSet rs = s.executeQuery("SELECT txid_current() % 4294967296");
                rs.next();
                xid = rs.getLong(1);
                c.commit();
            }

            List<JsonNode> seen = inCommitOrder(awaitEvents(receiver, 8)); // different rows may arrive in any order
            assertThat(seen).extracting(e -> e.get("after").toString()).containsExactly(
                    "{\"id\":1,\"qty\":7,\"note\":\"a\"}",
                    "{\"id\":2,\"qty\":7,\"note\":\"b\",\"color\":\"blue\"}",
                    "{\"id\":3,\"qty\":7,\"color\":\"green\"}",
                    "{\"id\":4,\"amount\":7,\"color\":\"pink\"}",
                    "{\"id\":5,\"amount\":\"7\",\"color\":\"grey\"}",
                    "{\"id\":1,\"amount\":\"7\",\"color\":\"black\"}",
                    "{\"id\":6,\"amount\":\"8\",\"color\":\"white\"}",
                    "{\"id\":7,\"amount\":\"9\",\"color\":\"white\"}");
            assertThat(seen.get(6).at("/metadata/xid").asLong()).isEqualTo(xid);
            assertThat(seen.get(7).at("/metadata/xid").asLong()).isEqualTo(xid);
            assertThat(seen.subList(6, 8)).extracting(e -> e.at("/metadata/position").asInt()).containsExactly(0, 1);
            assertThat(seen.get(5).at("/metadata/position").asInt()).isZero();
            assertThat(seen.get(5).at("/metadata/xid").asLong()).isNotEqualTo(xid);
            String lastBody = receiver.requests().stream().map(WebhookReceiver.Request::bodyText)
                    .filter(b -> b.contains("\"after\":{\"id\":7,")).findFirst().orElseThrow();
            assertThat(lastBody).contains("\"metadata\":{\"source_id\":\"" + sourceId
                    + "\",\"connector\":\"postgresql\",\"lsn\":\"").contains("\",\"xid\":" + xid + ",\"position\":1,\"snapshot\":false}}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aPartitionsChangesArriveUnderTheRootTableAndGeneratedColumnsWhereTheServerPublishesThem(
            TestPostgres.Server server, @TempDir Path dataDir) throws SQLException {
        int major;
        try (TestDb db = server.createDatabase(); WebhookReceiver receiver = new WebhookReceiver()) {
            try (Connection c = db.connect()) {
                major = c.getMetaData().getDatabaseMajorVersion();
            }
            db.execute("CREATE TABLE measurements (id int, at date, v numeric, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
                    "CREATE TABLE measurements_2026 PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
                    "CREATE TABLE priced (id int PRIMARY KEY, price numeric, tax numeric GENERATED ALWAYS AS (price / 5) STORED)");
            String publication;
            try (Main.Node node = TestNodes.start(dataDir)) {
                ApiClient api = new ApiClient(node.port()).signUp("partitions@example.com");
                String sourceId = source(api, db, "measurements", "priced");
                destination(api, sourceId, receiver.url(), null);
                publication = scalar(db, "SELECT pubname FROM pg_publication");
                assertThat(scalar(db, "SELECT pubviaroot::text FROM pg_publication")).isEqualTo("true");
                db.execute("INSERT INTO measurements VALUES (1, '2026-03-13', 1.5)", "INSERT INTO priced VALUES (1, 10)");
                List<JsonNode> seen = inCommitOrder(awaitEvents(receiver, 2));
                assertThat(seen.get(0).at("/source/table").asText()).isEqualTo("measurements");
                assertThat(seen.get(0).get("after").toString()).isEqualTo("{\"id\":1,\"at\":\"2026-03-13\",\"v\":1.5}");
                // PostgreSQL 18 publishes stored generated columns when asked; before 18 it never sends them
                assertThat(seen.get(1).get("after").toString())
                        .isEqualTo(major >= 18 ? "{\"id\":1,\"price\":10,\"tax\":2}" : "{\"id\":1,\"price\":10}");
            }
            // a publication made by an earlier version, without the option: capture sets it when it starts
            db.execute("ALTER PUBLICATION " + publication + " SET (publish_via_partition_root = false)");
            try (Main.Node restarted = TestNodes.start(dataDir)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> "true".equals(scalar(db, "SELECT pubviaroot::text FROM pg_publication")));
                db.execute("INSERT INTO measurements VALUES (2, '2026-03-14', 2.5)");
                List<JsonNode> seen = inCommitOrder(awaitEvents(receiver, 3));
                assertThat(seen.get(2).at("/source/table").asText()).isEqualTo("measurements");
                assertThat(seen.get(2).get("after").toString()).isEqualTo("{\"id\":2,\"at\":\"2026-03-14\",\"v\":2.5}");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void anUnchangedToastedValueComesFromTheBeforeImageUnderReplicaIdentityFullAndIsOtherwiseNamedUnchanged(
            TestPostgres.Server server, @TempDir Path dataDir) throws SQLException {
        try (TestDb db = server.createDatabase(); WebhookReceiver receiver = new WebhookReceiver(); Main.Node node = TestNodes.start(dataDir)) {
            db.execute("CREATE TABLE docs (id int PRIMARY KEY, title text, body text)",
                    "CREATE TABLE docs_full (id int PRIMARY KEY, title text, body text)",
                    "ALTER TABLE docs_full REPLICA IDENTITY FULL");
            ApiClient api = new ApiClient(node.port()).signUp("toast@example.com");
            String sourceId = source(api, db, "docs", "docs_full");
            destination(api, sourceId, receiver.url(), null);
            byte[] random = new byte[4000];
            new SecureRandom().nextBytes(random);
            String big = HexFormat.of().formatHex(random); // 8,000 characters that compress to no less than 4,000 bytes: TOASTed out of line
            try (Connection c = db.connect()) {
                for (String table : List.of("docs", "docs_full")) {
                    try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + table + " VALUES (1, 't', ?)")) {
                        ins.setString(1, big);
                        ins.execute();
                    }
                }
            }
            for (String table : List.of("docs", "docs_full")) {
                assertThat(Long.parseLong(scalar(db, "SELECT count(*) FROM " + scalar(db,
                        "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = '" + table + "'")))).as("TOAST rows of " + table).isPositive();
            }
            db.execute("UPDATE docs SET title = 'u' WHERE id = 1", "UPDATE docs_full SET title = 'u' WHERE id = 1");

            List<JsonNode> seen = awaitEvents(receiver, 4);
            JsonNode plain = seen.get(first(seen, e -> is(e, "docs", "UPDATE")));
            assertThat(plain.get("after").toString()).isEqualTo("{\"id\":1,\"title\":\"u\"}");
            assertThat(plain.at("/metadata/unchanged_columns").toString()).isEqualTo("[\"body\"]");
            assertThat(plain.get("before").isNull()).isTrue();

            JsonNode full = seen.get(first(seen, e -> is(e, "docs_full", "UPDATE")));
            assertThat(full.at("/after/body").asText()).isEqualTo(big);
            assertThat(full.at("/after/title").asText()).isEqualTo("u");
            assertThat(full.at("/before/body").asText()).isEqualTo(big);
            assertThat(full.get("metadata").has("unchanged_columns")).isFalse();
        }
    }

    private static String source(ApiClient api, TestDb db, String... tables) {
        String list = Stream.of(tables).map(t -> "\"" + t + "\"").collect(Collectors.joining(", "));
        ApiClient.Response source = api.post("/v1/sources", """
                {"name": "stream", "type": "postgresql", "connection_uri": "%s", "tables": [%s]}
                """.formatted(db.uri(), list));
        assertThat(source.status()).as(source.body().toString()).isEqualTo(201);
        return source.text("id");
    }

    private static ApiClient.Response destination(ApiClient api, String sourceId, String url, String operations) {
        ApiClient.Response d = api.post("/v1/sources/" + sourceId + "/destinations", """
                {"url": "%s", "secret": "whsec_stream_secret"%s}
                """.formatted(url, operations == null ? "" : ", \"operations\": " + operations));
        assertThat(d.status()).as(d.body().toString()).isEqualTo(201);
        return d;
    }

    /** Every request the receiver got, failed attempts included, in arrival order. */
    private static List<JsonNode> events(WebhookReceiver receiver) {
        return receiver.requests().stream().map(r -> read(r.bodyText())).toList();
    }

    /** Waits for {@code count} distinct events and no more, then returns every request's body in arrival order. */
    private static List<JsonNode> awaitEvents(WebhookReceiver receiver, int count) {
        await().atMost(Duration.ofSeconds(40)).until(() -> distinct(receiver) >= count);
        List<JsonNode> seen = events(receiver);
        assertThat(distinct(receiver)).as(seen.toString()).isEqualTo(count);
        return seen;
    }

    private static long distinct(WebhookReceiver receiver) {
        return receiver.requests().stream().map(r -> r.header("X-StreamHook-Event-ID")).distinct().count();
    }

    /** Distinct events sorted by commit LSN and position in the transaction. */
    private static List<JsonNode> inCommitOrder(List<JsonNode> seen) {
        return seen.stream().distinct().sorted(java.util.Comparator
                .comparing((JsonNode e) -> Lsn.parse(e.at("/metadata/lsn").asText()))
                .thenComparingInt(e -> e.at("/metadata/position").asInt())).toList();
    }

    private static boolean is(JsonNode e, String table, String operation) {
        return e.at("/source/table").asText().equals(table) && e.get("operation").asText().equals(operation);
    }

    private static int first(List<JsonNode> seen, Predicate<JsonNode> which) {
        for (int i = 0; i < seen.size(); i++) {
            if (which.test(seen.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such event among " + seen);
    }

    /** The last attempt of the event: once it is there, the event was delivered. */
    private static int last(List<JsonNode> seen, Predicate<JsonNode> which) {
        for (int i = seen.size() - 1; i >= 0; i--) {
            if (which.test(seen.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such event among " + seen);
    }

    private static List<String> statuses(JsonNode deliveries) {
        return java.util.stream.StreamSupport.stream(deliveries.spliterator(), false).map(d -> d.get("status").asText()).toList();
    }

    private static String scalar(TestDb db, String sql) {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
