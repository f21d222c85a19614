package dev.streamhook.api;

import dev.streamhook.delivery.Sender;
import dev.streamhook.store.DeliveryQueue.Attempt;
import dev.streamhook.store.DeliveryQueue.Due;
import dev.streamhook.store.Destinations;
import dev.streamhook.store.Destinations.Destination;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import io.javalin.config.RoutesConfig;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/sources/:id/destinations/:did/test}: sends the destination one test event now,
 * signed and with its headers like any other, and answers with what the endpoint did (status,
 * error kind, duration, the start of its answer). A test event has {@code "operation": "TEST"},
 * null {@code before} and {@code after} and {@code metadata.test: true}; it is not stored, not
 * retried, not counted on the free plan, and does not wait behind the destination's queue.
 */
public final class TestEventRoutes {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Sources sources;
    private final Destinations destinations;
    private final Sender sender;

    public TestEventRoutes(Sources sources, Destinations destinations, Sender sender) {
        this.sources = sources;
        this.destinations = destinations;
        this.sender = sender;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/sources/{id}/destinations/{did}/test", ctx -> {
            Source source = SourceRoutes.owned(ctx, sources, ctx.pathParam("id"));
            String did = ctx.pathParam("did");
            Destination d = destinations.find(source.id(), did).orElseThrow(() -> ApiException.notFound("destination", did));
            Json.noFields(ctx);
            String eventId = "evt_" + HexFormat.of().formatHex(randomBytes());
            byte[] body = Json.MAPPER.writeValueAsBytes(payload(eventId, source));
            Attempt attempt = sender.send(Due.to(d, 0, eventId, body, 0, 0));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("event_id", eventId);
            out.put("delivered", attempt.succeeded());
            out.put("status_code", attempt.statusCode());
            out.put("error_kind", attempt.errorKind() == null ? null : attempt.errorKind().name().toLowerCase(java.util.Locale.ROOT));
            out.put("error", attempt.error());
            out.put("duration_ms", attempt.durationMs());
            out.put("response_body", attempt.responseBody());
            Json.respond(ctx, 200, out);
        });
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static Map<String, Object> payload(String eventId, Source source) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", eventId);
        body.put("timestamp", Json.time(Instant.now().toEpochMilli()));
        Map<String, Object> from = new LinkedHashMap<>();
        from.put("database", source.database());
        from.put("schema", null);
        from.put("table", null);
        body.put("source", from);
        body.put("operation", "TEST");
        body.put("before", null);
        body.put("after", null);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("source_id", source.id());
        metadata.put("connector", "postgresql");
        metadata.put("test", true);
        body.put("metadata", metadata);
        return body;
    }
}
