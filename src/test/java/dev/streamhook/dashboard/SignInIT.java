package dev.streamhook.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamhook.Main;
import dev.streamhook.testing.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's accounts and sessions over HTTP, as a browser uses them: cookies, CSRF, limits, private installations. */
class SignInIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PASSWORD = "a long enough password";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private record Answer(int status, JsonNode body, HttpResponse<String> raw) {
        String cookie() {
            String setCookie = raw.headers().firstValue("Set-Cookie").orElseThrow();
            return setCookie.substring(0, setCookie.indexOf(';'));
        }
    }

    private Answer call(int port, String method, String path, String json, String cookie, String csrf) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() || !r.body().startsWith("{") ? null : MAPPER.readTree(r.body()), r);
    }

    private Answer signUp(int port, String email) throws Exception {
        Answer a = call(port, "POST", "/dashboard/api/signup", "{\"email\": \"" + email + "\", \"password\": \"" + PASSWORD + "\"}", null, null);
        assertThat(a.status()).as(String.valueOf(a.body())).isEqualTo(201);
        return a;
    }

    @Test
    void aWrongPasswordIsRefusedWithoutSayingWhichPartWasWrong() throws Exception {
        try (Main.Node node = TestNodes.start(dataDir)) {
            signUp(node.port(), "known@example.com");
            Answer wrongPassword = call(node.port(), "POST", "/dashboard/api/login", "{\"email\": \"known@example.com\", \"password\": \"not the password\"}", null, null);
            Answer unknownEmail = call(node.port(), "POST", "/dashboard/api/login", "{\"email\": \"nobody@example.com\", \"password\": \"not the password\"}", null, null);
            assertThat(wrongPassword.status()).isEqualTo(401);
            assertThat(wrongPassword.body()).isEqualTo(unknownEmail.body());
            assertThat(wrongPassword.body().at("/error/message").asText()).isEqualTo("wrong e-mail or password");

            Answer right = call(node.port(), "POST", "/dashboard/api/login", "{\"email\": \"KNOWN@example.com\", \"password\": \"" + PASSWORD + "\"}", null, null);
            assertThat(right.status()).isEqualTo(200);
            assertThat(right.body().get("email").asText()).isEqualTo("known@example.com");
        }
    }

    @Test
    void aSessionOpensTheApiButAChangeWithoutItsCsrfTokenIsRefused() throws Exception {
        try (Main.Node node = TestNodes.start(dataDir)) {
            Answer signedUp = signUp(node.port(), "session@example.com");
            assertThat(signedUp.raw().headers().firstValue("Set-Cookie").orElseThrow())
                    .startsWith("streamhook_session=").contains("; HttpOnly", "; SameSite=Strict", "; Path=/").doesNotContain("Secure");
            assertThat(signedUp.body().get("api_key").asText()).startsWith("sk_live_");
            String cookie = signedUp.cookie();
            String csrf = signedUp.body().get("csrf_token").asText();

            assertThat(call(node.port(), "GET", "/v1/sources", null, cookie, null).status()).isEqualTo(200);
            Answer noToken = call(node.port(), "POST", "/v1/api_keys", "{\"name\": \"ci\"}", cookie, null);
            assertThat(noToken.status()).isEqualTo(403);
            assertThat(noToken.body().at("/error/message").asText()).contains("X-CSRF-Token");
            assertThat(call(node.port(), "POST", "/v1/api_keys", "{\"name\": \"ci\"}", cookie, "a guessed token").status()).isEqualTo(403);
            assertThat(call(node.port(), "POST", "/v1/api_keys", "{\"name\": \"ci\"}", cookie, csrf).status()).isEqualTo(201);
            assertThat(call(node.port(), "POST", "/dashboard/api/logout", null, cookie, null).status()).as("sign-out needs the token too").isEqualTo(403);
        }
    }

    @Test
    void aSignedOutSessionNoLongerOpensTheApi() throws Exception {
        try (Main.Node node = TestNodes.start(dataDir)) {
            Answer signedUp = signUp(node.port(), "leaving@example.com");
            String cookie = signedUp.cookie();
            Answer out = call(node.port(), "POST", "/dashboard/api/logout", null, cookie, signedUp.body().get("csrf_token").asText());
            assertThat(out.status()).isEqualTo(200);
            assertThat(out.raw().headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
            assertThat(call(node.port(), "GET", "/v1/sources", null, cookie, null).status()).isEqualTo(401);
            assertThat(call(node.port(), "GET", "/dashboard/api/session", null, cookie, null).body().get("signed_in").asBoolean()).isFalse();
        }
    }

    @Test
    void tooManySignInAttemptsAreAnsweredWith429AndWhenToTryAgain() throws Exception {
        try (Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_SIGNIN_PER_MINUTE", "2"))) {
            String wrong = "{\"email\": \"target@example.com\", \"password\": \"guess number one\"}";
            assertThat(call(node.port(), "POST", "/dashboard/api/login", wrong, null, null).status()).isEqualTo(401);
            assertThat(call(node.port(), "POST", "/dashboard/api/login", wrong, null, null).status()).isEqualTo(401);
            Answer limited = call(node.port(), "POST", "/dashboard/api/login", wrong, null, null);
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.raw().headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
            assertThat(limited.body().at("/error/type").asText()).isEqualTo("rate_limited");
        }
    }

    @Test
    void onAPrivateInstallationTheAdminSetsAPasswordWithTheKeyTheFirstStartPrintedAndSignsInAsAdmin() throws Exception {
        try (Main.Node node = TestNodes.start(dataDir, Map.of("STREAMHOOK_SIGNUP", "closed"))) {
            assertThat(call(node.port(), "GET", "/dashboard/api/session", null, null, null).body().get("signup").asText()).isEqualTo("closed");
            Answer signUp = call(node.port(), "POST", "/dashboard/api/signup", "{\"email\": \"x@example.com\", \"password\": \"" + PASSWORD + "\"}", null, null);
            assertThat(signUp.status()).isEqualTo(403);
            Answer wrongKey = call(node.port(), "POST", "/dashboard/api/password", "{\"api_key\": \"sk_live_wrong\", \"password\": \"" + PASSWORD + "\"}", null, null);
            assertThat(wrongKey.status()).isEqualTo(401);
            assertThat(wrongKey.body().at("/error/param").asText()).isEqualTo("api_key");

            String adminKey = node.adminKey().orElseThrow();
            Answer set = call(node.port(), "POST", "/dashboard/api/password", "{\"api_key\": \"" + adminKey + "\", \"password\": \"" + PASSWORD + "\"}", null, null);
            assertThat(set.status()).isEqualTo(200);
            assertThat(set.body().get("admin").asBoolean()).isTrue();
            Answer login = call(node.port(), "POST", "/dashboard/api/login", "{\"email\": \"admin\", \"password\": \"" + PASSWORD + "\"}", null, null);
            assertThat(login.status()).isEqualTo(200);
            assertThat(call(node.port(), "GET", "/v1/sources", null, login.cookie(), null).status()).isEqualTo(200);
            assertThat(call(node.port(), "GET", "/v1/sources", null, set.cookie(), null).status()).as("both sessions live").isEqualTo(200);
        }
    }

    @Test
    void aTooShortPasswordIsRefusedNamingTheField() throws Exception {
        try (Main.Node node = TestNodes.start(dataDir)) {
            Answer a = call(node.port(), "POST", "/dashboard/api/signup", "{\"email\": \"short@example.com\", \"password\": \"short\"}", null, null);
            assertThat(a.status()).isEqualTo(400);
            assertThat(a.body().at("/error/param").asText()).isEqualTo("password");
            HttpRequest form = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/dashboard/api/signup"))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("email=x&password=y")).build();
            assertThat(http.send(form, HttpResponse.BodyHandlers.ofString()).statusCode()).as("another site's form cannot post here").isEqualTo(415);
        }
    }

    @Test
    void thePageIsServedWithItsTypesAndAStrictContentSecurityPolicy() throws Exception {
        try (Main.Node node = TestNodes.start(dataDir)) {
            Answer page = call(node.port(), "GET", "/", null, null, null);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.raw().headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
            String csp = page.raw().headers().firstValue("Content-Security-Policy").orElseThrow();
            assertThat(csp).contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe-inline");
            assertThat(page.raw().body()).doesNotContain("<script>").contains("src=\"/assets/app.js\"");
            Answer script = call(node.port(), "GET", "/assets/app.js", null, null, null);
            assertThat(script.raw().headers().firstValue("Content-Type").orElseThrow()).startsWith("text/javascript");
            assertThat(script.raw().headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(call(node.port(), "GET", "/assets/app.css", null, null, null).raw().headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("text/css");
            assertThat(call(node.port(), "GET", "/assets/missing.js", null, null, null).status()).isEqualTo(404);
        }
    }
}
