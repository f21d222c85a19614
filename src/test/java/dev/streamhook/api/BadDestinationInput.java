package dev.streamhook.api;

import static dev.streamhook.api.BadRequest.LONG;
import static dev.streamhook.api.BadRequest.delete;
import static dev.streamhook.api.BadRequest.get;
import static dev.streamhook.api.BadRequest.patch;
import static dev.streamhook.api.BadRequest.plainText;
import static dev.streamhook.api.BadRequest.post;

import java.util.ArrayList;
import java.util.List;

/** Bad requests to destinations: create and edit with every setting, read, delete, rotate, test and replay. */
final class BadDestinationInput {

    private static final String DESTS = "/v1/sources/{src}/destinations";
    private static final String DST = DESTS + "/{dst}";
    private static final String URL = "\"url\":\"http://127.0.0.1:9/\"";

    private BadDestinationInput() {
    }

    static List<BadRequest> rows() {
        List<BadRequest> c = new ArrayList<>();
        create(c);
        settings(c);
        edit(c);
        one(c);
        rotate(c);
        test(c);
        replay(c);
        return c;
    }

    private static void create(List<BadRequest> c) {
        c.add(post("destination: malformed JSON", DESTS, "{\"url\":", 400, null));
        c.add(post("destination: url missing", DESTS, "{}", 400, "url"));
        c.add(post("destination: url of the wrong type", DESTS, "{\"url\": 5}", 400, "url"));
        c.add(post("destination: not a URL", DESTS, "{\"url\":\"not a url\"}", 400, "url"));
        c.add(post("destination: an ftp URL", DESTS, "{\"url\":\"ftp://127.0.0.1/x\"}", 400, "url"));
        c.add(post("destination: a URL with credentials", DESTS, "{\"url\":\"http://u:p@127.0.0.1:9/\"}", 400, "url"));
        c.add(post("destination: a huge URL", DESTS, "{\"url\":\"http://127.0.0.1/" + LONG + "\"}", 400, "url"));
        c.add(post("destination: the metadata address", DESTS, "{\"url\":\"http://169.254.169.254/latest\"}", 400, "url"));
        c.add(post("destination: Azure's metadata address", DESTS, "{\"url\":\"http://168.63.129.16/\"}", 400, "url"));
        c.add(post("destination: the metadata address inside IPv6", DESTS, "{\"url\":\"http://[::ffff:a9fe:a9fe]/\"}", 400, "url"));
        c.add(post("destination: the metadata address in NAT64", DESTS, "{\"url\":\"http://[64:ff9b::a9fe:a9fe]/\"}", 400, "url"));
        c.add(post("destination: the metadata address in 6to4", DESTS, "{\"url\":\"http://[2002:a9fe:a9fe::1]/\"}", 400, "url"));
        c.add(post("destination: a carrier-grade NAT address", DESTS, "{\"url\":\"http://100.64.0.1/\"}", 400, "url"));
        c.add(post("destination: a benchmarking address", DESTS, "{\"url\":\"http://198.18.0.1/\"}", 400, "url"));
        c.add(post("destination: a reserved address", DESTS, "{\"url\":\"http://240.0.0.1/\"}", 400, "url"));
        c.add(post("destination: broadcast", DESTS, "{\"url\":\"http://255.255.255.255/\"}", 400, "url"));
        c.add(post("destination: this network", DESTS, "{\"url\":\"http://0.0.0.1/\"}", 400, "url"));
        c.add(post("destination: a secret too short", DESTS, "{" + URL + ",\"secret\":\"short\"}", 400, "secret"));
        c.add(post("destination: a secret not a string", DESTS, "{" + URL + ",\"secret\":12345678}", 400, "secret"));
        c.add(post("destination: headers not an object", DESTS, "{" + URL + ",\"headers\":[\"a\"]}", 400, "headers"));
        c.add(post("destination: a header value not a string", DESTS, "{" + URL + ",\"headers\":{\"X-A\":1}}", 400, "headers"));
        c.add(post("destination: a reserved header", DESTS, "{" + URL + ",\"headers\":{\"Content-Type\":\"text/plain\"}}", 400, "headers"));
        c.add(post("destination: a header name with a line break", DESTS, "{" + URL + ",\"headers\":{\"X-A\\r\\nX-B\":\"v\"}}", 400, "headers"));
        c.add(post("destination: a huge header value", DESTS, "{" + URL + ",\"headers\":{\"X-A\":\"" + LONG + "\"}}", 400, "headers"));
        c.add(post("destination: a status", DESTS, "{" + URL + ",\"status\":\"paused\"}", 400, "status"));
        c.add(post("destination: unknown field", DESTS, "{" + URL + ",\"retries\":3}", 400, "retries"));
        c.add(post("destination: a blank Idempotency-Key", DESTS, "{" + URL + "}", 400, "Idempotency-Key").withHeader("Idempotency-Key", " "));
        c.add(plainText("destination: text/plain", "POST", DESTS));
        c.add(post("destination: an unknown source", "/v1/sources/src_doesnotexist/destinations", "{" + URL + "}", 404, null));
        c.add(post("destination: on another account's source", "/v1/sources/{other_src}/destinations", "{" + URL + "}", 404, null));
        c.add(get("destinations: another account's source", "/v1/sources/{other_src}/destinations", 404, null));
        c.add(get("destinations: an unknown query parameter", DESTS + "?status=paused", 400, "status"));
    }

    /** The settings newer than the first page: each refused on create, with the field (or its part) named. */
    private static void settings(List<BadRequest> c) {
        setting(c, "max_in_flight 0", "\"max_in_flight\":0", "max_in_flight");
        setting(c, "max_in_flight too high", "\"max_in_flight\":100000", "max_in_flight");
        setting(c, "max_in_flight a string", "\"max_in_flight\":\"8\"", "max_in_flight");
        setting(c, "operations empty", "\"operations\":[]", "operations");
        setting(c, "an unknown operation", "\"operations\":[\"INSERT\",\"UPSERT\"]", "operations");
        setting(c, "operations a string", "\"operations\":\"INSERT\"", "operations");
        setting(c, "retry a number", "\"retry\":3", "retry");
        setting(c, "retry.max_attempts 0", "\"retry\":{\"max_attempts\":0}", "retry.max_attempts");
        setting(c, "retry.max_attempts too high", "\"retry\":{\"max_attempts\":101}", "retry.max_attempts");
        setting(c, "retry.max_attempts a string", "\"retry\":{\"max_attempts\":\"8\"}", "retry.max_attempts");
        setting(c, "retry.schedule empty", "\"retry\":{\"schedule\":[]}", "retry.schedule");
        setting(c, "retry.schedule of words", "\"retry\":{\"schedule\":[\"5s\"]}", "retry.schedule");
        setting(c, "retry.schedule of no time", "\"retry\":{\"schedule\":[0]}", "retry.schedule");
        setting(c, "retry.schedule beyond a week", "\"retry\":{\"schedule\":[604801]}", "retry.schedule");
        setting(c, "an unknown retry field", "\"retry\":{\"backoff\":\"exponential\"}", "retry.backoff");
        setting(c, "timeout_ms too short", "\"timeout_ms\":50", "timeout_ms");
        setting(c, "timeout_ms too long", "\"timeout_ms\":10000000000", "timeout_ms");
        setting(c, "timeout_ms a string", "\"timeout_ms\":\"1000\"", "timeout_ms");
        setting(c, "connect_timeout_ms fractional", "\"connect_timeout_ms\":150.5", "connect_timeout_ms");
        setting(c, "connect_timeout_ms beyond timeout_ms", "\"timeout_ms\":1000,\"connect_timeout_ms\":2000", "connect_timeout_ms");
        setting(c, "batch a number", "\"batch\":10", "batch");
        setting(c, "batch without max_events", "\"batch\":{}", "batch.max_events");
        setting(c, "batch.max_events too high", "\"batch\":{\"max_events\":501}", "batch.max_events");
        setting(c, "batch.max_wait_ms negative", "\"batch\":{\"max_events\":10,\"max_wait_ms\":-1}", "batch.max_wait_ms");
        setting(c, "an unknown batch field", "\"batch\":{\"max_events\":10,\"max_bytes\":1000}", "batch.max_bytes");
        setting(c, "an unknown signature_scheme", "\"signature_scheme\":\"hmac\"", "signature_scheme");
        setting(c, "signature_scheme a number", "\"signature_scheme\":1", "signature_scheme");
        setting(c, "standard_webhooks without a secret", "\"signature_scheme\":\"standard_webhooks\"", "signature_scheme");
        setting(c, "standard_webhooks with a secret not in whsec_ form", "\"signature_scheme\":\"both\",\"secret\":\"not-a-whsec-secret\"",
                "secret");
        setting(c, "an unknown on_failure", "\"on_failure\":\"drop\"", "on_failure");
        setting(c, "on_failure a boolean", "\"on_failure\":true", "on_failure");
    }

    private static void setting(List<BadRequest> c, String name, String fields, String param) {
        c.add(post("destination: " + name, DESTS, "{" + URL + "," + fields + "}", 400, param));
    }

    private static void edit(List<BadRequest> c) {
        c.add(patch("edit destination: malformed JSON", DST, "{\"url\":", 400, null));
        c.add(patch("edit destination: url of the wrong type", DST, "{\"url\": 5}", 400, "url"));
        c.add(patch("edit destination: url null", DST, "{\"url\": null}", 400, "url"));
        c.add(patch("edit destination: the metadata address in 6to4", DST, "{\"url\":\"http://[2002:a9fe:a9fe::1]/\"}", 400, "url"));
        c.add(patch("edit destination: operations of numbers", DST, "{\"operations\": [1]}", 400, "operations"));
        c.add(patch("edit destination: status disabled", DST, "{\"status\": \"disabled\"}", 400, "status"));
        c.add(patch("edit destination: status a number", DST, "{\"status\": 1}", 400, "status"));
        c.add(patch("edit destination: a negative grace period", DST, "{\"previous_secret_expires_in\": -1}", 400, "previous_secret_expires_in"));
        c.add(patch("edit destination: a grace period beyond 30 days", DST, "{\"previous_secret_expires_in\": 2592001}", 400,
                "previous_secret_expires_in"));
        c.add(patch("edit destination: retry.max_attempts a string", DST, "{\"retry\": {\"max_attempts\": \"8\"}}", 400, "retry.max_attempts"));
        c.add(patch("edit destination: batch.max_events 0", DST, "{\"batch\": {\"max_events\": 0}}", 400, "batch.max_events"));
        c.add(patch("edit destination: timeout_ms too long", DST, "{\"timeout_ms\": 30001}", 400, "timeout_ms"));
        c.add(patch("edit destination: connect_timeout_ms too short", DST, "{\"connect_timeout_ms\": 99}", 400, "connect_timeout_ms"));
        c.add(patch("edit destination: max_in_flight negative", DST, "{\"max_in_flight\": -1}", 400, "max_in_flight"));
        c.add(patch("edit destination: standard_webhooks for a secret not in whsec_ form", DST, "{\"signature_scheme\": \"standard_webhooks\"}",
                400, "signature_scheme"));
        c.add(patch("edit destination: an unknown on_failure", DST, "{\"on_failure\": \"retry\"}", 400, "on_failure"));
        c.add(patch("edit destination: headers of numbers", DST, "{\"headers\": {\"X-A\": 1}}", 400, "headers"));
        c.add(patch("edit destination: unknown field", DST, "{\"retries\": 3}", 400, "retries"));
        c.add(plainText("edit destination: text/plain", "PATCH", DST));
        c.add(patch("edit destination: an unknown id", DESTS + "/dst_doesnotexist", "{}", 404, null));
        c.add(patch("edit destination: another account's", "/v1/sources/{other_src}/destinations/{other_dst}", "{}", 404, null));
        c.add(patch("edit destination: another account's under one's own source", DESTS + "/{other_dst}", "{}", 404, null));
    }

    private static void one(List<BadRequest> c) {
        c.add(get("destination: an unknown id", DESTS + "/dst_doesnotexist", 404, null));
        c.add(get("destination: another account's under one's own source", DESTS + "/{other_dst}", 404, null));
        c.add(get("destination: another account's", "/v1/sources/{other_src}/destinations/{other_dst}", 404, null));
        c.add(get("destination: an unknown query parameter", DST + "?expand=secret", 400, "expand"));
        c.add(delete("delete destination: an unknown id", DESTS + "/dst_doesnotexist", 404, null));
        c.add(delete("delete destination: another account's under one's own source", DESTS + "/{other_dst}", 404, null));
        c.add(delete("delete destination: another account's", "/v1/sources/{other_src}/destinations/{other_dst}", 404, null));
        // an unknown id: were the parameter ignored, the row would delete nothing
        c.add(delete("delete destination: an unknown query parameter", DESTS + "/dst_doesnotexist?force=true", 400, "force"));
    }

    private static void rotate(List<BadRequest> c) {
        String rotate = DST + "/rotate_secret";
        c.add(post("rotate secret: malformed JSON", rotate, "{\"previous_secret_expires_in\":", 400, null));
        c.add(post("rotate secret: a negative grace period", rotate, "{\"previous_secret_expires_in\": -1}", 400, "previous_secret_expires_in"));
        c.add(post("rotate secret: a grace period as words", rotate, "{\"previous_secret_expires_in\": \"1h\"}", 400, "previous_secret_expires_in"));
        c.add(post("rotate secret: a secret of one's own", rotate, "{\"secret\": \"whsec_mine\"}", 400, "secret"));
        c.add(plainText("rotate secret: text/plain", "POST", rotate));
        c.add(post("rotate secret: an unknown id", DESTS + "/dst_doesnotexist/rotate_secret", "", 404, null));
        c.add(post("rotate secret: another account's", "/v1/sources/{other_src}/destinations/{other_dst}/rotate_secret", "", 404, null));
    }

    private static void test(List<BadRequest> c) {
        String test = DST + "/test";
        c.add(post("test event: malformed JSON", test, "{\"x\":", 400, null));
        c.add(post("test event: unknown field", test, "{\"operation\": \"INSERT\"}", 400, "operation"));
        c.add(plainText("test event: text/plain", "POST", test));
        c.add(post("test event: an unknown id", DESTS + "/dst_doesnotexist/test", "", 404, null));
        c.add(post("test event: another account's", "/v1/sources/{other_src}/destinations/{other_dst}/test", "", 404, null));
    }

    private static void replay(List<BadRequest> c) {
        String replay = DST + "/replay";
        c.add(post("replay: malformed JSON", replay, "{\"status\":", 400, null));
        c.add(post("replay: neither status nor a time range", replay, "{}", 400, "status"));
        c.add(post("replay: both status and a time range", replay, "{\"status\":\"failed\",\"from\":\"2026-01-01T00:00:00Z\","
                + "\"to\":\"2026-01-02T00:00:00Z\"}", 400, "from"));
        c.add(post("replay: a status other than failed", replay, "{\"status\": \"succeeded\"}", 400, "status"));
        c.add(post("replay: status a number", replay, "{\"status\": 1}", 400, "status"));
        c.add(post("replay: force not a boolean", replay, "{\"status\": \"failed\", \"force\": \"yes\"}", 400, "force"));
        c.add(post("replay: from not a time", replay, "{\"from\": \"yesterday\", \"to\": \"2026-01-02T00:00:00Z\"}", 400, "from"));
        c.add(post("replay: from without to", replay, "{\"from\": \"2026-01-01T00:00:00Z\"}", 400, "to"));
        c.add(post("replay: to before from", replay, "{\"from\": \"2026-01-02T00:00:00Z\", \"to\": \"2026-01-01T00:00:00Z\"}", 400, "to"));
        c.add(post("replay: force with a time range", replay, "{\"from\": \"2026-01-01T00:00:00Z\", \"to\": \"2026-01-02T00:00:00Z\","
                + "\"force\": true}", 400, "force"));
        c.add(post("replay: unknown field", replay, "{\"status\": \"failed\", \"limit\": 10}", 400, "limit"));
        c.add(post("replay: a blank Idempotency-Key", replay, "{\"status\": \"failed\"}", 400, "Idempotency-Key")
                .withHeader("Idempotency-Key", " "));
        c.add(plainText("replay: text/plain", "POST", replay));
        c.add(post("replay: an unknown id", DESTS + "/dst_doesnotexist/replay", "{\"status\": \"failed\"}", 404, null));
        c.add(post("replay: another account's", "/v1/sources/{other_src}/destinations/{other_dst}/replay", "{\"status\": \"failed\"}", 404, null));
    }
}
