package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamhook.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/streamhook serve} as an operator runs it, against the jar the build just made. */
class LauncherIT {

    /** The class-data archive the launcher keeps beside the jar, one per JDK feature release. */
    private static final Path ARCHIVE = Path.of("target", "streamhook-jdk" + Runtime.version().feature() + ".jsa");

    @Test
    void aCollectorChosenInStreamHookJavaOptsReplacesTheDefaultOne(@TempDir Path dir) throws Exception {
        // a stale jar would make the launcher run Maven first, inside this build
        assumeTrue(jarIsFresh(), "target/streamhook.jar is older than src/main: build it first");
        // bin/jvm.options names G1: before, the JVM refused to start with two collectors
        try (ServerProcess server = serve(dir, "serve", "-XX:+UseSerialGC -Xlog:gc:stdout")) {
            assertThat(server.output()).contains("Using Serial");
            // the launcher exec'd java, so the server has the launcher's pid
            assertThat(commandLine(server.pid())).contains("-Xmx256m", "-XX:+UseSerialGC").doesNotContain("-XX:+UseG1GC");
        }
    }

    @Test
    void aRestartMapsTheClassesTheRunBeforeItArchived(@TempDir Path dir) throws Exception {
        assumeTrue(jarIsFresh(), "target/streamhook.jar is older than src/main: build it first");
        Files.deleteIfExists(ARCHIVE);
        try (ServerProcess first = serve(dir, "first", "")) {
            first.terminate(Duration.ofSeconds(60)); // the JVM writes the archive as it exits
        }
        assertThat(ARCHIVE).exists();

        try (ServerProcess second = serve(dir, "second", "-Xlog:class+load=info:stdout")) {
            assertThat(second.output()).contains("dev.streamhook.Main source: shared objects file");
        }
    }

    @Test
    void anArchiveOlderThanTheJarIsWrittenAnew(@TempDir Path dir) throws Exception {
        assumeTrue(jarIsFresh(), "target/streamhook.jar is older than src/main: build it first");
        try (ServerProcess first = serve(dir, "first", "")) {
            first.terminate(Duration.ofSeconds(60));
        }
        // as after a rebuild: the JVM would not see that the archive no longer matches the jar
        FileTime built = Files.getLastModifiedTime(ServerProcess.JAR);
        Files.setLastModifiedTime(ARCHIVE, FileTime.fromMillis(built.toMillis() - 60_000));

        try (ServerProcess second = serve(dir, "second", "")) {
            second.terminate(Duration.ofSeconds(60));
        }
        assertThat(Files.getLastModifiedTime(ARCHIVE)).isGreaterThan(built);
    }

    /** {@code bin/streamhook serve} on a data dir of {@code dir}, with {@code javaOpts} as STREAMHOOK_JAVA_OPTS. */
    private static ServerProcess serve(Path dir, String name, String javaOpts) throws Exception {
        int port = ServerProcess.freePort();
        Path log = dir.resolve(name + ".log");
        ProcessBuilder launcher = new ProcessBuilder("bin/streamhook", "serve")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        launcher.environment().keySet().removeIf(n -> n.startsWith("STREAMHOOK_"));
        launcher.environment().put("STREAMHOOK_JAVA_OPTS", javaOpts);
        launcher.environment().put("STREAMHOOK_PORT", Integer.toString(port));
        launcher.environment().put("STREAMHOOK_DATA_DIR", dir.resolve("data").toString());
        return ServerProcess.start(launcher, port, log);
    }

    private static boolean jarIsFresh() throws IOException {
        if (!Files.exists(ServerProcess.JAR)) {
            return false;
        }
        FileTime built = Files.getLastModifiedTime(ServerProcess.JAR);
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
        return Arrays.asList(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0"));
    }
}
