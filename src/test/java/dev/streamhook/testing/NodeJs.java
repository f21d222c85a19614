package dev.streamhook.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the product page's JavaScript in Node, so tests check what users' code really does. */
public final class NodeJs {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private NodeJs() {
    }

    /** What Node's {@code JSON.stringify(JSON.parse(body))} gives back for each body. */
    public static List<String> reserialize(List<String> bodies) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("streamhook-node");
        Path input = dir.resolve("bodies.json");
        MAPPER.writeValue(input.toFile(), bodies);
        String script = "const b = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));"
                + "process.stdout.write(JSON.stringify(b.map(x => JSON.stringify(JSON.parse(x)))));";
        JsonNode out = run(List.of("node", "-e", script, input.toString()));
        return MAPPER.convertValue(out, MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    /** The page's {@code verifySignature(JSON.parse(body), signature, secret)} for each request. */
    public static JsonNode verifySignatures(List<WebhookReceiver.Request> requests, String secret) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("streamhook-node");
        Path script = dir.resolve("verify-signature.js");
        try (InputStream in = NodeJs.class.getResourceAsStream("/verify-signature.js")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Path cases = dir.resolve("cases.json");
        MAPPER.writeValue(cases.toFile(), requests.stream().map(r -> Map.of(
                "body", r.bodyText(),
                "signature", String.valueOf(r.header("X-StreamHook-Signature")),
                "secret", secret)).toList());
        return run(List.of("node", script.toString(), cases.toString()));
    }

    private static JsonNode run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("Node.js ('node') must be on PATH to check the page's JavaScript: " + e.getMessage(), e);
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("node failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return MAPPER.readTree(out);
    }
}
