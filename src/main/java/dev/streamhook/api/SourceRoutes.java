package dev.streamhook.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamhook.capture.ConnectionSpec;
import dev.streamhook.capture.SourceManager;
import dev.streamhook.config.Config;
import dev.streamhook.store.Backfills;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/sources}: the databases an account captures from. Reads answer from the store alone;
 * creating and editing talk to the user's database through {@link SourceManager}.
 */
public final class SourceRoutes {

    private static final Set<String> CREATE_FIELDS = Set.of("name", "type", "connection_uri", "tables", "snapshot");
    private static final Set<String> PATCH_FIELDS = Set.of("name", "connection_uri", "tables", "status", "replica_identity");
    private final Sources sources;
    private final SourceManager manager;
    private final Idempotency idempotency;
    private final SourceHealthView health;
    private final Backfills backfills;
    private final BackfillRoutes backfillRoutes;

    public SourceRoutes(Sources sources, SourceManager manager, Idempotency idempotency, Config.CaptureAlerts alerts, Backfills backfills) {
        this.backfills = backfills;
        this.backfillRoutes = new BackfillRoutes(sources, backfills, manager, idempotency);
        this.sources = sources;
        this.manager = manager;
        this.idempotency = idempotency;
        this.health = new SourceHealthView(alerts);
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/sources", idempotency.wrap(this::create));
        routes.get("/v1/sources", ctx -> Json.respond(ctx, 200, Map.of("data",
                sources.listByAccount(ApiServer.account(ctx).id()).stream().map(this::view).toList())));
        // from the store only: a source whose database is down answers as fast as any other
        routes.get("/v1/sources/{id}", ctx -> Json.respond(ctx, 200, view(owned(ctx, sources, ctx.pathParam("id")))));
        routes.patch("/v1/sources/{id}", this::patch);
        // these two talk to the user's database, on the source-check pool under the address policy, like a create
        routes.post("/v1/sources/discover", ctx -> {
            String uri = Json.requiredString(Json.object(ctx, Set.of("connection_uri")), "connection_uri", Json.Max.CONNECTION_URI);
            Json.respond(ctx, 200, SourceHealthView.discovery(manager.discover(uri)));
        });
        routes.get("/v1/sources/{id}/tables", ctx -> Json.respond(ctx, 200,
                SourceHealthView.discovery(manager.tables(owned(ctx, sources, ctx.pathParam("id"))))));
        routes.post("/v1/sources/{id}/recreate_slot", ctx -> {
            Source s = owned(ctx, sources, ctx.pathParam("id"));
            Json.noFields(ctx);
            if (s.status() != Sources.Status.ERROR) {
                throw new ApiException(ApiException.Reason.CONFLICT, null, "the source's slot is not lost (status " + s.status().wire()
                        + "); recreating it would skip changes, so only a source in status error can");
            }
            Json.respond(ctx, 200, view(manager.recreateSlot(s)));
        });
        routes.delete("/v1/sources/{id}", ctx -> {
            boolean force = QueryParameters.flag(ctx, "force"); // first: a bad value deletes nothing, whatever the id
            Source s = owned(ctx, sources, ctx.pathParam("id"));
            manager.delete(s, force);
            Json.respond(ctx, 200, new Json.Deleted(s.id()));
        });
        backfillRoutes.register(routes);
    }

    private void create(Context ctx) {
        var body = Json.object(ctx, CREATE_FIELDS);
        String name = Json.requiredString(body, "name", Json.Max.NAME);
        String type = Json.optionalString(body, "type");
        if (type != null && !type.equals("postgresql")) {
            throw ApiException.invalid("type", "'type' must be \"postgresql\", the only kind of source so far");
        }
        String uri = Json.requiredString(body, "connection_uri", Json.Max.CONNECTION_URI);
        var tables = readTables(body);
        var snapshot = body.get("snapshot");
        if (snapshot != null && !snapshot.isNull() && !snapshot.isBoolean()) {
            throw ApiException.invalid("snapshot", "'snapshot' must be true (send every existing row first) or false");
        }
        Source created = manager.create(ApiServer.account(ctx).id(), name, uri, tables, snapshot != null && snapshot.asBoolean());
        Json.respond(ctx, 201, view(created));
    }

    /** A request to edit a source: each field null when the body leaves it out. */
    record Patch(String name, String connectionUri, List<String> tables, Boolean paused, Map<String, String> replicaIdentity) {
        static Patch read(ObjectNode body) {
            String name = body.has("name") ? Json.requiredString(body, "name", Json.Max.NAME) : null;
            String uri = body.has("connection_uri") ? Json.requiredString(body, "connection_uri", Json.Max.CONNECTION_URI) : null;
            List<String> tables = body.has("tables") ? readTables(body) : null;
            Map<String, String> identity = Json.stringMap(body, "replica_identity", Json.Max.TABLES, 2 * Json.Max.IDENTIFIER_BYTES + 1, 10);
            if (identity != null) {
                identity.forEach((table, value) -> {
                    Json.checkIdentifiers("replica_identity", table);
                    if (!value.equals("full") && !value.equals("default")) {
                        throw ApiException.invalid("replica_identity", "'replica_identity." + table + "' must be \"full\" (before holds "
                                + "every column) or \"default\" (before holds the primary key)");
                    }
                });
            }
            Boolean paused = null;
            if (body.has("status")) {
                String status = Json.optionalString(body, "status");
                if (!"paused".equals(status) && !"active".equals(status)) {
                    throw ApiException.invalid("status", "'status' must be \"paused\" (stop delivering) or \"active\" (deliver)");
                }
                paused = status.equals("paused");
            }
            return new Patch(name, uri, tables, paused, identity);
        }
    }

    /** {@code tables}: a non-empty array of table names, or {@code "*"} (every capturable table, and those created later). */
    private static List<String> readTables(ObjectNode body) {
        if (body.path("tables").isTextual() && body.path("tables").asText().equals("*")) {
            return Sources.ALL_TABLES;
        }
        var tables = Json.stringList(body, "tables", Json.Max.TABLES, 2 * Json.Max.IDENTIFIER_BYTES + 1);
        if (tables.contains("*")) {
            if (tables.size() > 1) {
                throw ApiException.invalid("tables", "'tables' is either \"*\" (every table) or a list of names, not both");
            }
            return Sources.ALL_TABLES;
        }
        tables.forEach(t -> Json.checkIdentifiers("tables", t));
        return tables;
    }

    private void patch(Context ctx) {
        Source s = owned(ctx, sources, ctx.pathParam("id"));
        Patch p = Patch.read(Json.object(ctx, PATCH_FIELDS));
        Json.respond(ctx, 200, view(manager.update(s, p.name(), p.tables(), p.connectionUri(), p.paused(), p.replicaIdentity())));
    }

    /** The caller's source, or 404 (also for another account's source, so ids do not leak). */
    static Source owned(Context ctx, Sources sources, String id) {
        return sources.find(ApiServer.account(ctx).id(), id).orElseThrow(() -> ApiException.notFound("source", id));
    }

    private Map<String, Object> view(Source s) {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("events_captured", s.eventsCaptured());
        stats.put("last_event_at", Json.time(s.lastEventAt()));
        stats.put("slot_lag_bytes", s.slotLagBytes()); // as capture last measured it; null until then
        stats.put("slot_lag_measured_at", Json.time(s.slotLagAt()));
        stats.put("checkpoint_lsn", s.checkpoint().toString());
        stats.put("slot_wal_status", s.health().slotWalStatus()); // pg_replication_slots.wal_status at the last inspection
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.id());
        out.put("name", s.name());
        out.put("type", s.type());
        out.put("connection_uri", ConnectionSpec.redact(s.connectionUri()));
        out.put("warnings", ConnectionSpec.parse(s.connectionUri()).warnings());
        out.put("database", s.database());
        out.put("tables", s.tables());
        out.put("slot_name", s.slotName());
        out.put("publication_name", s.publicationName());
        // a lost slot needs the user whether or not delivery is paused
        out.put("status", s.paused() && s.status() != Sources.Status.ERROR ? "paused" : s.status().wire());
        out.put("capture_status", s.status().wire()); // capture runs while delivery is paused
        out.put("status_message", s.statusMessage());
        out.put("paused_at", Json.time(s.pausedAt()));
        out.put("created_at", Json.time(s.createdAt()));
        out.put("stats", stats);
        health.addTo(out, s, System.currentTimeMillis());
        out.put("snapshot", backfills.snapshotOf(s.id()).map(BackfillRoutes::view).orElse(null));
        return out;
    }
}
