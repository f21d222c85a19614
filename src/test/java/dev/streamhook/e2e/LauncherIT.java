package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/streamhook serve} as an operator runs it, against the jar the build just made. */
class LauncherIT {

    @Test
    void aCollectorChosenInStreamHookJavaOptsReplacesTheDefaultOne(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path log = dir.resolve("serve.log");
        ProcessBuilder builder = new ProcessBuilder("bin/streamhook", "serve")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("STREAMHOOK_JAVA_OPTS", "-XX:+UseSerialGC");
        builder.environment().put("STREAMHOOK_PORT", Integer.toString(port));
        builder.environment().put("STREAMHOOK_DATA_DIR", dir.resolve("data").toString());
        Process server = builder.start();
        try {
            // bin/jvm.options names G1: before, the JVM refused to start with two collectors
            assertThat(healthzAnswers(server, port)).as(() -> read(log)).isTrue();
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    private static boolean healthzAnswers(Process server, int port) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline && server.isAlive()) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
