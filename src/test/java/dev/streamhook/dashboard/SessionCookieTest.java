package dev.streamhook.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionCookieTest {

    private static final String TOKEN = "7L7LkVi8RQ8EpTjKAwzAoDrK0Pkg2zgFgT6l1VrpfXU";

    @Test
    void theSessionTokenIsFoundAmongOtherCookies() {
        assertThat(SessionCookie.token("theme=dark; streamhook_session=" + TOKEN + "; lang=en")).contains(TOKEN);
        assertThat(SessionCookie.token("streamhook_session=\"" + TOKEN + "\"")).contains(TOKEN);
    }

    @Test
    void aMissingOrMalformedCookieIsNoSession() {
        assertThat(SessionCookie.token(null)).isEmpty();
        assertThat(SessionCookie.token("theme=dark")).isEmpty();
        assertThat(SessionCookie.token("streamhook_session=")).isEmpty();
        assertThat(SessionCookie.token("streamhook_session=' OR 1=1 --")).isEmpty();
        assertThat(SessionCookie.token("xstreamhook_session=" + TOKEN)).isEmpty();
    }

    @Test
    void ofTwoSessionCookiesTheFirstWellFormedOneCounts() {
        assertThat(SessionCookie.token("streamhook_session=junk; streamhook_session=" + TOKEN)).contains(TOKEN);
    }

    @Test
    void theCookieIsHttpOnlyStrictAndSecureOnlyOverHttps() {
        assertThat(SessionCookie.issue(TOKEN, Duration.ofDays(7), false))
                .isEqualTo("streamhook_session=" + TOKEN + "; Path=/; Max-Age=604800; HttpOnly; SameSite=Strict");
        assertThat(SessionCookie.issue(TOKEN, Duration.ofDays(7), true)).endsWith("; Secure");
        assertThat(SessionCookie.clear(false)).startsWith("streamhook_session=; Path=/; Max-Age=0; HttpOnly");
    }
}
