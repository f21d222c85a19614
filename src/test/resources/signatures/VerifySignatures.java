// Runs the Java snippet of docs/signatures.md on one captured delivery.
// Usage: javac -d out VerifySignatures.java && java -cp out VerifySignatures <dir> streamhook|standard
// (see verify.js for <dir>). Prints true or false.
// snippet:start
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

final class StreamHookSignatures {

    /** rawBody: the request body exactly as received; headers: names in lower case. */
    static boolean verifyStreamHook(byte[] rawBody, Map<String, String> headers, String secret) throws GeneralSecurityException {
        String hex = HexFormat.of().formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), new byte[0], rawBody));
        byte[] expected = ("sha256=" + hex).getBytes(StandardCharsets.UTF_8);
        // the current secret's signature, or during a rotation's grace period the previous secret's
        for (String name : new String[] {"x-streamhook-signature", "x-streamhook-signature-previous"}) {
            if (MessageDigest.isEqual(headers.getOrDefault(name, "").getBytes(StandardCharsets.UTF_8), expected)) {
                return true;
            }
        }
        return false;
    }

    /** Standard Webhooks (signature_scheme "standard_webhooks" or "both"); secret: whsec_<base64>. */
    static boolean verifyStandardWebhooks(byte[] rawBody, Map<String, String> headers, String secret, long toleranceSeconds)
            throws GeneralSecurityException {
        String id = headers.getOrDefault("webhook-id", "");
        String timestamp = headers.getOrDefault("webhook-timestamp", "");
        if (id.isEmpty() || !timestamp.matches("[0-9]{1,18}")
                || Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(timestamp)) > toleranceSeconds) {
            return false; // a replay, or a clock far off
        }
        byte[] key = Base64.getDecoder().decode(secret.replaceFirst("^whsec_", ""));
        byte[] signed = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] expected = Base64.getEncoder().encode(hmac(key, signed, rawBody));
        for (String signature : headers.getOrDefault("webhook-signature", "").split(" ")) {
            String[] parts = signature.split(",", 2);
            if (parts.length == 2 && parts[0].equals("v1")
                    && MessageDigest.isEqual(parts[1].getBytes(StandardCharsets.UTF_8), expected)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] hmac(byte[] key, byte[] prefix, byte[] body) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(prefix);
        return mac.doFinal(body);
    }
}
// snippet:end

final class VerifySignatures {
    public static void main(String[] args) throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of(args[0]);
        Map<String, String> headers = new java.util.HashMap<>();
        for (String line : java.nio.file.Files.readString(dir.resolve("headers")).split("\n")) {
            String[] parts = line.split(": ", 2);
            if (parts.length == 2) {
                headers.put(parts[0], parts[1]);
            }
        }
        byte[] body = java.nio.file.Files.readAllBytes(dir.resolve("body"));
        String secret = java.nio.file.Files.readString(dir.resolve("secret"));
        System.out.print(args[1].equals("standard") ? StreamHookSignatures.verifyStandardWebhooks(body, headers, secret, 300)
                : StreamHookSignatures.verifyStreamHook(body, headers, secret));
    }
}
