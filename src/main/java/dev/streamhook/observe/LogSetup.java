package dev.streamhook.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The server's logging, set up in code: one line per message on standard output, INFO and up,
 * the chatty libraries at WARN. Logback finds it through {@code META-INF/services}. Reading the same
 * set-up from a {@code logback.xml} took a third of a second of every start (an XML parser and
 * Joran's model, run cold), which a restart after an outage spends before it delivers anything.
 *
 * <p>{@code -Dlogback.configurationFile=...} (in {@code STREAMHOOK_JAVA_OPTS}) still replaces it
 * with a file of your own, and tests keep their {@code logback-test.xml}. A file named there that
 * does not exist is reported and this set-up used, not logback's last resort (DEBUG everywhere).
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n";
    private static final String[] QUIET = {"org.eclipse.jetty", "io.javalin", "org.flywaydb", "io.zonky"};

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        String file = System.getProperty("logback.configurationFile");
        ClassLoader loader = LogSetup.class.getClassLoader();
        if (leftToLogback(file, loader)) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY; // a file of the user's, or the tests': logback reads it
        }
        if (file != null) {
            // logback would fall back to DEBUG everywhere, which prints request headers (API keys) among the rest
            System.err.println("streamhook: logback.configurationFile " + file + " not found; logging as by default");
        }
        toConsole(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Whether logback should read a file instead: the one {@code logback.configurationFile} names, if
     * it exists (a path, a class-path resource or a URL, as logback takes it), or the tests' own.
     */
    static boolean leftToLogback(String configurationFile, ClassLoader loader) {
        if (configurationFile == null) {
            return loader.getResource("logback-test.xml") != null;
        }
        if (isFile(configurationFile) || loader.getResource(configurationFile) != null) {
            return true;
        }
        try (InputStream in = URI.create(configurationFile).toURL().openStream()) {
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isFile(String path) {
        try {
            return Files.isRegularFile(Path.of(path));
        } catch (InvalidPathException e) {
            return false;
        }
    }

    static void toConsole(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("STDOUT");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        for (String name : QUIET) {
            context.getLogger(name).setLevel(Level.WARN);
        }
    }
}
