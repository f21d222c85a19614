package dev.streamhook.api;

import dev.streamhook.store.Usage;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code PATCH /v1/accounts/:id} (admin keys only): an operator sets an account's
 * {@code monthly_event_limit}, a whole number, {@code "unlimited"}, or null for the node's default
 * ({@code STREAMHOOK_FREE_EVENTS_PER_MONTH}); held events the new limit allows go out at once.
 *
 * <p>{@code GET /v1/usage}: the caller's month so far on the free plan: the period (a calendar month
 * in UTC), events counted (let through to delivery, released ones in the month they were released),
 * the monthly limit (null: none) and the events held now, stored but not sent until the month turns
 * or the limit is raised.
 */
public final class UsageRoutes {

    private final Usage usage;

    public UsageRoutes(Usage usage) {
        this.usage = usage;
    }

    void register(RoutesConfig routes) {
        routes.patch("/v1/accounts/{id}", ctx -> {
            if (!ApiServer.account(ctx).admin()) {
                throw new ApiException(ApiException.Reason.FORBIDDEN, null, "only an admin key may change an account's limits");
            }
            String id = ctx.pathParam("id");
            ObjectNode body = Json.object(ctx, Set.of("monthly_event_limit"));
            if (!body.has("monthly_event_limit")) {
                throw ApiException.invalid("monthly_event_limit", "'monthly_event_limit' is required: a whole number of events, "
                        + "\"unlimited\", or null for the server's default");
            }
            Long limit = limit(body.get("monthly_event_limit"));
            if (!usage.setMonthlyLimit(id, limit)) {
                throw ApiException.notFound("account", id);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", id);
            out.put("monthly_event_limit", limit == null ? null : limit == Usage.UNLIMITED ? "unlimited" : limit);
            out.put("usage", view(usage.report(id)));
            Json.respond(ctx, 200, out);
        });
        routes.get("/v1/usage", ctx -> {
            Json.respond(ctx, 200, view(usage.report(ApiServer.account(ctx).id())));
        });
    }

    private static Map<String, Object> view(Usage.Report r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("period_start", r.period().start().toString());
        out.put("period_end", r.period().end().toString());
        out.put("events_counted", r.eventsCounted());
        out.put("events_limit", r.limit());
        out.put("events_held", r.eventsHeld());
        return out;
    }

    private static Long limit(JsonNode v) {
        if (v.isNull()) {
            return null;
        }
        if (v.isTextual() && v.asText().equals("unlimited")) {
            return Usage.UNLIMITED;
        }
        if (!v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() < 0 || v.asLong() == Usage.UNLIMITED) {
            throw ApiException.invalid("monthly_event_limit",
                    "'monthly_event_limit' must be a whole number of events from 0, \"unlimited\", or null for the server's default");
        }
        return v.asLong();
    }
}
