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

    @Test
    void serverListensOnLoopbackByDefault() {
        assertThat(Config.from(Map.of()).host()).isEqualTo("127.0.0.1");
        assertThat(Config.from(Map.of("STREAMHOOK_HOST", "0.0.0.0")).host()).isEqualTo("0.0.0.0");
    }

    @Test
    void signUpIsClosedByDefaultAndAClosedInstallationMayReachPrivateNetworks() {
        Config c = Config.from(Map.of());
        assertThat(c.signup()).isEqualTo(Config.SignupMode.CLOSED);
        assertThat(c.allowPrivateNetworks()).isTrue();
    }

    @Test
    void anOpenSignUpRefusesPrivateNetworksUnlessTheOperatorAllowsThem() {
        assertThat(Config.from(Map.of("STREAMHOOK_SIGNUP", "open")).allowPrivateNetworks()).isFalse();
        assertThat(Config.from(Map.of("STREAMHOOK_SIGNUP", "OPEN", "STREAMHOOK_ALLOW_PRIVATE_NETWORKS", "true")).allowPrivateNetworks()).isTrue();
        assertThat(Config.from(Map.of("STREAMHOOK_SIGNUP", "closed", "STREAMHOOK_ALLOW_PRIVATE_NETWORKS", "false")).allowPrivateNetworks()).isFalse();
    }

    @Test
    void rateLimitsHaveTheDocumentedDefaultsAndCanBeSet() {
        Config c = Config.from(Map.of());
        assertThat(c.rateLimits().perKeyPerSecond()).isEqualTo(20);
        assertThat(c.rateLimits().perKeyBurst()).isEqualTo(100);
        assertThat(c.rateLimits().anonymousPerMinute()).isEqualTo(10);
        assertThat(c.trustForwardedFor()).isFalse();
        Config set = Config.from(Map.of("STREAMHOOK_RATE_LIMIT_PER_KEY", "5", "STREAMHOOK_RATE_LIMIT_SIGNUP_PER_MINUTE", "3"));
        assertThat(set.rateLimits()).isEqualTo(new Config.RateLimits(5, 3));
    }

    @Test
    void anUnknownSignUpModeIsRefusedWithTheNameOfItsSetting() {
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_SIGNUP", "public"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("STREAMHOOK_SIGNUP").hasMessageContaining("closed or open");
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_RATE_LIMIT_PER_KEY", "0"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("STREAMHOOK_RATE_LIMIT_PER_KEY");
    }
}
