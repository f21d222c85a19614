package dev.streamhook.capture.pgoutput;

/**
 * A changed row. {@code oldTuple} is null unless PostgreSQL sent one: the replica identity key
 * ({@code oldIsKeyOnly}, only when the update changed a key column) or, with REPLICA IDENTITY
 * FULL, the whole old row.
 */
public record Update(int relationOid, TupleData oldTuple, boolean oldIsKeyOnly, TupleData newTuple)
        implements PgOutputMessage {

    public Update {
        if (oldTuple == null && oldIsKeyOnly) {
            throw new IllegalArgumentException("oldIsKeyOnly needs an old tuple");
        }
    }
}
