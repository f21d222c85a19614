package dev.streamhook.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        Config c = Config.from(Map.of());
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.dataDir()).isEqualTo(Path.of("./data").toAbsolutePath().normalize());
        assertThat(c.allowPrivateNetworks()).isTrue();
        assertThat(c.masterKey()).isEmpty();
        assertThat(c.deliveryMaxAttempts()).isEqualTo(12);
        assertThat(c.deliveryMaxInFlight()).isEqualTo(16);
        assertThat(c.databaseUrl()).as("the embedded store").isEmpty();
        assertThat(c.freeEventsPerMonth()).isEqualTo(50_000);
    }

    @Test
    void theFreePlansMonthlyEventsAreAWholeNumberOrUnlimited() {
        assertThat(Config.from(Map.of("STREAMHOOK_FREE_EVENTS_PER_MONTH", "3")).freeEventsPerMonth()).isEqualTo(3);
        assertThat(Config.from(Map.of("STREAMHOOK_FREE_EVENTS_PER_MONTH", "unlimited")).freeEventsPerMonth()).isEqualTo(Config.UNLIMITED);
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_FREE_EVENTS_PER_MONTH", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("STREAMHOOK_FREE_EVENTS_PER_MONTH");
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_FREE_EVENTS_PER_MONTH", "50k")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("or unlimited");
    }

    @Test
    void aPostgresStoreUrlBecomesAJdbcUrlWithItsCredentialsApart() {
        StoreUrl url = Config.from(Map.of("STREAMHOOK_DATABASE_URL", "postgres://sh:p%40ss@db.local:5433/streamhook?sslmode=verify-full"))
                .databaseUrl().orElseThrow();
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.local:5433/streamhook?sslmode=verify-full");
        assertThat(url.user()).isEqualTo("sh");
        assertThat(url.password()).isEqualTo("p@ss");
        assertThat(url.toString()).doesNotContain("p@ss");
    }

    @Test
    void aStoreUrlThatIsNotPostgresIsRefusedWithoutShowingItsPassword() {
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_DATABASE_URL", "mysql://root:hunter2@db/x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("STREAMHOOK_DATABASE_URL").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_DATABASE_URL", "postgres://db.local")))
                .hasMessageContaining("must name a host and a database");
    }

    @Test
    void settingsComeFromTheEnvironment() {
        Config c = Config.from(Map.of("STREAMHOOK_PORT", "9090", "STREAMHOOK_ALLOW_PRIVATE_NETWORKS", "false", "STREAMHOOK_DATA_DIR", "/tmp/x"));
        assertThat(c.port()).isEqualTo(9090);
        assertThat(c.allowPrivateNetworks()).isFalse();
        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/x"));
    }

    @Test
    void aBadValueIsRefusedWithTheNameOfItsSetting() {
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_PORT", "eighty"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("STREAMHOOK_PORT").hasMessageContaining("eighty");
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_PORT", "70000"))).hasMessageContaining("0 to 65535");
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_ALLOW_PRIVATE_NETWORKS", "maybe"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("STREAMHOOK_ALLOW_PRIVATE_NETWORKS");
    }
}
