package dev.streamhook.api;

import static dev.streamhook.api.BadRequest.LONG;
import static dev.streamhook.api.BadRequest.delete;
import static dev.streamhook.api.BadRequest.get;
import static dev.streamhook.api.BadRequest.patch;
import static dev.streamhook.api.BadRequest.plainText;
import static dev.streamhook.api.BadRequest.post;
import static dev.streamhook.api.BadRequest.q;

import java.util.ArrayList;
import java.util.List;

/**
 * Bad requests to sources: create, edit, discover, tables, slot, backfills, stats; and every address
 * form a source's database may not be at. The node of the test allows loopback only, so the
 * private and special ranges are refused like on a hosted node.
 */
final class BadSourceInput {

    private static final String URI = "postgres://u:p@127.0.0.1:1/db";

    private BadSourceInput() {
    }

    static List<BadRequest> rows() {
        List<BadRequest> c = new ArrayList<>();
        create(c);
        addresses(c);
        edit(c);
        discover(c);
        others(c);
        backfills(c);
        return c;
    }

    private static void create(List<BadRequest> c) {
        c.add(post("source: malformed JSON", "/v1/sources", "{\"name\": \"x\",", 400, null));
        c.add(post("source: name of the wrong type", "/v1/sources", source("1", q(URI), "[\"orders\"]"), 400, "name"));
        c.add(post("source: name missing", "/v1/sources", "{\"connection_uri\":" + q(URI) + ",\"tables\":[\"orders\"]}", 400, "name"));
        c.add(post("source: huge name", "/v1/sources", source(q(LONG), q(URI), "[\"orders\"]"), 400, "name"));
        c.add(post("source: connection_uri missing", "/v1/sources", "{\"name\":\"x\",\"tables\":[\"orders\"]}", 400, "connection_uri"));
        c.add(post("source: a huge connection_uri", "/v1/sources", source(q("x"), q(URI + "?x=" + LONG), "[\"orders\"]"), 400, "connection_uri"));
        c.add(post("source: a mysql URI", "/v1/sources", source(q("x"), q("mysql://u:p@127.0.0.1/db"), "[\"orders\"]"), 400, "connection_uri"));
        c.add(post("source: not a URI", "/v1/sources", source(q("x"), q("::not a uri::"), "[\"orders\"]"), 400, "connection_uri"));
        c.add(post("source: a URI without a host", "/v1/sources", source(q("x"), q("postgres:///db"), "[\"orders\"]"), 400, "connection_uri"));
        c.add(post("source: tables not a list", "/v1/sources", source(q("x"), q(URI), "\"orders\""), 400, "tables"));
        c.add(post("source: a table that is not a string", "/v1/sources", source(q("x"), q(URI), "[5]"), 400, "tables"));
        c.add(post("source: no tables", "/v1/sources", source(q("x"), q(URI), "[]"), 400, "tables"));
        c.add(post("source: a table name of three parts", "/v1/sources", source(q("x"), q(URI), "[\"a.b.c\"]"), 400, "tables"));
        c.add(post("source: a huge table name", "/v1/sources", source(q("x"), q(URI), "[" + q(LONG) + "]"), 400, "tables"));
        c.add(post("source: another type", "/v1/sources", "{\"name\":\"x\",\"type\":\"mysql\",\"connection_uri\":" + q(URI)
                + ",\"tables\":[\"orders\"]}", 400, "type"));
        c.add(post("source: snapshot not a boolean", "/v1/sources", "{\"name\":\"x\",\"connection_uri\":" + q(URI)
                + ",\"tables\":[\"orders\"],\"snapshot\":\"yes\"}", 400, "snapshot"));
        c.add(post("source: unknown field", "/v1/sources", "{\"name\":\"x\",\"connection_uri\":" + q(URI)
                + ",\"tables\":[\"orders\"],\"slot\":\"mine\"}", 400, "slot"));
        c.add(post("source: a blank Idempotency-Key", "/v1/sources", source(q("x"), q(URI), "[\"orders\"]"), 400, "Idempotency-Key")
                .withHeader("Idempotency-Key", " "));
        c.add(plainText("source: text/plain", "POST", "/v1/sources"));
        c.add(get("sources: an unknown query parameter", "/v1/sources?limit=10", 400, "limit"));
    }

    /** Point 2 of issue 6: each form an address StreamHook must not connect to can take. */
    private static void addresses(List<BadRequest> c) {
        String[][] hosts = {
            {"the metadata address", "169.254.169.254"},
            {"the IPv6 metadata address with a zone id", "[fd00:ec2::254%251]"},
            {"the metadata address inside IPv6", "[::ffff:169.254.169.254]"},
            {"the metadata address in NAT64", "[64:ff9b::a9fe:a9fe]"},
            {"a private address in NAT64", "[64:ff9b::10.0.0.1]"},
            {"the metadata address in 6to4", "[2002:a9fe:a9fe::1]"},
            {"a private address in 6to4", "[2002:c0a8:0101::1]"},
            {"a carrier-grade NAT address (100.64/10)", "100.64.0.1"},
            {"a benchmarking address (198.18/15)", "198.19.255.254"},
            {"a reserved address (240/4)", "240.0.0.1"},
            {"the broadcast address", "255.255.255.255"},
            {"this network (0/8)", "0.0.0.1"},
            {"a private address", "10.0.0.1"},
        };
        for (String[] h : hosts) {
            String uri = "postgres://u:p@" + h[1] + ":5432/db";
            c.add(post("source: " + h[0], "/v1/sources", source(q("x"), q(uri), "[\"orders\"]"), 400, "connection_uri"));
        }
    }

    private static void edit(List<BadRequest> c) {
        String src = "/v1/sources/{src}";
        c.add(patch("edit source: malformed JSON", src, "{\"name\":", 400, null));
        c.add(patch("edit source: a JSON array", src, "[\"name\"]", 400, null));
        c.add(patch("edit source: name of the wrong type", src, "{\"name\": 5}", 400, "name"));
        c.add(patch("edit source: an empty name", src, "{\"name\": \"\"}", 400, "name"));
        c.add(patch("edit source: huge name", src, "{\"name\":" + q(LONG) + "}", 400, "name"));
        c.add(patch("edit source: status disabled", src, "{\"status\": \"disabled\"}", 400, "status"));
        c.add(patch("edit source: status a number", src, "{\"status\": 1}", 400, "status"));
        c.add(patch("edit source: status null", src, "{\"status\": null}", 400, "status"));
        c.add(patch("edit source: tables not a list", src, "{\"tables\": \"orders\"}", 400, "tables"));
        c.add(patch("edit source: no tables", src, "{\"tables\": []}", 400, "tables"));
        c.add(patch("edit source: every table and one more", src, "{\"tables\": [\"*\", \"orders\"]}", 400, "tables"));
        c.add(patch("edit source: a table name of three parts", src, "{\"tables\": [\"a.b.c\"]}", 400, "tables"));
        c.add(patch("edit source: a mysql URI", src, "{\"connection_uri\": \"mysql://u:p@127.0.0.1/db\"}", 400, "connection_uri"));
        c.add(patch("edit source: connection_uri a number", src, "{\"connection_uri\": 5}", 400, "connection_uri"));
        c.add(patch("edit source: a benchmarking address", src, "{\"connection_uri\": \"postgres://u:p@198.18.0.1/db\"}", 400, "connection_uri"));
        c.add(patch("edit source: the metadata address in NAT64", src, "{\"connection_uri\": \"postgres://u:p@[64:ff9b::a9fe:a9fe]/db\"}",
                400, "connection_uri"));
        c.add(patch("edit source: replica_identity not an object", src, "{\"replica_identity\": [\"full\"]}", 400, "replica_identity"));
        c.add(patch("edit source: an unknown replica identity", src, "{\"replica_identity\": {\"orders\": \"nothing\"}}", 400, "replica_identity"));
        c.add(patch("edit source: a replica identity not a string", src, "{\"replica_identity\": {\"orders\": 1}}", 400, "replica_identity"));
        c.add(patch("edit source: a type", src, "{\"type\": \"postgresql\"}", 400, "type"));
        c.add(patch("edit source: unknown field", src, "{\"slot_name\": \"mine\"}", 400, "slot_name"));
        c.add(plainText("edit source: text/plain", "PATCH", src));
        c.add(patch("edit source: an unknown id", "/v1/sources/src_doesnotexist", "{\"name\": \"x\"}", 404, null));
        c.add(patch("edit source: another account's", "/v1/sources/{other_src}", "{\"name\": \"x\"}", 404, null));
    }

    private static void discover(List<BadRequest> c) {
        String discover = "/v1/sources/discover";
        c.add(post("discover: malformed JSON", discover, "{\"connection_uri\":", 400, null));
        c.add(post("discover: connection_uri missing", discover, "{}", 400, "connection_uri"));
        c.add(post("discover: connection_uri a number", discover, "{\"connection_uri\": 5}", 400, "connection_uri"));
        c.add(post("discover: a huge connection_uri", discover, "{\"connection_uri\":" + q(URI + "?x=" + LONG) + "}", 400, "connection_uri"));
        c.add(post("discover: a mysql URI", discover, "{\"connection_uri\": \"mysql://u:p@127.0.0.1/db\"}", 400, "connection_uri"));
        c.add(post("discover: the metadata address", discover, "{\"connection_uri\": \"postgres://u:p@169.254.169.254/db\"}", 400, "connection_uri"));
        c.add(post("discover: a reserved address", discover, "{\"connection_uri\": \"postgres://u:p@240.0.0.1/db\"}", 400, "connection_uri"));
        c.add(post("discover: a carrier-grade NAT address", discover, "{\"connection_uri\": \"postgres://u:p@100.64.0.1/db\"}", 400, "connection_uri"));
        c.add(post("discover: unknown field", discover, "{\"connection_uri\":" + q(URI) + ",\"tables\":[\"orders\"]}", 400, "tables"));
        c.add(plainText("discover: text/plain", "POST", discover));
    }

    /** One source, its tables, its slot, its stats and its deletion. */
    private static void others(List<BadRequest> c) {
        c.add(get("source: an unknown id", "/v1/sources/src_doesnotexist", 404, null));
        c.add(get("source: another account's id", "/v1/sources/{other_src}", 404, null));
        c.add(get("source: an unknown query parameter", "/v1/sources/{src}?expand=stats", 400, "expand"));
        c.add(get("source: a NUL in the id", "/v1/sources/%00", 400, null));
        c.add(get("source: an id that is not UTF-8", "/v1/sources/%C0%80", 400, null));
        c.add(get("source: a huge id", "/v1/sources/" + "x".repeat(3_000), 404, null));
        c.add(delete("delete source: another account's", "/v1/sources/{other_src}", 404, null));
        c.add(delete("delete source: an unknown id", "/v1/sources/src_doesnotexist", 404, null));
        // an unknown id: were the value taken for false, the row would delete nothing
        c.add(delete("delete source: force neither true nor false", "/v1/sources/src_doesnotexist?force=yes", 400, "force"));
        c.add(get("tables: an unknown id", "/v1/sources/src_doesnotexist/tables", 404, null));
        c.add(get("tables: another account's source", "/v1/sources/{other_src}/tables", 404, null));
        c.add(get("tables: an unknown query parameter", "/v1/sources/{src}/tables?schema=public", 400, "schema"));
        String slot = "/v1/sources/{src}/recreate_slot";
        c.add(post("recreate slot: a source whose slot is not lost", slot, "", 409, null));
        c.add(post("recreate slot: malformed JSON", slot, "{\"x\":", 400, null));
        c.add(post("recreate slot: unknown field", slot, "{\"slot_name\": \"mine\"}", 400, "slot_name"));
        c.add(plainText("recreate slot: text/plain", "POST", slot));
        c.add(post("recreate slot: an unknown id", "/v1/sources/src_doesnotexist/recreate_slot", "", 404, null));
        c.add(post("recreate slot: another account's source", "/v1/sources/{other_src}/recreate_slot", "", 404, null));
        String stats = "/v1/sources/{src}/stats";
        c.add(get("stats: a range not offered", stats + "?range=7d", 400, "range"));
        c.add(get("stats: an empty range", stats + "?range=", 400, "range"));
        c.add(get("stats: a range in capitals", stats + "?range=1H", 400, "range"));
        c.add(get("stats: a huge range", stats + "?range=" + "x".repeat(5_000), 400, "range"));
        c.add(get("stats: an unknown query parameter", stats + "?from=2026-01-01T00:00:00Z", 400, "from"));
        c.add(get("stats: an unknown id", "/v1/sources/src_doesnotexist/stats", 404, null));
        c.add(get("stats: another account's source", "/v1/sources/{other_src}/stats?range=24h", 404, null));
    }

    private static void backfills(List<BadRequest> c) {
        String backfills = "/v1/sources/{src}/backfills";
        c.add(post("backfill: malformed JSON", backfills, "{\"table\":", 400, null));
        c.add(post("backfill: table missing", backfills, "{}", 400, "table"));
        c.add(post("backfill: table a number", backfills, "{\"table\": 5}", 400, "table"));
        c.add(post("backfill: no tables", backfills, "{\"table\": []}", 400, "table"));
        c.add(post("backfill: a table that is not a string", backfills, "{\"table\": [\"orders\", 5]}", 400, "table"));
        c.add(post("backfill: a table name of three parts", backfills, "{\"table\": \"a.b.c\"}", 400, "table"));
        c.add(post("backfill: a huge table name", backfills, "{\"table\":" + q(LONG) + "}", 400, "table"));
        c.add(post("backfill: a table the source does not capture", backfills, "{\"table\": \"users\"}", 400, "table"));
        c.add(post("backfill: unknown field", backfills, "{\"table\": \"orders\", \"where\": \"id > 1\"}", 400, "where"));
        c.add(post("backfill: a blank Idempotency-Key", backfills, "{\"table\": \"orders\"}", 400, "Idempotency-Key")
                .withHeader("Idempotency-Key", " "));
        c.add(post("backfill: an Idempotency-Key too long", backfills, "{\"table\": \"orders\"}", 400, "Idempotency-Key")
                .withHeader("Idempotency-Key", "k".repeat(256)));
        c.add(post("backfill: an Idempotency-Key used for another request", backfills, "{\"table\": \"public.orders\"}", 409, "Idempotency-Key")
                .withHeader("Idempotency-Key", BadInputIT.BACKFILL_KEY));
        c.add(plainText("backfill: text/plain", "POST", backfills));
        c.add(post("backfill: an unknown source", "/v1/sources/src_doesnotexist/backfills", "{\"table\": \"orders\"}", 404, null));
        c.add(post("backfill: another account's source", "/v1/sources/{other_src}/backfills", "{\"table\": \"orders\"}", 404, null));
        c.add(get("backfills: an unknown source", "/v1/sources/src_doesnotexist/backfills", 404, null));
        c.add(get("backfills: another account's source", "/v1/sources/{other_src}/backfills", 404, null));
        c.add(get("backfills: an unknown query parameter", backfills + "?status=running", 400, "status"));
        c.add(get("backfill: an unknown id", backfills + "/bf_doesnotexist", 404, null));
        c.add(get("backfill: another account's backfill", backfills + "/{other_bf}", 404, null));
        c.add(get("backfill: one of another account's source", "/v1/sources/{other_src}/backfills/{bf}", 404, null));
        c.add(get("backfill: an unknown query parameter", backfills + "/{bf}?expand=tables", 400, "expand"));
    }

    private static String source(String name, String uri, String tables) {
        return "{\"name\":" + name + ",\"connection_uri\":" + uri + ",\"tables\":" + tables + "}";
    }
}
