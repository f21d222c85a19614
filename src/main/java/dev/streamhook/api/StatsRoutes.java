package dev.streamhook.api;

import dev.streamhook.store.Destinations;
import dev.streamhook.store.Destinations.Destination;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import dev.streamhook.store.Stats;
import dev.streamhook.store.Stats.Point;
import io.javalin.config.RoutesConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/sources/:id/stats?range=1h|24h}: what the dashboard charts. The source's events
 * captured and its largest slot lag per bucket (a minute for the last hour, 15 minutes for the last
 * day), and for each destination its deliveries, attempts, failed attempts, success rate and
 * commit-to-2xx latency, per bucket and over the range. Every bucket is present, empty ones zero.
 */
public final class StatsRoutes {

    private static final long MINUTE = 60_000;

    private final Sources sources;
    private final Destinations destinations;
    private final Stats stats;

    public StatsRoutes(Sources sources, Destinations destinations, Stats stats) {
        this.sources = sources;
        this.destinations = destinations;
        this.stats = stats;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/sources/{id}/stats", ctx -> {
            Source source = SourceRoutes.owned(ctx, sources, ctx.pathParam("id"));
            String range = ctx.queryParam("range") == null ? "1h" : ctx.queryParam("range");
            long bucket = switch (range) {
                case "1h" -> MINUTE;
                case "24h" -> 15 * MINUTE;
                default -> throw ApiException.invalid("range", "'range' must be 1h (minutes of the last hour) or 24h (quarter hours of the last day)");
            };
            long now = System.currentTimeMillis();
            long to = now - Math.floorMod(now, bucket) + bucket; // the bucket now running is the last
            long from = to - (range.equals("1h") ? 60 * MINUTE : 24 * 60 * MINUTE);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("source_id", source.id());
            out.put("range", range);
            out.put("bucket_seconds", bucket / 1000);
            out.put("from", Json.time(from));
            out.put("to", Json.time(to));
            List<Map<String, Object>> points = new ArrayList<>();
            for (Point p : stats.series(source.id(), from, to, bucket)) {
                Map<String, Object> point = new LinkedHashMap<>();
                point.put("at", Json.time(p.at()));
                point.put("events", p.events());
                point.put("slot_lag_bytes", p.slotLagBytes());
                points.add(point);
            }
            out.put("points", points);
            List<Map<String, Object>> views = new ArrayList<>();
            for (Destination d : destinations.listBySource(source.id())) {
                views.add(destination(d, stats.series(d.id(), from, to, bucket)));
            }
            out.put("destinations", views);
            Json.respond(ctx, 200, out);
        });
    }

    private static Map<String, Object> destination(Destination d, List<Point> series) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", d.id());
        view.put("url", d.url());
        long delivered = 0;
        long attempts = 0;
        long failed = 0;
        long latencySum = 0;
        long latencyMax = 0;
        List<Map<String, Object>> points = new ArrayList<>();
        for (Point p : series) {
            delivered += p.delivered();
            attempts += p.attempts();
            failed += p.failedAttempts();
            latencySum += p.latencyMsSum();
            latencyMax = Math.max(latencyMax, p.latencyMsMax());
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("at", Json.time(p.at()));
            point.put("delivered", p.delivered());
            point.put("attempts", p.attempts());
            point.put("failed_attempts", p.failedAttempts());
            point.put("latency_avg_ms", p.delivered() == 0 ? null : (double) p.latencyMsSum() / p.delivered());
            point.put("latency_max_ms", p.delivered() == 0 ? null : p.latencyMsMax());
            points.add(point);
        }
        view.put("delivered", delivered);
        view.put("attempts", attempts);
        view.put("failed_attempts", failed);
        view.put("success_rate", attempts == 0 ? null : (double) (attempts - failed) / attempts);
        view.put("latency_avg_ms", delivered == 0 ? null : (double) latencySum / delivered);
        view.put("latency_max_ms", delivered == 0 ? null : latencyMax);
        view.put("points", points);
        return view;
    }
}
