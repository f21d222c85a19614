package dev.streamhook.capture.pgoutput;

import java.util.List;

/** Reads the TupleData part shared by Insert, Update and Delete. */
final class TupleReader {

    private TupleReader() {
    }

    static TupleData read(MessageReader in, String tuple) {
        ColumnValue[] values = new ColumnValue[in.readUnsignedShort("the column count of " + tuple)];
        for (int i = 0; i < values.length; i++) {
            String column = "column " + (i + 1) + " of " + values.length + " of " + tuple;
            int kindOffset = in.position();
            char kind = (char) in.readUnsignedByte("the kind of " + column);
            values[i] = switch (kind) {
                case 'n' -> ColumnValue.NULL;
                case 'u' -> ColumnValue.UNCHANGED_TOAST;
                case 't' -> new ColumnValue.Text(in.readCountedString("the text of " + column));
                case 'b' -> new ColumnValue.Binary(in.readCountedBytes("the bytes of " + column));
                default -> throw in.error(kindOffset, "unknown kind " + MessageReader.quote(kind) + " of "
                        + column + " (expected 'n', 'u', 't' or 'b')");
            };
        }
        return new TupleData(List.of(values));
    }
}
