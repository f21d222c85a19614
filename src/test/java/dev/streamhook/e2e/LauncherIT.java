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
        Path archive = archiveOfAServedStart(dir, "first");
        Files.delete(archive);
        try (ServerProcess second = serve(dir, "second", "")) {
            // the JVM writes the archive as it exits; a stop that could not would exit with 1
            assertThat(second.terminate(Duration.ofSeconds(60))).isEqualTo(143);
        }
        assertThat(archive).exists();

        try (ServerProcess third = serve(dir, "third", "-Xlog:class+load=info:stdout")) {
            assertThat(third.output()).contains("dev.streamhook.Main source: shared objects file");
        }
    }

    @Test
    void anArchiveOlderThanTheJarOrCutShortIsWrittenAnew(@TempDir Path dir) throws Exception {
        assumeTrue(jarIsFresh(), "target/streamhook.jar is older than src/main: build it first");
        Path archive = archiveOfAServedStart(dir, "first");
        // as after a rebuild: the JVM would go on mapping it
        FileTime built = Files.getLastModifiedTime(ServerProcess.JAR);
        Files.setLastModifiedTime(archive, FileTime.fromMillis(built.toMillis() - 60_000));
        archiveOfAServedStart(dir, "second");
        assertThat(Files.getLastModifiedTime(archive)).isGreaterThan(built);

        // as after a SIGKILL while the JVM wrote it (the header comes last): the JVM would give up on it for good
        Files.write(archive, new byte[1 << 20]);
        archiveOfAServedStart(dir, "third");
        assertThat(Files.size(archive)).isGreaterThan(10_000_000);
        try (ServerProcess fourth = serve(dir, "fourth", "-Xlog:class+load=info:stdout")) {
            assertThat(fourth.output()).contains("dev.streamhook.Main source: shared objects file");
        }
    }

    /** Serves once and stops with SIGTERM; the archive the launcher named on the server's command line. */
    private static Path archiveOfAServedStart(Path dir, String name) throws Exception {
        try (ServerProcess server = serve(dir, name, "")) {
            String option = commandLine(server.pid()).stream().filter(o -> o.startsWith("-XX:SharedArchiveFile=")).findFirst()
                    .orElseThrow(() -> new AssertionError("the launcher gave no class-data archive"));
            assertThat(server.terminate(Duration.ofSeconds(60))).isEqualTo(143);
            return Path.of(option.substring(option.indexOf('=') + 1));
        }
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
