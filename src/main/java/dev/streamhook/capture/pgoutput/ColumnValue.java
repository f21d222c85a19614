package dev.streamhook.capture.pgoutput;

import java.util.Arrays;
import java.util.Objects;

/** One column of a {@link TupleData}. */
public sealed interface ColumnValue {

    Null NULL = new Null();
    UnchangedToast UNCHANGED_TOAST = new UnchangedToast();

    record Null() implements ColumnValue {
    }

    /**
     * A TOASTed value the change did not touch: PostgreSQL does not send it, so the value is
     * unknown here, not empty.
     */
    record UnchangedToast() implements ColumnValue {
    }

    /** The value in PostgreSQL's text output format. */
    record Text(String value) implements ColumnValue {
        public Text {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * The value in the type's binary send format (only with the {@code binary} option). Not
     * copied, to keep decoding cheap; treat it as read-only. Equality compares the bytes.
     */
    record Binary(byte[] value) implements ColumnValue {
        public Binary {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Binary that && Arrays.equals(value, that.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Binary[" + value.length + " bytes]";
        }
    }
}
