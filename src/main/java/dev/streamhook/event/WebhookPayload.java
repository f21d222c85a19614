package dev.streamhook.event;

import dev.streamhook.event.json.JsJson;
import dev.streamhook.event.json.JsonValue;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The webhook body of an event, byte for byte: the product page's payload, encoded so that
 * JavaScript's {@code JSON.stringify(JSON.parse(body))} gives back the same bytes (users sign-check
 * the re-serialised object). Made once at capture; every attempt sends the stored bytes.
 *
 * <p>Field order is fixed (users may compare bodies byte for byte): {@code metadata} is
 * {@code source_id, connector, lsn, xid, position, snapshot}, then {@code unchanged_columns} when
 * a TOASTed value was not sent, then {@code cascade, restart_identity} on a TRUNCATE.
 */
public final class WebhookPayload {

    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private WebhookPayload() {
    }

    public static byte[] encode(ChangeEvent e) {
        return JsJson.stringifyUtf8(toJson(e));
    }

    public static JsonValue toJson(ChangeEvent e) {
        var metadata = JsonValue.objectBuilder()
                .put("source_id", JsonValue.of(e.sourceId()))
                .put("connector", JsonValue.of("postgresql"))
                .put("lsn", JsonValue.of(e.commitLsn().toString()))
                .put("xid", JsonValue.of(e.xid()))
                .put("position", JsonValue.of(e.position()))
                .put("snapshot", JsonValue.of(e.snapshot()));
        if (!e.unchangedColumns().isEmpty()) {
            metadata.put("unchanged_columns", new JsonValue.Arr(e.unchangedColumns().stream().map(JsonValue::of).toList()));
        }
        if (e.truncate() != null) {
            metadata.put("cascade", JsonValue.of(e.truncate().cascade()))
                    .put("restart_identity", JsonValue.of(e.truncate().restartIdentity()));
        }
        return JsonValue.objectBuilder()
                .put("id", JsonValue.of(e.id().value()))
                .put("timestamp", JsonValue.of(isoUtc(e.commitTime())))
                .put("source", JsonValue.objectBuilder()
                        .put("database", JsonValue.of(e.database()))
                        .put("schema", JsonValue.of(e.schema()))
                        .put("table", JsonValue.of(e.table()))
                        .build())
                .put("operation", JsonValue.of(e.operation().name()))
                .put("before", e.before())
                .put("after", e.after())
                .put("metadata", metadata.build())
                .build();
    }

    /** Milliseconds always (as JavaScript's toISOString), microseconds when there are any. */
    public static String isoUtc(Instant t) {
        java.time.LocalDateTime d = java.time.LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC);
        if (d.getYear() < 0 || d.getYear() > 9999) {
            return (t.getNano() % 1_000_000 == 0 ? MILLIS : MICROS).format(t);
        }
        StringBuilder out = IsoDateTime.append(new StringBuilder(27), d).append('.');
        int micros = t.getNano() / 1_000;
        if (micros % 1_000 == 0) {
            IsoDateTime.digits(out, micros / 1_000, 3);
        } else {
            IsoDateTime.digits(out, micros, 6);
        }
        return out.append('Z').toString();
    }
}
