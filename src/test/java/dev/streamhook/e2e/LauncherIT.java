package dev.streamhook.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.streamhook.testing.ServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
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
        int port = ServerProcess.freePort();
        Path log = dir.resolve("serve.log");
        ProcessBuilder launcher = new ProcessBuilder("bin/streamhook", "serve")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        launcher.environment().keySet().removeIf(name -> name.startsWith("STREAMHOOK_"));
        launcher.environment().put("STREAMHOOK_JAVA_OPTS", "-XX:+UseSerialGC -Xlog:gc:stdout");
        launcher.environment().put("STREAMHOOK_PORT", Integer.toString(port));
        launcher.environment().put("STREAMHOOK_DATA_DIR", dir.resolve("data").toString());

        // bin/jvm.options names G1: before, the JVM refused to start with two collectors
        try (ServerProcess server = ServerProcess.start(launcher, port, log)) {
            assertThat(server.output()).contains("Using Serial");
            // the launcher exec'd java, so the server has the launcher's pid
            assertThat(commandLine(server.pid())).contains("-Xmx256m", "-XX:+UseSerialGC").doesNotContain("-XX:+UseG1GC");
        }
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
