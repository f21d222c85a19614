package dev.streamhook.capture.pgoutput;

import dev.streamhook.event.Lsn;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Writes pgoutput fixtures field by field, so each test reads like the protocol documentation. */
final class PgOutputBytes {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    static PgOutputBytes message(char type) {
        return new PgOutputBytes().byte1(type);
    }

    PgOutputBytes byte1(char value) {
        return int8(value);
    }

    PgOutputBytes int8(int value) {
        return write(() -> out.writeByte(value));
    }

    PgOutputBytes int16(int value) {
        return write(() -> out.writeShort(value));
    }

    PgOutputBytes int32(int value) {
        return write(() -> out.writeInt(value));
    }

    PgOutputBytes int64(long value) {
        return write(() -> out.writeLong(value));
    }

    PgOutputBytes lsn(String lsn) {
        return int64(Lsn.parse(lsn).value());
    }

    /** A NUL-terminated UTF-8 string. */
    PgOutputBytes string(String value) {
        return raw(value.getBytes(StandardCharsets.UTF_8)).int8(0);
    }

    PgOutputBytes raw(byte... value) {
        return write(() -> out.write(value));
    }

    /** The Int16 column count that starts a TupleData. */
    PgOutputBytes tuple(int columns) {
        return int16(columns);
    }

    PgOutputBytes nullColumn() {
        return byte1('n');
    }

    PgOutputBytes unchangedToastColumn() {
        return byte1('u');
    }

    PgOutputBytes textColumn(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return byte1('t').int32(utf8.length).raw(utf8);
    }

    PgOutputBytes binaryColumn(byte... value) {
        return byte1('b').int32(value.length).raw(value);
    }

    byte[] toBytes() {
        return bytes.toByteArray();
    }

    ByteBuffer toBuffer() {
        return ByteBuffer.wrap(toBytes());
    }

    private PgOutputBytes write(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private interface IoAction {
        void run() throws IOException;
    }
}
