package dev.streamhook.api;

import dev.streamhook.capture.ConnectionSpec;
import dev.streamhook.capture.SourceManager;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code /v1/sources}: the databases an account captures from. */
public final class SourceRoutes {

    private static final Set<String> CREATE_FIELDS = Set.of("name", "type", "connection_uri", "tables");
    private final Sources sources;
    private final SourceManager manager;

    public SourceRoutes(Sources sources, SourceManager manager) {
        this.sources = sources;
        this.manager = manager;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/sources", this::create);
        routes.get("/v1/sources", ctx -> Json.respond(ctx, 200, Map.of("data",
                sources.listByAccount(ApiServer.account(ctx).id()).stream().map(s -> view(s, null)).toList())));
        routes.get("/v1/sources/{id}", ctx -> {
            Source s = owned(ctx, sources, ctx.pathParam("id"));
            Json.respond(ctx, 200, view(s, manager.slotLagBytes(s).orElse(null)));
        });
        routes.delete("/v1/sources/{id}", ctx -> {
            Source s = owned(ctx, sources, ctx.pathParam("id"));
            manager.delete(s, "true".equals(ctx.queryParam("force")));
            Json.respond(ctx, 200, new Json.Deleted(s.id()));
        });
    }

    private void create(Context ctx) {
        var body = Json.object(ctx, CREATE_FIELDS);
        String name = Json.requiredString(body, "name", Json.Max.NAME);
        String type = Json.optionalString(body, "type");
        if (type != null && !type.equals("postgresql")) {
            throw ApiException.invalid("type", "'type' must be \"postgresql\", the only kind of source so far");
        }
        String uri = Json.requiredString(body, "connection_uri", Json.Max.CONNECTION_URI);
        var tables = Json.stringList(body, "tables", Json.Max.TABLES, 2 * Json.Max.IDENTIFIER_BYTES + 1);
        tables.forEach(t -> Json.checkIdentifiers("tables", t));
        Source created = manager.create(ApiServer.account(ctx).id(), name, uri, tables);
        Json.respond(ctx, 201, view(created, null));
    }

    /** The caller's source, or 404 (also for another account's source, so ids do not leak). */
    static Source owned(Context ctx, Sources sources, String id) {
        return sources.find(ApiServer.account(ctx).id(), id).orElseThrow(() -> ApiException.notFound("source", id));
    }

    private static Map<String, Object> view(Source s, Long slotLagBytes) {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("events_captured", s.eventsCaptured());
        stats.put("last_event_at", Json.time(s.lastEventAt()));
        stats.put("slot_lag_bytes", slotLagBytes);
        stats.put("checkpoint_lsn", s.checkpoint().toString());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.id());
        out.put("name", s.name());
        out.put("type", s.type());
        out.put("connection_uri", ConnectionSpec.redact(s.connectionUri()));
        out.put("database", s.database());
        out.put("tables", s.tables());
        out.put("slot_name", s.slotName());
        out.put("publication_name", s.publicationName());
        out.put("status", s.status().wire());
        out.put("status_message", s.statusMessage());
        out.put("created_at", Json.time(s.createdAt()));
        out.put("stats", stats);
        return out;
    }
}
