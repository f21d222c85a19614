package dev.streamhook.api;

import dev.streamhook.store.Accounts;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code POST /v1/accounts}: an account and its API key, shown this once. */
public final class AccountRoutes {

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private final Accounts accounts;

    public AccountRoutes(Accounts accounts) {
        this.accounts = accounts;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/accounts", ctx -> {
            var body = Json.object(ctx, Set.of("email"));
            String email = Json.requiredString(body, "email").trim().toLowerCase();
            if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
                throw ApiException.invalid("email", "'email' must be an email address such as you@example.com");
            }
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
