package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamhook.event.Lsn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store's files: what a copy of its data directory gives away, and how its log is kept. */
class EmbeddedStoreTest {

    @TempDir
    Path dataDir;

    @Test
    void theKeyFileIsReadableByItsOwnerOnly() throws Exception {
        SecretBox.load(Optional.empty(), dataDir);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("master.key")))).isEqualTo("rw-------");
    }

    @Test
    void theKeyFileIsCreatedWithItsDataDirectoryWhenNothingElseMadeIt() throws Exception {
        Path fresh = dataDir.resolve("not-yet");
        SecretBox.load(Optional.empty(), fresh); // a PostgreSQL store creates no data directory of its own
        assertThat(fresh.resolve("master.key")).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rwx------");
    }

    @Test
    void secretsAreNotStoredInClear() throws Exception {
        try (Database db = Database.openEmbedded(dataDir)) {
            SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
            String account = new Accounts(db).create("a@example.com").orElseThrow().account().id();
            new Sources(db, secrets).insert(new Sources.Source("src_1", account, "s", "postgresql", "postgres://u:pw@h/d", "d",
                    List.of("public.t"), "slot", "pub", Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
            new Destinations(db, secrets).upsert(new Destinations.Destination("dst_1", "src_1", "http://127.0.0.1:1/x", "whsec_12345678",
                    null, Map.of("Authorization", "Bearer hdr_token_0123456789"), null, 0));
        }
        Path wal = dataDir.resolve("streamhook.db-wal");
        String all = new String(Files.readAllBytes(dataDir.resolve("streamhook.db")), StandardCharsets.ISO_8859_1)
                + (Files.exists(wal) ? new String(Files.readAllBytes(wal), StandardCharsets.ISO_8859_1) : "");
        assertThat(all).contains("src_1").doesNotContain("postgres://u:pw@h/d").doesNotContain("whsec_12345678")
                .doesNotContain("hdr_token_0123456789").doesNotContain("Authorization");
    }

    @Test
    void aNewDataDirectoryAndItsStoreFileAreOwnerOnly() throws Exception {
        Path fresh = dataDir.resolve("node");
        try (Database db = Database.openEmbedded(fresh)) {
            new Accounts(db).create("a@example.com");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rwx------");
        try (var files = Files.list(fresh)) {
            List<Path> store = files.filter(p -> p.getFileName().toString().startsWith("streamhook.db")).toList();
            assertThat(store).isNotEmpty();
            for (Path p : store) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void headersStoredInClearByAnOlderVersionAreEncryptedAtStartAndStillRead() throws Exception {
        try (Database db = Database.openEmbedded(dataDir)) {
            Destinations destinations = destinationsOfOneSource(db);
            destinations.upsert(new Destinations.Destination("dst_1", "src_1", "http://127.0.0.1:1/x", null, null, Map.of(), null, 0));
            db.update("UPDATE destinations SET headers = ? WHERE id = 'dst_1'", "{\"X-Legacy\":\"legacy_value_42\"}");

            assertThat(destinations.encryptClearHeaders()).isEqualTo(1);
            assertThat(destinations.encryptClearHeaders()).as("a second start changes nothing").isZero();

            assertThat(destinations.find("src_1", "dst_1").orElseThrow().headers()).containsEntry("X-Legacy", "legacy_value_42");
            String stored = db.read(c -> {
                try (var q = c.prepareStatement("SELECT headers FROM destinations WHERE id = 'dst_1'"); var rs = q.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            });
            assertThat(stored).startsWith(SecretBox.PREFIX).doesNotContain("legacy_value_42");
        }
    }

    @Test
    void aPreviousSecretIsReadBackWithItsSchemeAndRemovedOnceItsGracePeriodEnded() throws Exception {
        try (Database db = Database.openEmbedded(dataDir)) {
            Destinations destinations = destinationsOfOneSource(db);
            destinations.upsert(new Destinations.Destination("dst_1", "src_1", "http://127.0.0.1:1/x", "whsec_new_one_12345", "whsec_****2345",
                    Map.of(), null, Destinations.ALL_OPERATIONS, 0).withSigning(Signing.Scheme.BOTH,
                    new Destinations.PreviousSecret("whsec_old_one_12345", "whsec_****old", 5_000)));

            Destinations.Destination read = destinations.find("src_1", "dst_1").orElseThrow();
            assertThat(read.signatureScheme()).isEqualTo(Signing.Scheme.BOTH);
            assertThat(read.signing().secretsAt(4_999)).containsExactly("whsec_new_one_12345", "whsec_old_one_12345");
            assertThat(read.signing().secretsAt(5_000)).containsExactly("whsec_new_one_12345");

            assertThat(destinations.dropExpiredPreviousSecrets(4_999)).isZero();
            assertThat(destinations.dropExpiredPreviousSecrets(5_000)).isEqualTo(1);
            assertThat(destinations.find("src_1", "dst_1").orElseThrow().previous()).isNull();
            assertThat(destinations.find("src_1", "dst_1").orElseThrow().secret()).isEqualTo("whsec_new_one_12345");
        }
    }

    /** The destinations of a store holding one account with one source, {@code src_1}. */
    private Destinations destinationsOfOneSource(Database db) {
        SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
        String account = new Accounts(db).create("a@example.com").orElseThrow().account().id();
        new Sources(db, secrets).insert(new Sources.Source("src_1", account, "s", "postgresql", "postgres://u@h/d", "d",
                List.of("public.t"), "slot", "pub", Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
        return new Destinations(db, secrets);
    }

    @Test
    void anIdleStoreWakesNoThreadUntilSomethingIsWrittenAndThenCopiesItIntoItsFile() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (Database db = Database.openEmbedded(dataDir)) {
            db.update("CREATE TABLE filler (id INTEGER PRIMARY KEY, b BLOB)");
            List<Thread> store = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                    .filter(t -> t.getName().equals("store-writer") || t.getName().equals("store-checkpoint")).toList();
            assertThat(store).hasSize(2);
            // once the checkpoint has copied what was written, both wait without a timeout: nothing wakes them to look
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> store.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
            for (int look = 0; look < 10; look++) { // a thread that looked every 100 ms would be caught sleeping
                Thread.sleep(50);
                assertThat(store).allMatch(t -> t.getState() == Thread.State.WAITING, "waiting without a timeout");
            }

            Path file = dataDir.resolve("streamhook.db");
            long idleSize = Files.size(file);
            db.update("INSERT INTO filler (b) VALUES (?)", (Object) new byte[1 << 20]);
            // no commit copies its pages (the writer's automatic checkpoint is off): the woken checkpoint thread does
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(file) > idleSize + (1 << 19));
        }
    }

    @Test
    void theStoresLogStaysSmallUnderSteadyWritesThoughNoCommitCheckpointsIt() throws Exception {
        try (Database db = Database.openEmbedded(dataDir)) {
            db.update("CREATE TABLE filler (id INTEGER PRIMARY KEY, b BLOB)");
            byte[] blob = new byte[64 * 1024];
            for (int round = 0; round < 6; round++) { // 6 x 2 MiB, a second apart: the checkpointer runs every second
                for (int i = 0; i < 32; i++) {
                    db.update("INSERT INTO filler (b) VALUES (?)", (Object) blob);
                }
                Thread.sleep(1_200);
            }
            // without checkpoints the log would hold all 12 MiB; with them it is reused from its start
            assertThat(Files.size(dataDir.resolve("streamhook.db-wal"))).isLessThan(6L << 20);
        }
    }

    @Test
    void theStoresLogIsStartedOverDuringABacklogThoughReadsAndWritesNeverPause() throws Exception {
        try (Database db = Database.openEmbedded(dataDir)) {
            db.update("CREATE TABLE filler (id INTEGER PRIMARY KEY, b BLOB)");
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread reader = Thread.ofPlatform().start(() -> { // as lanes read pending deliveries all through a backlog
                while (writing.get()) {
                    db.read(c -> {
                        try (var s = c.createStatement(); var r = s.executeQuery("SELECT max(id) FROM filler")) {
                            return r.next() ? r.getLong(1) : 0L;
                        }
                    });
                }
            });
            byte[] blob = new byte[64 * 1024];
            long largestLog = 0;
            long lastLog = 0;
            int cutBack = 0;
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            int written = 0;
            try {
                while (written < 4_096 && System.nanoTime() < deadline) { // 256 MiB back to back, as capture appends a backlog
                    db.update("INSERT INTO filler (b) VALUES (?)", (Object) blob);
                    written++;
                    Path wal = dataDir.resolve("streamhook.db-wal");
                    long log = Files.exists(wal) ? Files.size(wal) : 0;
                    cutBack += log < lastLog ? 1 : 0;
                    lastLog = log;
                    largestLog = Math.max(largestLog, log);
                }
            } finally {
                writing.set(false);
                reader.join();
            }
            long writtenBytes = (long) written * blob.length;
            assertThat(writtenBytes).as("enough written to matter").isGreaterThan(128L << 20);
            // a log that is never started over holds everything written (all 256 MiB); this one is started over
            // every few tenths of a second and cut back each time (43-101 MiB at most here, writing 70-120 MB/s:
            // the checkpoint thread looks every 100 ms, so the faster the disk, the further past 32 MiB it gets)
            assertThat(cutBack).as("times the log file was cut back").isPositive();
            assertThat(largestLog).as("largest log while %d MiB were written", writtenBytes >> 20).isLessThan(writtenBytes / 2);
        }
    }
}
