package dev.streamhook.capture.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Decodes what a real PostgreSQL's pgoutput sends, read through the SQL interface of a slot
 * (the same bytes the streaming replication protocol carries), to catch any gap between the
 * documentation the decoder follows and the server.
 */
class PgOutputCaptureIT {

    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder()
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "4")
                .setServerConfig("max_wal_senders", "4")
                // The embedded default is off, and logical decoding reads only WAL that is flushed,
                // so a just-committed change could be missing from the slot's answer.
                .setServerConfig("synchronous_commit", "on")
                .start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @Test
    void aTransactionOfInsertUpdateAndDeleteDecodesToBeginRelationChangesAndCommit() throws SQLException {
        try (Connection db = postgres.getPostgresDatabase().getConnection(); Statement sql = db.createStatement()) {
            sql.execute("CREATE TABLE orders (id int PRIMARY KEY, note text, größe numeric(10,2))");
            sql.execute("CREATE PUBLICATION orders_pub FOR TABLE orders");
            sql.execute("SELECT pg_create_logical_replication_slot('orders_slot', 'pgoutput')");
            int ordersOid = (int) queryLong(sql, "SELECT 'orders'::regclass::oid::bigint");
            Instant before = Instant.now().minusSeconds(1);

            db.setAutoCommit(false);
            // txid_current() carries an epoch above the 32 bits that pgoutput sends.
            long xid = queryLong(sql, "SELECT txid_current() % 4294967296");
            sql.execute("INSERT INTO orders VALUES (1, 'first', 12.50)");
            sql.execute("UPDATE orders SET note = 'ünïcode' WHERE id = 1");
            sql.execute("DELETE FROM orders WHERE id = 1");
            db.commit();
            db.setAutoCommit(true);

            List<PgOutputMessage> messages = changes(sql, "orders_slot", "orders_pub");

            assertThat(messages).hasSize(6);
            Begin begin = (Begin) messages.get(0);
            assertThat(begin.xid()).isEqualTo(xid);
            assertThat(begin.commitTime()).isBetween(before, Instant.now());
            assertThat(messages.get(1)).isEqualTo(new Relation(ordersOid, "public", "orders", 'd', List.of(
                    new Relation.Column(true, "id", 23, -1),
                    new Relation.Column(false, "note", 25, -1),
                    new Relation.Column(false, "größe", 1700, (10 << 16 | 2) + 4))));
            assertThat(messages.get(2)).isEqualTo(
                    new Insert(ordersOid, tuple(text("1"), text("first"), text("12.50"))));
            assertThat(messages.get(3)).isEqualTo(
                    new Update(ordersOid, null, false, tuple(text("1"), text("ünïcode"), text("12.50"))));
            assertThat(messages.get(4)).isEqualTo(
                    new Delete(ordersOid, tuple(text("1"), ColumnValue.NULL, ColumnValue.NULL), true));
            Commit commit = (Commit) messages.get(5);
            assertThat(commit.commitLsn()).isEqualTo(begin.finalLsn());
            assertThat(commit.endLsn().isAfter(commit.commitLsn())).isTrue();
            assertThat(commit.commitTime()).isEqualTo(begin.commitTime());
        }
    }

    @Test
    void oldTuplesArriveAsKeyWhenTheKeyChangesAndAsWholeRowsWithReplicaIdentityFull() throws SQLException {
        try (Connection db = postgres.getPostgresDatabase().getConnection(); Statement sql = db.createStatement()) {
            sql.execute("CREATE TABLE items (id int PRIMARY KEY, body text)");
            sql.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
            sql.execute("ALTER TABLE notes REPLICA IDENTITY FULL");
            sql.execute("CREATE PUBLICATION items_pub FOR TABLE items, notes");
            sql.execute("INSERT INTO items VALUES (1, 'a')");
            sql.execute("INSERT INTO notes VALUES (1, 'a')");
            sql.execute("SELECT pg_create_logical_replication_slot('items_slot', 'pgoutput')");

            sql.execute("UPDATE items SET id = 2 WHERE id = 1");
            sql.execute("UPDATE notes SET body = 'b' WHERE id = 1");
            sql.execute("DELETE FROM notes WHERE id = 1");
            sql.execute("TRUNCATE items, notes RESTART IDENTITY CASCADE");

            List<PgOutputMessage> changes = changes(sql, "items_slot", "items_pub").stream()
                    .filter(m -> m instanceof Update || m instanceof Delete || m instanceof Truncate)
                    .toList();

            int items = (int) queryLong(sql, "SELECT 'items'::regclass::oid::bigint");
            int notes = (int) queryLong(sql, "SELECT 'notes'::regclass::oid::bigint");
            assertThat(changes).containsExactly(
                    new Update(items, tuple(text("1"), ColumnValue.NULL), true, tuple(text("2"), text("a"))),
                    new Update(notes, tuple(text("1"), text("a")), false, tuple(text("1"), text("b"))),
                    new Delete(notes, tuple(text("1"), text("b")), false),
                    new Truncate(1 | 2, List.of(items, notes)));
        }
    }

    private static List<PgOutputMessage> changes(Statement sql, String slot, String publication) throws SQLException {
        List<PgOutputMessage> messages = new ArrayList<>();
        try (ResultSet rows = sql.executeQuery("SELECT data FROM pg_logical_slot_get_binary_changes('" + slot
                + "', NULL, NULL, 'proto_version', '1', 'publication_names', '" + publication + "')")) {
            while (rows.next()) {
                messages.add(PgOutputDecoder.decode(ByteBuffer.wrap(rows.getBytes(1))));
            }
        }
        return messages;
    }

    private static long queryLong(Statement sql, String query) throws SQLException {
        try (ResultSet row = sql.executeQuery(query)) {
            row.next();
            return row.getLong(1);
        }
    }

    private static TupleData tuple(ColumnValue... values) {
        return new TupleData(List.of(values));
    }

    private static ColumnValue.Text text(String value) {
        return new ColumnValue.Text(value);
    }
}
