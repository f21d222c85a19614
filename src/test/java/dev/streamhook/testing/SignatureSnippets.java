package dev.streamhook.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The verification snippets of {@code docs/signatures.md}, run as real programs (node, python3,
 * go, ruby, php, java) on a delivery a test captured: each is a file under
 * {@code src/test/resources/signatures/} whose text between {@code snippet:start} and
 * {@code snippet:end} is what the docs show, followed by a small harness reading the delivery from files.
 */
public final class SignatureSnippets {

    /** A snippet's language: its resource file and how to run it ({@code %s} the file, then the delivery's directory and scheme). */
    public enum Language {
        NODE("verify.js", "node"), PYTHON("verify.py", "python3"), GO("verify.go", "go"), RUBY("verify.rb", "ruby"),
        PHP("verify.php", "php"), JAVA("VerifySignatures.java", "javac");

        final String file;
        final String tool;

        Language(String file, String tool) {
            this.file = file;
            this.tool = tool;
        }

        /** Why this language's programs cannot run here, or null when its tool is on PATH. */
        public String missing() {
            if (this == JAVA && Files.isExecutable(Path.of(javaTool("javac")))) {
                return null; // the JDK running the tests
            }
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, tool))) {
                    return null;
                }
            }
            return "'" + tool + "' is not on PATH, so the " + name().toLowerCase(Locale.ROOT)
                    + " snippet of docs/signatures.md is not run (.ci/run installs it: apt-get install golang-go ruby php-cli)";
        }

        /** The resource file's text. */
        public String source() throws IOException {
            try (InputStream in = SignatureSnippets.class.getResourceAsStream("/signatures/" + file)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }

        /** The part of the file the docs show. */
        public String snippet() throws IOException {
            Matcher m = Pattern.compile("snippet:start\\n(.*\\n)[^\\n]*snippet:end", Pattern.DOTALL).matcher(source());
            if (!m.find()) {
                throw new IllegalStateException(file + " has no snippet:start ... snippet:end");
            }
            return m.group(1);
        }
    }

    /** Which signatures a program checks: the X-StreamHook ones or the Standard Webhooks ones. */
    public enum Scheme { STREAMHOOK, STANDARD }

    private final Path work;
    private final Map<Language, Path> programs = new java.util.EnumMap<>(Language.class);

    /** {@code work}: a directory for the programs and the deliveries written for them. */
    public SignatureSnippets(Path work) {
        this.work = work;
    }

    /**
     * What {@code language}'s snippet says of a delivery with these headers, body and secret: true
     * (verified) or false. Fails when the program fails otherwise.
     */
    public boolean verify(Language language, Scheme scheme, Map<String, String> headers, byte[] body, String secret)
            throws IOException, InterruptedException {
        Path delivery = Files.createTempDirectory(work, "delivery");
        Files.write(delivery.resolve("body"), body);
        Files.writeString(delivery.resolve("secret"), secret);
        StringBuilder lines = new StringBuilder();
        headers.forEach((name, value) -> lines.append(name.toLowerCase(Locale.ROOT)).append(": ").append(value).append('\n'));
        Files.writeString(delivery.resolve("headers"), lines);
        List<String> command = new ArrayList<>(command(language));
        command.add(delivery.toString());
        command.add(scheme.name().toLowerCase(Locale.ROOT));
        String out = run(command);
        if (!out.equals("true") && !out.equals("false")) {
            throw new IllegalStateException(language + " printed neither true nor false: " + out);
        }
        return out.equals("true");
    }

    private List<String> command(Language language) throws IOException, InterruptedException {
        Path program = programs.get(language);
        if (program == null) {
            program = work.resolve(language.file);
            Files.writeString(program, language.source());
            if (language == Language.JAVA) {
                Path classes = work.resolve("java-classes");
                run(List.of(javaTool("javac"), "-d", classes.toString(), program.toString()));
                program = classes;
            } else if (language == Language.GO) {
                Path binary = work.resolve("verify-go");
                run(List.of("go", "build", "-o", binary.toString(), program.toString()));
                program = binary;
            }
            programs.put(language, program);
        }
        return switch (language) {
            case NODE -> List.of("node", program.toString());
            case PYTHON -> List.of("python3", program.toString());
            case GO -> List.of(program.toString());
            case RUBY -> List.of("ruby", program.toString());
            case PHP -> List.of("php", program.toString());
            case JAVA -> List.of(javaTool("java"), "-cp", program.toString(), "VerifySignatures");
        };
    }

    /** The tool of the JDK running the tests (the snippet needs Java 17+; PATH's java may be older). */
    private static String javaTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private String run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putIfAbsent("GOCACHE", work.resolve("go-cache").toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8).trim();
    }
}
