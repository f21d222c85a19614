package dev.streamhook.api;

import dev.streamhook.store.Accounts.Caller;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * How {@link RequestGate} lets a signed-in browser use the API without an {@code X-API-Key}: the
 * dashboard's session cookie names the caller. Implementations are thread-safe.
 */
public interface SessionGate {

    /**
     * The caller whose valid session cookie the request carries; empty when it carries none, or one
     * that is unknown or expired. Throws an {@link ApiException} (403) when a state-changing request
     * (anything but GET, HEAD and OPTIONS) lacks the session's CSRF token in {@code X-CSRF-Token}.
     */
    Optional<Caller> caller(Context ctx);
}
