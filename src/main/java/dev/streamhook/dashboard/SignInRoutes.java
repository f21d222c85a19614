package dev.streamhook.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamhook.api.AccountRoutes;
import dev.streamhook.api.ApiException;
import dev.streamhook.api.RequestGate;
import dev.streamhook.config.Config.SignupMode;
import dev.streamhook.store.Accounts;
import dev.streamhook.store.Accounts.Account;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The dashboard's account routes, under {@code /dashboard/api}:
 * <ul>
 *   <li>{@code GET session}: who is signed in (and the CSRF token), whether sign-up is open;</li>
 *   <li>{@code POST signup} {@code {email, password}}: a new account (open sign-up only), its first
 *       API key shown this once, and a session;</li>
 *   <li>{@code POST login} {@code {email, password}}: a session; a wrong e-mail and a wrong password
 *       get the same answer, in the same time;</li>
 *   <li>{@code POST password} {@code {api_key, password}}: sets the password of the key's account
 *       and signs in: how the admin of a private installation (whose key the first start printed)
 *       and the users an admin made by API get a password;</li>
 *   <li>{@code POST logout}.</li>
 * </ul>
 * Sign-up, sign-in and setting a password are limited per address and per e-mail ({@link SignInLimits}).
 * Thread-safe.
 */
final class SignInRoutes {

    /** The admin's sign-in name; its stored address ({@link Accounts#ADMIN_EMAIL}) is not one a person would type. */
    static final String ADMIN_LOGIN = "admin";
    private final Accounts accounts;
    private final Sessions sessions;
    private final SessionAuth auth;
    private final PasswordHasher hasher;
    private final SignInLimits limits;
    private final RequestGate gate;
    private final SignupMode signup;

    SignInRoutes(Accounts accounts, Sessions sessions, SessionAuth auth, PasswordHasher hasher, SignInLimits limits, RequestGate gate,
                 SignupMode signup) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.auth = auth;
        this.hasher = hasher;
        this.limits = limits;
        this.gate = gate;
        this.signup = signup;
    }

    void register(RoutesConfig routes) {
        routes.get("/dashboard/api/session", this::current);
        routes.post("/dashboard/api/signup", this::signUp);
        routes.post("/dashboard/api/login", this::logIn);
        routes.post("/dashboard/api/password", this::setPassword);
        routes.post("/dashboard/api/logout", this::logOut);
    }

    private void current(Context ctx) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("signup", signup.name().toLowerCase());
        auth.session(ctx).ifPresentOrElse(s -> {
            out.put("signed_in", true);
            out.putAll(who(s.account(), s.csrfToken()));
        }, () -> out.put("signed_in", false));
        ctx.header("Cache-Control", "no-store");
        Bodies.respond(ctx, 200, out);
    }

    private void signUp(Context ctx) {
        if (signup == SignupMode.CLOSED) {
            throw new ApiException(ApiException.Reason.FORBIDDEN, null, "sign-up is closed on this server (STREAMHOOK_SIGNUP=closed): "
                    + "ask its admin for an account, then set your password with your API key");
        }
        ObjectNode body = Bodies.object(ctx, Set.of("email", "password"));
        String email = AccountRoutes.email(Bodies.requiredString(body, "email"));
        limits.take(gate.clientAddress(ctx), email);
        String password = newPassword(body);
        var created = accounts.create(email, hasher.hash(password)).orElseThrow(() ->
                new ApiException(ApiException.Reason.CONFLICT, "email", "an account with this email already exists; sign in instead"));
        Map<String, Object> out = signIn(ctx, created.account());
        out.put("api_key", created.apiKey());
        Bodies.respond(ctx, 201, out);
    }

    private void logIn(Context ctx) {
        ObjectNode body = Bodies.object(ctx, Set.of("email", "password"));
        String typed = Bodies.requiredString(body, "email").trim().toLowerCase();
        String email = typed.equals(ADMIN_LOGIN) ? Accounts.ADMIN_EMAIL : typed;
        limits.take(gate.clientAddress(ctx), email);
        String password = Bodies.requiredString(body, "password");
        var login = accounts.findLogin(email);
        // one derivation whatever happens, so the time taken does not say whether the e-mail has an account
        boolean ok = hasher.matches(password, login.map(Accounts.Login::passwordHash).orElse(null)) && login.isPresent();
        if (!ok) {
            throw new ApiException(ApiException.Reason.UNAUTHORIZED, null, "wrong e-mail or password");
        }
        if (hasher.needsRehash(login.get().passwordHash())) {
            accounts.setPassword(login.get().account().id(), hasher.hash(password));
        }
        Bodies.respond(ctx, 200, signIn(ctx, login.get().account()));
    }

    private void setPassword(Context ctx) {
        ObjectNode body = Bodies.object(ctx, Set.of("api_key", "password"));
        limits.take(gate.clientAddress(ctx), null);
        String key = Bodies.requiredString(body, "api_key").trim();
        String password = newPassword(body);
        var caller = accounts.findByApiKey(key).orElseThrow(() ->
                new ApiException(ApiException.Reason.UNAUTHORIZED, "api_key", "the API key is not valid (unknown or revoked)"));
        accounts.setPassword(caller.account().id(), hasher.hash(password));
        sessions.closeAll(caller.account().id()); // whoever was signed in with the old password is signed out
        Bodies.respond(ctx, 200, signIn(ctx, caller.account()));
    }

    private void logOut(Context ctx) {
        auth.required(ctx); // a session, with its CSRF token: another site cannot sign a user out
        SessionCookie.token(ctx.header("Cookie")).ifPresent(sessions::close);
        ctx.header("Set-Cookie", SessionCookie.clear(auth.secure(ctx)));
        Bodies.respond(ctx, 200, Map.of("signed_in", false));
    }

    private static String newPassword(ObjectNode body) {
        String password = Bodies.requiredString(body, "password");
        String problem = PasswordHasher.problem(password);
        if (problem != null) {
            throw ApiException.invalid("password", problem);
        }
        return password;
    }

    private Map<String, Object> signIn(Context ctx, Account account) {
        Sessions.Opened opened = sessions.open(account.id());
        ctx.header("Set-Cookie", SessionCookie.issue(opened.token(), Sessions.MAX_AGE, auth.secure(ctx)));
        ctx.header("Cache-Control", "no-store");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("signed_in", true);
        out.putAll(who(account, opened.csrfToken()));
        return out;
    }

    private static Map<String, Object> who(Account account, String csrfToken) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("account_id", account.id());
        out.put("email", account.admin() ? ADMIN_LOGIN : account.email());
        out.put("admin", account.admin());
        out.put("csrf_token", csrfToken);
        return out;
    }
}
