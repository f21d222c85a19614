package dev.streamhook.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamhook.capture.SourceException;
import dev.streamhook.capture.SourceManager;
import dev.streamhook.capture.TableName;
import dev.streamhook.store.Backfills;
import dev.streamhook.store.Backfills.Backfill;
import dev.streamhook.store.Sources;
import dev.streamhook.store.Sources.Source;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/sources/:id/backfills}: sending the existing rows of some of a source's tables again,
 * while capture streams on. A backfill is accepted (202) and runs in the background; reading it
 * shows its progress per table. The snapshot asked for when the source was made is one of them.
 */
final class BackfillRoutes {

    private static final Set<String> CREATE_FIELDS = Set.of("table");
    private final Sources sources;
    private final Backfills backfills;
    private final SourceManager manager;
    private final Idempotency idempotency;

    BackfillRoutes(Sources sources, Backfills backfills, SourceManager manager, Idempotency idempotency) {
        this.sources = sources;
        this.backfills = backfills;
        this.manager = manager;
        this.idempotency = idempotency;
    }

    void register(RoutesConfig routes) {
        // a retried create must not read every row of the tables again
        routes.post("/v1/sources/{id}/backfills", idempotency.wrap(this::create));
        routes.get("/v1/sources/{id}/backfills", ctx -> {
            Source s = SourceRoutes.owned(ctx, sources, ctx.pathParam("id"));
            Json.respond(ctx, 200, Map.of("data", backfills.listBySource(s.id()).stream().map(BackfillRoutes::view).toList()));
        });
        routes.get("/v1/sources/{id}/backfills/{bid}", ctx -> {
            Source s = SourceRoutes.owned(ctx, sources, ctx.pathParam("id"));
            String id = ctx.pathParam("bid");
            Json.respond(ctx, 200, view(backfills.find(s.id(), id).orElseThrow(() -> ApiException.notFound("backfill", id))));
        });
    }

    private void create(Context ctx) {
        Source s = SourceRoutes.owned(ctx, sources, ctx.pathParam("id"));
        List<TableName> tables = tables(Json.object(ctx, CREATE_FIELDS), s);
        Backfill created;
        try {
            created = manager.backfill(s, tables);
        } catch (SourceException e) {
            if (e.reason() == SourceException.Reason.TABLE_HAS_NO_PRIMARY_KEY || e.reason() == SourceException.Reason.TABLE_NOT_FOUND) {
                throw ApiException.invalid("table", e.getMessage());
            }
            throw e;
        }
        Json.respond(ctx, 202, view(created));
    }

    /** {@code table}: one name or a non-empty array of names, each one the source captures. */
    private static List<TableName> tables(ObjectNode body, Source source) {
        JsonNode v = body.get("table");
        List<String> names = new ArrayList<>();
        if (v != null && v.isTextual()) {
            names.add(Json.checkText("table", v.asText(), 2 * Json.Max.IDENTIFIER_BYTES + 1));
        } else if (v != null && v.isArray()) {
            names.addAll(Json.stringList(body, "table", Json.Max.TABLES, 2 * Json.Max.IDENTIFIER_BYTES + 1));
        } else {
            throw ApiException.invalid("table", "'table' is required: a table of the source, as \"schema.table\", or an array of them");
        }
        Set<TableName> tables = new LinkedHashSet<>();
        for (String name : names) {
            TableName t;
            try {
                t = TableName.parse(Json.checkIdentifiers("table", name));
            } catch (SourceException e) {
                throw ApiException.invalid("table", e.getMessage());
            }
            // every-table capture: the database says whether the table exists and has a key (manager.backfill)
            if (!source.tables().equals(Sources.ALL_TABLES) && !source.tables().contains(t.toString())) {
                throw ApiException.invalid("table", "table " + t + " is not one of this source's tables (" + String.join(", ", source.tables())
                        + "); add it with PATCH /v1/sources/" + source.id() + " first");
            }
            tables.add(t);
        }
        return List.copyOf(tables);
    }

    static Map<String, Object> view(Backfill b) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", b.id());
        out.put("kind", b.kind().wire());
        out.put("status", b.status().wire());
        out.put("error", b.error());
        out.put("tables", b.tables().stream().map(t -> {
            Map<String, Object> table = new LinkedHashMap<>();
            table.put("table", t.table());
            table.put("status", t.done() ? "done" : "pending");
            table.put("rows_done", t.rowsDone());
            table.put("rows_estimated", t.rowsEstimated());
            return table;
        }).toList());
        out.put("created_at", Json.time(b.createdAt()));
        out.put("started_at", Json.time(b.startedAt()));
        out.put("finished_at", Json.time(b.finishedAt()));
        return out;
    }
}
