package dev.streamhook.api;

import dev.streamhook.store.Accounts;
import dev.streamhook.store.Accounts.ApiKey;
import dev.streamhook.store.KeyUsage;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code /v1/api_keys}: the caller's account's keys. {@code POST} makes one (shown this once),
 * {@code GET} lists them (id, name, prefix, created_at, last_used_at; never a key), {@code DELETE
 * /v1/api_keys/:id} revokes one at once. The last key of an account cannot be revoked (409): the
 * account would be out of reach for good; make a new key first, then revoke the old one.
 * Another account's key id answers 404, as if it did not exist.
 */
public final class KeyRoutes {

    private final Accounts accounts;
    private final KeyUsage usage;

    public KeyRoutes(Accounts accounts, KeyUsage usage) {
        this.accounts = accounts;
        this.usage = usage;
    }

    void register(RoutesConfig routes) {
        routes.post("/v1/api_keys", ctx -> {
            var body = Json.object(ctx, Set.of("name"));
            String name = Json.optionalString(body, "name", Json.Max.NAME);
            var created = accounts.createKey(ApiServer.account(ctx).id(), name);
            Map<String, Object> out = view(created.key());
            out.put("api_key", created.apiKey());
            Json.respond(ctx, 201, out);
        });
        routes.get("/v1/api_keys", ctx -> Json.respond(ctx, 200, Map.of("data",
                accounts.listKeys(ApiServer.account(ctx).id()).stream().map(this::view).toList())));
        routes.delete("/v1/api_keys/{id}", ctx -> {
            String id = ctx.pathParam("id");
            switch (accounts.revokeKey(ApiServer.account(ctx).id(), id)) {
                case REVOKED -> Json.respond(ctx, 200, new Json.Deleted(id));
                case NOT_FOUND -> throw ApiException.notFound("API key", id);
                case LAST_KEY -> throw new ApiException(ApiException.Reason.CONFLICT, null,
                        "this is the account's last API key; create another with POST /v1/api_keys before revoking it");
            }
        });
    }

    private Map<String, Object> view(ApiKey k) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", k.id());
        out.put("name", k.name());
        out.put("prefix", k.prefix());
        out.put("created_at", Json.time(k.createdAt()));
        out.put("last_used_at", Json.time(usage.lastUsed(k.id(), k.lastUsedAt())));
        return out;
    }
}
