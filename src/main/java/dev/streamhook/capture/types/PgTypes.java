package dev.streamhook.capture.types;

import dev.streamhook.event.json.JsJson;
import dev.streamhook.event.json.JsonValue;
import java.util.Map;

/**
 * Maps a column's PostgreSQL text output (as pgoutput sends it) to the JSON value we publish,
 * following DESIGN.md "The webhook, byte for byte". Expects the session settings
 * {@code DateStyle=ISO, MDY}, {@code TimeZone=UTC} and {@code extra_float_digits=3}.
 * Text that does not look like PostgreSQL's output for its type is passed on as a string rather
 * than failing, so an odd value never stops capture.
 */
public final class PgTypes {

    static final int BOOL = 16;
    static final int BYTEA = 17;
    static final int INT8 = 20;
    static final int INT2 = 21;
    static final int INT4 = 23;
    static final int OID = 26;
    static final int JSON = 114;
    static final int FLOAT4 = 700;
    static final int FLOAT8 = 701;
    static final int NUMERIC = 1700;
    static final int TIMESTAMP = 1114;
    static final int TIMESTAMPTZ = 1184;
    static final int JSONB = 3802;

    /** Array type OID to element type OID, for the built-in arrays whose delimiter is a comma. */
    private static final Map<Integer, Integer> ARRAY_ELEMENTS = Map.ofEntries(
            Map.entry(1000, BOOL), Map.entry(1001, BYTEA), Map.entry(1002, 18), Map.entry(1003, 19),
            Map.entry(1005, INT2), Map.entry(1007, INT4), Map.entry(1009, 25), Map.entry(1014, 1042),
            Map.entry(1015, 1043), Map.entry(1016, INT8), Map.entry(1021, FLOAT4), Map.entry(1022, FLOAT8),
            Map.entry(1028, OID), Map.entry(1115, TIMESTAMP), Map.entry(1182, 1082), Map.entry(1185, TIMESTAMPTZ),
            Map.entry(1231, NUMERIC), Map.entry(199, JSON), Map.entry(2951, 2950), Map.entry(3807, JSONB),
            // Element types that are sent as strings: arrays of them still become JSON arrays.
            Map.entry(143, 142), Map.entry(651, 650), Map.entry(791, 790), Map.entry(1040, 829),
            Map.entry(1041, 869), Map.entry(1183, 1083), Map.entry(1187, 1186), Map.entry(1270, 1266));

    private PgTypes() {
    }

    /** The JSON for one non-null column value; SQL NULL is the caller's {@link JsonValue#NULL}. */
    public static JsonValue toJson(int typeOid, String text) {
        Integer elementOid = ARRAY_ELEMENTS.get(typeOid);
        if (elementOid != null) {
            JsonValue array = PgArrays.parse(text, element -> toJson(elementOid, element));
            return array != null ? array : JsonValue.of(text);
        }
        return switch (typeOid) {
            case INT2, INT4, OID -> PgNumbers.integer(text);
            case INT8 -> PgNumbers.bigint(text);
            case FLOAT4, FLOAT8 -> PgNumbers.floatingPoint(text);
            case NUMERIC -> PgNumbers.numeric(text);
            case BOOL -> bool(text);
            case JSON, JSONB -> json(text);
            case BYTEA -> PgBytea.toBase64(text);
            case TIMESTAMPTZ -> PgTimestamps.withZone(text);
            case TIMESTAMP -> PgTimestamps.withoutZone(text);
            default -> JsonValue.of(text);
        };
    }

    private static JsonValue bool(String text) {
        return switch (text) {
            case "t", "true" -> JsonValue.of(true);
            case "f", "false" -> JsonValue.of(false);
            default -> JsonValue.of(text);
        };
    }

    private static JsonValue json(String text) {
        try {
            return JsJson.parse(text);
        } catch (IllegalArgumentException e) {
            return JsonValue.of(text);
        }
    }
}
