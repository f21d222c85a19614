package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class JsonLimitsTest {

    private static ObjectNode body(String field, String value) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put(field, value);
        return o;
    }

    @Test
    void aStringUpToItsLimitIsTakenAndOneCharacterMoreIsRefusedNamingTheField() {
        assertThat(Json.requiredString(body("name", "n".repeat(200)), "name", Json.Max.NAME)).hasSize(200);

        assertThatThrownBy(() -> Json.requiredString(body("name", "n".repeat(201)), "name", Json.Max.NAME))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.param()).isEqualTo("name");
                    assertThat(e.getMessage()).contains("at most 200 characters");
                });
    }

    @Test
    void aStringWithoutAnExplicitLimitIsStillBounded() {
        assertThatThrownBy(() -> Json.optionalString(body("type", "t".repeat(Json.Max.TEXT + 1)), "type"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.param()).isEqualTo("type"));
    }

    @Test
    void controlCharactersAreRefused() {
        for (String bad : new String[] {"a\u0000b", "line\nbreak", "tab\there", "del\u007f"}) {
            assertThatThrownBy(() -> Json.requiredString(body("email", bad), "email", Json.Max.EMAIL))
                    .as(bad).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("control characters"));
        }
    }

    @Test
    void anIdentifierIsMeasuredInUtf8BytesAsPostgresqlDoes() {
        assertThat(Json.checkIdentifiers("tables", "s".repeat(63) + "." + "t".repeat(63))).isNotNull();
        // 32 characters, 64 bytes: too long for PostgreSQL although short in characters
        assertThatThrownBy(() -> Json.checkIdentifiers("tables", "é".repeat(32)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.param()).isEqualTo("tables"));
    }
}
