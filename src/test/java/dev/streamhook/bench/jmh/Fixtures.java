package dev.streamhook.bench.jmh;

import dev.streamhook.capture.pgoutput.Begin;
import dev.streamhook.capture.pgoutput.Commit;
import dev.streamhook.capture.pgoutput.PgOutputDecoder;
import dev.streamhook.capture.pgoutput.PgOutputMessage;
import dev.streamhook.capture.pgoutput.Relation;
import dev.streamhook.event.ChangeEvent;
import dev.streamhook.event.EventId;
import dev.streamhook.event.Lsn;
import dev.streamhook.event.Operation;
import dev.streamhook.event.json.JsJson;
import dev.streamhook.event.json.JsonValue;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The inputs every benchmark shares: one realistic {@code public.orders} table of eight columns
 * (int8 key, numeric, text with non-ASCII, jsonb, timestamptz, bool, a NULL) under
 * REPLICA IDENTITY FULL, its pgoutput Insert and Update messages written field by field as
 * PostgreSQL sends them, and the ChangeEvent that capture makes of the Update (a body of about
 * 600 bytes). Built once per benchmark trial, so no fixture work is measured. Beside it, the
 * five-column row that the end-to-end benchmark inserts ({@link #loadInsertBytes}).
 */
public final class Fixtures {

    public static final String SOURCE_ID = "src_8f3a2c1e9b7d";
    /** The event tag the store would have given the fixtures' source (any one is as good). */
    public static final int SOURCE_TAG = 0x5eed;
    public static final String DATABASE = "myapp_production";
    public static final int ORDERS_OID = 16_421;
    public static final int LOAD_ORDERS_OID = 16_500;
    public static final Lsn COMMIT_LSN = Lsn.parse("16/B374D848");
    public static final Instant COMMIT_TIME = Instant.parse("2026-03-13T10:30:00.123456Z");
    /** A destination secret of the length people paste in. */
    public static final String SECRET = "whsec_3f9a1c7e5b2d8f4a6c0e1b3d5f7a9c2e";

    private static final int BOOL = 16;
    private static final int INT8 = 20;
    private static final int TEXT = 25;
    private static final int NUMERIC = 1700;
    private static final int TIMESTAMPTZ = 1184;
    private static final int JSONB = 3802;

    /** Column name, type oid, and the text values before and after the update (null: SQL NULL). */
    private record Col(String name, int type, String before, String after) {
    }

    private static final List<Col> ORDERS = List.of(
            new Col("id", INT8, "1048576", "1048576"),
            new Col("status", TEXT, "pending", "shipped"),
            new Col("total", NUMERIC, "149.90", "149.90"),
            new Col("address", TEXT, "Hauptstraße 5", "Hauptstraße 5"),
            new Col("notes", TEXT, null, null),
            new Col("metadata", JSONB, "{\"channel\": \"web\"}",
                    "{\"channel\": \"web\", \"carrier\": \"DHL\"}"),
            new Col("paid", BOOL, "t", "t"),
            new Col("updated_at", TIMESTAMPTZ, "2026-03-12 18:04:11.52+00", "2026-03-13 10:30:00.123456+00"));

    private Fixtures() {
    }

    public static Relation relation() {
        List<Relation.Column> columns = new ArrayList<>();
        for (Col c : ORDERS) {
            // REPLICA IDENTITY FULL flags every column as part of the key
            columns.add(new Relation.Column(true, c.name(), c.type(), -1));
        }
        return new Relation(ORDERS_OID, "public", "orders", 'f', columns);
    }

    public static Begin begin() {
        return new Begin(COMMIT_LSN, COMMIT_TIME, 9_184_223);
    }

    public static Commit commit() {
        return new Commit(0, COMMIT_LSN, new Lsn(COMMIT_LSN.value() + 0x38), COMMIT_TIME);
    }

    /** The pgoutput Insert of the row as it is after the update. */
    public static byte[] insertBytes() {
        Writer w = new Writer().byte1('I').int32(ORDERS_OID).byte1('N');
        tuple(w, false);
        return w.toBytes();
    }

    /** The pgoutput Update under REPLICA IDENTITY FULL: 'O' and the whole old row, then 'N' and the new row. */
    public static byte[] updateBytes() {
        Writer w = new Writer().byte1('U').int32(ORDERS_OID).byte1('O');
        tuple(w, true);
        w.byte1('N');
        tuple(w, false);
        return w.toBytes();
    }

    public static PgOutputMessage decodedInsert() {
        return PgOutputDecoder.decode(ByteBuffer.wrap(insertBytes()));
    }

    public static PgOutputMessage decodedUpdate() {
        return PgOutputDecoder.decode(ByteBuffer.wrap(updateBytes()));
    }

    /**
     * The event capture makes of {@link #updateBytes()}, assembled by hand with the values
     * PgTypes gives, so that this fixture does not depend on package-private capture classes.
     */
    public static ChangeEvent updateEvent() {
        return ChangeEvent.row(EventId.of(SOURCE_TAG, COMMIT_LSN, 0), SOURCE_ID, COMMIT_LSN, 9_184_223, 0, COMMIT_TIME, DATABASE,
                "public", "orders", Operation.UPDATE, row(true), row(false), List.of(), "public.orders[\"1048576\"]");
    }

    private static JsonValue row(boolean before) {
        return JsonValue.objectBuilder()
                .put("id", JsonValue.of(1048576))
                .put("status", JsonValue.of(before ? "pending" : "shipped"))
                .put("total", JsonValue.of(149.9))
                .put("address", JsonValue.of("Hauptstraße 5"))
                .put("notes", JsonValue.NULL)
                .put("metadata", JsJson.parse(before
                        ? "{\"channel\": \"web\"}"
                        : "{\"channel\": \"web\", \"carrier\": \"DHL\"}"))
                .put("paid", JsonValue.of(true))
                .put("updated_at", JsonValue.of(before ? "2026-03-12T18:04:11.520Z" : "2026-03-13T10:30:00.123456Z"))
                .build();
    }

    private static void tuple(Writer w, boolean before) {
        w.int16(ORDERS.size());
        for (Col c : ORDERS) {
            String value = before ? c.before() : c.after();
            if (value == null) {
                w.byte1('n');
            } else {
                byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
                w.byte1('t').int32(utf8.length).raw(utf8);
            }
        }
    }

    /**
     * The table of the end-to-end benchmark (bench/LoadDriver's {@code orders}: int8 key, text,
     * numeric(12,2), jsonb of nested objects, timestamptz) under REPLICA IDENTITY DEFAULT.
     */
    public static Relation loadRelation() {
        return new Relation(LOAD_ORDERS_OID, "public", "orders", 'd', List.of(
                new Relation.Column(true, "id", INT8, -1),
                new Relation.Column(false, "status", TEXT, -1),
                new Relation.Column(false, "amount", NUMERIC, 786_438),
                new Relation.Column(false, "payload", JSONB, -1),
                new Relation.Column(false, "updated_at", TIMESTAMPTZ, -1)));
    }

    /**
     * The pgoutput Insert of LoadDriver's row {@code g}, its values as PostgreSQL prints them: jsonb
     * with its keys sorted by length, then bytes, and ", " and ": " between them.
     */
    public static byte[] loadInsertBytes(long g) {
        String md5 = md5(Long.toString(g));
        String payload = "{\"note\": \"" + md5(g + "note") + "\", \"items\": ["
                + "{\"qty\": " + (1 + g % 3) + ", \"sku\": \"SKU-" + g % 977 + "\", \"price\": 19.99}, "
                + "{\"qty\": 2, \"sku\": \"SKU-" + g % 131 + "\", \"price\": 5.5}], "
                + "\"customer\": {\"id\": \"cus_" + md5 + "\", \"email\": \"customer" + g + "@example.com\", \"country\": \"DE\"}, "
                + "\"shipping\": {\"method\": \"express\", \"address\": \"" + g + " Long Street, Springfield\"}}";
        List<String> values = List.of(
                Long.toString(g),
                List.of("pending", "paid", "shipped", "delivered").get((int) (g % 4)),
                BigDecimal.valueOf(g % 100_000).divide(BigDecimal.valueOf(7), 2, RoundingMode.HALF_UP).toPlainString(),
                payload,
                "2026-03-13 10:30:00.123456+00");
        Writer w = new Writer().byte1('I').int32(LOAD_ORDERS_OID).byte1('N').int16(values.size());
        for (String value : values) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            w.byte1('t').int32(utf8.length).raw(utf8);
        }
        return w.toBytes();
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }

    /** Big-endian field writer, as src/test/.../pgoutput/PgOutputBytes (package-private there). */
    private static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Writer byte1(char c) {
            try {
                out.writeByte(c);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer int16(int v) {
            try {
                out.writeShort(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer int32(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Writer raw(byte[] v) {
            bytes.writeBytes(v); // DataOutputStream does not buffer, so this keeps the order
            return this;
        }

        byte[] toBytes() {
            return bytes.toByteArray();
        }
    }
}
