package dev.streamhook.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamhook.net.AllowedNetworks;
import dev.streamhook.net.Cidr;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        Config c = Config.from(Map.of());
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.dataDir()).isEqualTo(Path.of("./data").toAbsolutePath().normalize());
        assertThat(c.allowedNetworks()).as("self-hosted: the private networks").isEqualTo(AllowedNetworks.privateNetworks());
        assertThat(c.masterKey()).isEmpty();
        assertThat(c.deliveryMaxAttempts()).isEqualTo(12);
        assertThat(c.deliveryMaxInFlight()).isEqualTo(16);
        assertThat(c.databaseUrl()).as("the embedded store").isEmpty();
        assertThat(c.freeEventsPerMonth()).isEqualTo(50_000);
        assertThat(c.retention().delivered()).contains(Duration.ofDays(7));
        assertThat(c.retention().failed()).contains(Duration.ofDays(30));
    }

    @Test
    void storeWarningsAreOffForSizeAndAtTenPercentForDiskUnlessSet() {
        Config c = Config.from(Map.of());
        assertThat(c.storeWarnBytes()).isEmpty();
        assertThat(c.diskFreeWarnPercent()).isEqualTo(10);
        assertThat(Config.from(Map.of("STREAMHOOK_STORE_WARN_BYTES", "1073741824")).storeWarnBytes()).contains(1L << 30);
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_STORE_WARN_BYTES", "1GB"))).hasMessageContaining("STREAMHOOK_STORE_WARN_BYTES");
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_DISK_FREE_WARN_PERCENT", "101"))).hasMessageContaining("0 to 100");
    }

    @Test
    void retentionIsAPeriodInDaysHoursMinutesOrSecondsOrForever() {
        assertThat(Config.from(Map.of("STREAMHOOK_RETENTION", "12h")).retention().delivered()).contains(Duration.ofHours(12));
        assertThat(Config.from(Map.of("STREAMHOOK_FAILED_RETENTION", "45s")).retention().failed()).contains(Duration.ofSeconds(45));
        assertThat(Config.from(Map.of("STREAMHOOK_RETENTION", "forever", "STREAMHOOK_FAILED_RETENTION", "FOREVER")).retention().prunes()).isFalse();
        for (String bad : new String[] {"7", "7 days", "0d", "-1d", "1w"}) {
            assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_RETENTION", bad))).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("STREAMHOOK_RETENTION").hasMessageContaining("7d");
        }
    }

    @Test
    void retriesFollowTheDocumentedThreeDayScheduleUnlessSet() {
        Config c = Config.from(Map.of());
        assertThat(c.deliveryMaxAttempts()).isEqualTo(dev.streamhook.delivery.RetryPolicy.DEFAULT_MAX_ATTEMPTS);
        assertThat(c.retrySchedule()).isEqualTo(dev.streamhook.delivery.RetryPolicy.DEFAULT_SCHEDULE);
        assertThat(c.destinationDisableAfter()).contains(Duration.ofDays(2));
        assertThat(Config.from(Map.of("STREAMHOOK_DELIVERY_RETRY_SCHEDULE", "50ms, 2s,1m")).retrySchedule())
                .containsExactly(Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofMinutes(1));
        assertThat(Config.from(Map.of("STREAMHOOK_DESTINATION_DISABLE_AFTER", "forever")).destinationDisableAfter()).isEmpty();
        for (String bad : new String[] {"5", "0s", "8d", "5s,,5m", "soon"}) {
            assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_DELIVERY_RETRY_SCHEDULE", bad))).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("STREAMHOOK_DELIVERY_RETRY_SCHEDULE");
        }
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_DELIVERY_RETRY_BASE_MS", "50"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("STREAMHOOK_DELIVERY_RETRY_SCHEDULE");
    }

    @Test
    void aReplacedSigningSecretKeepsSigningForADayUnlessTheGraceIsSetButNeverForever() {
        assertThat(Config.from(Map.of()).secretRotationGrace()).isEqualTo(Duration.ofHours(24));
        assertThat(Config.from(Map.of("STREAMHOOK_SECRET_ROTATION_GRACE", "7d")).secretRotationGrace()).isEqualTo(Duration.ofDays(7));
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_SECRET_ROTATION_GRACE", "forever"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("STREAMHOOK_SECRET_ROTATION_GRACE");
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
        Config c = Config.from(Map.of("STREAMHOOK_PORT", "9090", "STREAMHOOK_ALLOWED_NETWORKS", "none", "STREAMHOOK_DATA_DIR", "/tmp/x"));
        assertThat(c.port()).isEqualTo(9090);
        assertThat(c.allowedNetworks().isEmpty()).isTrue();
        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/x"));
    }

    @Test
    void aBadValueIsRefusedWithTheNameOfItsSetting() {
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_PORT", "eighty"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("STREAMHOOK_PORT").hasMessageContaining("eighty");
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_PORT", "70000"))).hasMessageContaining("0 to 65535");
    }

    @Test
    void allowedNetworksAreCidrsAndTheWordPrivate() {
        AllowedNetworks allowed = Config.from(Map.of("STREAMHOOK_ALLOWED_NETWORKS", " private, 198.18.0.0/15 ,2001:db8:1::/48,192.0.2.7"))
                .allowedNetworks();
        assertThat(allowed.networks()).containsAll(AllowedNetworks.PRIVATE)
                .contains(Cidr.parse("198.18.0.0/15"), Cidr.parse("2001:db8:1::/48"), Cidr.parse("192.0.2.7/32"));
        assertThat(AllowedNetworks.parse(allowed.toString())).as("its text reads back the same").isEqualTo(allowed);
    }

    @Test
    void badAllowedNetworksStopTheStartNamingTheVariable() {
        for (String bad : new String[] {"10.0.0.0/33", "db.internal/24", "10.0.0.0/8,,", "none,private", "fe80::/64", "169.254.169.254",
                "10.0.0.0/x", "10.0.0.0/8; 11.0.0.0/8"}) {
            assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_ALLOWED_NETWORKS", bad))).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("STREAMHOOK_ALLOWED_NETWORKS");
        }
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_ALLOWED_NETWORKS", "169.254.0.0/16"))).hasMessageContaining("never connects to");
    }

    @Test
    void theRemovedPrivateNetworksSwitchIsRefusedRatherThanIgnored() {
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_ALLOW_PRIVATE_NETWORKS", "false"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("STREAMHOOK_ALLOWED_NETWORKS=none");
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
        assertThat(c.allowedNetworks()).isEqualTo(AllowedNetworks.privateNetworks());
        assertThat(c.allowHttpDestinations()).isTrue();
    }

    @Test
    void anOpenSignUpRefusesPrivateNetworksUnlessTheOperatorAllowsThem() {
        Config open = Config.from(Map.of("STREAMHOOK_SIGNUP", "open"));
        assertThat(open.allowedNetworks()).isEqualTo(AllowedNetworks.none());
        assertThat(open.allowHttpDestinations()).as("plain http:// is refused on an open sign-up unless allowed").isFalse();
        assertThat(Config.from(Map.of("STREAMHOOK_SIGNUP", "OPEN", "STREAMHOOK_ALLOWED_NETWORKS", "private")).allowedNetworks())
                .isEqualTo(AllowedNetworks.privateNetworks());
        assertThat(Config.from(Map.of("STREAMHOOK_SIGNUP", "closed", "STREAMHOOK_ALLOWED_NETWORKS", "none")).allowedNetworks())
                .isEqualTo(AllowedNetworks.none());
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

    @Test
    void aDashboardSessionEndsAfterTwelveIdleHoursAndSignInAllowsTenTriesAMinuteUnlessSet() {
        Config c = Config.from(Map.of());
        assertThat(c.sessionIdle()).isEqualTo(java.time.Duration.ofHours(12));
        assertThat(c.signInPerMinute()).isEqualTo(10);
        assertThat(Config.from(Map.of("STREAMHOOK_SESSION_IDLE", "30m")).sessionIdle()).isEqualTo(java.time.Duration.ofMinutes(30));
        for (String bad : new String[] {"forever", "8d", "soon"}) {
            assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_SESSION_IDLE", bad))).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("STREAMHOOK_SESSION_IDLE");
        }
        assertThatThrownBy(() -> Config.from(Map.of("STREAMHOOK_SIGNIN_PER_MINUTE", "0"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("STREAMHOOK_SIGNIN_PER_MINUTE");
    }
}
