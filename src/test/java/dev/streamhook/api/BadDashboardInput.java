package dev.streamhook.api;

import static dev.streamhook.api.BadRequest.LONG;
import static dev.streamhook.api.BadRequest.get;
import static dev.streamhook.api.BadRequest.plainText;
import static dev.streamhook.api.BadRequest.post;

import dev.streamhook.api.BadRequest.Caller;
import java.util.ArrayList;
import java.util.List;

/**
 * Bad requests to the dashboard's own JSON routes ({@code /dashboard/api}), from a browser without a
 * session. They answer in the API's error shape, so they are held to the same table.
 */
final class BadDashboardInput {

    private BadDashboardInput() {
    }

    static List<BadRequest> rows() {
        List<BadRequest> c = new ArrayList<>();
        String login = "/dashboard/api/login";
        c.add(anonymous(post("sign-in: malformed JSON", login, "{\"email\":", 400, null)));
        c.add(anonymous(post("sign-in: a JSON array", login, "[]", 400, null)));
        c.add(anonymous(post("sign-in: email missing", login, "{\"password\": \"correct horse battery\"}", 400, "email")));
        c.add(anonymous(post("sign-in: password a number", login, "{\"email\": \"bad-input@example.com\", \"password\": 5}", 400, "password")));
        c.add(anonymous(post("sign-in: unknown field", login, "{\"email\": \"bad-input@example.com\", \"remember\": true}", 400, "remember")));
        c.add(anonymous(post("sign-in: a wrong password", login, "{\"email\": \"bad-input@example.com\", \"password\": \"not it at all\"}",
                401, null)));
        c.add(anonymous(plainText("sign-in: text/plain", "POST", login)));
        String password = "/dashboard/api/password";
        c.add(anonymous(post("set password: api_key missing", password, "{\"password\": \"correct horse battery\"}", 400, "api_key")));
        c.add(anonymous(post("set password: too short", password, "{\"api_key\": \"sk_live_x\", \"password\": \"short\"}", 400, "password")));
        c.add(anonymous(post("set password: too long", password, "{\"api_key\": \"sk_live_x\", \"password\": \"" + "x".repeat(2_000) + "\"}",
                400, "password")));
        c.add(anonymous(post("set password: a body beyond 16 KiB", password, "{\"api_key\": \"sk_live_x\", \"password\": \"" + LONG + "\"}",
                400, null)));
        c.add(anonymous(post("set password: a key never issued", password, "{\"api_key\": \"sk_live_" + "0".repeat(32)
                + "\", \"password\": \"correct horse battery\"}", 401, "api_key")));
        c.add(anonymous(post("set password: unknown field", password, "{\"api_key\": \"sk_live_x\", \"email\": \"a@example.com\"}", 400, "email")));
        c.add(anonymous(plainText("set password: text/plain", "POST", password)));
        c.add(anonymous(post("dashboard sign-up: while sign-up is closed", "/dashboard/api/signup",
                "{\"email\": \"new@example.com\", \"password\": \"correct horse battery\"}", 403, null)));
        c.add(anonymous(post("sign-out: without a session", "/dashboard/api/logout", "", 401, null)));
        c.add(anonymous(get("live events: without a session", "/dashboard/api/events/stream", 401, null)));
        return c;
    }

    private static BadRequest anonymous(BadRequest row) {
        return row.by(Caller.ANONYMOUS);
    }
}
