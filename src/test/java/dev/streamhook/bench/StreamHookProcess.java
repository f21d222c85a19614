package dev.streamhook.bench;

import dev.streamhook.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * StreamHook as a black box: {@code java -jar target/streamhook.jar serve} in its own OS process,
 * configured only by environment (its port and data dir; every other STREAMHOOK_* variable of the
 * bench's environment, such as STREAMHOOK_DATABASE_URL, passes through). Stopped with SIGTERM, as
 * a service manager would. Not thread-safe: one scenario drives it.
 */
final class StreamHookProcess implements AutoCloseable {

    private final Path jar;
    private final Map<String, String> settings;
    private final Path dataDir;
    private final Path log;
    private final int port;
    private Process process;
    private boolean suspended;

    StreamHookProcess(Path jar, Path dataDir, Path log) throws IOException {
        this(jar, dataDir, log, Map.of());
    }

    /** {@code settings}: STREAMHOOK_* variables of this process only, over the bench's environment. */
    StreamHookProcess(Path jar, Path dataDir, Path log, Map<String, String> settings) throws IOException {
        this.settings = Map.copyOf(settings);
        this.jar = jar;
        this.dataDir = dataDir;
        this.log = log;
        this.port = ServerProcess.freePort();
        Files.createDirectories(dataDir);
    }

    /** Starts the process and waits until {@code /healthz} answers; returns the seconds that took. */
    double start() throws IOException, InterruptedException {
        long started = System.nanoTime();
        launch();
        return awaitHealthy(started);
    }

    /**
     * The class-data archive options {@code bin/streamhook serve} gives, with the same archive next
     * to the jar and the same rules for dropping one the JVM would keep or give up on (older than the
     * jar, cut short, from a start that failed): a scenario's first start writes it when it stops,
     * and the restart it measures maps it.
     */
    private List<String> classDataSharing() throws IOException {
        Path archive = jar.resolveSibling("streamhook-jdk" + Runtime.version().feature() + ".jsa");
        if (Files.exists(archive) && (Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(archive)) > 0
                || Files.size(archive) < 10_000_000 || !hasDynamicArchiveMagic(archive))) {
            Files.delete(archive);
        }
        return List.of("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off");
    }

    /** The JVM writes a dynamic archive's header, which starts with 0xf00baba8 in the machine's order, last. */
    private static boolean hasDynamicArchiveMagic(Path archive) throws IOException {
        try (var in = Files.newInputStream(archive)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && java.nio.ByteBuffer.wrap(head).order(java.nio.ByteOrder.nativeOrder()).getInt() == 0xf00baba8;
        }
    }

    private static boolean choosesCollector(String option) {
        return option.matches("-XX:\\+Use(G1|Serial|Parallel|Z|Shenandoah|Epsilon)GC");
    }

    /** Starts the process without waiting, so its CPU can be sampled from its first instruction. */
    void launch() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        String opts = System.getenv("STREAMHOOK_JAVA_OPTS");
        List<String> extra = opts == null || opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
        boolean ownCollector = extra.stream().anyMatch(StreamHookProcess::choosesCollector);
        // as bin/streamhook serve runs it: a collector chosen in STREAMHOOK_JAVA_OPTS replaces the default's
        ServerProcess.launcherJvmOptions().stream().filter(o -> !(ownCollector && choosesCollector(o))).forEach(command::add);
        command.addAll(classDataSharing());
        command.addAll(extra);
        command.addAll(List.of("-jar", jar.toString(), "serve"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(settings);
        builder.environment().put("STREAMHOOK_PORT", Integer.toString(port));
        builder.environment().put("STREAMHOOK_DATA_DIR", dataDir.toString());
        // a bench sends millions of events: the free plan's monthly limit would hold most of them
        builder.environment().putIfAbsent("STREAMHOOK_FREE_EVENTS_PER_MONTH", "unlimited");
        // the bench signs up and delivers to a receiver on 127.0.0.1; its own environment may say otherwise
        builder.environment().putIfAbsent("STREAMHOOK_SIGNUP", "open");
        builder.environment().putIfAbsent("STREAMHOOK_ALLOWED_NETWORKS", "private");
        builder.environment().putIfAbsent("STREAMHOOK_ALLOW_HTTP_DESTINATIONS", "true");
        builder.environment().putIfAbsent("STREAMHOOK_RATE_LIMIT_PER_KEY", "1000000");
        process = builder.start();
    }

    /** Waits until {@code /healthz} answers; returns the seconds since {@code startedNanos}. */
    double awaitHealthy(long startedNanos) {
        ServerProcess.awaitHealthy(process, port, Duration.ofSeconds(90), () -> "; see " + log);
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /**
     * Freezes the process without ending it (SIGSTOP): its compiled code, heap and connections stay as
     * they are, so after {@link #resume()} it goes on warm, and until then nothing of it runs, capture
     * included. Pausing the source through the API would not do: that holds delivery only, while
     * capture goes on storing. Returns once every thread of the process is stopped.
     */
    void suspend() throws IOException, InterruptedException {
        suspended = true; // first: whatever happens after the signal, stop() resumes it
        signal("STOP");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!allThreadsStopped()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("StreamHook (pid " + pid() + ") did not stop within 10 s of SIGSTOP");
            }
            Thread.sleep(1);
        }
    }

    /** SIGCONT: the process goes on from where {@link #suspend()} froze it. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
        suspended = false;
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
        }
    }

    /** Whether {@code /proc/<pid>/task/<tid>/stat} says stopped ('T') for every thread. */
    private boolean allThreadsStopped() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
            return tasks.allMatch(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    return stat.charAt(stat.lastIndexOf(')') + 2) == 'T'; // the state follows the command name
                } catch (IOException gone) {
                    return true; // a thread that ended runs no more
                }
            });
        }
    }

    /** SIGTERM, then waits for the exit (SIGKILL after 60 s). */
    void stop() throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (suspended) {
            try {
                resume(); // a stopped process only acts on the SIGTERM once it runs again
            } catch (IOException | RuntimeException e) {
                process.destroyForcibly(); // SIGKILL ends a stopped process too
            }
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    Path dataDir() {
        return dataDir;
    }

    /** The STREAMHOOK_* settings the process inherits, secrets and URLs redacted, for the report. */
    static Map<String, String> inheritedSettings() {
        Map<String, String> out = new TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("STREAMHOOK_") && !k.equals("STREAMHOOK_PORT") && !k.equals("STREAMHOOK_DATA_DIR")) {
                out.put(k, k.contains("KEY") || k.contains("URL") ? "(set)" : v);
            }
        });
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
    }
}
