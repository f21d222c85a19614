package dev.streamhook.api;

import dev.streamhook.config.Config.SignupMode;
import dev.streamhook.store.Accounts;
import dev.streamhook.store.Accounts.Caller;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/accounts}: an account and its first API key, shown this once. Anyone may call it
 * when sign-up is open; when it is closed ({@link RequestGate} refuses it without a key), only an
 * admin key. A taken email answers 409: that tells a caller the address has an account, which is
 * why unauthenticated calls are held to a few a minute per address (see {@link RequestGate}).
 */
public final class AccountRoutes {

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private final Accounts accounts;
    private final SignupMode signup;

    public AccountRoutes(Accounts accounts, SignupMode signup) {
        this.accounts = accounts;
        this.signup = signup;
    }

    /** {@code raw} as an account's email, trimmed and in lower case; 400 naming {@code email} when it is not one. */
    public static String email(String raw) {
        String email = Json.checkText("email", raw, Json.Max.EMAIL).trim().toLowerCase();
        // .invalid (RFC 2606) is never a mailbox; the admin account's address is there and stays the admin's
        if (!EMAIL.matcher(email).matches() || email.endsWith(".invalid")) {
            throw ApiException.invalid("email", "'email' must be an email address such as you@example.com");
        }
        return email;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/accounts", ctx -> {
            Caller caller = RequestGate.caller(ctx);
            if (signup == SignupMode.CLOSED && (caller == null || !caller.account().admin())) {
                throw new ApiException(ApiException.Reason.FORBIDDEN, null,
                        "sign-up is closed on this server (STREAMHOOK_SIGNUP=closed): only an admin key may create accounts");
            }
            var body = Json.object(ctx, Set.of("email"));
            String email = email(Json.requiredString(body, "email", Json.Max.EMAIL));
            var created = accounts.create(email).orElseThrow(() ->
                    new ApiException(ApiException.Reason.CONFLICT, "email", "an account with this email already exists"));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", created.account().id());
            out.put("email", created.account().email());
            out.put("api_key", created.apiKey());
            out.put("created_at", Json.time(created.account().createdAt()));
            Json.respond(ctx, 201, out);
        });
    }
}
