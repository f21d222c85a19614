package dev.streamhook.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamhook.event.Operation;
import dev.streamhook.store.Destinations;
import dev.streamhook.store.Destinations.Destination;
import dev.streamhook.store.EventQueries;
import dev.streamhook.store.EventQueries.EventRow;
import dev.streamhook.store.Redeliveries;
import dev.streamhook.store.Redeliveries.Replayed;
import dev.streamhook.store.Redeliveries.Retried;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Sending again by hand: {@code POST /v1/events/:id/retry} and {@code /skip} for an event's failed
 * deliveries (all of them, or the one to {@code destination_id}), and
 * {@code POST /v1/sources/:id/destinations/:did/replay} for a destination's failed deliveries or a
 * time range of its source's events. Each answers once the store changed; the deliveries then go
 * out through the destination's lane, in event order with live ones.
 *
 * <p>Per-row order: a retry (or a replay of failed deliveries) that would deliver an event after a
 * newer event of its row was delivered to the same destination is refused (409, or left failed in a
 * replay) unless forced; see docs/guarantees.md.
 */
public final class RedeliveryRoutes {

    private static final Set<String> EVENT_FIELDS = Set.of("destination_id");
    private static final Set<String> REPLAY_FIELDS = Set.of("status", "from", "to", "force");
    private final Sources sources;
    private final Destinations destinations;
    private final EventQueries queries;
    private final Redeliveries redeliveries;
    private final Idempotency idempotency;

    public RedeliveryRoutes(Sources sources, Destinations destinations, EventQueries queries, Redeliveries redeliveries, Idempotency idempotency) {
        this.sources = sources;
        this.destinations = destinations;
        this.queries = queries;
        this.redeliveries = redeliveries;
        this.idempotency = idempotency;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/events/{id}/retry", idempotency.wrap(this::retry));
        routes.post("/v1/events/{id}/skip", idempotency.wrap(this::skip));
        routes.post("/v1/sources/{id}/destinations/{did}/replay", idempotency.wrap(this::replay));
    }

    private void retry(Context ctx) {
        EventRow e = owned(ctx);
        String destinationId = destinationOf(ctx, e);
        boolean force = QueryParameters.flag(ctx, "force");
        Retried retried = redeliveries.retryFailed(e.id(), destinationId, force, System.currentTimeMillis());
        if (!retried.stale().isEmpty()) {
            String which = retried.stale().stream().map(s -> s.destinationId() + " already received " + s.newerEventId())
                    .collect(Collectors.joining("; "));
            throw new ApiException(ApiException.Reason.CONFLICT, "force", "event " + e.id() + " is older than an event of the same row "
                    + "that was delivered since (" + which + "): retrying would deliver the older state last. Nothing was retried; "
                    + "retry with ?force=true to send it anyway (same id and body), or skip it with POST /v1/events/" + e.id() + "/skip");
        }
        if (retried.retried() == 0) {
            throw nothingFailed(e, destinationId);
        }
        Json.respond(ctx, 202, Map.of("id", e.id(), "retried_deliveries", retried.retried()));
    }

    private void skip(Context ctx) {
        EventRow e = owned(ctx);
        String destinationId = destinationOf(ctx, e);
        int skipped = redeliveries.skipFailed(e.id(), destinationId);
        if (skipped == 0) {
            throw nothingFailed(e, destinationId);
        }
        Json.respond(ctx, 200, Map.of("id", e.id(), "skipped_deliveries", skipped));
    }

    private void replay(Context ctx) {
        Source source = SourceRoutes.owned(ctx, sources, ctx.pathParam("id"));
        String did = ctx.pathParam("did");
        Destination d = destinations.find(source.id(), did).orElseThrow(() -> ApiException.notFound("destination", did));
        ObjectNode body = Json.object(ctx, REPLAY_FIELDS);
        boolean byStatus = body.has("status");
        boolean byTime = body.has("from") || body.has("to");
        if (byStatus == byTime) {
            throw ApiException.invalid(byStatus ? "from" : "status", "give either \"status\": \"failed\" (every failed delivery of "
                    + "this destination) or \"from\" and \"to\" (every event of the source committed in that time range), not both");
        }
        long now = System.currentTimeMillis();
        Replayed replayed;
        if (byStatus) {
            String status = Json.requiredString(body, "status");
            if (!status.equals("failed")) {
                throw ApiException.invalid("status", "'status' must be \"failed\": the deliveries a replay by status sends again");
            }
            replayed = redeliveries.replayFailed(d.id(), bool(body, "force"), now);
        } else {
            if (body.has("force")) {
                throw ApiException.invalid("force", "'force' goes with \"status\": \"failed\"; a time range is sent again as asked");
            }
            long from = instant(body, "from");
            long to = instant(body, "to");
            if (from >= to) {
                throw ApiException.invalid("to", "'to' must be after 'from'");
            }
            String operations = d.operations().equals(Destinations.ALL_OPERATIONS) ? null
                    : d.operations().stream().map(Operation::name).collect(Collectors.joining(","));
            replayed = redeliveries.replayRange(d.id(), source.id(), operations, from, to, now);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("destination_id", d.id());
        out.put("queued_deliveries", replayed.queued());
        out.put("left_failed", replayed.leftFailed());
        Json.respond(ctx, 202, out);
    }

    private EventRow owned(Context ctx) {
        String id = ctx.pathParam("id");
        return queries.find(ApiServer.account(ctx).id(), id).orElseThrow(() -> ApiException.notFound("event", id));
    }

    /** The optional body's {@code destination_id}: null for all; else one of the event's destinations. */
    private String destinationOf(Context ctx, EventRow e) {
        if (ctx.bodyAsBytes().length == 0 || ctx.body().isBlank()) {
            return null;
        }
        ObjectNode body = Json.object(ctx, EVENT_FIELDS);
        String id = Json.optionalString(body, "destination_id");
        if (id != null && queries.deliveries(e.id()).stream().noneMatch(d -> d.destinationId().equals(id))) {
            throw ApiException.notFound("destination", id);
        }
        return id;
    }

    private static ApiException nothingFailed(EventRow e, String destinationId) {
        return new ApiException(ApiException.Reason.CONFLICT, null, "event " + e.id() + " has no failed delivery"
                + (destinationId == null ? "" : " to " + destinationId) + "; its deliveries are pending, held, skipped or succeeded");
    }

    private static boolean bool(ObjectNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.invalid(field, "'" + field + "' must be true or false");
        }
        return v.asBoolean();
    }

    private static long instant(ObjectNode body, String field) {
        String text = Json.requiredString(body, field);
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(field, "'" + field + "' must be a UTC time such as 2026-01-31T12:00:00Z");
        }
    }
}
