package dev.streamhook.capture.pgoutput;

import static dev.streamhook.capture.pgoutput.PgOutputBytes.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamhook.event.Lsn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgOutputDecoderTest {

    private static final int ORDERS = 16_384;
    // 2026-03-13T10:30:00.123456Z in microseconds since 2000-01-01, worked out independently.
    private static final long COMMIT_MICROS = 826_713_000_123_456L;
    private static final Instant COMMIT_TIME = Instant.parse("2026-03-13T10:30:00.123456Z");

    private static PgOutputMessage decode(PgOutputBytes bytes) {
        return PgOutputDecoder.decode(bytes.toBuffer());
    }

    private static TupleData tuple(ColumnValue... values) {
        return new TupleData(List.of(values));
    }

    private static ColumnValue.Text text(String value) {
        return new ColumnValue.Text(value);
    }

    @Test
    void aBeginCarriesTheFinalLsnTheCommitTimeToTheMicrosecondAndAnUnsignedXid() {
        PgOutputMessage decoded = decode(message('B').lsn("16/B374D848").int64(COMMIT_MICROS).int32(0xFFFF_FFF0));

        assertThat(decoded).isEqualTo(new Begin(Lsn.parse("16/B374D848"), COMMIT_TIME, 4_294_967_280L));
    }

    @Test
    void aCommitTimeBeforeThePostgresEpochIsDecodedToo() {
        Begin begin = (Begin) decode(message('B').lsn("0/1").int64(-1).int32(1));

        assertThat(begin.commitTime()).isEqualTo(Instant.parse("1999-12-31T23:59:59.999999Z"));
    }

    @Test
    void aCommitCarriesItsFlagsBothLsnsAndTheCommitTime() {
        PgOutputMessage decoded = decode(message('C').int8(0).lsn("0/16B3748").lsn("0/16B3778").int64(COMMIT_MICROS));

        assertThat(decoded).isEqualTo(new Commit(0, Lsn.parse("0/16B3748"), Lsn.parse("0/16B3778"), COMMIT_TIME));
    }

    @Test
    void anOriginCarriesTheOriginCommitLsnAndItsName() {
        PgOutputMessage decoded = decode(message('O').lsn("1/2").string("pg_16385"));

        assertThat(decoded).isEqualTo(new Origin(Lsn.parse("1/2"), "pg_16385"));
    }

    @Test
    void aRelationDescribesEveryColumnWithKeyFlagTypeAndModifier() {
        PgOutputMessage decoded = decode(message('R').int32(ORDERS).string("public").string("orders").byte1('d')
                .int16(3)
                .int8(1).string("id").int32(23).int32(-1)
                .int8(0).string("größe_€").int32(1700).int32((10 << 16 | 2) + 4)
                .int8(0).string("note").int32(25).int32(-1));

        assertThat(decoded).isEqualTo(new Relation(ORDERS, "public", "orders", 'd', List.of(
                new Relation.Column(true, "id", 23, -1),
                new Relation.Column(false, "größe_€", 1700, 655_366),
                new Relation.Column(false, "note", 25, -1))));
    }

    @Test
    void aRelationInPgCatalogKeepsTheEmptyNamespaceAsSent() {
        Relation relation = (Relation) decode(message('R').int32(1).string("").string("t").byte1('f').int16(0));

        assertThat(relation.namespace()).isEmpty();
        assertThat(relation.replicaIdentity()).isEqualTo('f');
        assertThat(relation.columns()).isEmpty();
    }

    @Test
    void aRelationOidAboveTwoToTheThirtyOneKeepsItsBits() {
        Relation relation = (Relation) decode(
                message('R').int32(0x8000_0001).string("s").string("t").byte1('d').int16(0));

        assertThat(Integer.toUnsignedLong(relation.oid())).isEqualTo(2_147_483_649L);
    }

    @Test
    void aTypeCarriesItsOidNamespaceAndName() {
        PgOutputMessage decoded = decode(message('Y').int32(16_390).string("public").string("mood"));

        assertThat(decoded).isEqualTo(new TypeInfo(16_390, "public", "mood"));
    }

    @Test
    void anInsertCarriesNullTextUnchangedToastAndBinaryColumns() {
        PgOutputMessage decoded = decode(message('I').int32(ORDERS).byte1('N')
                .tuple(5).nullColumn().textColumn("42").unchangedToastColumn().binaryColumn((byte) 0, (byte) 0xFF)
                .textColumn("naïve ☕"));

        assertThat(decoded).isEqualTo(new Insert(ORDERS, tuple(
                ColumnValue.NULL, text("42"), ColumnValue.UNCHANGED_TOAST,
                new ColumnValue.Binary(new byte[] {0, (byte) 0xFF}), text("naïve ☕"))));
    }

    @Test
    void anEmptyTextValueIsNotNull() {
        Insert insert = (Insert) decode(message('I').int32(ORDERS).byte1('N').tuple(1).textColumn(""));

        assertThat(insert.newTuple().values()).containsExactly(text(""));
    }

    @Test
    void anUpdateWithoutOldTupleCarriesOnlyTheNewTuple() {
        PgOutputMessage decoded = decode(
                message('U').int32(ORDERS).byte1('N').tuple(2).textColumn("1").textColumn("b"));

        assertThat(decoded).isEqualTo(new Update(ORDERS, null, false, tuple(text("1"), text("b"))));
    }

    @Test
    void anUpdateThatChangesTheKeyCarriesTheOldKey() {
        PgOutputMessage decoded = decode(message('U').int32(ORDERS)
                .byte1('K').tuple(2).textColumn("1").nullColumn()
                .byte1('N').tuple(2).textColumn("2").textColumn("b"));

        assertThat(decoded).isEqualTo(new Update(ORDERS, tuple(text("1"), ColumnValue.NULL), true,
                tuple(text("2"), text("b"))));
    }

    @Test
    void anUpdateWithOldRowCarriesTheOldTuple() {
        PgOutputMessage decoded = decode(message('U').int32(ORDERS)
                .byte1('O').tuple(2).textColumn("1").textColumn("a")
                .byte1('N').tuple(2).textColumn("1").unchangedToastColumn());

        assertThat(decoded).isEqualTo(new Update(ORDERS, tuple(text("1"), text("a")), false,
                tuple(text("1"), ColumnValue.UNCHANGED_TOAST)));
    }

    @Test
    void aDeleteCarriesTheOldKey() {
        PgOutputMessage decoded = decode(message('D').int32(ORDERS).byte1('K').tuple(2).textColumn("7").nullColumn());

        assertThat(decoded).isEqualTo(new Delete(ORDERS, tuple(text("7"), ColumnValue.NULL), true));
    }

    @Test
    void aDeleteWithReplicaIdentityFullCarriesTheWholeOldRow() {
        PgOutputMessage decoded = decode(
                message('D').int32(ORDERS).byte1('O').tuple(2).textColumn("7").textColumn("x"));

        assertThat(decoded).isEqualTo(new Delete(ORDERS, tuple(text("7"), text("x")), false));
    }

    @Test
    void aTruncateListsEveryRelationAndBothOptions() {
        Truncate truncate = (Truncate) decode(message('T').int32(2).int8(1 | 2).int32(ORDERS).int32(ORDERS + 7));

        assertThat(truncate.relationOids()).containsExactly(ORDERS, ORDERS + 7);
        assertThat(truncate.cascade()).isTrue();
        assertThat(truncate.restartIdentity()).isTrue();
    }

    @Test
    void aTruncateWithoutOptionsNeitherCascadesNorRestartsIdentity() {
        Truncate truncate = (Truncate) decode(message('T').int32(1).int8(0).int32(ORDERS));

        assertThat(truncate).isEqualTo(new Truncate(0, List.of(ORDERS)));
        assertThat(truncate.cascade()).isFalse();
        assertThat(truncate.restartIdentity()).isFalse();
    }

    @Test
    void aTruncateWithOnlyRestartIdentityDoesNotCascade() {
        Truncate truncate = (Truncate) decode(message('T').int32(1).int8(2).int32(ORDERS));

        assertThat(truncate.cascade()).isFalse();
        assertThat(truncate.restartIdentity()).isTrue();
    }

    @Test
    void aLogicalMessageCarriesItsFlagLsnPrefixAndRawContent() {
        byte[] content = {'h', 'i', 0, (byte) 0xC3};
        PgOutputMessage decoded = decode(message('M').int8(1).lsn("0/ABC").string("streamhook").int32(4).raw(content));

        assertThat(decoded).isEqualTo(new LogicalMessage(true, Lsn.parse("0/ABC"), "streamhook", content.clone()));
    }

    @Test
    void aNonTransactionalLogicalMessageSaysSo() {
        LogicalMessage decoded = (LogicalMessage) decode(message('M').int8(0).lsn("0/1").string("p").int32(0));

        assertThat(decoded.transactional()).isFalse();
        assertThat(decoded.content()).isEmpty();
    }

    @Test
    void onlyTheBytesFromPositionToLimitAreReadAndTheCallersBufferIsLeftAsItWas() {
        byte[] begin = message('B').lsn("0/10").int64(COMMIT_MICROS).int32(9).toBytes();
        byte[] backing = new byte[7 + 5 + begin.length + 11];
        Arrays.fill(backing, (byte) 'X');
        System.arraycopy(begin, 0, backing, 12, begin.length);
        // A slice has a non-zero arrayOffset; the position then moves further in, as PgJDBC's may.
        ByteBuffer buffer = ByteBuffer.wrap(backing).slice(7, backing.length - 7);
        buffer.position(5).limit(5 + begin.length);

        PgOutputMessage decoded = PgOutputDecoder.decode(buffer);

        assertThat(buffer.arrayOffset()).isEqualTo(7);
        assertThat(decoded).isEqualTo(new Begin(Lsn.parse("0/10"), COMMIT_TIME, 9));
        assertThat(buffer.position()).isEqualTo(5);
        assertThat(buffer.limit()).isEqualTo(5 + begin.length);
    }

    @Test
    void aDirectBufferIsDecodedLikeAHeapBuffer() {
        byte[] bytes = message('O').lsn("1/2").string("zürich").toBytes();
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();

        assertThat(PgOutputDecoder.decode(direct)).isEqualTo(new Origin(Lsn.parse("1/2"), "zürich"));
    }

    @Test
    void anUnknownMessageTypeIsRefusedByItsByte() {
        assertThatThrownBy(() -> decode(message('Z').int32(1)))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("unknown pgoutput message type 'Z' (0x5A) at byte offset 0");
    }

    @Test
    void aStreamingMessageOfALaterProtocolVersionIsRefusedWithTheReason() {
        assertThatThrownBy(() -> decode(message('S').int32(1).int8(1)))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessageStartingWith("pgoutput Stream Start message ('S' (0x53)) at byte offset 0")
                .hasMessageContaining("protocol version 2 or later")
                .hasMessageContaining("proto_version '1'");
    }

    @Test
    void anEmptyBufferIsRefused() {
        assertThatThrownBy(() -> PgOutputDecoder.decode(ByteBuffer.allocate(0)))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessageContaining("empty pgoutput message");
    }

    @Test
    void aStringWithoutItsTerminatingNulIsATruncatedMessage() {
        // type (0), oid (1-4), "public\0" (5-11), then the name starts at 12 and never ends.
        PgOutputBytes relation = message('R').int32(ORDERS).string("public")
                .raw("ord".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> decode(relation))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("pgoutput Relation message ('R') at byte offset 12: truncated: the relation name"
                        + " has no terminating NUL before the message ends at byte 15");
    }

    @Test
    void aTupleValueShorterThanItsLengthIsATruncatedMessage() {
        // type (0), oid (1-4), 'N' (5), column count (6-7), 't' (8), length (9-12), value from 13.
        PgOutputBytes insert = message('I').int32(ORDERS).byte1('N').tuple(1).byte1('t').int32(10).raw(new byte[3]);

        assertThatThrownBy(() -> decode(insert))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("pgoutput Insert message ('I') at byte offset 13: truncated: the text of column 1 of 1"
                        + " of the new tuple needs 10 bytes but only 3 remain");
    }

    @Test
    void aTupleWithFewerColumnsThanItsCountIsATruncatedMessage() {
        PgOutputBytes update = message('U').int32(ORDERS).byte1('N').tuple(2).textColumn("1");

        assertThatThrownBy(() -> decode(update))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("pgoutput Update message ('U') at byte offset 14: truncated: the kind of column 2 of 2"
                        + " of the new tuple needs 1 byte but only 0 remain");
    }

    @Test
    void aFixedWidthFieldCutShortIsATruncatedMessage() {
        assertThatThrownBy(() -> decode(message('B').lsn("0/1").int32(0)))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("pgoutput Begin message ('B') at byte offset 9: truncated: the commit time needs 8 bytes"
                        + " but only 4 remain");
    }

    @Test
    void anUnknownTupleColumnKindIsRefused() {
        PgOutputBytes insert = message('I').int32(ORDERS).byte1('N').tuple(2).nullColumn().byte1('x');

        assertThatThrownBy(() -> decode(insert))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("pgoutput Insert message ('I') at byte offset 9: unknown kind 'x' (0x78) of column 2 of 2"
                        + " of the new tuple (expected 'n', 'u', 't' or 'b')");
    }

    @Test
    void aNegativeValueLengthIsRefused() {
        PgOutputBytes insert = message('I').int32(ORDERS).byte1('N').tuple(1).byte1('t').int32(-1);

        assertThatThrownBy(() -> decode(insert))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessageContaining("at byte offset 9: negative length -1 for the text of column 1 of 1");
    }

    @Test
    void anInsertWithoutItsNewTupleMarkerIsRefused() {
        assertThatThrownBy(() -> decode(message('I').int32(ORDERS).byte1('K').tuple(0)))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("pgoutput Insert message ('I') at byte offset 5: expected 'N' before the new tuple"
                        + " but found 'K' (0x4B)");
    }

    @Test
    void anUpdateWithAnUnknownTupleMarkerIsRefused() {
        assertThatThrownBy(() -> decode(message('U').int32(ORDERS).byte1('X').tuple(0)))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessageContaining("Update message ('U') at byte offset 5: expected tuple kind 'K', 'O' or 'N'");
    }

    @Test
    void aDeleteWithoutAnOldTupleIsRefused() {
        assertThatThrownBy(() -> decode(message('D').int32(ORDERS).byte1('N').tuple(0)))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessageContaining("Delete message ('D') at byte offset 5: expected tuple kind 'K' or 'O'"
                        + " but found 'N' (0x4E)");
    }

    @Test
    void bytesAfterACompleteMessageAreRefused() {
        assertThatThrownBy(() -> decode(message('O').lsn("0/1").string("o").raw((byte) 1, (byte) 2)))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("pgoutput Origin message ('O') at byte offset 11: 2 unexpected trailing bytes"
                        + " after the end of the message");
    }

    @Test
    void invalidUtf8IsRefusedRatherThanReplaced() {
        PgOutputBytes insert = message('I').int32(ORDERS).byte1('N').tuple(1).byte1('t').int32(1).raw((byte) 0xC3);

        assertThatThrownBy(() -> decode(insert))
                .isInstanceOf(PgOutputDecodeException.class)
                .hasMessage("pgoutput Insert message ('I') at byte offset 13: the text of column 1 of 1"
                        + " of the new tuple is not valid UTF-8");
    }
}
