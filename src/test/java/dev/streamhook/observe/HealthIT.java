package dev.streamhook.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.ServerProcess;
import dev.streamhook.testing.TestNodes;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A node says 200 at /healthz only while it works, /readyz says what does not, and a start is all or nothing. */
@Timeout(120)
class HealthIT {

    @TempDir
    Path dataDir;

    @Test
    void aRunningNodeIsHealthyAndReadyInEveryPart() {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port());

            assertThat(api.get("/healthz").status()).isEqualTo(200);
            ApiClient.Response ready = api.get("/readyz");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body().path("ready").asBoolean()).isTrue();
            assertThat(ready.body().path("parts").toString()).isEqualTo("{\"store\":\"ok\",\"capture\":\"ok\",\"delivery\":\"ok\"}");
        }
    }

    @Test
    void aStorePastItsWarningSizeSaysSoInReadyzWhileTheNodeStaysReady() {
        try (Main.Node node = TestNodes.start(dataDir, java.util.Map.of("STREAMHOOK_STORE_WARN_BYTES", "4096"))) {
            ApiClient.Response ready = new ApiClient(node.port()).get("/readyz");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body().path("ready").asBoolean()).isTrue();
            assertThat(ready.body().path("warnings").toString()).contains("past STREAMHOOK_STORE_WARN_BYTES (0 MiB)");
        }
    }

    @Test
    void withDeliveryStoppedHealthzAnswers503AndReadyzSaysDeliveryIsStopped() {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port());

            node.dispatcher().stop();

            ApiClient.Response health = api.get("/healthz");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.text("status")).isEqualTo("unavailable");
            ApiClient.Response ready = api.get("/readyz");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body().at("/parts/delivery").asText()).isEqualTo("delivery is stopped");
            assertThat(ready.body().at("/parts/capture").asText()).isEqualTo("ok");
        }
    }

    @Test
    void withCaptureStoppedHealthzAnswers503AndReadyzSaysCaptureIsStopped() {
        try (Main.Node node = TestNodes.start(dataDir)) {
            ApiClient api = new ApiClient(node.port());

            node.capture().stopAll();

            assertThat(api.get("/healthz").status()).isEqualTo(503);
            ApiClient.Response ready = api.get("/readyz");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body().at("/parts/capture").asText()).isEqualTo("capture is stopped");
            assertThat(ready.body().at("/parts/delivery").asText()).isEqualTo("ok");
        }
    }

    @Test
    void aServerWhoseStoreCannotBeReachedExitsWithTheReasonInsteadOfServingHalfStarted() throws Exception {
        int closed = ServerProcess.freePort();
        Path log = dataDir.resolve("server.log");
        ProcessBuilder builder = ServerProcess.command(ServerProcess.freePort(), dataDir.resolve("data"), log,
                java.util.Map.of("STREAMHOOK_DATABASE_URL", "postgres://postgres@127.0.0.1:" + closed + "/streamhook"));

        Process server = builder.start();

        assertThat(server.waitFor(90, TimeUnit.SECONDS)).as("the server exits").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(server.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("streamhook: cannot start:").contains("127.0.0.1:" + closed);
        assertThat(output).doesNotContain("\tat ");
    }

    @Test
    void aServerWhosePortIsTakenExitsWithTheReasonInsteadOfServingHalfStarted() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path log = dataDir.resolve("server.log");
            ProcessBuilder builder = ServerProcess.command(taken.getLocalPort(), dataDir.resolve("data"), log, java.util.Map.of());

            Process server = builder.start();

            assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("the server exits").isTrue();
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(server.exitValue()).as(output).isEqualTo(1);
            assertThat(output).contains("streamhook: cannot start:").contains(Integer.toString(taken.getLocalPort()));
            assertThat(output).doesNotContain("\tat "); // a reason, not a stack trace
        }
    }
}
