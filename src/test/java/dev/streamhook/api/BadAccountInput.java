package dev.streamhook.api;

import static dev.streamhook.api.BadRequest.LONG;
import static dev.streamhook.api.BadRequest.delete;
import static dev.streamhook.api.BadRequest.get;
import static dev.streamhook.api.BadRequest.patch;
import static dev.streamhook.api.BadRequest.plainText;
import static dev.streamhook.api.BadRequest.post;

import dev.streamhook.api.BadRequest.Caller;
import java.util.ArrayList;
import java.util.List;

/** Bad requests to accounts, API keys, usage and metrics, and requests without a valid key. */
final class BadAccountInput {

    private BadAccountInput() {
    }

    static List<BadRequest> rows() {
        List<BadRequest> c = new ArrayList<>();
        // sign-up is closed on the test's node, so the admin sends these: the body is checked the same way for anyone
        c.add(post("sign-up: malformed JSON", "/v1/accounts", "{\"email\":", 400, null).by(Caller.ADMIN));
        c.add(post("sign-up: a JSON array", "/v1/accounts", "[]", 400, null).by(Caller.ADMIN));
        c.add(post("sign-up: email of the wrong type", "/v1/accounts", "{\"email\": 5}", 400, "email").by(Caller.ADMIN));
        c.add(post("sign-up: email missing", "/v1/accounts", "{}", 400, "email").by(Caller.ADMIN));
        c.add(post("sign-up: not an email", "/v1/accounts", "{\"email\":\"nobody\"}", 400, "email").by(Caller.ADMIN));
        c.add(post("sign-up: unknown field", "/v1/accounts", "{\"email\":\"u@example.com\",\"admin\":true}", 400, "admin").by(Caller.ADMIN));
        c.add(post("sign-up: NUL in the email", "/v1/accounts", "{\"email\":\"a\\u0000b@example.com\"}", 400, "email").by(Caller.ADMIN));
        c.add(post("sign-up: huge email", "/v1/accounts", "{\"email\":\"" + LONG + "@example.com\"}", 400, "email").by(Caller.ADMIN));
        c.add(post("sign-up: an email that has an account", "/v1/accounts", "{\"email\":\"bad-input@example.com\"}", 409, "email")
                .by(Caller.ADMIN));
        c.add(post("sign-up: an unknown query parameter", "/v1/accounts?plan=pro", "{\"email\":\"u@example.com\"}", 400, "plan")
                .by(Caller.ADMIN));
        c.add(new BadRequest("sign-up: a form post", Caller.ADMIN, "POST", "/v1/accounts", "application/x-www-form-urlencoded",
                "email=a@example.com", java.util.Map.of(), 415, null));
        c.add(plainText("sign-up: text/plain", "POST", "/v1/accounts").by(Caller.ADMIN));
        c.add(post("sign-up: without a key while sign-up is closed", "/v1/accounts", "{\"email\":\"u@example.com\"}", 403, null)
                .by(Caller.ANONYMOUS));
        // an operator's limits
        String account = "/v1/accounts/{account}";
        c.add(patch("account: malformed JSON", account, "{\"monthly_event_limit\":", 400, null).by(Caller.ADMIN));
        c.add(patch("account: monthly_event_limit missing", account, "{}", 400, "monthly_event_limit").by(Caller.ADMIN));
        c.add(patch("account: a negative limit", account, "{\"monthly_event_limit\": -1}", 400, "monthly_event_limit").by(Caller.ADMIN));
        c.add(patch("account: a fractional limit", account, "{\"monthly_event_limit\": 1.5}", 400, "monthly_event_limit").by(Caller.ADMIN));
        c.add(patch("account: a limit beyond a long", account, "{\"monthly_event_limit\": 1e30}", 400, "monthly_event_limit").by(Caller.ADMIN));
        c.add(patch("account: a limit of the wrong word", account, "{\"monthly_event_limit\": \"lots\"}", 400, "monthly_event_limit")
                .by(Caller.ADMIN));
        c.add(patch("account: a limit that is a boolean", account, "{\"monthly_event_limit\": true}", 400, "monthly_event_limit")
                .by(Caller.ADMIN));
        c.add(patch("account: unknown field", account, "{\"monthly_event_limit\": 10, \"plan\": \"pro\"}", 400, "plan").by(Caller.ADMIN));
        c.add(patch("account: an unknown id", "/v1/accounts/acc_doesnotexist", "{\"monthly_event_limit\": 10}", 404, null).by(Caller.ADMIN));
        c.add(plainText("account: text/plain", "PATCH", account).by(Caller.ADMIN));
        c.add(patch("account: a user raising their own limit", account, "{\"monthly_event_limit\": 1000000}", 403, null));
        c.add(patch("account: a user changing another account", "/v1/accounts/{other_account}", "{\"monthly_event_limit\": 0}", 403, null));
        // API keys
        c.add(post("new key: malformed JSON", "/v1/api_keys", "{\"name\":", 400, null));
        c.add(post("new key: name of the wrong type", "/v1/api_keys", "{\"name\": 5}", 400, "name"));
        c.add(post("new key: huge name", "/v1/api_keys", "{\"name\":\"" + LONG + "\"}", 400, "name"));
        c.add(post("new key: a line break in the name", "/v1/api_keys", "{\"name\":\"ci\\nadmin\"}", 400, "name"));
        c.add(post("new key: unknown field", "/v1/api_keys", "{\"name\":\"ci\",\"scopes\":[\"read\"]}", 400, "scopes"));
        c.add(plainText("new key: text/plain", "POST", "/v1/api_keys"));
        c.add(get("keys: an unknown query parameter", "/v1/api_keys?limit=5", 400, "limit"));
        c.add(delete("revoke: an unknown id", "/v1/api_keys/key_doesnotexist", 404, null));
        c.add(delete("revoke: another account's key", "/v1/api_keys/{other_key}", 404, null));
        c.add(delete("revoke: the account's last key", "/v1/api_keys/{key}", 409, null));
        // Jetty refuses it before any route; a DELETE is told why as a GET is
        c.add(delete("revoke: headers too large", "/v1/api_keys/key_doesnotexist", 431, null).withHeader("X-Padding", "x".repeat(20_000)));
        // usage
        c.add(get("usage: an unknown query parameter", "/v1/usage?month=2026-01", 400, "month"));
        c.add(get("usage: a NUL in a query parameter", "/v1/usage?month=%00", 400, "month"));
        c.add(get("usage: without a key", "/v1/usage", 401, null).by(Caller.ANONYMOUS));
        c.add(get("usage: with a key never issued", "/v1/usage", 401, null).by(Caller.UNKNOWN_KEY));
        // metrics are an operator's
        c.add(get("metrics: a user's key", "/metrics", 403, null));
        c.add(get("metrics: without a key", "/metrics", 401, null).by(Caller.ANONYMOUS));
        return c;
    }
}
