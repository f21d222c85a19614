package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a destination's header values are shown: recognisable, never usable. */
class HeaderMaskTest {

    @Test
    void anAuthSchemeIsKeptAndTheCredentialHidden() {
        assertThat(DestinationRoutes.maskHeader("Bearer your_token")).isEqualTo("Bearer ****");
        assertThat(DestinationRoutes.maskHeader("Basic dXNlcjpwYXNzd29yZDEyMzQ1Njc4")).isEqualTo("Basic ****Njc4");
    }

    @Test
    void theLastFourCharactersShowOnlyWhenAtLeastTwelveStayHidden() {
        assertThat(DestinationRoutes.maskHeader("0123456789abcde")).isEqualTo("****");
        assertThat(DestinationRoutes.maskHeader("0123456789abcdef")).isEqualTo("****cdef");
        assertThat(DestinationRoutes.maskHeader("")).isEqualTo("****");
    }

    @Test
    void aValueWithSpacesThatIsNotASchemeIsHiddenWhole() {
        assertThat(DestinationRoutes.maskHeader("team payments")).isEqualTo("****");
        assertThat(DestinationRoutes.maskHeader("v2.1 something")).isEqualTo("****");
    }
}
