package dev.streamhook.capture.types;

import dev.streamhook.event.json.JsonValue;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.HexFormat;

/** bytea text output (hex, or the older escape format) to base64. */
final class PgBytea {

    private PgBytea() {
    }

    static JsonValue toBase64(String text) {
        try {
            byte[] bytes = text.startsWith("\\x") ? HexFormat.of().parseHex(text, 2, text.length()) : unescape(text);
            return JsonValue.of(Base64.getEncoder().encodeToString(bytes));
        } catch (IllegalArgumentException e) {
            return JsonValue.of(text);
        }
    }

    /** bytea_output=escape: printable ASCII as is, {@code \\} for a backslash, {@code \ooo} octal otherwise. */
    private static byte[] unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0x7F) {
                throw new IllegalArgumentException("not bytea escape output");
            }
            if (c != '\\') {
                out.write(c);
            } else if (text.startsWith("\\", i + 1)) {
                out.write('\\');
                i++;
            } else if (i + 3 < text.length() && text.substring(i + 1, i + 4).matches("[0-3][0-7][0-7]")) {
                out.write(Integer.parseInt(text, i + 1, i + 4, 8));
                i += 3;
            } else {
                throw new IllegalArgumentException("bad bytea escape at " + i);
            }
        }
        return out.toByteArray();
    }
}
