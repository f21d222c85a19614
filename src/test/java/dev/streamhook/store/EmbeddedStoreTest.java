package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.event.Lsn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a copy of the embedded store's data directory gives away. */
class EmbeddedStoreTest {

    @TempDir
    Path dataDir;

    @Test
    void theKeyFileIsReadableByItsOwnerOnly() throws Exception {
        SecretBox.load(Optional.empty(), dataDir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("master.key")))).isEqualTo("rw-------");
    }

    @Test
    void theKeyFileIsCreatedWithItsDataDirectoryWhenNothingElseMadeIt() {
        Path fresh = dataDir.resolve("not-yet");
        SecretBox.load(Optional.empty(), fresh); // a PostgreSQL store creates no data directory of its own
        assertThat(fresh.resolve("master.key")).exists();
    }

    @Test
    void secretsAreNotStoredInClear() throws Exception {
        try (Database db = Database.openEmbedded(dataDir)) {
            SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
            String account = new Accounts(db).create("a@example.com").orElseThrow().account().id();
            new Sources(db, secrets).insert(new Sources.Source("src_1", account, "s", "postgresql", "postgres://u:pw@h/d", "d",
                    List.of("public.t"), "slot", "pub", Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
            new Destinations(db, secrets).upsert(new Destinations.Destination("dst_1", "src_1", "http://127.0.0.1:1/x", "whsec_12345678",
                    null, Map.of(), null, 0));
        }
        Path wal = dataDir.resolve("streamhook.db-wal");
        String all = new String(Files.readAllBytes(dataDir.resolve("streamhook.db")), StandardCharsets.ISO_8859_1)
                + (Files.exists(wal) ? new String(Files.readAllBytes(wal), StandardCharsets.ISO_8859_1) : "");
        assertThat(all).contains("src_1").doesNotContain("postgres://u:pw@h/d").doesNotContain("whsec_12345678");
    }
}
