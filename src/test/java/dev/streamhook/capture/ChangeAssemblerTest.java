package dev.streamhook.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.capture.pgoutput.Begin;
import dev.streamhook.capture.pgoutput.ColumnValue;
import dev.streamhook.capture.pgoutput.Commit;
import dev.streamhook.capture.pgoutput.Delete;
import dev.streamhook.capture.pgoutput.Insert;
import dev.streamhook.capture.pgoutput.LogicalMessage;
import dev.streamhook.capture.pgoutput.Origin;
import dev.streamhook.capture.pgoutput.Relation;
import dev.streamhook.capture.pgoutput.Truncate;
import dev.streamhook.capture.pgoutput.TupleData;
import dev.streamhook.capture.pgoutput.TypeInfo;
import dev.streamhook.capture.pgoutput.Update;
import dev.streamhook.event.EncodedEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.json.JsJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChangeAssemblerTest {

    private static final int INT4 = 23;
    private static final int TEXT = 25;
    private static final Lsn COMMIT = Lsn.parse("0/1A2B3C4");

    private static Relation orders(char identity) {
        boolean full = identity == 'f';
        return new Relation(16384, "public", "orders", identity, List.of(
                new Relation.Column(true, "id", INT4, -1),
                new Relation.Column(full, "status", TEXT, -1),
                new Relation.Column(full, "notes", TEXT, -1)));
    }

    private static TupleData tuple(ColumnValue... values) {
        return new TupleData(List.of(values));
    }

    private static ColumnValue text(String s) {
        return new ColumnValue.Text(s);
    }

    /** The JSON text of one field of the event's body, as sent. */
    private static String field(EncodedEvent e, String name) {
        return JsJson.stringify(((dev.streamhook.event.json.JsonValue.Obj) JsJson.parse(new String(e.body(), java.nio.charset.StandardCharsets.UTF_8)))
                .fields().get(name));
    }

    private static String unchanged(EncodedEvent e) {
        var metadata = (dev.streamhook.event.json.JsonValue.Obj) ((dev.streamhook.event.json.JsonValue.Obj) JsJson.parse(
                new String(e.body(), java.nio.charset.StandardCharsets.UTF_8))).fields().get("metadata");
        var columns = metadata.fields().get("unchanged_columns");
        return columns == null ? "[]" : JsJson.stringify(columns);
    }

    private static List<EncodedEvent> run(char identity, Object... changes) {
        ChangeAssembler assembler = new ChangeAssembler("src_1", 1, "shop", oid -> Set.of("id"));
        assembler.accept(orders(identity));
        assembler.accept(new Begin(COMMIT, Instant.parse("2026-03-13T10:30:00.123456Z"), 7));
        for (Object change : changes) {
            assertThat(assembler.accept((dev.streamhook.capture.pgoutput.PgOutputMessage) change)).isNull();
        }
        return assembler.accept(new Commit(0, COMMIT, Lsn.parse("0/1A2B400"), Instant.parse("2026-03-13T10:30:00.123456Z"))).events();
    }

    @Test
    void eventsOfATransactionGetIdsFromTheirCommitLsnAndPosition() {
        List<EncodedEvent> events = run('d',
                new Insert(16384, tuple(text("1"), text("new"), ColumnValue.NULL)),
                new Insert(16384, tuple(text("2"), text("new"), text("x"))));
        assertThat(events).extracting(EncodedEvent::id).containsExactly(EventId.of(1, COMMIT, 0), EventId.of(1, COMMIT, 1));
        assertThat(field(events.get(0), "after")).isEqualTo("{\"id\":1,\"status\":\"new\",\"notes\":null}");
        assertThat(field(events.get(0), "before")).isEqualTo("null");
    }

    @Test
    void underReplicaIdentityFullTheRowKeyIsStillThePrimaryKey() {
        List<EncodedEvent> events = run('f',
                new Insert(16384, tuple(text("42"), text("pending"), ColumnValue.NULL)),
                new Update(16384, tuple(text("42"), text("pending"), ColumnValue.NULL), false, tuple(text("42"), text("shipped"), ColumnValue.NULL)),
                new Delete(16384, tuple(text("42"), text("shipped"), ColumnValue.NULL), false));
        assertThat(events).extracting(EncodedEvent::rowKey).containsOnly("public.orders[\"42\"]");
        assertThat(field(events.get(1), "before")).isEqualTo("{\"id\":42,\"status\":\"pending\",\"notes\":null}");
    }

    @Test
    void aDeleteUnderTheDefaultIdentityCarriesOnlyTheKeyInBefore() {
        List<EncodedEvent> events = run('d', new Delete(16384, tuple(text("42"), ColumnValue.NULL, ColumnValue.NULL), true));
        assertThat(field(events.get(0), "before")).isEqualTo("{\"id\":42}");
        assertThat(events.get(0).rowKey()).isEqualTo("public.orders[\"42\"]");
    }

    @Test
    void anUnchangedToastedValueComesFromTheOldRowOrIsNamedAsUnchanged() {
        List<EncodedEvent> withOld = run('f', new Update(16384, tuple(text("1"), text("a"), text("long text")), false,
                tuple(text("1"), text("b"), ColumnValue.UNCHANGED_TOAST)));
        assertThat(field(withOld.get(0), "after")).isEqualTo("{\"id\":1,\"status\":\"b\",\"notes\":\"long text\"}");
        assertThat(unchanged(withOld.get(0))).isEqualTo("[]");

        List<EncodedEvent> withoutOld = run('d', new Update(16384, null, false, tuple(text("1"), text("b"), ColumnValue.UNCHANGED_TOAST)));
        assertThat(field(withoutOld.get(0), "after")).isEqualTo("{\"id\":1,\"status\":\"b\"}");
        assertThat(unchanged(withoutOld.get(0))).isEqualTo("[\"notes\"]");
    }

    @Test
    void aDrainedTransactionKeepsNumberingItsEventsFromWhereItWas() {
        ChangeAssembler assembler = new ChangeAssembler("src_1", 1, "shop", oid -> Set.of("id"));
        assembler.accept(orders('d'));
        assembler.accept(new Begin(COMMIT, Instant.EPOCH, 1));
        assembler.accept(new Insert(16384, tuple(text("1"), text("a"), ColumnValue.NULL)));
        assembler.accept(new Insert(16384, tuple(text("2"), text("b"), ColumnValue.NULL)));
        assertThat(assembler.buffered()).isEqualTo(2);
        assertThat(assembler.bufferedBytes()).isGreaterThan(2 * 100);
        assertThat(assembler.drain()).extracting(EncodedEvent::position).containsExactly(0, 1);
        assertThat(assembler.bufferedBytes()).isZero();
        assembler.accept(new Insert(16384, tuple(text("3"), text("c"), ColumnValue.NULL)));
        var tx = assembler.accept(new Commit(0, COMMIT, Lsn.parse("0/1A2B400"), Instant.EPOCH));
        assertThat(tx.events()).extracting(EncodedEvent::id).containsExactly(EventId.of(1, COMMIT, 2));
    }

    @Test
    void aTransactionWithoutChangesToCapturedTablesStillReportsItsEndLsn() {
        ChangeAssembler assembler = new ChangeAssembler("src_1", 1, "shop", oid -> Set.of());
        assembler.accept(new Begin(COMMIT, Instant.EPOCH, 1));
        assertThat(assembler.inTransaction()).isTrue();
        var tx = assembler.accept(new Commit(0, COMMIT, Lsn.parse("0/1A2B400"), Instant.EPOCH));
        assertThat(tx.events()).isEmpty();
        assertThat(tx.endLsn()).isEqualTo(Lsn.parse("0/1A2B400"));
        assertThat(assembler.inTransaction()).isFalse();
    }

    private static String metadata(EncodedEvent e) {
        return field(e, "metadata");
    }

    @Test
    void anUpdateThatChangesTheKeyCarriesTheOldKeyBesideTheNewOne() {
        List<EncodedEvent> events = run('d',
                new Update(16384, tuple(text("1"), ColumnValue.NULL, ColumnValue.NULL), true, tuple(text("2"), text("moved"), ColumnValue.NULL)),
                new Update(16384, null, false, tuple(text("2"), text("again"), ColumnValue.NULL)));
        assertThat(events.get(0).rowKey()).isEqualTo("public.orders[\"2\"]");
        assertThat(events.get(0).oldRowKey()).isEqualTo("public.orders[\"1\"]");
        assertThat(field(events.get(0), "before")).isEqualTo("{\"id\":1}");
        assertThat(events.get(1).oldRowKey()).isNull();
    }

    @Test
    void underReplicaIdentityFullAKeyChangeIsSeenInTheOldRow() {
        List<EncodedEvent> events = run('f', new Update(16384, tuple(text("1"), text("a"), ColumnValue.NULL), false,
                tuple(text("2"), text("a"), ColumnValue.NULL)));
        assertThat(events.get(0).rowKey()).isEqualTo("public.orders[\"2\"]");
        assertThat(events.get(0).oldRowKey()).isEqualTo("public.orders[\"1\"]");
    }

    @Test
    void underReplicaIdentityUsingIndexTheIndexColumnsAreTheKeyOfInsertAndDeleteAlike() {
        ChangeAssembler assembler = new ChangeAssembler("src_1", 1, "shop", oid -> {
            throw new AssertionError("the Relation's flags tell the key; the catalog is not asked");
        });
        assembler.accept(new Relation(16384, "public", "orders", 'i', List.of(
                new Relation.Column(false, "id", INT4, -1), new Relation.Column(true, "code", TEXT, -1), new Relation.Column(false, "notes", TEXT, -1))));
        assembler.accept(new Begin(COMMIT, Instant.EPOCH, 9));
        assembler.accept(new Insert(16384, tuple(text("1"), text("A-1"), text("x"))));
        assembler.accept(new Delete(16384, tuple(ColumnValue.NULL, text("A-1"), ColumnValue.NULL), true));
        var events = assembler.accept(new Commit(0, COMMIT, Lsn.parse("0/1A2B400"), Instant.EPOCH)).events();
        assertThat(events).extracting(EncodedEvent::rowKey).containsExactly("public.orders[\"A-1\"]", "public.orders[\"A-1\"]");
        assertThat(field(events.get(1), "before")).isEqualTo("{\"code\":\"A-1\"}");
    }

    @Test
    void theCatalogKeyOfAFullIdentityTableIsReadWhenItsRelationArrivesAndAgainWhenItIsSentAgain() {
        List<Integer> asked = new ArrayList<>();
        ChangeAssembler assembler = new ChangeAssembler("src_1", 1, "shop", oid -> {
            asked.add(oid);
            return asked.size() == 1 ? Set.of("id") : Set.of("status");
        });
        assembler.accept(orders('f'));
        assertThat(asked).containsExactly(16384);
        assembler.accept(new Begin(COMMIT, Instant.EPOCH, 9));
        assembler.accept(new Insert(16384, tuple(text("1"), text("a"), ColumnValue.NULL)));
        assembler.accept(orders('f'));
        assembler.accept(new Insert(16384, tuple(text("2"), text("b"), ColumnValue.NULL)));
        var events = assembler.accept(new Commit(0, COMMIT, Lsn.parse("0/1A2B400"), Instant.EPOCH)).events();
        assertThat(asked).hasSize(2);
        assertThat(events).extracting(EncodedEvent::rowKey).containsExactly("public.orders[\"1\"]", "public.orders[\"b\"]");
    }

    @Test
    void aTruncateOfTwoTablesIsOneEventPerTableKeyedOnTheTable() {
        ChangeAssembler assembler = new ChangeAssembler("src_1", 1, "shop", oid -> Set.of("id"));
        assembler.accept(orders('d'));
        assembler.accept(new Relation(16385, "public", "items", 'd', List.of(new Relation.Column(true, "id", INT4, -1))));
        assembler.accept(new Begin(COMMIT, Instant.EPOCH, 31));
        assembler.accept(new Insert(16384, tuple(text("1"), text("a"), ColumnValue.NULL)));
        assembler.accept(new Truncate(3, List.of(16384, 16385)));
        var events = assembler.accept(new Commit(0, COMMIT, Lsn.parse("0/1A2B400"), Instant.EPOCH)).events();
        assertThat(events).extracting(EncodedEvent::operation).containsExactly(Operation.INSERT, Operation.TRUNCATE, Operation.TRUNCATE);
        assertThat(events).extracting(EncodedEvent::rowKey).containsExactly("public.orders[\"1\"]", "public.orders", "public.items");
        assertThat(field(events.get(2), "before")).isEqualTo("null");
        assertThat(field(events.get(2), "after")).isEqualTo("null");
        assertThat(metadata(events.get(2))).endsWith("\"xid\":31,\"position\":2,\"snapshot\":false,\"cascade\":true,\"restart_identity\":true}");
    }

    @Test
    void messagesThatAreNotChangesPassWithoutAnEventOrAGapInPositions() {
        ChangeAssembler assembler = new ChangeAssembler("src_1", 1, "shop", oid -> Set.of("id"));
        assembler.accept(orders('d'));
        assembler.accept(new Begin(COMMIT, Instant.EPOCH, 5));
        assembler.accept(new Origin(Lsn.parse("0/10"), "elsewhere"));
        assembler.accept(new Insert(16384, tuple(text("1"), text("a"), ColumnValue.NULL)));
        assertThat(assembler.accept(new LogicalMessage(true, Lsn.parse("0/20"), "app", new byte[] {1, 2}))).isNull();
        assertThat(assembler.accept(new TypeInfo(90000, "public", "mood"))).isNull();
        assembler.accept(new Insert(16384, tuple(text("2"), text("b"), ColumnValue.NULL)));
        var events = assembler.accept(new Commit(0, COMMIT, Lsn.parse("0/1A2B400"), Instant.EPOCH)).events();
        assertThat(events).extracting(EncodedEvent::position).containsExactly(0, 1);
        assertThat(metadata(events.get(1))).contains("\"xid\":5,\"position\":1,");
        assertThat(assembler.accept(new LogicalMessage(false, Lsn.parse("0/30"), "app", new byte[0]))).isNull();
    }

    @Test
    void aColumnAddedMidSessionShowsInTheNextEvent() {
        ChangeAssembler assembler = new ChangeAssembler("src_1", 1, "shop", oid -> Set.of("id"));
        assembler.accept(orders('d'));
        assembler.accept(new Begin(COMMIT, Instant.EPOCH, 5));
        assembler.accept(new Insert(16384, tuple(text("1"), text("a"), ColumnValue.NULL)));
        assembler.accept(new Relation(16384, "public", "orders", 'd', List.of(new Relation.Column(true, "id", INT4, -1),
                new Relation.Column(false, "state", TEXT, -1), new Relation.Column(false, "qty", INT4, -1))));
        assembler.accept(new Insert(16384, tuple(text("2"), text("b"), text("7"))));
        var events = assembler.accept(new Commit(0, COMMIT, Lsn.parse("0/1A2B400"), Instant.EPOCH)).events();
        assertThat(field(events.get(1), "after")).isEqualTo("{\"id\":2,\"state\":\"b\",\"qty\":7}");
    }
}
