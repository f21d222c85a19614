package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.config.StoreUrl;
import dev.streamhook.event.Lsn;
import dev.streamhook.testing.StoreBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A store written by an earlier version, opened by this one: its schema is migrated and its rows kept. */
class StoreUpgradeIT {

    @TempDir
    Path dataDir;

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void sourcesOfAnEarlierVersionAreEachGivenTheirOwnEventTagAndNewOnesAnotherOne(StoreBackend backend) throws Exception {
        StoreBackend.Location store = backend.fresh(dataDir);
        Files.createDirectories(dataDir);
        SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
        StoreUrl url = jdbc(store);
        // the schema as version 14 left it, before sources had event tags
        Flyway.configure().dataSource(url.jdbcUrl(), url.user(), url.password()).locations(dialect(backend).migrationLocations())
                .target("14").load().migrate();
        try (Connection c = DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password()); Statement s = c.createStatement()) {
            s.execute("INSERT INTO accounts (id, email, created_at) VALUES ('acc_1', 'a@example.com', 0)");
            for (String id : List.of("src_a", "src_b", "src_c")) {
                s.execute("INSERT INTO sources (id, account_id, name, type, connection_uri_enc, database_name, tables, slot_name, "
                        + "publication_name, status, created_at) VALUES ('" + id + "', 'acc_1', 'n', 'postgresql', '"
                        + secrets.encrypt("postgres://u@h/d") + "', 'd', '[\"public.t\"]', 's_" + id + "', 'p_" + id + "', 'ACTIVE', 0)");
            }
        }
        try (Database db = store.open()) {
            Sources sources = new Sources(db, secrets);
            assertThat(sources.listAll()).extracting(Sources.Source::id).containsExactlyInAnyOrder("src_a", "src_b", "src_c");
            assertThat(sources.listAll()).extracting(Sources.Source::eventTag).as("none yet: given when capture starts").containsOnly(0);
            List<Integer> earlier = sources.listAll().stream().map(s -> sources.ensureEventTag(s).eventTag()).toList();
            assertThat(earlier).hasSize(3).doesNotHaveDuplicates().doesNotContain(0);
            assertThat(sources.listAll()).extracting(Sources.Source::eventTag).as("kept").containsExactlyInAnyOrderElementsOf(earlier);
            assertThat(sources.ensureEventTag(sources.byId("src_a").orElseThrow()).eventTag()).as("given once").isEqualTo(earlier.get(0));
            Sources.Source added = sources.insert(new Sources.Source("src_d", "acc_1", "s", "postgresql", "postgres://u@h/d", "d",
                    List.of("public.t"), "slot", "pub", Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
            assertThat(added.eventTag()).isNotZero().isNotIn(earlier);
            assertThat(sources.byId("src_d").orElseThrow().eventTag()).isEqualTo(added.eventTag());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreBackend.class)
    void aStoreOfThisVersionIsKnownAsCurrentSoItsStartsSkipFlywayAndOneOfAnEarlierVersionIsNot(StoreBackend backend) throws Exception {
        StoreBackend.Location store = backend.fresh(dataDir);
        Files.createDirectories(dataDir);
        StoreUrl url = jdbc(store);
        javax.sql.DataSource dataSource = dataSource(url);
        String earlier = Integer.toString(Integer.parseInt(Schema.LATEST) - 1);
        Flyway.configure().dataSource(url.jdbcUrl(), url.user(), url.password()).locations(dialect(backend).migrationLocations())
                .target(earlier).load().migrate();
        assertThat(Schema.current(dataSource)).isFalse();

        store.open().close();
        assertThat(Schema.current(dataSource)).isTrue();
    }

    private static javax.sql.DataSource dataSource(StoreUrl url) {
        if (url.user() == null && url.jdbcUrl().startsWith("jdbc:sqlite:")) {
            org.sqlite.SQLiteDataSource sqlite = new org.sqlite.SQLiteDataSource();
            sqlite.setUrl(url.jdbcUrl());
            return sqlite;
        }
        org.postgresql.ds.PGSimpleDataSource postgres = new org.postgresql.ds.PGSimpleDataSource();
        postgres.setURL(url.jdbcUrl());
        postgres.setUser(url.user());
        postgres.setPassword(url.password());
        return postgres;
    }

    private static Dialect dialect(StoreBackend backend) {
        return backend == StoreBackend.SQLITE ? Dialect.SQLITE : Dialect.POSTGRESQL;
    }

    private static StoreUrl jdbc(StoreBackend.Location store) {
        return store.postgresUrl() == null ? new StoreUrl("jdbc:sqlite:" + store.dataDir().resolve("streamhook.db"), null, null)
                : StoreUrl.parse("STREAMHOOK_DATABASE_URL", store.postgresUrl());
    }
}
