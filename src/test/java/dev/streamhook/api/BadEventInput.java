package dev.streamhook.api;

import static dev.streamhook.api.BadRequest.get;
import static dev.streamhook.api.BadRequest.plainText;
import static dev.streamhook.api.BadRequest.post;

import java.util.ArrayList;
import java.util.List;

/** Bad requests to events: the list's filters, one event, retry and skip. */
final class BadEventInput {

    private static final String NO_SUCH_EVENT = "/v1/events/evt_000000000000000000000000";

    private BadEventInput() {
    }

    static List<BadRequest> rows() {
        List<BadRequest> c = new ArrayList<>();
        list(c);
        c.add(get("event: an unknown id", NO_SUCH_EVENT, 404, null));
        c.add(get("event: another account's", "/v1/events/{other_evt}", 404, null));
        c.add(get("event: an unknown query parameter", "/v1/events/{evt}?expand=payload", 400, "expand"));
        redeliver(c, "retry");
        redeliver(c, "skip");
        c.add(post("retry: force neither true nor false", "/v1/events/{evt}/retry?force=maybe", "", 400, "force"));
        c.add(post("skip: a force it does not take", "/v1/events/{evt}/skip?force=true", "", 400, "force"));
        return c;
    }

    private static void list(List<BadRequest> c) {
        c.add(get("events: limit 0", "/v1/events?limit=0", 400, "limit"));
        c.add(get("events: limit too high", "/v1/events?limit=101", 400, "limit"));
        c.add(get("events: limit not a number", "/v1/events?limit=ten", 400, "limit"));
        c.add(get("events: limit twice", "/v1/events?limit=1&limit=100", 400, "limit"));
        c.add(get("events: an unknown operation", "/v1/events?operation=MERGE", 400, "operation"));
        c.add(get("events: an unknown delivery status", "/v1/events?status=lost", 400, "status"));
        c.add(get("events: created_after not a time", "/v1/events?created_after=yesterday", 400, "created_after"));
        c.add(get("events: committed_before an impossible date", "/v1/events?committed_before=2026-13-01T00:00:00Z", 400, "committed_before"));
        c.add(get("events: a NUL in source_id", "/v1/events?source_id=src_%00", 400, "source_id"));
        c.add(get("events: a huge table", "/v1/events?table=" + "x".repeat(5_000), 400, "table"));
        c.add(get("events: a cursor that was never given", "/v1/events?cursor=bm90LWEtY3Vyc29y", 400, "cursor"));
        c.add(get("events: an unknown query parameter", "/v1/events?sort=asc", 400, "sort"));
        c.add(get("events: a URL too long", "/v1/events?table=" + "x".repeat(20_000), 414, null));
        c.add(get("events: headers too large", "/v1/events", 431, null).withHeader("X-Padding", "x".repeat(20_000)));
    }

    /** Retry and skip take the same body and refuse the same things. */
    private static void redeliver(List<BadRequest> c, String action) {
        String own = "/v1/events/{evt}/" + action;
        c.add(post(action + ": an unknown id", NO_SUCH_EVENT + "/" + action, "", 404, null));
        c.add(post(action + ": another account's event", "/v1/events/{other_evt}/" + action, "", 404, null));
        c.add(post(action + ": a destination that is not the event's", own, "{\"destination_id\": \"{other_dst}\"}", 404, null));
        c.add(post(action + ": destination_id a number", own, "{\"destination_id\": 5}", 400, "destination_id"));
        c.add(post(action + ": malformed JSON", own, "{\"destination_id\":", 400, null));
        c.add(post(action + ": unknown field", own, "{\"reason\": \"flaky\"}", 400, "reason"));
        c.add(post(action + ": a blank Idempotency-Key", own, "{\"destination_id\": 5}", 400, "Idempotency-Key").withHeader("Idempotency-Key", " "));
        c.add(plainText(action + ": text/plain", "POST", own));
    }
}
