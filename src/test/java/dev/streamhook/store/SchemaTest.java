package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

class SchemaTest {

    @TempDir
    Path dir;

    @Test
    void theVersionAStoreIsCheckedAgainstIsTheNewestMigrationsSoAnUpgradeIsNeverSkipped() throws Exception {
        Path migrations = Path.of(Schema.class.getResource("/db/migration").toURI());
        List<String> files;
        try (Stream<Path> walk = Files.walk(migrations)) {
            files = walk.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
        }
        // a V16_1__ or V16.1__, a repeatable R__ or a Java migration would need more than the newest version to be checked
        assertThat(files).isNotEmpty().allMatch(n -> n.matches("V\\d+__\\w+\\.sql"), "a versioned SQL migration with a whole number");
        int newest = files.stream().mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow();
        assertThat(Schema.LATEST).isEqualTo(Integer.toString(newest));
    }

    @Test
    void onlyAStoreWhoseNewestMigrationRanAndSucceededCountsAsCurrent() throws Exception {
        SQLiteDataSource store = new SQLiteDataSource();
        store.setUrl("jdbc:sqlite:" + dir.resolve("streamhook.db"));
        assertThat(Schema.current(store)).as("a new store").isFalse();

        Schema.migrate(Dialect.SQLITE, store);
        assertThat(Schema.current(store)).isTrue();

        try (Connection c = store.getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE flyway_schema_history SET success = 0 WHERE version = '" + Schema.LATEST + "'");
        }
        assertThat(Schema.current(store)).as("its last migration failed").isFalse();
    }

    @Test
    void aStoreOfAnEarlierVersionIsMigrated() {
        SQLiteDataSource store = new SQLiteDataSource();
        store.setUrl("jdbc:sqlite:" + dir.resolve("earlier.db"));
        String earlier = Integer.toString(Integer.parseInt(Schema.LATEST) - 1);
        Flyway.configure().dataSource(store).locations(Dialect.SQLITE.migrationLocations()).target(earlier).load().migrate();
        assertThat(Schema.current(store)).isFalse();

        Schema.migrate(Dialect.SQLITE, store);
        assertThat(Schema.current(store)).as("migrated").isTrue();
    }
}
