package dev.streamhook.api;

import io.javalin.config.RoutesConfig;

/**
 * Routes served beside the API by the same server (the dashboard), registered once when the
 * {@link ApiServer} is built. Errors they throw as {@link ApiException} get the API's error shape.
 */
public interface RouteGroup {

    void register(RoutesConfig routes);

    /** Ends what the routes hold open (long-lived streams) before the server stops; called once, by {@link ApiServer#stop()}. */
    void stop();
}
