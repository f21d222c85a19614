package dev.streamhook.event.json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Asks one Node.js process for JavaScript's answers to many requests at once. Requests and answers
 * travel in ASCII (hex code units, base64 UTF-8) so that lone surrogates, U+2028 and control
 * characters cannot be altered on the way.
 */
final class NodeOracle {

    private static final String SCRIPT = """
            const fs = require('fs');
            const units = h => { let s = ''; for (let i = 0; i < h.length; i += 4) s += String.fromCharCode(parseInt(h.substr(i, 4), 16)); return s; };
            const float = h => { const v = new DataView(new ArrayBuffer(8)); v.setBigUint64(0, BigInt('0x' + h)); return v.getFloat64(0); };
            const object = pairs => { const o = Object.create(null); for (const [k, v] of pairs) o[k] = v; return o; };
            const kinds = {
              roundtrip: p => JSON.stringify(JSON.parse(units(p))),
              number: p => JSON.stringify(float(p)),
              numberString: p => String(float(p)),
              string: p => JSON.stringify(units(p)),
              object: p => JSON.stringify(object(JSON.parse(units(p)))),
            };
            const out = [];
            for (const line of fs.readFileSync(process.argv[1], 'latin1').split('\\n')) {
              if (line === '') continue;
              const colon = line.indexOf(':');
              try { out.push('OK ' + Buffer.from(kinds[line.slice(0, colon)](line.slice(colon + 1)), 'utf8').toString('base64')); }
              catch (e) { if (!(e instanceof SyntaxError)) throw e; out.push('ERR'); }
            }
            fs.writeFileSync(process.argv[2], out.join('\\n') + '\\n');
            """;

    private NodeOracle() {
    }

    static String roundTrip(String json) {
        return "roundtrip:" + units(json);
    }

    static String number(double d) {
        return "number:" + HexFormat.of().toHexDigits(Double.doubleToRawLongBits(d));
    }

    static String numberString(double d) {
        return "numberString:" + HexFormat.of().toHexDigits(Double.doubleToRawLongBits(d));
    }

    static String string(String s) {
        return "string:" + units(s);
    }

    /** {@code pairsJson} is a JSON array of [key, value] pairs, assigned in order to a fresh object. */
    static String object(String pairsJson) {
        return "object:" + units(pairsJson);
    }

    /** One answer per request: JavaScript's UTF-8 output, or null where JavaScript threw a SyntaxError. */
    static List<byte[]> ask(List<String> requests) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("node-oracle");
        Path in = dir.resolve("requests.txt");
        Path out = dir.resolve("answers.txt");
        Files.write(in, requests, StandardCharsets.US_ASCII);
        Process node;
        try {
            node = new ProcessBuilder("node", "-e", SCRIPT, in.toString(), out.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("node.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError("These tests compare with JavaScript itself and need Node.js (`node`) on PATH: " + e.getMessage(), e);
        }
        if (!node.waitFor(120, TimeUnit.SECONDS)) {
            node.destroyForcibly();
            throw new AssertionError("node did not finish within 120 s");
        }
        if (node.exitValue() != 0) {
            throw new AssertionError("node failed: " + Files.readString(dir.resolve("node.log")));
        }
        List<byte[]> answers = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.US_ASCII)) {
            answers.add(line.equals("ERR") ? null : Base64.getDecoder().decode(line.substring(3)));
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
        if (answers.size() != requests.size()) {
            throw new AssertionError("node answered " + answers.size() + " of " + requests.size() + " requests");
        }
        return answers;
    }

    private static String units(String s) {
        StringBuilder hex = new StringBuilder(s.length() * 4);
        for (int i = 0; i < s.length(); i++) {
            hex.append(HexFormat.of().toHexDigits(s.charAt(i)));
        }
        return hex.toString();
    }
}
