package dev.streamhook.api;

import dev.streamhook.config.Config.RateLimits;
import dev.streamhook.config.Config.SignupMode;
import dev.streamhook.store.Accounts;
import dev.streamhook.store.Accounts.Caller;
import dev.streamhook.store.KeyUsage;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * What every {@code /v1} request passes before its route: a body must be JSON (415 otherwise, so a
 * cross-site HTML form cannot post to the API), the caller is found by its {@code X-API-Key}, or,
 * without one, by the dashboard's session cookie ({@link SessionGate}, which also checks the CSRF
 * token of a state-changing request), and two rate limits apply (429 with {@code Retry-After}):
 * <ul>
 *   <li>per API key (per account for a session): {@code STREAMHOOK_RATE_LIMIT_PER_KEY} requests a second, bursts of five seconds' worth;</li>
 *   <li>per client address, for every call without a valid key (sign-up, a missing or wrong key):
 *       {@code STREAMHOOK_RATE_LIMIT_SIGNUP_PER_MINUTE} a minute, so emails cannot be probed and keys
 *       not guessed at speed.</li>
 * </ul>
 * The client address is the socket's peer, unless {@code STREAMHOOK_TRUST_X_FORWARDED_FOR} says a
 * proxy in front sets {@code X-Forwarded-For}; then its last entry (the one that proxy added).
 *
 * <p>Sign-up without a key ({@code POST /v1/accounts}) passes only when sign-up is open.
 *
 * <p>Thread-safe; one per node, built by Main.
 */
public final class RequestGate {

    private static final String CALLER = "streamhook.caller";
    /** Buckets kept per limit: some MB at most, whatever the number of addresses that call. */
    private static final int MAX_BUCKETS = 50_000;
    private final Accounts accounts;
    private final KeyUsage usage;
    private final SignupMode signup;
    private final boolean trustForwardedFor;
    private final TokenBuckets perKey;
    private final TokenBuckets perAddress;
    private final SessionGate sessions;

    public RequestGate(Accounts accounts, KeyUsage usage, SessionGate sessions, SignupMode signup, RateLimits limits, boolean trustForwardedFor) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.usage = usage;
        this.signup = signup;
        this.trustForwardedFor = trustForwardedFor;
        this.perKey = new TokenBuckets(limits.perKeyBurst(), limits.perKeyPerSecond(), MAX_BUCKETS, System::nanoTime);
        this.perAddress = new TokenBuckets(limits.anonymousPerMinute(), limits.anonymousPerMinute() / 60.0, MAX_BUCKETS, System::nanoTime);
    }

    /** 415 for a POST, PUT or PATCH whose body is not {@code application/json} (parameters such as charset allowed). */
    public static void requireJsonBody(Context ctx) {
        HandlerType m = ctx.method();
        if (m != HandlerType.POST && m != HandlerType.PUT && m != HandlerType.PATCH) {
            return;
        }
        // HTTP/1.1: a request has a body only with a Content-Length above 0 or a Transfer-Encoding
        boolean hasBody = ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null;
        if (!hasBody) {
            return; // nothing to read (POST /v1/events/:id/retry)
        }
        String type = ctx.header("Content-Type");
        String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json")) {
            throw new ApiException(ApiException.Reason.UNSUPPORTED_MEDIA_TYPE, null,
                    "request bodies must be JSON with 'Content-Type: application/json'" + (type == null ? "" : ", got '" + type + "'"));
        }
    }

    void authenticate(Context ctx) {
        if (ctx.method() == HandlerType.GET && ctx.path().equals(ApiServer.OPENAPI_PATH)) {
            return; // the API's description is public, like its docs
        }
        String key = ctx.header("X-API-Key");
        boolean signUp = ctx.method() == HandlerType.POST && ctx.path().equals("/v1/accounts");
        if (key == null || key.isBlank()) {
            Caller session = sessions.caller(ctx).orElse(null);
            if (session != null) {
                // a browser's calls count against its account, as one key's would
                long wait = perKey.take("session:" + session.account().id());
                if (wait > 0) {
                    throw ApiException.rateLimited("too many requests from this session", wait);
                }
                ctx.attribute(CALLER, session);
                return;
            }
            limitAnonymous(ctx);
            if (signUp && signup == SignupMode.OPEN) {
                return;
            }
            if (signUp) {
                throw new ApiException(ApiException.Reason.FORBIDDEN, null, "sign-up is closed on this server (STREAMHOOK_SIGNUP=closed): "
                        + "an admin creates accounts with POST /v1/accounts and the admin X-API-Key that the first start printed");
            }
            throw new ApiException(ApiException.Reason.UNAUTHORIZED, null, "missing X-API-Key header; " + (signup == SignupMode.OPEN
                    ? "create an account with POST /v1/accounts to get a key"
                    : "the first start of streamhook serve printed the admin key, which creates accounts with POST /v1/accounts"));
        }
        Caller caller = accounts.findByApiKey(key.trim()).orElse(null);
        if (caller == null) {
            limitAnonymous(ctx);
            throw new ApiException(ApiException.Reason.UNAUTHORIZED, null, "the X-API-Key is not valid (unknown or revoked)");
        }
        long wait = perKey.take(caller.keyId());
        if (wait > 0) {
            throw ApiException.rateLimited("too many requests with this API key", wait);
        }
        usage.used(caller.keyId(), System.currentTimeMillis());
        ctx.attribute(CALLER, caller);
    }

    /**
     * For operators' endpoints outside {@code /v1} ({@code GET /metrics}): an admin key, in
     * {@code X-API-Key} or as {@code Authorization: Bearer} (what Prometheus sends); 401 without a
     * valid key, 403 for a key that is not an admin's. Limited like the API.
     */
    void requireAdmin(Context ctx) {
        String key = ctx.header("X-API-Key");
        String authorization = ctx.header("Authorization");
        if ((key == null || key.isBlank()) && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = authorization.substring(7);
        }
        Caller caller = key == null || key.isBlank() ? null : accounts.findByApiKey(key.trim()).orElse(null);
        if (caller == null) {
            limitAnonymous(ctx);
            throw new ApiException(ApiException.Reason.UNAUTHORIZED, null,
                    "an admin API key is needed, in X-API-Key or as 'Authorization: Bearer <key>'");
        }
        long wait = perKey.take(caller.keyId());
        if (wait > 0) {
            throw ApiException.rateLimited("too many requests with this API key", wait);
        }
        if (!caller.account().admin()) {
            throw new ApiException(ApiException.Reason.FORBIDDEN, null, "only an admin key may read the node's metrics");
        }
        usage.used(caller.keyId(), System.currentTimeMillis());
    }

    private void limitAnonymous(Context ctx) {
        long wait = perAddress.take(clientAddress(ctx));
        if (wait > 0) {
            throw ApiException.rateLimited("too many requests without a valid API key from this address", wait);
        }
    }

    /** The client's address as the limits count it (see the class comment); for the dashboard's sign-in limits too. */
    public String clientAddress(Context ctx) {
        String address = ctx.req().getRemoteAddr();
        if (trustForwardedFor) {
            String forwarded = ctx.header("X-Forwarded-For");
            if (forwarded != null && !forwarded.isBlank()) {
                String[] hops = forwarded.split(",");
                address = hops[hops.length - 1].trim();
            }
        }
        return limitedUnit(address);
    }

    /**
     * The unit an address limit counts: an IPv4 address, or the /64 network of an IPv6 address (one
     * host usually holds a whole /64, so counting single IPv6 addresses would let it take 2^64
     * budgets and evict everyone else's buckets).
     */
    static String limitedUnit(String address) {
        if (address.indexOf(':') < 0) {
            return address;
        }
        String literal = address.startsWith("[") ? address : "[" + address + "]";
        try {
            // in brackets, InetAddress only parses an IPv6 literal and never asks DNS
            byte[] bytes = InetAddress.getByName(literal).getAddress();
            if (bytes.length == 16) {
                return HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
            }
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            return address; // not an address (a proxy's odd header): counted as it is
        }
    }

    /** The caller of a request that passed {@link #authenticate}; null for an anonymous sign-up. */
    static Caller caller(Context ctx) {
        return ctx.attribute(CALLER);
    }
}
