package dev.streamhook.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamhook.Main;
import dev.streamhook.testing.ApiClient;
import dev.streamhook.testing.TestNodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of sources pointing at a database that never answers (a port that accepts connections
 * and never says a word) cannot starve the API: the checks run on a small pool with a capped
 * timeout, what does not fit is answered 503 with Retry-After at once, and /healthz stays fast
 * throughout.
 */
class SourceCheckFloodIT {

    private static final int REQUESTS = 60;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private ServerSocket silent;
    private Main.Node node;

    @BeforeEach
    void start(@TempDir Path dataDir) throws IOException {
        silent = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept()); // accepted, never answered
                } catch (IOException closed) {
                    return;
                }
            }
        });
        node = TestNodes.start(dataDir);
    }

    @AfterEach
    void stop() throws IOException {
        node.close();
        silent.close();
        for (Socket s : held) {
            s.close();
        }
    }

    @Test
    void manySourcesOnASilentDatabaseAreTurnedAwayAtOnceAndHealthzStaysFast() throws Exception {
        String key = new ApiClient(node.port()).post("/v1/accounts", "{\"email\":\"flood@example.com\"}").text("api_key");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String body = """
                {"name": "silent", "connection_uri": "postgres://u:p@127.0.0.1:%d/db?connect_timeout=9999", "tables": ["orders"]}
                """.formatted(silent.getLocalPort());
        long started = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> creates = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            creates.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/v1/sources"))
                    .header("Content-Type", "application/json").header("X-API-Key", key).timeout(Duration.ofSeconds(120))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }

        long slowestHealthz = 0;
        while (!CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).isDone()) {
            long t = System.nanoTime();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/healthz"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            slowestHealthz = Math.max(slowestHealthz, (System.nanoTime() - t) / 1_000_000);
            assertThat(health.statusCode()).isEqualTo(200);
            Thread.sleep(100);
        }
        long tookSeconds = (System.nanoTime() - started) / 1_000_000_000;

        List<HttpResponse<String>> answers = creates.stream().map(CompletableFuture::join).toList();
        List<HttpResponse<String>> busy = answers.stream().filter(r -> r.statusCode() == 503).toList();
        List<HttpResponse<String>> checked = answers.stream().filter(r -> r.statusCode() != 503).toList();
        assertThat(slowestHealthz).as("slowest /healthz in ms during the flood").isLessThan(1_000);
        assertThat(busy).as("turned away").isNotEmpty();
        assertThat(busy).allSatisfy(r -> {
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
            assertThat(r.body()).contains("\"type\":\"busy\"");
        });
        assertThat(checked).as("checked, and refused as unreachable after the capped timeout").isNotEmpty()
                .allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(422));
        assertThat(tookSeconds).as("connect_timeout=9999 is capped").isLessThan(60);
    }
}
