package dev.streamhook.api;

import dev.streamhook.store.DeliveryQueue;
import dev.streamhook.store.EventQueries;
import dev.streamhook.store.EventQueries.AttemptRow;
import dev.streamhook.store.EventQueries.DeliveryRow;
import dev.streamhook.store.EventQueries.EventRow;
import dev.streamhook.store.RetentionPolicy;
import dev.streamhook.store.SecretBox;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/events}: the captured events, their deliveries and attempts (retry and skip are in
 * {@link RedeliveryRoutes}). The
 * list filters by source, destination, table, operation, delivery status and time, newest first,
 * paged by an opaque account-bound cursor ({@link PageCursor}); every filter runs in SQL, scoped
 * to the caller's account. Payloads are the stored bytes, never re-parsed.
 */
public final class EventRoutes {

    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;
    private static final Set<String> OPERATIONS = Set.of("INSERT", "UPDATE", "DELETE", "TRUNCATE");
    private final EventQueries queries;
    private final PageCursor cursors;
    private final RetentionPolicy retention;

    public EventRoutes(EventQueries queries, SecretBox secrets, RetentionPolicy retention) {
        this.retention = retention;
        this.queries = queries;
        this.cursors = new PageCursor(secrets);
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/events", this::list);
        routes.get("/v1/events/{id}", ctx -> {
            EventRow e = owned(ctx);
            Map<String, Object> out = summary(e);
            List<DeliveryRow> deliveries = queries.deliveries(e.id());
            out.put("deliveries", deliveries.stream().map(EventRoutes::delivery).toList());
            out.put("retained_until", keptUntil(e, deliveries.stream().map(DeliveryRow::status).toList()));
            Json.respond(ctx, 200, out);
        });
    }

    private void list(Context ctx) {
        String account = ApiServer.account(ctx).id();
        int limit = limit(ctx.queryParam("limit"));
        String operation = ctx.queryParam("operation");
        if (operation != null) {
            operation = operation.toUpperCase(Locale.ROOT);
            if (!OPERATIONS.contains(operation)) {
                throw ApiException.invalid("operation", "'operation' must be INSERT, UPDATE, DELETE or TRUNCATE");
            }
        }
        String cursor = ctx.queryParam("cursor");
        var filter = new EventQueries.Filter(blankToNull(ctx.queryParam("source_id")), blankToNull(ctx.queryParam("destination_id")),
                blankToNull(ctx.queryParam("table")), operation, deliveryStatus(ctx.queryParam("status")),
                time(ctx, "created_after"), time(ctx, "created_before"), time(ctx, "committed_after"), time(ctx, "committed_before"),
                cursor == null || cursor.isEmpty() ? null : cursors.decode(account, cursor), limit);
        List<EventRow> rows = queries.list(account, filter);
        boolean hasMore = rows.size() > limit;
        List<EventRow> page = hasMore ? rows.subList(0, limit) : rows;
        Map<String, Object> out = new LinkedHashMap<>();
        var counts = queries.deliveryCounts(page.stream().map(EventRow::seq).toList());
        out.put("data", page.stream().map(e -> {
            Map<String, Object> item = summary(e);
            Map<String, Integer> byStatus = new LinkedHashMap<>(); // e.g. {"held": 1}: held until the account's month turns or its limit rises
            counts.getOrDefault(e.seq(), Map.of()).forEach((status, n) -> byStatus.put(status.name().toLowerCase(Locale.ROOT), n));
            item.put("deliveries_by_status", byStatus);
            item.put("retained_until", keptUntil(e, counts.getOrDefault(e.seq(), Map.of()).keySet()));
            return item;
        }).toList());
        out.put("has_more", hasMore);
        out.put("next_cursor", hasMore ? cursors.encode(account, page.get(page.size() - 1).seq()) : null);
        Json.respond(ctx, 200, out);
    }

    /** When retention deletes the event; null while a delivery is pending or held, or when events are kept for ever. */
    private String keptUntil(EventRow e, java.util.Collection<DeliveryQueue.Status> statuses) {
        return retention.keptUntil(e.createdAt(), statuses).map(Json::time).orElse(null);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static DeliveryQueue.Status deliveryStatus(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return DeliveryQueue.Status.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("status", "'status' must be pending, succeeded, failed, held or skipped (an event with such a delivery)");
        }
    }

    /** An ISO-8601 instant such as 2026-01-31T12:00:00Z, as epoch millis; null when absent. */
    private static Long time(Context ctx, String param) {
        String text = ctx.queryParam(param);
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(param, "'" + param + "' must be a UTC time such as 2026-01-31T12:00:00Z");
        }
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

    private static Map<String, Object> summary(EventRow e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", e.id());
        out.put("source_id", e.sourceId());
        out.put("schema", e.schema());
        out.put("table", e.table());
        out.put("operation", e.operation());
        out.put("lsn", e.commitLsn().toString());
        out.put("committed_at", Json.time(e.committedAt()));
        out.put("created_at", Json.time(e.createdAt()));
        out.put("payload", Json.raw(e.body())); // the stored bytes, exactly as signed
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
        out.put("error_kind", a.errorKind()); // null for a success
        out.put("response_body", a.responseBody());
        return out;
    }
}
