package dev.streamhook.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.store.Accounts;
import dev.streamhook.store.Database;
import dev.streamhook.testing.StoreBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Session lifetimes in the store, on the store of this run, with a clock the test moves. */
class SessionsIT {

    private final AtomicLong now = new AtomicLong(Instant.parse("2026-01-05T09:00:00Z").toEpochMilli());
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    @Test
    void aSessionLeftIdleLongerThanTheSettingIsGoneButOneInUseLivesOn(@TempDir Path dir) {
        try (Database db = StoreBackend.current().fresh(dir).open()) {
            String account = new Accounts(db).create("idle@example.com").orElseThrow().account().id();
            Sessions sessions = new Sessions(db, Duration.ofHours(1), clock);
            Sessions.Opened idle = sessions.open(account);
            Sessions.Opened busy = sessions.open(account);

            for (int i = 0; i < 3; i++) {
                now.addAndGet(Duration.ofMinutes(40).toMillis());
                assertThat(sessions.find(busy.token())).as("used every 40 minutes").isPresent();
            }
            assertThat(sessions.find(idle.token())).as("unused for two hours").isEmpty();
            assertThat(sessions.find(busy.token()).orElseThrow().csrfToken()).isEqualTo(busy.csrfToken());
        }
    }

    @Test
    void aBusySessionStillEndsSevenDaysAfterSignIn(@TempDir Path dir) {
        try (Database db = StoreBackend.current().fresh(dir).open()) {
            String account = new Accounts(db).create("busy@example.com").orElseThrow().account().id();
            Sessions sessions = new Sessions(db, Duration.ofDays(7), clock);
            Sessions.Opened opened = sessions.open(account);
            now.addAndGet(Duration.ofDays(6).toMillis());
            assertThat(sessions.find(opened.token())).isPresent();
            now.addAndGet(Duration.ofDays(1).toMillis());
            assertThat(sessions.find(opened.token())).isEmpty();
        }
    }

    @Test
    void aTokenThatWasNeverIssuedOrWasSignedOutOpensNothing(@TempDir Path dir) {
        try (Database db = StoreBackend.current().fresh(dir).open()) {
            String account = new Accounts(db).create("out@example.com").orElseThrow().account().id();
            Sessions sessions = new Sessions(db, Duration.ofHours(12), clock);
            Sessions.Opened opened = sessions.open(account);
            assertThat(sessions.find("x".repeat(43))).isEmpty();
            sessions.close(opened.token());
            assertThat(sessions.find(opened.token())).isEmpty();
        }
    }
}
