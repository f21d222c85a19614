package dev.streamhook.capture.pgoutput;

import java.util.List;

/** Reads the TupleData part shared by Insert, Update and Delete. */
final class TupleReader {

    private TupleReader() {
    }

    static TupleData read(MessageReader in, String tuple) {
        int count = in.readUnsignedShort(() -> "the column count of " + tuple);
        ColumnValue[] values = new ColumnValue[count];
        for (int i = 0; i < count; i++) {
            int number = i + 1;
            int kindOffset = in.position();
            // Column names for errors are built lazily: eagerly they were most of the decoding cost.
            char kind = (char) in.readUnsignedByte(() -> "the kind of " + column(number, count, tuple));
            values[i] = switch (kind) {
                case 'n' -> ColumnValue.NULL;
                case 'u' -> ColumnValue.UNCHANGED_TOAST;
                case 't' -> new ColumnValue.Text(in.readCountedString(() -> "the text of " + column(number, count, tuple)));
                case 'b' -> new ColumnValue.Binary(in.readCountedBytes(() -> "the bytes of " + column(number, count, tuple)));
                default -> throw in.error(kindOffset, "unknown kind " + MessageReader.quote(kind) + " of "
                        + column(number, count, tuple) + " (expected 'n', 'u', 't' or 'b')");
            };
        }
        return new TupleData(List.of(values));
    }

    private static String column(int number, int count, String tuple) {
        return "column " + number + " of " + count + " of " + tuple;
    }
}
