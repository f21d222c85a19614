package dev.streamhook.capture.pgoutput;

import dev.streamhook.event.Lsn;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads the fields of one message, failing with the message type and byte offset. Each read
 * names the field it wants, so an error says what was being read and not only where.
 */
final class MessageReader {

    /** Seconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 UTC. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;

    private final ByteBuffer in;
    private final char messageType;
    // Strict rather than replacing bad bytes with U+FFFD: a silently altered value is worse
    // than a stopped stream that says why. Made on first use: most messages need none.
    private CharsetDecoder utf8;

    /**
     * A field's name, built only when an error needs it. A tuple names each of its columns
     * ("the text of column 3 of 8 of the new tuple"); building those eagerly cost several times
     * more than decoding the values (see docs/bench/jmh.md).
     */
    @FunctionalInterface
    interface Field {
        String name();
    }

    /** {@code in} holds exactly one message, its type byte at position 0, big-endian. */
    MessageReader(ByteBuffer in, char messageType) {
        this.in = in;
        this.messageType = messageType;
    }

    int readUnsignedByte(String field) {
        require(1, field);
        return in.get() & 0xFF;
    }

    int readUnsignedByte(Field field) {
        if (in.remaining() < 1) {
            throw truncated(1, field.name());
        }
        return in.get() & 0xFF;
    }

    int readUnsignedShort(String field) {
        require(2, field);
        return in.getShort() & 0xFFFF;
    }

    int readUnsignedShort(Field field) {
        if (in.remaining() < 2) {
            throw truncated(2, field.name());
        }
        return in.getShort() & 0xFFFF;
    }

    int readInt(String field) {
        require(4, field);
        return in.getInt();
    }

    long readLong(String field) {
        require(8, field);
        return in.getLong();
    }

    Lsn readLsn(String field) {
        return new Lsn(readLong(field));
    }

    Instant readTimestamp(String field) {
        long micros = readLong(field);
        return Instant.ofEpochSecond(
                PG_EPOCH_SECONDS + Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** A NUL-terminated UTF-8 string. */
    String readString(String field) {
        int start = in.position();
        int nul = start;
        while (nul < in.limit() && in.get(nul) != 0) {
            nul++;
        }
        if (nul == in.limit()) {
            throw error(start, "truncated: " + field + " has no terminating NUL before the message ends at byte "
                    + in.limit());
        }
        String value = decodeUtf8(in.slice(start, nul - start), start, field);
        in.position(nul + 1);
        return value;
    }

    /** A value preceded by its Int32 length. */
    byte[] readCountedBytes(String field) {
        return readCountedBytes(() -> field);
    }

    byte[] readCountedBytes(Field field) {
        byte[] bytes = new byte[readLength(field)];
        in.get(bytes);
        return bytes;
    }

    /**
     * A UTF-8 text preceded by its Int32 length, decoded straight from the message's array when it
     * has one (copying the bytes out first cost a sixth of decoding a row). The JDK's String
     * constructor is the fast decoder but replaces bad bytes with U+FFFD, so only a text that then
     * holds a U+FFFD is decoded again strictly: that fails for bad bytes and gives the same text
     * for a real U+FFFD.
     */
    String readCountedString(Field field) {
        int start = in.position() + 4;
        int length = readLength(field);
        ByteBuffer bytes = in.slice(in.position(), length);
        in.position(in.position() + length);
        String value = bytes.hasArray()
                ? new String(bytes.array(), bytes.arrayOffset(), length, StandardCharsets.UTF_8)
                : StandardCharsets.UTF_8.decode(bytes.duplicate()).toString();
        return value.indexOf('\uFFFD') < 0 ? value : decodeUtf8(bytes, start, field.name());
    }

    /** The Int32 length before a value, checked against what remains. */
    private int readLength(Field field) {
        int lengthOffset = in.position();
        if (in.remaining() < 4) {
            throw truncated(4, "the length of " + field.name());
        }
        int length = in.getInt();
        if (length < 0) {
            throw error(lengthOffset, "negative length " + length + " for " + field.name());
        }
        if (in.remaining() < length) {
            throw truncated(length, field.name());
        }
        return length;
    }

    void expectEnd() {
        if (in.hasRemaining()) {
            throw error(in.position(), in.remaining() + " unexpected trailing bytes after the end of the message");
        }
    }

    int position() {
        return in.position();
    }

    PgOutputDecodeException error(int offset, String problem) {
        return new PgOutputDecodeException(located(offset, problem));
    }

    private String located(int offset, String problem) {
        return "pgoutput " + nameOf(messageType) + " message ('" + messageType + "') at byte offset " + offset
                + ": " + problem;
    }

    /** The names PostgreSQL's documentation gives the message types, so errors can be looked up there. */
    private static String nameOf(char type) {
        return switch (type) {
            case 'B' -> "Begin";
            case 'C' -> "Commit";
            case 'O' -> "Origin";
            case 'R' -> "Relation";
            case 'Y' -> "Type";
            case 'I' -> "Insert";
            case 'U' -> "Update";
            case 'D' -> "Delete";
            case 'T' -> "Truncate";
            case 'M' -> "Message";
            default -> "unknown";
        };
    }

    /** A byte as a character and in hex, printable or not. */
    static String quote(char b) {
        return String.format("'%s' (0x%02X)", b >= 0x20 && b < 0x7F ? String.valueOf(b) : "?", (int) b);
    }

    private void require(int bytes, String field) {
        if (in.remaining() < bytes) {
            throw truncated(bytes, field);
        }
    }

    private PgOutputDecodeException truncated(int bytes, String field) {
        return error(in.position(), "truncated: " + field + " needs " + bytes + (bytes == 1 ? " byte" : " bytes")
                + " but only " + in.remaining() + " remain");
    }

    private String decodeUtf8(ByteBuffer bytes, int offset, String field) {
        if (utf8 == null) {
            utf8 = StandardCharsets.UTF_8.newDecoder();
        }
        try {
            return utf8.decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new PgOutputDecodeException(located(offset, field + " is not valid UTF-8"), e);
        }
    }
}
