package dev.streamhook.capture.pgoutput;

import java.util.List;

/** The column values of one row, in the column order of its {@link Relation}. */
public record TupleData(List<ColumnValue> values) {

    public TupleData {
        values = List.copyOf(values);
    }
}
