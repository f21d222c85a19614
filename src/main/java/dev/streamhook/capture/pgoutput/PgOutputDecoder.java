package dev.streamhook.capture.pgoutput;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;

/**
 * Decodes one pgoutput message of protocol version 1 (what the stream yields with
 * {@code proto_version '1'}, PostgreSQL 10 to 18), as described in PostgreSQL's "Logical
 * Replication Message Formats". Pure: no I/O, no state between calls, safe from any thread.
 */
public final class PgOutputDecoder {

    private PgOutputDecoder() {
    }

    /**
     * Decodes the bytes from {@code buffer}'s position to its limit, which must be exactly one
     * message. The buffer itself is left untouched (position, limit and byte order), so the
     * caller may still read or log it.
     *
     * @throws PgOutputDecodeException for an unknown or later-protocol message type, truncated
     *     input, trailing bytes or an unknown tuple part
     */
    public static PgOutputMessage decode(ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        ByteBuffer message = buffer.slice().order(ByteOrder.BIG_ENDIAN);
        if (!message.hasRemaining()) {
            throw new PgOutputDecodeException("empty pgoutput message: no type byte at byte offset 0");
        }
        char type = (char) (message.get() & 0xFF);
        MessageReader in = new MessageReader(message, type);
        PgOutputMessage decoded = switch (type) {
            case 'B' -> begin(in);
            case 'C' -> commit(in);
            case 'O' -> origin(in);
            case 'R' -> relation(in);
            case 'Y' -> typeInfo(in);
            case 'I' -> insert(in);
            case 'U' -> update(in);
            case 'D' -> delete(in);
            case 'T' -> truncate(in);
            case 'M' -> logicalMessage(in);
            default -> throw unsupportedType(type);
        };
        in.expectEnd();
        return decoded;
    }

    private static Begin begin(MessageReader in) {
        return new Begin(
                in.readLsn("the final LSN"),
                in.readTimestamp("the commit time"),
                Integer.toUnsignedLong(in.readInt("the xid")));
    }

    private static Commit commit(MessageReader in) {
        return new Commit(
                in.readUnsignedByte("the flags"),
                in.readLsn("the commit LSN"),
                in.readLsn("the end LSN"),
                in.readTimestamp("the commit time"));
    }

    private static Origin origin(MessageReader in) {
        return new Origin(in.readLsn("the origin commit LSN"), in.readString("the origin name"));
    }

    private static Relation relation(MessageReader in) {
        int oid = in.readInt("the relation oid");
        String namespace = in.readString("the namespace");
        String name = in.readString("the relation name");
        char replicaIdentity = (char) in.readUnsignedByte("the replica identity");
        Relation.Column[] columns = new Relation.Column[in.readUnsignedShort("the column count")];
        for (int i = 0; i < columns.length; i++) {
            String column = "column " + (i + 1) + " of " + columns.length;
            boolean partOfKey = (in.readUnsignedByte("the flags of " + column) & 1) != 0;
            columns[i] = new Relation.Column(
                    partOfKey,
                    in.readString("the name of " + column),
                    in.readInt("the type oid of " + column),
                    in.readInt("the type modifier of " + column));
        }
        return new Relation(oid, namespace, name, replicaIdentity, List.of(columns));
    }

    private static TypeInfo typeInfo(MessageReader in) {
        return new TypeInfo(in.readInt("the type oid"), in.readString("the namespace"), in.readString("the type name"));
    }

    private static Insert insert(MessageReader in) {
        int relationOid = in.readInt("the relation oid");
        expectPart(in, 'N', "the new tuple");
        return new Insert(relationOid, TupleReader.read(in, "the new tuple"));
    }

    private static Update update(MessageReader in) {
        int relationOid = in.readInt("the relation oid");
        int partOffset = in.position();
        char part = (char) in.readUnsignedByte("the tuple kind ('K', 'O' or 'N')");
        if (part == 'K' || part == 'O') {
            TupleData old = TupleReader.read(in, part == 'K' ? "the key tuple" : "the old tuple");
            expectPart(in, 'N', "the new tuple");
            return new Update(relationOid, old, part == 'K', TupleReader.read(in, "the new tuple"));
        }
        if (part != 'N') {
            throw in.error(partOffset, "expected tuple kind 'K', 'O' or 'N' but found " + MessageReader.quote(part));
        }
        return new Update(relationOid, null, false, TupleReader.read(in, "the new tuple"));
    }

    private static Delete delete(MessageReader in) {
        int relationOid = in.readInt("the relation oid");
        int partOffset = in.position();
        char part = (char) in.readUnsignedByte("the tuple kind ('K' or 'O')");
        if (part != 'K' && part != 'O') {
            throw in.error(partOffset, "expected tuple kind 'K' or 'O' but found " + MessageReader.quote(part));
        }
        TupleData old = TupleReader.read(in, part == 'K' ? "the key tuple" : "the old tuple");
        return new Delete(relationOid, old, part == 'K');
    }

    private static Truncate truncate(MessageReader in) {
        int countOffset = in.position();
        int count = in.readInt("the relation count");
        if (count < 0) {
            throw in.error(countOffset, "negative relation count " + count);
        }
        int options = in.readUnsignedByte("the options");
        Integer[] oids = new Integer[count];
        for (int i = 0; i < count; i++) {
            oids[i] = in.readInt("relation oid " + (i + 1) + " of " + count);
        }
        return new Truncate(options, List.of(oids));
    }

    private static LogicalMessage logicalMessage(MessageReader in) {
        boolean transactional = (in.readUnsignedByte("the flags") & 1) != 0;
        return new LogicalMessage(
                transactional,
                in.readLsn("the message LSN"),
                in.readString("the prefix"),
                in.readCountedBytes("the content"));
    }

    private static void expectPart(MessageReader in, char expected, String what) {
        int offset = in.position();
        char part = (char) in.readUnsignedByte(() -> "the tuple kind ('" + expected + "')");
        if (part != expected) {
            throw in.error(offset, "expected '" + expected + "' before " + what
                    + " but found " + MessageReader.quote(part));
        }
    }

    private static PgOutputDecodeException unsupportedType(char type) {
        String laterProtocol = switch (type) {
            case 'S' -> "Stream Start";
            case 'E' -> "Stream Stop";
            case 'c' -> "Stream Commit";
            case 'A' -> "Stream Abort";
            case 'b' -> "Begin Prepare";
            case 'P' -> "Prepare";
            case 'K' -> "Commit Prepared";
            case 'r' -> "Rollback Prepared";
            case 'p' -> "Stream Prepare";
            default -> null;
        };
        if (laterProtocol != null) {
            return new PgOutputDecodeException("pgoutput " + laterProtocol + " message (" + MessageReader.quote(type)
                    + ") at byte offset 0 belongs to protocol version 2 or later; only version 1 is supported,"
                    + " so start replication with proto_version '1' and without streaming or two_phase");
        }
        return new PgOutputDecodeException(
                "unknown pgoutput message type " + MessageReader.quote(type) + " at byte offset 0");
    }
}
