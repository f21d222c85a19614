package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/streamhook serve} as an operator runs it, against the jar the build just made. */
class LauncherIT {

    private static final Path JAR = Path.of("target", "streamhook.jar");

    @Test
    void aCollectorChosenInStreamHookJavaOptsReplacesTheDefaultOne(@TempDir Path dir) throws Exception {
        // a stale jar would make the launcher run Maven first, inside this build
        assumeTrue(jarIsFresh(), "target/streamhook.jar is older than src/main: build it first");
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path log = dir.resolve("serve.log");
        ProcessBuilder builder = new ProcessBuilder("bin/streamhook", "serve")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("STREAMHOOK_"));
        builder.environment().put("STREAMHOOK_JAVA_OPTS", "-XX:+UseSerialGC -Xlog:gc:stdout");
        builder.environment().put("STREAMHOOK_PORT", Integer.toString(port));
        builder.environment().put("STREAMHOOK_DATA_DIR", dir.resolve("data").toString());
        Process server = builder.start();
        try {
            // bin/jvm.options names G1: before, the JVM refused to start with two collectors
            assertThat(healthzAnswers(server, port)).as(() -> read(log)).isTrue();
            assertThat(read(log)).contains("Using Serial");
            List<String> options = commandLine(server.pid());
            assertThat(options).contains("-Xmx256m", "-XX:+UseSerialGC").doesNotContain("-XX:+UseG1GC");
        } finally {
            server.destroy(); // the launcher exec'd java: this is the server's own pid
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean jarIsFresh() throws IOException {
        if (!Files.exists(JAR)) {
            return false;
        }
        FileTime built = Files.getLastModifiedTime(JAR);
        try (Stream<Path> sources = Files.walk(Path.of("src", "main"))) {
            return sources.filter(Files::isRegularFile).allMatch(p -> {
                try {
                    return Files.getLastModifiedTime(p).compareTo(built) <= 0;
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    private static List<String> commandLine(long pid) throws IOException {
        String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
        return Arrays.asList(raw.split("\0"));
    }

    private static boolean healthzAnswers(Process server, int port) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest healthz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline && server.isAlive()) {
            try {
                if (http.send(healthz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
