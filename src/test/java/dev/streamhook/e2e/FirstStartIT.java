package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.ServerProcess;
import dev.streamhook.testing.StoreFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code streamhook serve} as an operator runs it, with the defaults: sign-up closed, so the first
 * start makes the admin account and prints its key once on stdout.
 */
class FirstStartIT {

    private static final Map<String, String> DEFAULT_SIGNUP = Map.of("STREAMHOOK_SIGNUP", "closed");

    @TempDir
    Path tmp;

    @Test
    void firstStartPrintsAnAdminKeyOnce() throws Exception {
        Path dataDir = tmp.resolve("data");
        int port = ServerProcess.freePort();
        String adminKey;
        try (ServerProcess first = ServerProcess.start(port, dataDir, tmp.resolve("first.log"), DEFAULT_SIGNUP)) {
            List<String> printed = first.adminKeysPrinted();
            assertThat(printed).as(first.output()).hasSize(1);
            adminKey = printed.getFirst();
            assertThat(adminKey).matches("sk_live_[A-Za-z0-9]{32}");
            assertThat(first.output().split(adminKey, -1)).as("the key appears once in all the output").hasSize(2);

            ApiClient anonymous = new ApiClient(port);
            assertThat(anonymous.post("/v1/accounts", "{\"email\": \"someone@example.com\"}").status()).isEqualTo(403);
            ApiClient.Response created = new ApiClient(port).withKey(adminKey).post("/v1/accounts", "{\"email\": \"dev@example.com\"}");
            assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
            assertThat(new ApiClient(port).withKey(created.text("api_key")).get("/v1/sources").status()).isEqualTo(200);
            first.kill9();
        }
        assertThat(StoreFiles.filesContaining(dataDir, adminKey)).as("store files holding the admin key").isEmpty();

        try (ServerProcess again = ServerProcess.start(port, dataDir, tmp.resolve("again.log"), DEFAULT_SIGNUP)) {
            assertThat(again.adminKeysPrinted()).as("a restart prints no key: " + again.output()).isEmpty();
            assertThat(again.output()).doesNotContain("sk_live_");
            assertThat(new ApiClient(port).withKey(adminKey).get("/v1/api_keys").status()).as("the admin key still opens the API").isEqualTo(200);
        }
        assertThat(Files.readString(tmp.resolve("again.log"))).doesNotContain(adminKey);
    }

    /** Two nodes of one name would both send every event; the second start says so and leaves the first alone. */
    @Test
    void aSecondServerOnTheSameDataDirectoryRefusesToStartAndSaysWhy() throws Exception {
        Path dataDir = tmp.resolve("data");
        int port = ServerProcess.freePort();
        try (ServerProcess first = ServerProcess.start(port, dataDir, tmp.resolve("first.log"), Map.of())) {
            Path secondLog = tmp.resolve("second.log");
            Process second = ServerProcess.command(ServerProcess.freePort(), dataDir, secondLog, Map.of()).start();
            assertThat(second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the second start exits").isTrue();
            String said = Files.readString(secondLog);
            assertThat(second.exitValue()).as(said).isEqualTo(1);
            assertThat(said).contains("streamhook: cannot start: another StreamHook node named", "is running on the data directory "
                    + dataDir.toAbsolutePath(), "(process " + first.pid() + ")").doesNotContain("Exception");
            assertThat(new ApiClient(port).get("/healthz").status()).as("the first serves on").isEqualTo(200);
        }
    }

    @Test
    void theServerSaysItListensOnLoopbackByDefault() {
        int port = ServerProcess.freePort();
        try (ServerProcess server = ServerProcess.start(port, tmp.resolve("data"), tmp.resolve("server.log"), Map.of())) {
            assertThat(server.output()).contains("serving on http://127.0.0.1:" + port);
        }
    }
}
