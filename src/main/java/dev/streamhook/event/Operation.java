package dev.streamhook.event;

/**
 * The kind of change, spelled as the payload's {@code operation} field. {@code TRUNCATE} is one
 * event per truncated table, with no row images: it concerns every row of the table at once.
 */
public enum Operation {
    INSERT, UPDATE, DELETE, TRUNCATE;

    /** The table-wide kind: ordered after every earlier event of its table, before every later one. */
    public boolean tableWide() {
        return this == TRUNCATE;
    }
}
