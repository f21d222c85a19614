package dev.streamhook.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSetupTest {

    @Test
    void theServerLogsInfoAndUpOneLinePerMessageWithTheChattyLibrariesAtWarn() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter()); // what logback's SLF4J provider gives the real one
        LogSetup.toConsole(context);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8)); // the console appender writes to whatever System.out is
        try {
            context.getLogger("dev.streamhook.Main").info("StreamHook serving on http://{}:{}", "127.0.0.1", 8080);
            context.getLogger("dev.streamhook.Main").debug("not shown");
            context.getLogger("org.eclipse.jetty.server.Server").info("not shown either");
            context.getLogger("org.flywaydb.core.Flyway").warn("shown");
        } finally {
            System.setOut(stdout);
        }

        assertThat(out.toString(StandardCharsets.UTF_8).lines().toList()).satisfiesExactly(
                line -> assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[.+] Main - StreamHook serving on http://127.0.0.1:8080"),
                line -> assertThat(line).endsWith("WARN  [" + Thread.currentThread().getName() + "] Flyway - shown"));
    }

    @Test
    void aConfigurationFileOfTheUsersIsLeftToLogbackOnlyWhenItExists(@TempDir Path dir) throws Exception {
        Path mine = Files.writeString(dir.resolve("mine.xml"), "<configuration/>");
        ClassLoader noTestFile = new ClassLoader(null) { };

        assertThat(LogSetup.leftToLogback(mine.toString(), noTestFile)).isTrue();
        assertThat(LogSetup.leftToLogback(mine.toUri().toString(), noTestFile)).isTrue();
        assertThat(LogSetup.leftToLogback(dir.resolve("misspelt.xml").toString(), noTestFile)).isFalse();
        assertThat(LogSetup.leftToLogback(dir.resolve("misspelt.xml").toUri().toString(), noTestFile)).isFalse();
        assertThat(LogSetup.leftToLogback(null, noTestFile)).as("none named: set up in code").isFalse();
        assertThat(LogSetup.leftToLogback(null, getClass().getClassLoader())).as("the tests' logback-test.xml").isTrue();
    }
}
