package dev.streamhook.api;

import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.EventQueries;
import dev.streamhook.store.EventQueries.AttemptRow;
import dev.streamhook.store.EventQueries.DeliveryRow;
import dev.streamhook.store.EventQueries.EventRow;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code /v1/events}: the captured events, their deliveries and attempts, and manual retry. */
public final class EventRoutes {

    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;
    private static final Set<String> OPERATIONS = Set.of("INSERT", "UPDATE", "DELETE");
    private final EventQueries queries;
    private final DeliveryQueue queue;

    public EventRoutes(EventQueries queries, DeliveryQueue queue) {
        this.queries = queries;
        this.queue = queue;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/events", this::list);
        routes.get("/v1/events/{id}", ctx -> {
            EventRow e = owned(ctx);
            Map<String, Object> out = summary(e);
            out.put("deliveries", queries.deliveries(e.id()).stream().map(EventRoutes::delivery).toList());
            Json.respond(ctx, 200, out);
        });
        routes.post("/v1/events/{id}/retry", ctx -> {
            EventRow e = owned(ctx);
            int retried = queue.retryFailed(e.id(), System.currentTimeMillis());
            if (retried == 0) {
                throw new ApiException(ApiException.Reason.CONFLICT, null,
                        "event " + e.id() + " has no failed delivery to retry; its deliveries are pending or succeeded");
            }
            Json.respond(ctx, 202, Map.of("id", e.id(), "retried_deliveries", retried));
        });
    }

    private void list(Context ctx) {
        int limit = limit(ctx.queryParam("limit"));
        String operation = ctx.queryParam("operation");
        if (operation != null) {
            operation = operation.toUpperCase(Locale.ROOT);
            if (!OPERATIONS.contains(operation)) {
                throw ApiException.invalid("operation", "'operation' must be INSERT, UPDATE or DELETE");
            }
        }
        var filter = new EventQueries.Filter(ctx.queryParam("source_id"), ctx.queryParam("table"), operation,
                cursor(ctx.queryParam("cursor")), limit);
        List<EventRow> rows = queries.list(ApiServer.account(ctx).id(), filter);
        boolean hasMore = rows.size() > limit;
        List<EventRow> page = hasMore ? rows.subList(0, limit) : rows;
        Map<String, Object> out = new LinkedHashMap<>();
        var counts = queries.deliveryCounts(page.stream().map(EventRow::seq).toList());
        out.put("data", page.stream().map(e -> {
            Map<String, Object> item = summary(e);
            Map<String, Integer> byStatus = new LinkedHashMap<>(); // e.g. {"held": 1}: held until the account's month turns or its limit rises
            counts.getOrDefault(e.seq(), Map.of()).forEach((status, n) -> byStatus.put(status.name().toLowerCase(Locale.ROOT), n));
            item.put("deliveries_by_status", byStatus);
            return item;
        }).toList());
        out.put("has_more", hasMore);
        out.put("next_cursor", hasMore ? encodeCursor(page.get(page.size() - 1).seq()) : null);
        Json.respond(ctx, 200, out);
    }

    private EventRow owned(Context ctx) {
        String id = ctx.pathParam("id");
        return queries.find(ApiServer.account(ctx).id(), id).orElseThrow(() -> ApiException.notFound("event", id));
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.invalid("limit", "'limit' must be a whole number from 1 to " + MAX_LIMIT);
    }

    private static String encodeCursor(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("seq:" + seq).getBytes(StandardCharsets.UTF_8));
    }

    private static Long cursor(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            if (decoded.startsWith("seq:")) {
                return Long.parseLong(decoded.substring(4));
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw ApiException.invalid("cursor", "'cursor' must be a next_cursor value from a previous page");
    }

    private static Map<String, Object> summary(EventRow e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", e.id());
        out.put("source_id", e.sourceId());
        out.put("schema", e.schema());
        out.put("table", e.table());
        out.put("operation", e.operation());
        out.put("lsn", e.commitLsn().toString());
        out.put("committed_at", Json.time(e.committedAt()));
        out.put("payload", Json.parse(e.body()));
        return out;
    }

    private static Map<String, Object> delivery(DeliveryRow d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("destination_id", d.destinationId());
        out.put("url", d.url());
        out.put("status", d.status().name().toLowerCase(Locale.ROOT));
        out.put("attempt_count", d.attempts());
        out.put("next_attempt_at", d.status() == DeliveryQueue.Status.PENDING ? Json.time(d.nextAttemptAt()) : null);
        out.put("last_attempt_at", Json.time(d.lastAttemptAt()));
        out.put("attempts", d.attemptLog().stream().map(EventRoutes::attempt).toList());
        return out;
    }

    private static Map<String, Object> attempt(AttemptRow a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("attempt", a.attempt());
        out.put("started_at", Json.time(a.startedAt()));
        out.put("duration_ms", a.durationMs());
        out.put("status_code", a.statusCode());
        out.put("error", a.error());
        out.put("response_body", a.responseBody());
        return out;
    }
}
