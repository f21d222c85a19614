package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.TestDb;
import dev.streamhook.testing.TestNodes;
import dev.streamhook.testing.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * POST /v1/sources refuses a database StreamHook could not capture from, before it creates
 * anything there, and says how to fix it; and refuses malformed request bodies naming the field.
 */
class SourceValidationIT {

    private final TestPostgres.Server pg = TestPostgres.embedded();
    private final List<String> roles = new ArrayList<>();
    private TestDb db;
    private Main.Node node;
    private ApiClient api;

    @BeforeEach
    void start(@TempDir Path dataDir) {
        db = pg.createDatabase();
        db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
        node = TestNodes.start(dataDir);
        api = new ApiClient(node.port()).signUp("sources@example.com");
    }

    @AfterEach
    void stop() throws SQLException {
        node.close();
        db.close();
        try (Connection c = superuser("postgres"); Statement s = c.createStatement()) {
            for (String role : roles) {
                s.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }

    @Test
    void aDatabaseThatCannotBeReachedIsRefusedNamingTheAddress() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ApiClient.Response r = create("postgres://postgres@127.0.0.1:" + closedPort + "/" + db.name(), "orders");

        assertRefused(r, "unreachable", "connection_uri", "127.0.0.1:" + closedPort, "Check the host and port");
    }

    @Test
    void credentialsTheDatabaseRejectsAreRefusedWithoutEchoingThePassword() throws Exception {
        String role = role("LOGIN REPLICATION PASSWORD 'the-right-password'");
        Path hba = Path.of(scalar("SHOW hba_file"));
        String original = Files.readString(hba);
        Files.writeString(hba, "host all " + role + " 127.0.0.1/32 scram-sha-256\n" + original);
        try {
            reloadConfig();
            await().atMost(Duration.ofSeconds(10)).until(() -> passwordIsChecked(role));

            ApiClient.Response r = create("postgres://" + role + ":Wrong-Passw0rd-77@127.0.0.1:" + pg.port() + "/" + db.name(), "orders");

            assertRefused(r, "authentication_failed", "connection_uri", role, "Check the user and password");
            assertThat(r.body().toString()).doesNotContain("Wrong-Passw0rd-77");
        } finally {
            Files.writeString(hba, original);
            reloadConfig();
        }
    }

    @Test
    void aUriWithoutAPasswordNeverLogsInWithAPasswordFromTheServersPgpassFile(@TempDir Path home) throws Exception {
        String role = role("LOGIN REPLICATION PASSWORD 'the-operators-password'");
        db.execute("ALTER TABLE orders OWNER TO " + role);
        Path hba = Path.of(scalar("SHOW hba_file"));
        String original = Files.readString(hba);
        Files.writeString(hba, "host all " + role + " 127.0.0.1/32 scram-sha-256\n" + original);
        Path pgpass = home.resolve(".pgpass");
        Files.writeString(pgpass, "*:*:*:" + role + ":the-operators-password\n");
        Files.setPosixFilePermissions(pgpass, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String before = System.getProperty("org.postgresql.pgpassfile");
        System.setProperty("org.postgresql.pgpassfile", pgpass.toString()); // what PGPASSFILE or ~/.pgpass would give PgJDBC
        try {
            reloadConfig();
            await().atMost(Duration.ofSeconds(10)).until(() -> passwordIsChecked(role));
            try (Connection plain = DriverManager.getConnection(pg.jdbcUrl(db.name()), role, null)) {
                assertThat(plain.isValid(1)).as("the file works: PgJDBC alone logs in with it").isTrue();
            }

            ApiClient.Response r = create("postgres://" + role + "@127.0.0.1:" + pg.port() + "/" + db.name(), "orders");

            assertRefused(r, "authentication_failed", "connection_uri", role, "password");
        } finally {
            if (before == null) {
                System.clearProperty("org.postgresql.pgpassfile");
            } else {
                System.setProperty("org.postgresql.pgpassfile", before);
            }
            Files.writeString(hba, original);
            reloadConfig();
        }
    }

    @Test
    void aRoleThatDoesNotExistIsRefusedAsBadCredentials() {
        ApiClient.Response r = create(db.uri("no_such_role_" + suffix(), "whatever"), "orders");

        assertRefused(r, "authentication_failed", "connection_uri", "Check the user and password");
    }

    @Test
    void aDatabaseThatDoesNotExistIsRefusedNamingIt() {
        String missing = "no_such_db_" + suffix();
        ApiClient.Response r = create("postgres://postgres@127.0.0.1:" + pg.port() + "/" + missing, "orders");

        assertRefused(r, "database_not_found", "connection_uri", missing, "Check the database name");
    }

    @Test
    void aServerWithoutLogicalWalLevelIsRefusedWithTheSettingToChange() throws Exception {
        try (EmbeddedPostgres replicaLevel = EmbeddedPostgres.builder().start()) {
            try (Connection c = replicaLevel.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE orders (id int PRIMARY KEY)");
            }
            ApiClient.Response r = create("postgres://postgres@127.0.0.1:" + replicaLevel.getPort() + "/postgres", "orders");

            assertRefused(r, "wal_level_not_logical", "connection_uri", "wal_level = logical", "restart PostgreSQL");
            try (Connection c = replicaLevel.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                var rs = s.executeQuery("SELECT (SELECT count(*) FROM pg_publication) + (SELECT count(*) FROM pg_replication_slots)");
                rs.next();
                assertThat(rs.getLong(1)).as("publications and slots on the refused server").isZero();
            }
        }
    }

    @Test
    void aRoleWithoutReplicationIsRefusedWithTheGrantToRun() {
        String role = role("LOGIN");
        db.execute("GRANT SELECT ON orders TO " + role);

        ApiClient.Response r = create(db.uri(role, null), "orders");

        assertRefused(r, "replication_not_permitted", "connection_uri", "ALTER ROLE \"" + role + "\" WITH REPLICATION");
    }

    @Test
    void aTableThatDoesNotExistIsRefusedNamingItAndNothingIsPublished() {
        ApiClient.Response r = create(db.uri(), "orders", "no_such_table");

        assertRefused(r, "table_not_found", "tables", "public.no_such_table", "does not exist");
    }

    @Test
    void aTableTheRoleMayNotReadIsRefusedWithTheGrantToRun() {
        String role = role("LOGIN REPLICATION");

        ApiClient.Response r = create(db.uri(role, null), "orders");

        assertRefused(r, "table_not_readable", "tables", "GRANT SELECT ON \"public\".\"orders\" TO \"" + role + "\"");
    }

    static Stream<Arguments> badBodies() {
        String uri = "postgres://postgres@127.0.0.1:5432/db";
        return Stream.of(
                Arguments.of("a missing name", "{\"type\":\"postgresql\",\"connection_uri\":\"" + uri + "\",\"tables\":[\"orders\"]}",
                        "name", "'name' is required"),
                Arguments.of("tables given as a string", "{\"name\":\"n\",\"connection_uri\":\"" + uri + "\",\"tables\":\"orders\"}",
                        "tables", "array"),
                Arguments.of("an empty tables array", "{\"name\":\"n\",\"connection_uri\":\"" + uri + "\",\"tables\":[]}",
                        "tables", "non-empty array"),
                Arguments.of("an unknown field", "{\"name\":\"n\",\"connection_uri\":\"" + uri + "\",\"tables\":[\"orders\"],\"colour\":\"red\"}",
                        "colour", "allowed: connection_uri, name, snapshot, tables, type"),
                Arguments.of("a type other than postgresql", "{\"name\":\"n\",\"type\":\"mysql\",\"connection_uri\":\"" + uri + "\",\"tables\":[\"orders\"]}",
                        "type", "\"postgresql\""),
                Arguments.of("a mysql:// connection_uri", "{\"name\":\"n\",\"connection_uri\":\"mysql://u:p@h:3306/db\",\"tables\":[\"orders\"]}",
                        "connection_uri", "postgres:// or postgresql://"),
                Arguments.of("an http:// connection_uri", "{\"name\":\"n\",\"connection_uri\":\"http://h/db\",\"tables\":[\"orders\"]}",
                        "connection_uri", "postgres:// or postgresql://"),
                Arguments.of("a body that is not JSON", "name=n&tables=orders", null, "not valid JSON"),
                Arguments.of("a JSON array body", "[\"orders\"]", null, "JSON object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void aMalformedRequestIsRefusedWith400NamingTheField(String what, String body, String param, String hint) {
        ApiClient.Response r = api.post("/v1/sources", body);

        assertThat(r.status()).as(r.body().toString()).isEqualTo(400);
        JsonNode error = r.body().path("error");
        assertThat(error.path("type").asText()).isNotBlank();
        assertThat(error.path("message").asText()).contains(hint);
        if (param == null) {
            assertThat(error.has("param")).as(error.toString()).isFalse();
        } else {
            assertThat(error.path("param").asText()).isEqualTo(param);
        }
        assertThat(api.get("/v1/sources").body().path("data")).isEmpty();
    }

    // ---- helpers

    private ApiClient.Response create(String uri, String... tables) {
        String list = String.join(", ", Stream.of(tables).map(t -> "\"" + t + "\"").toList());
        return api.post("/v1/sources", """
                {"name": "Production Postgres", "type": "postgresql", "connection_uri": "%s", "tables": [%s]}
                """.formatted(uri, list));
    }

    /** 4xx, the error shape, the fix in the message, and nothing left behind in StreamHook or the database. */
    private void assertRefused(ApiClient.Response r, String type, String param, String... hints) {
        assertThat(r.status()).as(r.body().toString()).isBetween(400, 499);
        JsonNode error = r.body().path("error");
        assertThat(error.path("type").asText()).as(error.toString()).isEqualTo(type);
        assertThat(error.path("param").asText(null)).as(error.toString()).isEqualTo(param);
        assertThat(error.path("message").asText()).contains(hints);
        assertThat(api.get("/v1/sources").body().path("data")).as("sources after a refusal").isEmpty();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT (SELECT count(*) FROM pg_publication), "
                    + "(SELECT count(*) FROM pg_replication_slots WHERE database = current_database())");
            rs.next();
            assertThat(rs.getLong(1)).as("publications left in the database").isZero();
            assertThat(rs.getLong(2)).as("slots left in the database").isZero();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private String role(String options) {
        String role = "sh_role_" + suffix();
        roles.add(role);
        db.execute("CREATE ROLE " + role + " " + options);
        return role;
    }

    private boolean passwordIsChecked(String role) {
        try (Connection ignored = DriverManager.getConnection(pg.jdbcUrl(db.name()), role, "not-the-password")) {
            return false;
        } catch (SQLException e) {
            return "28P01".equals(e.getSQLState());
        }
    }

    private void reloadConfig() {
        scalar("SELECT pg_reload_conf()::text");
    }

    private String scalar(String sql) {
        try (Connection c = superuser("postgres"); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Connection superuser(String database) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(database), pg.superuser(), "");
    }

    private static String suffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }
}
