package dev.streamhook.dashboard;

import dev.streamhook.api.RequestGate;
import dev.streamhook.api.RouteGroup;
import dev.streamhook.config.Config.SignupMode;
import dev.streamhook.store.Accounts;
import dev.streamhook.store.EventQueries;
import dev.streamhook.store.StoreSignals;
import io.javalin.config.RoutesConfig;

/**
 * The web dashboard, served by the API's server: the page and its files at {@code /} and
 * {@code /assets/*} ({@link StaticAssets}), and what only a browser needs under
 * {@code /dashboard/api}: sign-up and sign-in ({@link SignInRoutes}) and the live tail of events
 * ({@link EventTail}). Everything else the page does goes through the public {@code /v1} API, which
 * a session opens as an API key would ({@link SessionAuth}). Routes that are not for the API's
 * clients live outside {@code /v1}, so the OpenAPI document stays the API's alone.
 * Built once by Main; thread-safe.
 */
public final class Dashboard implements RouteGroup {

    /** Where the dashboard's browser-only routes live; not part of the public API. */
    public static final String PREFIX = "/dashboard/";
    private final StaticAssets assets = new StaticAssets();
    private final SignInRoutes signIn;
    private final EventTail tail;
    private final SessionAuth auth;

    public Dashboard(Accounts accounts, Sessions sessions, SessionAuth auth, PasswordHasher hasher, SignInLimits limits, RequestGate gate,
                     SignupMode signup, EventQueries events, StoreSignals signals) {
        this.auth = auth;
        this.signIn = new SignInRoutes(accounts, sessions, auth, hasher, limits, gate, signup);
        this.tail = new EventTail(events, signals);
    }

    /** True for a route ({@code "METHOD /path"}) of the dashboard rather than of the API. */
    public static boolean serves(String route) {
        String path = route.substring(route.indexOf(' ') + 1);
        return path.equals("/") || path.startsWith("/assets/") || path.startsWith(PREFIX);
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.before("/", ctx -> StaticAssets.secure(ctx));
        routes.before("/assets/*", ctx -> StaticAssets.secure(ctx));
        routes.before("/dashboard/*", ctx -> StaticAssets.secure(ctx));
        routes.before("/dashboard/api/*", RequestGate::requireJsonBody);
        assets.register(routes);
        signIn.register(routes);
        routes.before("/dashboard/api/events/stream", ctx -> {
            var session = auth.required(ctx);
            ctx.attribute("streamhook.tail.account", session.account().id());
            ctx.attribute("streamhook.tail.filter", EventTail.Filter.of(ctx::queryParam));
        });
        routes.sse("/dashboard/api/events/stream", client -> tail.follow(client,
                client.ctx().attribute("streamhook.tail.account"), client.ctx().attribute("streamhook.tail.filter")));
    }

    @Override
    public void stop() {
        tail.stop();
    }
}
