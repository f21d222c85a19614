package dev.streamhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.json.JsonValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event log on a real SQLite file in a temporary data directory. */
class EventLogTest {

    @TempDir
    Path dataDir;
    private Database db;
    private EventLog log;
    private DeliveryQueue queue;
    private Sources sources;
    private String account;

    @BeforeEach
    void open() {
        db = Database.openEmbedded(dataDir);
        SecretBox secrets = SecretBox.load(Optional.empty(), dataDir);
        log = new EventLog(db);
        queue = new DeliveryQueue(db, secrets, java.time.Duration.ofMinutes(1));
        sources = new Sources(db, secrets);
        account = new Accounts(db).create("log@example.com").orElseThrow().account().id();
        sources.insert(new Sources.Source("src_1", account, "s", "postgresql", "postgres://u:pw@h/d", "d", List.of("public.t"),
                "slot", "pub", Sources.Status.ACTIVE, null, Lsn.ZERO, 0, null, 0));
        new Destinations(db, secrets).upsert(new Destinations.Destination("dst_1", "src_1", "http://127.0.0.1:1/x", "whsec_12345678",
                null, Map.of(), 0));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static ChangeEvent event(Lsn commit, int position, String key) {
        return new ChangeEvent(EventId.of("src_1", commit, position), "src_1", commit, position, Instant.parse("2026-01-01T00:00:00Z"),
                "d", "public", "t", Operation.INSERT, JsonValue.NULL, JsonValue.objectBuilder().put("id", JsonValue.of(key)).build(),
                List.of(), "public.t[\"" + key + "\"]");
    }

    @Test
    void aTransactionSentAgainAfterACrashIsStoredAndQueuedOnce() {
        Lsn commit = Lsn.parse("0/100");
        List<ChangeEvent> tx = List.of(event(commit, 0, "a"), event(commit, 1, "b"));
        assertThat(log.append("src_1", Lsn.parse("0/180"), tx)).isEqualTo(2);
        assertThat(log.append("src_1", Lsn.parse("0/180"), tx)).isZero();

        assertThat(queue.claimDue(System.currentTimeMillis(), 10)).hasSize(2);
        assertThat(sources.find(account, "src_1").orElseThrow().eventsCaptured()).isEqualTo(2);
        assertThat(sources.find(account, "src_1").orElseThrow().checkpoint()).isEqualTo(Lsn.parse("0/180"));
    }

    @Test
    void aRowsNextEventIsNotHandedOutWhileItsEarlierOneIsInFlight() {
        Lsn first = Lsn.parse("0/100");
        Lsn second = Lsn.parse("0/200");
        log.append("src_1", Lsn.parse("0/110"), List.of(event(first, 0, "a")));
        log.append("src_1", Lsn.parse("0/210"), List.of(event(second, 0, "a"), event(second, 1, "b")));

        List<DeliveryQueue.Due> claimed = queue.claimDue(System.currentTimeMillis(), 10);
        assertThat(claimed).extracting(DeliveryQueue.Due::eventId)
                .containsExactly(EventId.of("src_1", first, 0).value(), EventId.of("src_1", second, 1).value());
        assertThat(queue.claimDue(System.currentTimeMillis(), 10)).isEmpty();

        queue.record(claimed.get(0).deliveryId(), new DeliveryQueue.Attempt(0, 1, 200, null, null), DeliveryQueue.Status.SUCCEEDED, 0);
        assertThat(queue.claimDue(System.currentTimeMillis(), 10)).extracting(DeliveryQueue.Due::eventId)
                .containsExactly(EventId.of("src_1", second, 0).value());
    }

    @Test
    void aClaimWhoseResultWasNeverRecordedIsHandedOutAgainWhenItsLeaseRunsOut() {
        log.append("src_1", Lsn.parse("0/110"), List.of(event(Lsn.parse("0/100"), 0, "a")));
        long now = System.currentTimeMillis();
        assertThat(queue.claimDue(now, 10)).hasSize(1);
        assertThat(queue.claimDue(now + 59_000, 10)).isEmpty();
        assertThat(queue.claimDue(now + 61_000, 10)).hasSize(1);
    }

    @Test
    void theKeyFileIsReadableByItsOwnerOnly() throws Exception {
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("master.key"))))
                .isEqualTo("rw-------");
    }

    @Test
    void secretsAreNotStoredInClear() throws Exception {
        db.close();
        byte[] file = Files.readAllBytes(dataDir.resolve("streamhook.db"));
        Path wal = dataDir.resolve("streamhook.db-wal");
        String all = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1)
                + (Files.exists(wal) ? new String(Files.readAllBytes(wal), java.nio.charset.StandardCharsets.ISO_8859_1) : "");
        assertThat(all).doesNotContain("postgres://u:pw@h/d").doesNotContain("whsec_12345678");
        db = Database.openEmbedded(dataDir);
    }
}
