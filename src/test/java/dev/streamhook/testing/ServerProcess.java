package dev.streamhook.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * StreamHook as a separate operating-system process, started from the shaded jar exactly as
 * {@code java -jar target/streamhook.jar serve} runs it, so a test can kill it with SIGKILL: no
 * shutdown hook, no finally block, no flush runs in the server. Its stdout and stderr go to a file.
 *
 * <p>Not thread-safe: one test thread starts, kills and closes it. {@link #close()} kills the process
 * if it is still alive; a JVM shutdown hook does the same in case the test JVM exits first.
 */
public final class ServerProcess implements AutoCloseable {

    /** The jar {@code mvn package} builds; failsafe runs after {@code package}, so it exists in {@code verify}. */
    public static final Path JAR = Path.of("target", "streamhook.jar");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** The JVM options of a server unless a test gives its own. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx512m");
    /** The JVM options {@code bin/streamhook serve} gives a server: those of {@code bin/jvm.options}, one per line. */
    public static List<String> launcherJvmOptions() {
        try {
            return Files.readAllLines(Path.of("bin", "jvm.options")).stream().map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How {@code streamhook serve} prints the admin key on stdout, the one time it does. */
    public static final String ADMIN_KEY_LINE = "streamhook: admin API key (shown once): ";

    private final Process process;
    private final int port;
    private final Path log;
    private final Thread reaper;

    private ServerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.reaper = new Thread(process::destroyForcibly, "kill-streamhook-" + process.pid());
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** A TCP port nobody listens on right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The command that runs {@code streamhook serve} from the jar on {@code port} with its store in
     * {@code dataDir}, fast retries under {@code settings}, and its output appended to {@code log};
     * for a test that watches a start fail. Sign-up is open and private networks allowed, as for
     * {@link TestNodes}, unless {@code settings} say otherwise.
     */
    public static ProcessBuilder command(int port, Path dataDir, Path log, Map<String, String> settings) {
        return command(port, dataDir, log, settings, DEFAULT_JVM_OPTIONS);
    }

    /** As {@link #command(int, Path, Path, Map)}, with {@code jvmOptions} (such as a heap size) instead of {@link #DEFAULT_JVM_OPTIONS}. */
    public static ProcessBuilder command(int port, Path dataDir, Path log, Map<String, String> settings, List<String> jvmOptions) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run this test with `mvn verify`, after `package`");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString(), "serve"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("STREAMHOOK_"));
        env.put("STREAMHOOK_PORT", Integer.toString(port));
        env.put("STREAMHOOK_DATA_DIR", dataDir.toAbsolutePath().toString());
        env.put("STREAMHOOK_DELIVERY_RETRY_SCHEDULE", "50ms,100ms,200ms");
        env.put("STREAMHOOK_DELIVERY_TIMEOUT_MS", "2000");
        env.putAll(TestNodes.TEST_ACCESS);
        env.putAll(TestNodes.storeSettings(dataDir));
        env.putAll(settings);
        return builder;
    }

    /**
     * Starts {@code streamhook serve} on {@code port} with its store in {@code dataDir}, the given
     * extra environment on top of fast retries, and its output appended to {@code log}; returns once
     * {@code GET /healthz} answers 200. Fails with the server's output when it exits or stays silent.
     */
    public static ServerProcess start(int port, Path dataDir, Path log, Map<String, String> settings) {
        return start(port, dataDir, log, settings, DEFAULT_JVM_OPTIONS);
    }

    /** As {@link #start(int, Path, Path, Map)}, with {@code jvmOptions} instead of {@link #DEFAULT_JVM_OPTIONS}. */
    public static ServerProcess start(int port, Path dataDir, Path log, Map<String, String> settings, List<String> jvmOptions) {
        return start(command(port, dataDir, log, settings, jvmOptions), port, log);
    }

    /**
     * Starts the server {@code builder} runs (for one started another way than from the jar, such as
     * by {@code bin/streamhook serve}), which listens on {@code port} and writes its output to
     * {@code log}; returns once {@code GET /healthz} answers 200, as above.
     */
    public static ServerProcess start(ProcessBuilder builder, int port, Path log) {
        ServerProcess server;
        try {
            server = new ServerProcess(builder.start(), port, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + builder.command(), e);
        }
        try {
            server.awaitHealthy();
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void awaitHealthy() {
        awaitHealthy(process, port, START_TIMEOUT, () -> ":\n" + output());
    }

    /**
     * Waits until the server {@code process} runs answers {@code GET /healthz} on {@code port} with
     * 200, asking every 50 ms (a benchmark times its starts by this). Fails when the process exits
     * first or stays silent for {@code within}, with {@code more} (the server's output, or where to
     * find it) at the end of the message.
     */
    public static void awaitHealthy(Process process, int port, Duration within, Supplier<String> more) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("streamhook exited with " + process.exitValue() + " before it served" + more.get());
            }
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(50);
        }
        throw new IllegalStateException("streamhook did not answer /healthz within " + within + more.get());
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Sends SIGKILL ({@link Process#destroyForcibly()} does on Linux) and waits until the process is
     * gone; returns its exit status, 137 (128 + 9) when the signal killed it.
     */
    public int kill9() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("streamhook " + process.pid() + " survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /**
     * Sends SIGTERM ({@link Process#destroy()} does on Linux), as a service manager stops a server,
     * and waits up to {@code atMost} for the process to end; returns its exit status (143, 128 + 15,
     * when the JVM ran its shutdown hooks and exited on the signal). Fails if it is still running.
     */
    public int terminate(Duration atMost) {
        process.destroy();
        try {
            if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("streamhook " + process.pid() + " still runs " + atMost + " after SIGTERM");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    /** Everything the process wrote to stdout and stderr so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no output)";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** The admin API keys the process printed so far (one on a closed node's first start, else none). */
    public List<String> adminKeysPrinted() {
        return output().lines().filter(l -> l.startsWith(ADMIN_KEY_LINE)).map(l -> l.substring(ADMIN_KEY_LINE.length()).trim()).toList();
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill9();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
