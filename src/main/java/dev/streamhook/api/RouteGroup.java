package dev.streamhook.api;

import io.javalin.config.RoutesConfig;

/**
 * Routes served beside the API by the same server (the dashboard), registered once when the
 * {@link ApiServer} is built. Errors they throw as {@link ApiException} get the API's error shape.
 */
public interface RouteGroup {

    void register(RoutesConfig routes);
}
