package dev.streamhook.api;

import dev.streamhook.capture.SourceException;
import dev.streamhook.observe.Health;
import dev.streamhook.observe.Metrics;
import dev.streamhook.store.Accounts.Account;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The REST API under {@code /v1}, {@code GET /metrics} (Prometheus text, admin keys only), {@code GET /healthz} (200 only while the store, capture and
 * delivery run, else 503) and {@code GET /readyz} (each part's state, to say what is not running). Every {@code /v1} call but
 * an open sign-up ({@code POST /v1/accounts}) needs an {@code X-API-Key}, or the dashboard's session
 * cookie (with its CSRF token on a change); {@link RequestGate} checks keys, sessions, JSON bodies and rate limits, {@link QueryParameters} the query of each route, and the handlers find the caller's account with
 * {@link #account(Context)}. {@code GET /v1/openapi.json} describes it all (OpenAPI 3.1, the
 * resource {@code openapi.json} beside this class; {@code OpenApiIT} keeps it true to the routes and
 * the answers). The dashboard's pages and browser-only routes ({@code /}, {@code /assets/*},
 * {@code /dashboard/api/*}) are served beside it, outside {@code /v1}. Started and stopped once, by Main.
 */
public final class ApiServer {

    /** The OpenAPI 3.1 document of this API, public like the docs: no key needed. */
    static final String OPENAPI_PATH = "/v1/openapi.json";
    private final Javalin app;
    private final byte[] openApi = openApiDocument();
    private final QueryParameters queryParameters = QueryParameters.of(openApi);
    private final List<String> routes = new CopyOnWriteArrayList<>();
    private final RouteGroup dashboard;

    public ApiServer(Health health, Metrics metrics, RequestGate gate, AccountRoutes accountRoutes, KeyRoutes keyRoutes, SourceRoutes sourceRoutes,
                     DestinationRoutes destinationRoutes, EventRoutes eventRoutes, RedeliveryRoutes redeliveryRoutes, UsageRoutes usageRoutes,
                     StatsRoutes statsRoutes, TestEventRoutes testEventRoutes, RouteGroup dashboard) {
        this.dashboard = dashboard;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            // what Jetty refuses before a route sees it (a URL it cannot decode, headers too large) gets the API's JSON error too
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            config.events.handlerAdded(meta -> {
                if (meta.getHttpMethod().isHttpMethod()) {
                    routes.add(meta.getHttpMethod().name() + " " + meta.getPath());
                }
            });
            config.routes.get("/healthz", ctx -> {
                boolean ready = health.check().ready();
                Json.respond(ctx, ready ? 200 : 503, Map.of("status", ready ? "ok" : "unavailable"));
            });
            config.routes.get("/readyz", ctx -> {
                Health.Report report = health.check();
                Json.respond(ctx, report.ready() ? 200 : 503, report);
            });
            config.routes.get("/metrics", ctx -> {
                gate.requireAdmin(ctx);
                ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
            });
            config.routes.get(OPENAPI_PATH, ctx -> Json.respondRaw(ctx, 200, openApi));
            config.routes.before("/v1/*", RequestGate::requireJsonBody);
            config.routes.before("/v1/*", gate::authenticate);
            // on a route that exists only, after the before handlers: a caller without a key learns nothing of its parameters
            config.routes.beforeMatched("/v1/*", queryParameters::check);
            accountRoutes.register(config.routes);
            keyRoutes.register(config.routes);
            sourceRoutes.register(config.routes);
            destinationRoutes.register(config.routes);
            eventRoutes.register(config.routes);
            redeliveryRoutes.register(config.routes);
            usageRoutes.register(config.routes);
            statsRoutes.register(config.routes);
            testEventRoutes.register(config.routes);
            dashboard.register(config.routes);
            config.routes.exception(ApiException.class, ErrorMapper::api);
            config.routes.exception(SourceException.class, ErrorMapper::source);
            config.routes.exception(Exception.class, ErrorMapper::unexpected);
            config.routes.error(404, ctx -> {
                // a 404 the API answered itself ("no source with id ...") keeps its body; only an unknown route gets this one
                if (Json.responseBody(ctx) == null) {
                    ErrorMapper.write(ctx, 404, "not_found", "no route " + ctx.method() + " " + ApiException.shortened(ctx.path()), null);
                }
            });
            config.routes.error(405, ctx -> ErrorMapper.write(ctx, 405, "method_not_allowed",
                    ctx.method() + " is not allowed on " + ApiException.shortened(ctx.path()), null));
            config.routes.error(413, ctx -> ErrorMapper.write(ctx, 413, "request_too_large",
                    "the request body is too large", null));
        });
    }

    private static byte[] openApiDocument() {
        try (InputStream in = ApiServer.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read openapi.json from the jar", e);
        }
    }

    /** The caller's account; on every route but an anonymous sign-up. */
    static Account account(Context ctx) {
        return RequestGate.caller(ctx).account();
    }

    /** Every route served, as {@code "METHOD /path/{param}"}, in the order registered: for tests that walk them all. */
    public List<String> routes() {
        return List.copyOf(routes);
    }

    /** Starts serving on {@code host}; returns the bound port (useful when 0 asked for any free port). */
    public int start(String host, int port) {
        app.start(host, port);
        return app.port();
    }

    public void stop() {
        dashboard.stop();
        app.stop();
    }
}
