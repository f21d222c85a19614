package dev.streamhook.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsrfTest {

    @Test
    void readingNeedsNoToken() {
        assertThat(Csrf.allows("GET", null, "token")).isTrue();
        assertThat(Csrf.allows("HEAD", null, "token")).isTrue();
    }

    @Test
    void aChangeIsRefusedWithoutTheSessionsToken() {
        for (String method : new String[] {"POST", "PATCH", "PUT", "DELETE"}) {
            assertThat(Csrf.allows(method, null, "token")).as(method).isFalse();
            assertThat(Csrf.allows(method, "other", "token")).as(method).isFalse();
            assertThat(Csrf.allows(method, "", "token")).as(method).isFalse();
        }
    }

    @Test
    void aChangeWithTheSessionsTokenGoesOn() {
        assertThat(Csrf.allows("POST", "token", "token")).isTrue();
        assertThat(Csrf.allows("delete", "token", "token")).isTrue();
    }
}
