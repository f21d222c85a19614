package dev.streamhook.dashboard;

import dev.streamhook.api.ApiException;
import dev.streamhook.api.SessionGate;
import dev.streamhook.store.Accounts.Caller;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * The session side of authentication: the {@code streamhook_session} cookie names a live session
 * in {@link Sessions}, and a state-changing request must carry that session's CSRF token
 * ({@link Csrf}). Serves both the {@code /v1} API (through {@code RequestGate}) and the dashboard's
 * own routes. Thread-safe.
 */
public final class SessionAuth implements SessionGate {

    private final Sessions sessions;
    private final boolean trustForwardedProto;

    /** {@code trustForwardedProto}: a proxy in front sets {@code X-Forwarded-Proto} (STREAMHOOK_TRUST_X_FORWARDED_FOR). */
    public SessionAuth(Sessions sessions, boolean trustForwardedProto) {
        this.sessions = sessions;
        this.trustForwardedProto = trustForwardedProto;
    }

    @Override
    public Optional<Caller> caller(Context ctx) {
        return session(ctx).map(s -> new Caller(s.account(), null));
    }

    /** The request's live session, CSRF-checked; empty without one. */
    Optional<Sessions.Session> session(Context ctx) {
        Optional<Sessions.Session> session = SessionCookie.token(ctx.header("Cookie")).flatMap(sessions::find);
        if (session.isPresent() && !Csrf.allows(ctx.method().name(), ctx.header(Csrf.HEADER), session.get().csrfToken())) {
            throw new ApiException(ApiException.Reason.FORBIDDEN, null,
                    "a signed-in request that changes something must send the session's CSRF token in " + Csrf.HEADER
                            + " (reload the dashboard to get it)");
        }
        return session;
    }

    /** The request's live session; 401 without one. */
    Sessions.Session required(Context ctx) {
        return session(ctx).orElseThrow(() -> new ApiException(ApiException.Reason.UNAUTHORIZED, null,
                "not signed in, or the session expired: sign in again"));
    }

    /** Whether the browser reached this server over https, so the cookie must be Secure. */
    boolean secure(Context ctx) {
        if (trustForwardedProto) {
            String proto = ctx.header("X-Forwarded-Proto");
            if (proto != null && !proto.isBlank()) {
                return proto.trim().equalsIgnoreCase("https");
            }
        }
        return ctx.scheme().equalsIgnoreCase("https");
    }
}
