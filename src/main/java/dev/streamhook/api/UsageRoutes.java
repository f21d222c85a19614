package dev.streamhook.api;

import dev.streamhook.store.Usage;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /v1/usage}: the caller's month so far on the free plan: the period (a calendar month
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
        routes.get("/v1/usage", ctx -> {
            Usage.Report r = usage.report(ApiServer.account(ctx).id());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("period_start", r.period().start().toString());
            out.put("period_end", r.period().end().toString());
            out.put("events_counted", r.eventsCounted());
            out.put("events_limit", r.limit());
            out.put("events_held", r.eventsHeld());
            Json.respond(ctx, 200, out);
        });
    }
}
